"""Serves the browser app's shell; the app itself is built by Vite from frontend/ into static/app.
The shell carries previs's published vocabulary, so the app has it before its first render."""

import json
from functools import lru_cache

from django.conf import settings
from django.shortcuts import render
from django.views.decorators.csrf import ensure_csrf_cookie
from drf_spectacular.utils import extend_schema
from pydantic import BaseModel, Field
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.projects.permissions import ROLE_PERMISSIONS, ROLES
from apps.renders.services import capabilities
from previs.published import VOCABULARY, Vocabulary
from workers.exports.shotlist import COLUMNS as SHOT_LIST_COLUMNS

MANIFEST = settings.BASE_DIR / "static" / "app" / ".vite" / "manifest.json"
ENTRY = "index.html"


@lru_cache(maxsize=1)
def _cached_manifest(mtime):
    return json.loads(MANIFEST.read_text())


def build_assets():
    """The entry script and stylesheets of the current Vite build, or None if it is not built."""
    if not MANIFEST.exists():
        return None
    entry = _cached_manifest(MANIFEST.stat().st_mtime).get(ENTRY)
    if entry is None:
        return None
    return {"script": f"app/{entry['file']}", "styles": [f"app/{css}" for css in entry.get("css", [])]}


@ensure_csrf_cookie
def app_shell(request, *args, **kwargs):
    assets = build_assets()
    status = 200 if assets else 503
    return render(request, "index.html", {"assets": assets, "vocabulary": page_vocabulary()}, status=status)


VOCABULARY_JSON = VOCABULARY.model_dump(mode="json")


class Capabilities(BaseModel):
    styled_renders: bool = Field(description="Styled (diffusion) renders can be made here: diffusion weights are configured.")
    styled_renders_reason: str | None = Field(description="Why not, in words for the page's disabled buttons; null when they can.")


class RoleInfo(BaseModel):
    value: str
    label: str
    allowed: list[str] = Field(description="The actions this role may take (apps/projects/permissions.py: ROLE_PERMISSIONS).")


# The role table as the page shows it, so a hidden or disabled button can say who may use it.
ROLE_TABLE = [RoleInfo(value=role, label=label, allowed=sorted(ROLE_PERMISSIONS[role])).model_dump() for role, label in ROLES]


class ShotListColumn(BaseModel):
    header: str = Field(description="The column's header in a shot-list CSV or a pasted spreadsheet.")
    field: str = Field(description="The shot field it fills (scene: the scene's number).")


# The shot-list CSV's columns (workers.exports.shotlist.COLUMNS, their one definition), for rows
# pasted from a spreadsheet into the shot list: a header row is read by these names.
SHOT_LIST_COLUMN_TABLE = [ShotListColumn(header=header, field=field).model_dump() for header, field, _ in SHOT_LIST_COLUMNS]


class StudioVocabulary(Vocabulary):
    """The vocabulary with what this studio can do (which depends on its configuration, not on previs)
    and the project roles with what each may do."""

    capabilities: Capabilities
    roles: list[RoleInfo]
    shot_list_columns: list[ShotListColumn]


def page_vocabulary():
    # Read per request: weights mounted while the studio runs count at the next page load.
    return {**VOCABULARY_JSON, "capabilities": capabilities(), "roles": ROLE_TABLE, "shot_list_columns": SHOT_LIST_COLUMN_TABLE}


class VocabularyView(APIView):
    """The trade's words and the camera's numbers, as the browser app gets them with its page."""

    permission_classes = [AllowAny]  # the same for everyone, and nothing of any project

    @extend_schema(
        responses=StudioVocabulary,
        description="Shot-list vocabularies with labels and short labels, lenses, sensors, aspect ratios, frame rates, move parameters; and what this studio can render (capabilities).",
    )
    def get(self, request):
        return Response(page_vocabulary())
