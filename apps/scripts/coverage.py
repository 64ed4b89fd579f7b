"""Coverage proposals: what previs.coverage plans for each scene, stored as drafts the director
accepts (each becomes a shot, through the board services, with its blocking frame queued) or
rejects. Views stay thin and call these.

A scene is planned again only when what the planner reads changed (its lines in the latest
draft, its cast, setting, location, props, the project's camera: `basis`); then the undecided
proposals are replaced and the decided ones stay as they were.
"""

import hashlib
import json
import logging

import pydantic
from django.db import transaction
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from apps.boards import services as boards
from apps.boards.models import Scene, Shot
from apps.changes.log import record_change
from apps.renders import services as renders
from apps.renders.models import RenderJob
from previs import coverage as planner
from previs.spec import layout_for_shot, normalize_spec

from . import assistant, lining
from .models import CoverageProposal, SceneCast, ScriptElement
from .services import latest_script

log = logging.getLogger(__name__)

# Fields the director may change on a proposal before accepting it (who is in it, and the lines
# it covers, are the planner's; they change on the shot list afterwards like any shot's).
EDITABLE = ("description", "shot_size", "framing", "angle", "movement", "rig", "lens_mm", "duration_s", "dialogue")
# Those that move the camera: editing one lays the proposal's camera out again.
LAYOUT_FIELDS = {"shot_size", "framing", "angle", "movement", "lens_mm", "duration_s"}
PLANNER_VERSION = 2  # bump when the planner's rules change, so scenes are planned again


# --- Reading scenes into the planner ------------------------------------------------------------------


def scene_inputs(project, scenes):
    """{scene id: SceneToCover} for these scenes, in a fixed number of queries."""
    scenes = [s for s in scenes if not s.omitted]
    ids = [s.pk for s in scenes]
    script = latest_script(project.pk)
    lines = {pk: [] for pk in ids}
    if script is not None:
        for row in ScriptElement.objects.filter(script=script, scene_id__in=ids).order_by("index").values("id", "scene_id", "kind", "text", "character"):
            lines[row["scene_id"]].append(planner.ScriptLine(row["id"], row["kind"], row["text"], row["character"]))
    cast = {pk: [] for pk in ids}
    # The library's order (name, id) is the order the boards' own layout places a shot's cast in.
    for row in SceneCast.objects.filter(scene_id__in=ids).select_related("character").order_by("character__name", "character_id"):
        c = row.character
        cast[row.scene_id].append(planner.CastMember(str(c.pk), c.name, c.height_m, c.colour))
    # A location is new in the first scene (in story order) set there.
    first_at = {}
    for pk, location_id in Scene.objects.filter(project=project, omitted=False).order_by("rank", "id").values_list("pk", "location_id"):
        if location_id is not None:
            first_at.setdefault(location_id, pk)
    inputs = {}
    for scene in scenes:
        inputs[scene.pk] = planner.SceneToCover(
            lines=lines[scene.pk],
            cast=cast[scene.pk],
            setting=scene.setting,
            location=scene.location.name if scene.location_id else "",
            time_of_day=scene.time_of_day,
            new_location=scene.location_id is not None and first_at.get(scene.location_id) == scene.pk,
            props=[p.strip() for p in scene.props.splitlines() if p.strip()],
            sensor=project.sensor,
            aspect=project.aspect_ratio,
            fps=project.fps,
        )
    return inputs


def basis_of(scene_input):
    """What a planning depends on, hashed: the same basis plans the same proposals."""
    data = json.dumps([PLANNER_VERSION, assistant.fingerprint(), repr(scene_input)], sort_keys=True)
    return hashlib.sha256(data.encode()).hexdigest()


# --- Proposals ---------------------------------------------------------------------------------------


