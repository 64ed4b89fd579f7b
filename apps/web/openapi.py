"""previs's shapes in the API schema, for the browser's generated types: the camera spec
(previs/spec_models.py). The vocabulary is there through GET /api/vocabulary/."""

from apps.rooms.protocol import json_schemas
from previs.coverage import ShotProposal
from previs.spec_models import CameraSpec


def add_to_openapi(result, generator, request, public):
    """drf-spectacular post-processing hook: put CameraSpec (and its parts) and the coverage
    planner's ShotProposal into the schema."""
    result.setdefault("components", {}).setdefault("schemas", {}).update(json_schemas({"CameraSpec": CameraSpec, "ShotProposal": ShotProposal}))
    return result
