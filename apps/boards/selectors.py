"""Reads of a whole board, shared by the REST board read (apps.boards.views) and the room's
snapshot (apps.rooms.consumers)."""

from django.db.models import Prefetch

from .models import Character, Location, Panel, Scene, Shot


def board_for(project):
    """Everything a board read returns, for BoardSerializer (REST read and room snapshot)."""
    return {
        "project": project,
        "scenes": board_queryset(project.pk),
        "characters": Character.objects.filter(project=project),
        "locations": Location.objects.filter(project=project),
    }


def board_queryset(project_id):
    """Scenes → shots (with characters) → panels (with images) in a fixed number of queries.

    Each level lands in a plain list (to_attr: board_shots, board_characters, board_panels), which
    BoardSceneSerializer and BoardShotSerializer read.
    """
    panels = Prefetch("panels", queryset=Panel.objects.select_related("image").order_by("rank", "id"), to_attr="board_panels")
    characters = Prefetch("characters", to_attr="board_characters")
    # script_lines: the lined script's row of each shot (apps.scripts), joined, not a query per shot.
    shots = Prefetch("shots", queryset=Shot.objects.select_related("script_lines").prefetch_related(characters, panels).order_by("rank", "id"), to_attr="board_shots")
    return Scene.objects.filter(project_id=project_id).select_related("location").prefetch_related(shots).order_by("rank", "id")

