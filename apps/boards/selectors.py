"""Reads of a whole board, shared by the REST board read (apps.boards.views) and the room's
snapshot (apps.rooms.consumers)."""

from django.db.models import Prefetch

from .models import Character, Location, Panel, Scene, Shot

# What apps above the boards work out about shots, for the board to carry (apps.review: the latest
# decision on each and whether it went stale). They register at start (their AppConfig.ready), so
# the boards import nothing above them. name -> function(shot ids) -> {shot id: value or None}.
SHOT_FACTS = {}


def register_shot_fact(name, compute):
    SHOT_FACTS[name] = compute


def shot_facts(name, shot_ids):
    compute = SHOT_FACTS.get(name)
    return compute(shot_ids) if compute is not None else dict.fromkeys(shot_ids)


def board_for(project):
    """Everything a board read returns, for BoardSerializer (REST read and room snapshot)."""
    scenes = list(board_queryset(project.pk))
    shots = [shot for scene in scenes for shot in scene.board_shots]
    # The shot list shows each shot's latest decision and whether it went stale: worked out
    # for the whole board at once (a query, and a few more when the project has decisions).
    states = shot_facts("approval", [shot.pk for shot in shots])
    for shot in shots:
        shot.board_approval = states[shot.pk]
    return {
        "project": project,
        "scenes": scenes,
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
    shots = Prefetch(
        "shots",
        queryset=Shot.objects.select_related("script_lines", "audio").prefetch_related(characters, panels).order_by("rank", "id"),
        to_attr="board_shots",
    )
    return Scene.objects.filter(project_id=project_id).select_related("location", "audio").prefetch_related(shots).order_by("rank", "id")
