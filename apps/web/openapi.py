"""previs's shapes in the API schema, for the browser's generated types: the camera spec
(previs/spec_models.py). The vocabulary is there through GET /api/vocabulary/. And the script
import's limits (ScriptLimits), as the review's are published (ReviewLimits)."""

from typing import Literal

from pydantic import BaseModel

from apps.rooms.protocol import json_schemas
from apps.scripts.models import ScriptImport
from previs.coverage import ShotProposal
from previs.sets import LocationPiece
from previs.spec_models import CameraSpec

DRAFT_NAME_MAX_CHARS = ScriptImport._meta.get_field("draft_name").max_length


class ScriptLimits(BaseModel):
    """The numbers the script import form keeps to (frontend/src/board/ScriptImport.tsx), read
    from the model that stores them and published as constants: the browser's copy is typed with
    them, so a change on the server fails its type check."""

    draft_name_max_chars: Literal[DRAFT_NAME_MAX_CHARS]  # type: ignore[valid-type]


def add_to_openapi(result, generator, request, public):
    """drf-spectacular post-processing hook: put CameraSpec (and its parts) and the coverage
    planner's ShotProposal into the schema."""
    result.setdefault("components", {}).setdefault("schemas", {}).update(
        json_schemas({"CameraSpec": CameraSpec, "LocationPiece": LocationPiece, "ShotProposal": ShotProposal, "ScriptLimits": ScriptLimits})
    )
    return result