def proposals_for(project, scenes):
    """The stored proposals of these scenes, planning (again) those whose basis changed."""
    scenes = list(scenes)
    inputs = scene_inputs(project, scenes)
    rows = list(CoverageProposal.objects.filter(scene_id__in=[s.pk for s in scenes]))
    by_scene = {}
    for row in rows:
        by_scene.setdefault(row.scene_id, []).append(row)
    stale = []
    for scene in scenes:
        if scene.pk not in inputs:
            continue
        basis = basis_of(inputs[scene.pk])
        if not any(row.basis == basis for row in by_scene.get(scene.pk, [])):
            stale.append((scene, basis))
    if stale:
        _plan(project, stale, inputs, by_scene)
    return CoverageProposal.objects.filter(scene_id__in=[s.pk for s in scenes]).order_by("scene__rank", "scene_id", "order", "id")


def _plan(project, stale, inputs, by_scene):
    creates, updates, deletes = [], [], []
    for scene, basis in stale:
        planned = assistant.refine(scene, inputs[scene.pk], planner.plan_coverage(inputs[scene.pk]))
        existing = {row.key: row for row in by_scene.get(scene.pk, [])}
        keys = set()
        for order, shot in enumerate(planned):
            key = shot.proposal.key
            keys.add(key)
            values = {
                "order": order,
                "basis": basis,
                "proposal": shot.proposal.model_dump(mode="json"),
                "camera_spec": shot.camera_spec,
                "source": _source(key),
            }
            row = existing.get(key)
            if row is None:
                creates.append(CoverageProposal(project=project, scene=scene, key=key, **values))
            elif row.status == CoverageProposal.PROPOSED:
                for name, value in values.items():
                    setattr(row, name, value)
                updates.append(row)
            else:
                row.basis = basis  # decided: kept as it was, but seen by this planning
                updates.append(row)
        for key, row in existing.items():
            if key not in keys:
                if row.status == CoverageProposal.PROPOSED:
                    deletes.append(row.pk)
                else:
                    row.basis = basis
                    updates.append(row)
    with transaction.atomic():
        CoverageProposal.objects.filter(pk__in=deletes, status=CoverageProposal.PROPOSED).delete()
        CoverageProposal.objects.bulk_update(updates, ["order", "basis", "proposal", "camera_spec", "source"], batch_size=500)
        # Two readers planning the same scene at once: the second's rows are the same, so skip them.
        CoverageProposal.objects.bulk_create(creates, batch_size=500, ignore_conflicts=True)


def _source(key):
    return CoverageProposal.ASSISTANT if key.startswith("extra:") else CoverageProposal.PLANNER


# --- Decisions ---------------------------------------------------------------------------------------


def _event(row):
    return {"scene": row.scene_id, "status": row.status, "shot": row.shot_id, "key": row.key}


def reject(row, actor):
    """Set a proposal aside; it stays rejected when the scene is planned again."""
    with transaction.atomic():
        # Conditional, so a proposal accepted meanwhile is not marked rejected under its shot.
        now = timezone.now()
        done = (
            CoverageProposal.objects.filter(pk=row.pk)
            .exclude(status=CoverageProposal.ACCEPTED)
            .update(status=CoverageProposal.REJECTED, decided_by=_user(actor), decided_at=now)
        )
        if not done:
            raise ValidationError({"status": ["This proposal is already a shot; delete the shot instead."]})
        row.status, row.decided_by, row.decided_at = CoverageProposal.REJECTED, _user(actor), now
        record_change(row.project_id, actor, "update", "coverage_proposal", row.pk, _event(row))
    return row


def edited(row, fields, path):
    """The row's proposal with the director's edits, validated by the same model as the
    planner's output, and its camera laid out again when an edit moves it."""
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValidationError({f"{path}.{name}": [f"Not editable here; editable: {', '.join(EDITABLE)}."] for name in sorted(unknown)})
    try:
        proposal = planner.ShotProposal.model_validate({**row.proposal, **fields})
    except pydantic.ValidationError as error:
        raise ValidationError({f"{path}.{'.'.join(map(str, item['loc']))}": [item["msg"]] for item in error.errors()})
    if "movement" in fields and "rig" not in fields:
        proposal = proposal.model_copy(update={"rig": planner.RIG_FOR_MOVE[proposal.movement]})
    spec = row.camera_spec
    if LAYOUT_FIELDS & set(fields):
        spec = planner.lay_out_again(proposal, spec)
    return proposal, spec


def accept(scene, choices, actor):
    """Make shots of proposals: `choices` is [(row, edits)], or None for every proposal of the
    scene not yet decided. Each shot is created by apps.boards.services (next free number, never
    over an existing shot, logged for the room), then its blocking frame is queued. All or none."""
    if choices is None:
        choices = [(row, {}) for row in CoverageProposal.objects.filter(scene=scene, status=CoverageProposal.PROPOSED).order_by("order", "id")]
    errors = {}
    planned = []
    for index, (row, fields) in enumerate(choices):
        if row.scene_id != scene.pk:
            errors[f"proposals.{index}.id"] = [f"Proposal {row.pk} is not one of scene {scene.number}'s."]
            continue
        if row.status == CoverageProposal.ACCEPTED and row.shot_id is not None:
            # (One whose shot was deleted since may be accepted again.)
            errors[f"proposals.{index}.id"] = [f"Proposal {row.pk} is already shot {row.shot.number}."]
            continue
        try:
            planned.append((row, *edited(row, fields or {}, f"proposals.{index}.fields")))
        except ValidationError as error:
            errors.update(error.detail)
    if errors:
        raise ValidationError(errors)
    characters = {str(c.pk): c for c in scene.project.characters.all()}
    made = []
    with transaction.atomic():
        # Two people accepting the same proposal at once: the second finds it taken, not two shots.
        locked = CoverageProposal.objects.select_for_update().filter(pk__in=[row.pk for row, _p, _s in planned]).values_list("pk", "status", "shot_id")
        taken = [pk for pk, status, shot_id in locked if status == CoverageProposal.ACCEPTED and shot_id is not None]
        if taken:
            raise ValidationError({"proposals": [f"Proposal {pk} was accepted meanwhile." for pk in taken]})
        for row, proposal, spec in planned:
            cast = [characters[p["id"]] for p in spec["characters"] if p["name"] in proposal.characters and p["id"] in characters]
            data = {
                "description": proposal.description,
                "dialogue": proposal.dialogue,
                "shot_size": proposal.shot_size,
                "framing": proposal.framing,
                "angle": proposal.angle,
                "movement": proposal.movement,
                "rig": proposal.rig,
                "lens_mm": proposal.lens_mm,
                "duration_s": proposal.duration_s,
                "location": scene.location,
                "characters": cast,
            }
            if proposal.coverage == "insert":
                data["props"] = proposal.description.removeprefix("Insert: the ").rstrip(".")
            if spec != _own_layout(scene, data):
                # The shot list cannot say who the camera is on or where the others stand: the
                # planner's camera is kept as placed (spec_locked), and follows lens and move edits.
                data["camera_spec"] = spec
            shot = boards.create_shot(scene, data, actor)
            if proposal.elements:
                _line(shot, proposal.elements, actor)
            row.status, row.shot, row.decided_by, row.decided_at = CoverageProposal.ACCEPTED, shot, _user(actor), timezone.now()
            row.proposal, row.camera_spec = proposal.model_dump(mode="json"), shot.camera_spec
            row.save(update_fields=["status", "shot", "decided_by", "decided_at", "proposal", "camera_spec"])
            record_change(row.project_id, actor, "update", "coverage_proposal", row.pk, _event(row))
            job = renders.create_job(shot=shot, kind=RenderJob.FRAME, backend=RenderJob.BLOCKING, seed=None, parameters={}, actor=actor)
            made.append((row, shot, job))
    return made


def _line(shot, elements, actor):
    """Line the new shot through the script it covers (one run, first to last line), as the
    script supervisor would; lines of an older draft than the latest are left unlined."""
    try:
        lining.set_lines(shot, elements[0], elements[-1], actor)
    except ValidationError as error:
        log.info("shot %s not lined: %s", shot.pk, error.detail)


def _own_layout(scene, data):
    """The camera the boards' layout would give a shot with these fields (as create_shot would)."""
    fields = {k: v for k, v in data.items() if k != "characters"}
    draft = Shot(**{**boards.shot_defaults(scene), **fields})
    return normalize_spec(layout_for_shot(**boards.layout_kwargs(draft, data["characters"])))


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None
