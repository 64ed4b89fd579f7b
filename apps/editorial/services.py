"""Exports (made when asked, run on the export queue) and shot-list imports.

An export is decided when it is made, like a render job: the board is read into a plain
snapshot (`board_snapshot`), the options get their defaults, and the hash of kind + options +
snapshot either finds an identical stored document or queues the export. The worker
(`execute_export`, from apps.editorial.tasks) hands the snapshot to a pure exporter in
workers/exports and stores the bytes as an asset, so the file is downloaded through the same
permission-checked (or presigned) path as every other asset. Status changes go to the project
room as logged changes (entity "export"); progress is kept on the row.

A shot-list import reads the CSV (workers/exports/shotlist.py), checks every row with the shot
serializer, and either returns the plan (a preview) or applies it in one transaction through
apps.boards.services, so every rule and room broadcast of a shot edit holds and a bad row
leaves nothing written.
"""

import hashlib
import json
import logging
from datetime import date

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.text import slugify
from rest_framework.exceptions import ValidationError

from apps.assets import storage
from apps.assets.models import Asset
from apps.assets.serializers import AssetSerializer
from apps.assets.services import store_asset
from apps.boards import services as board_services
from apps.boards.models import Character, Location, Panel, Scene, Shot
from apps.boards.serializers import ShotSerializer
from apps.changes.log import lock_project, record_change
from previs.timecode import frame_rate
from workers.exports import ExportError

from .models import Export

log = logging.getLogger(__name__)

PDF_KINDS = (Export.BOARDS_PDF, Export.SHOT_LIST_PDF)
# Each kind's options with their defaults; other kinds take none.
DEFAULT_PARAMETERS = {
    Export.BOARDS_PDF: {"layout": 6, "orientation": "portrait", "paper": "a4"},
    Export.SHOT_LIST_PDF: {"orientation": "landscape", "paper": "a4"},
    Export.ANIMATIC: {"resolution": "1080p", "burn_ins": True, "watermark": "", "source": "panels"},
}
FORMATS = {  # kind → (content type, file name ending)
    Export.SHOT_LIST_CSV: ("text/csv", "shot-list.csv"),
    Export.SHOT_LIST_PDF: ("application/pdf", "shot-list.pdf"),
    Export.BOARDS_PDF: ("application/pdf", "storyboards.pdf"),
    Export.OTIO: ("application/json", "timeline.otio"),
    Export.EDL: ("text/plain", "timeline.edl"),
    Export.FCP_XML: ("application/xml", "timeline.xml"),
    Export.ANIMATIC: ("video/mp4", "animatic.mp4"),
    Export.MEDIA_BUNDLE: ("application/zip", "media.zip"),
}


# --- The board, as the exporters read it -----------------------------------------------------


def _image(asset):
    if asset is None or not asset.content_type.startswith("image/"):
        return None
    return {"key": asset.key, "sha256": asset.sha256, "width": asset.width, "height": asset.height}


def _audio(asset, name):
    """Scratch sound as the animatic export reads it (named for its error messages)."""
    return {"key": asset.key, "sha256": asset.sha256, "name": name} if asset is not None else None


def board_snapshot(project, scene=None):
    """The scenes (one, or all in story order), their shots and panels as plain data
    (workers/exports documents the shape), with each shot's latest clip and its review notes as
    markers at the project's frame rate."""
    from apps.review.models import Annotation, Comment

    scenes = list(Scene.objects.filter(project=project, **({"pk": scene.pk} if scene else {})).select_related("location", "audio").order_by("rank", "id"))
    shots = list(
        Shot.objects.filter(scene__in=scenes)
        .select_related("location", "audio")
        .prefetch_related("characters", Prefetch("panels", queryset=Panel.objects.select_related("image").order_by("rank", "id")))
        .order_by("rank", "id")
    )
    shot_ids = [shot.pk for shot in shots]
    clips = {}
    for asset in (
        Asset.objects.filter(kind=Asset.CLIP, render_job__shot_id__in=shot_ids, render_job__status="succeeded")
        .select_related("render_job")
        .order_by("created_at", "id")
    ):
        shot_id = asset.render_job.shot_id
        version = clips.get(shot_id, {}).get("version", 0) + 1
        clips[shot_id] = {"key": asset.key, "sha256": asset.sha256, "duration_s": asset.duration_s, "version": version}
    project_rate = frame_rate(project.fps)
    shot_rates = {shot.pk: frame_rate(shot.fps) for shot in shots}
    markers = {}
    for comment in Comment.objects.filter(shot_id__in=shot_ids, frame__isnull=False, parent__isnull=True).order_by("frame", "id"):
        rate = project_rate / shot_rates[comment.shot_id]
        markers.setdefault(comment.shot_id, []).append(
            {
                "frame": round(comment.frame * rate),
                "frame_end": round(comment.frame_end * rate) if comment.frame_end is not None else None,
                "text": comment.body,
                "kind": "comment",
                "status": "resolved" if comment.resolved else "open",
            }
        )
    for annotation in Annotation.objects.filter(shot_id__in=shot_ids).order_by("frame", "id"):
        rate = project_rate / shot_rates[annotation.shot_id]
        markers.setdefault(annotation.shot_id, []).append(
            {"frame": round(annotation.frame * rate), "frame_end": None, "text": "Drawing", "kind": "annotation", "status": "drawing"}
        )
    by_scene = {scene.pk: [] for scene in scenes}
    for shot in shots:
        by_scene[shot.scene_id].append(
            {
                **{
                    name: getattr(shot, name)
                    for name in (
                        "number",
                        "shot_size",
                        "framing",
                        "angle",
                        "movement",
                        "rig",
                        "lens_mm",
                        "sensor",
                        "aspect_ratio",
                        "fps",
                        "duration_s",
                        "duration_locked",
                        "description",
                        "dialogue",
                        "props",
                        "notes",
                        "status",
                    )
                },
                "characters": sorted(c.name for c in shot.characters.all()),
                "location": shot.location.name if shot.location_id else "",
                "panels": [{"duration_s": p.duration_s, "caption": p.caption, "notes": p.notes, "image": _image(p.image)} for p in shot.panels.all()],
                "clip": clips.get(shot.pk),
                "markers": markers.get(shot.pk, []),
                "audio": _audio(shot.audio, f"shot {shot.number}'s scratch sound"),
            }
        )
    return {
        "title": project.name + (f" · Scene {scene.number}" if scene else ""),
        "project": {"name": project.name, "fps": project.fps},
        "scenes": [
            {
                "number": s.number,
                "heading": s.heading,
                "synopsis": s.synopsis,
                "audio": _audio(s.audio, f"scene {s.number}'s scratch sound"),
                "shots": by_scene[s.pk],
            }
            for s in scenes
        ],
    }


# --- Making an export ------------------------------------------------------------------------


def export_event(export):
    """What the room is told of an export (the change data of entity "export")."""
    return {
        "id": export.pk,
        "kind": export.kind,
        "scene": export.scene_id,
        "status": export.status,
        "progress": round(export.progress, 4),
        "error": export.error,
        "filename": export.filename,
        "output": AssetSerializer(export.output).data if export.output_id else None,
        "created_at": export.created_at.isoformat(),
    }


def create_export(*, project, kind, scene=None, parameters=None, actor):
    parameters = {**DEFAULT_PARAMETERS.get(kind, {}), **{k: v for k, v in (parameters or {}).items() if k in DEFAULT_PARAMETERS.get(kind, {})}}
    board = board_snapshot(project, scene)
    if not any(s["shots"] for s in board["scenes"]):
        if scene is not None:
            raise ValidationError({"scene": [f"Scene {scene.number} has no shots to export."]})
        raise ValidationError({"project": ["This project has no shots to export yet."]})
    if kind in PDF_KINDS:
        board["made_on"] = date.today().isoformat()  # printed on every page, so part of the document
    canonical = json.dumps({"kind": kind, "parameters": parameters, "board": board}, sort_keys=True, separators=(",", ":"), default=str)
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    _, ending = FORMATS[kind]
    place = f"sc{scene.number}" if scene else "film"
    filename = f"{slugify(project.name) or 'project'}_{place}_{ending}"
    with transaction.atomic():
        lock_project(project.pk)
        export = Export.objects.create(
            project=project,
            scene=scene,
            kind=kind,
            parameters=parameters,
            board=board,
            input_hash=digest,
            filename=filename,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        previous = (
            Export.objects.filter(project=project, input_hash=digest, status=Export.SUCCEEDED, output__isnull=False, reused_from__isnull=True)
            .exclude(pk=export.pk)
            .order_by("-finished_at")
            .first()
        )
        if previous is not None:
            # Same board, same options: the stored document is exactly what would be made again.
            export.reused_from, export.output = previous, previous.output
            export.status, export.progress, export.finished_at = Export.SUCCEEDED, 1.0, timezone.now()
            export.save(update_fields=["reused_from", "output", "status", "progress", "finished_at"])
        record_change(project.pk, actor, "create", "export", export.pk, export_event(export))
        if export.status == Export.QUEUED:
            transaction.on_commit(lambda: enqueue(export))
    return export


def enqueue(export):
    """Send the export to the export queue (routed by studio/celery.py). A broker that cannot be
    reached leaves it queued; asking again makes a new one."""
    from studio.celery import send

    send("apps.editorial.tasks.export_document", export.pk)


# --- Running an export (inside a worker) ------------------------------------------------------


def _transition(export_id, from_statuses, **values):
    """Move the export on if it is in one of `from_statuses`, and tell the room. None if not."""
    project_id = Export.objects.filter(pk=export_id).values_list("project_id", flat=True).first()
    if project_id is None:
        return None
    with transaction.atomic():
        lock_project(project_id)
        if not Export.objects.filter(pk=export_id, status__in=from_statuses).update(**values):
            return None
        export = Export.objects.select_related("project", "scene", "output").get(pk=export_id)
        record_change(project_id, None, "update", "export", export.pk, export_event(export))
    return export


class Cancelled(Exception):
    """The export was cancelled while the worker made it: stop spending the worker on it."""


class Progress:
    """Keeps the export's progress on its row, at most a few times a second, and tells the room
    at every tenth once the export has taken a second (a quick one is only queued, running,
    done); finds out there that the export was cancelled and stops the exporter."""

    INTERVAL_S = 0.25
    ROOM_STEP = 0.1
    ROOM_AFTER_S = 1.0

    def __init__(self, export):
        import time

        self.export, self.last, self.told, self.started = export, 0.0, 0.0, time.monotonic()

    def __call__(self, done, total):
        import time

        now = time.monotonic()
        if now - self.last < self.INTERVAL_S and done < total:
            return
        self.last = now
        progress = min(1.0, done / total) if total else 0.0
        if not Export.objects.filter(pk=self.export.pk, status=Export.RUNNING).update(progress=progress):
            raise Cancelled()
        if progress - self.told >= self.ROOM_STEP and progress < 1.0 and now - self.started >= self.ROOM_AFTER_S:
            self.told = progress
            self.export.progress = progress
            with transaction.atomic():
                lock_project(self.export.project_id)
                record_change(self.export.project_id, None, "update", "export", self.export.pk, export_event(self.export))


def cancel_export(export, actor):
    """Stop a queued or running export: the worker drops it at its next progress report."""
    with transaction.atomic():
        lock_project(export.project_id)
        if not Export.objects.filter(pk=export.pk, status__in=(Export.QUEUED, Export.RUNNING)).update(status=Export.CANCELLED, finished_at=timezone.now()):
            raise ValidationError({"status": [f"This export has already {Export.objects.get(pk=export.pk).status}."]})
        export.refresh_from_db()
        record_change(export.project_id, actor, "update", "export", export.pk, export_event(export))
    return export


def make_document(export, progress):
    """The export's bytes, from the pure exporters in workers/exports."""
    from workers.exports import animatic, bundle, pdf, shotlist, timeline

    board, options = export.board, export.parameters
    if export.kind == Export.MEDIA_BUNDLE:
        return bundle.media_bundle(board, storage.read, progress=progress)
    if export.kind == Export.ANIMATIC:
        return animatic.animatic_mp4(board, storage.read, progress=progress, **options)
    if export.kind == Export.SHOT_LIST_CSV:
        return shotlist.shot_list_csv(board, progress=progress)
    if export.kind == Export.BOARDS_PDF:
        return pdf.boards_pdf(board, storage.read, progress=progress, **options)
    if export.kind == Export.SHOT_LIST_PDF:
        return pdf.shot_list_pdf(board, progress=progress, **options)
    data, _, _ = timeline.timeline_file(board, export.kind)
    return data


def execute_export(export_id):
    # A redelivered message (the worker died mid-export) finds it running and makes it again:
    # harmless, the file is stored by its content and only one finish counts.
    export = _transition(export_id, (Export.QUEUED, Export.RUNNING), status=Export.RUNNING, progress=0.0, error="")
    if export is None:
        return None
    try:
        data = make_document(export, Progress(export))
    except Cancelled:
        return Export.objects.get(pk=export_id)
    except ExportError as error:
        return _transition(export_id, (Export.RUNNING,), status=Export.FAILED, error=" ".join(error.args[0]), finished_at=timezone.now())
    except Exception as error:
        log.exception("export %s failed", export_id)
        return _transition(export_id, (Export.RUNNING,), status=Export.FAILED, error=f"{type(error).__name__}: {error}", finished_at=timezone.now())
    content_type, _ = FORMATS[export.kind]
    asset = store_asset(project_id=export.project_id, kind=Asset.EXPORT, data=data, content_type=content_type, created_by=export.created_by)
    return _transition(export_id, (Export.RUNNING,), status=Export.SUCCEEDED, progress=1.0, output=asset, finished_at=timezone.now())


# --- Shot-list import ------------------------------------------------------------------------


def _header(field):
    from workers.exports.shotlist import COLUMNS

    return {f: h for h, f, _ in COLUMNS}.get(field, field)


def plan_shot_list(project, data):
    """What importing the CSV would do: [{"line", "scene", "shot", "action", "changes", "data",
    "target"}]. Raises ValidationError({"file": ["Line N, Column: …", …]}) naming every bad row."""
    from workers.exports.shotlist import parse_shot_list

    try:
        rows, errors = parse_shot_list(data)
    except ExportError as error:
        raise ValidationError({"file": error.args[0]})
    scenes = {s.number: s for s in Scene.objects.filter(project=project)}
    shots = {(s.scene.number, s.number): s for s in Shot.objects.filter(project=project).select_related("scene").prefetch_related("characters")}
    characters = {c.name.casefold(): c for c in Character.objects.filter(project=project)}
    locations = {location.name.casefold(): location for location in Location.objects.filter(project=project)}
    plan = []
    for row in rows:
        fields, line = dict(row["fields"]), row["line"]
        if "characters" in fields:
            unknown = [name for name in fields["characters"] if name.casefold() not in characters]
            if unknown:
                errors.append(f"Line {line}, Characters: no {', '.join(unknown)} in this project's cast; add them first.")
                continue
            fields["characters"] = [characters[name.casefold()].pk for name in fields["characters"]]
        if "location" in fields:
            name = fields["location"]
            if name and name.casefold() not in locations:
                errors.append(f'Line {line}, Location: no location "{name}" in this project; add it first.')
                continue
            fields["location"] = locations[name.casefold()].pk if name else None
        shot = shots.get((row["scene"], row["number"]))
        checked = ShotSerializer(instance=shot, data={**fields, "number": row["number"]}, partial=True, context={"project_id": project.pk})
        if not checked.is_valid():
            errors += [f"Line {line}, {_header(field)}: {' '.join(map(str, messages))}" for field, messages in checked.errors.items()]
            continue
        values = {k: v for k, v in checked.validated_data.items() if k != "number"}
        changes = {}
        for field, value in values.items():
            if field == "characters":
                before, after = sorted(c.name for c in shot.characters.all()) if shot else [], sorted(c.name for c in value)
            elif field == "location":
                before, after = (shot.location.name if shot and shot.location_id else ""), (value.name if value else "")
            else:
                before, after = (getattr(shot, field) if shot else None), value
            if shot is None or before != after:
                changes[field] = {"from": before, "to": after}
        action = "create" if shot is None else ("update" if changes else "unchanged")
        plan.append(
            {
                "line": line,
                "scene": row["scene"],
                "shot": row["number"],
                "action": action,
                "new_scene": row["scene"] not in scenes,
                "changes": changes,
                "values": {k: v for k, v in values.items() if shot is None or k in changes},
                "target": shot,
            }
        )
    if errors:
        raise ValidationError({"file": sorted(errors, key=_line_number)})
    return plan


def _line_number(message):
    return int(message.split(",", 1)[0].split(":", 1)[0].removeprefix("Line "))


def import_shot_list(project, data, actor, apply=False):
    """Preview (apply=False) or apply a shot-list CSV. Applying writes every row or none."""
    plan = plan_shot_list(project, data)
    if apply:
        with transaction.atomic():
            scenes = {s.number: s for s in Scene.objects.filter(project=project)}
            for row in plan:
                try:
                    if row["scene"] not in scenes:
                        scenes[row["scene"]] = board_services.create_scene(project, {"number": row["scene"]}, actor)
                    if row["action"] == "create":
                        board_services.create_shot(scenes[row["scene"]], {**row["values"], "number": row["shot"]}, actor)
                    elif row["action"] == "update":
                        board_services.update_shot(row["target"], row["values"], actor, None)
                except ValidationError as error:
                    detail = error.detail if isinstance(error.detail, dict) else {"row": error.detail}
                    raise ValidationError({"file": [f"Line {row['line']}, {_header(f)}: {' '.join(map(str, m))}" for f, m in detail.items()]})
    return plan


# --- The editor's cut, back on the board ----------------------------------------------------------


def import_cut(project, data, filename, actor, scene=None, apply=False):
    """Preview (apply=False) or apply an editor's cut (OTIO, EDL or FCP 7 XML) of a scene or the
    film: the matched shots take the cut's order and lengths, shots left out are marked "not in
    cut" (never deleted), through the board services so the room sees every move and edit and
    each can be undone. Applying writes all of it or nothing."""
    from workers.exports.cut import match_cut, read_cut

    try:
        cut = read_cut(data, filename, project.fps)
    except ExportError as error:
        raise ValidationError({"file": error.args[0]}) from error
    scenes = list(Scene.objects.filter(project=project, **({"pk": scene.pk} if scene else {})).order_by("rank", "id"))
    shots_by_scene = {s.pk: [] for s in scenes}
    for shot in Shot.objects.filter(scene__in=scenes).order_by("rank", "id"):
        shots_by_scene[shot.scene_id].append(shot)
    board = [
        {
            "number": s.number,
            "shots": [{"id": shot.pk, "number": shot.number, "duration_s": shot.duration_s, "not_in_cut": shot.not_in_cut} for shot in shots_by_scene[s.pk]],
        }
        for s in scenes
    ]
    plan = match_cut(cut, board, project.fps)
    if not plan["scenes"]:
        where = f"scene {scene.number}" if scene else "this project"
        raise ValidationError({"file": [f"No clip in the cut matches a shot of {where} (by shot name, media name or reel)."]})
    if apply:
        with transaction.atomic():
            by_id = {shot.pk: shot for shots in shots_by_scene.values() for shot in shots}
            for planned in plan["scenes"]:
                _apply_scene_cut(planned, by_id, actor)
    return plan


def _apply_scene_cut(planned, by_id, actor):
    scene_id = by_id[(planned["shots"] or planned["dropped"])[0]["id"]].scene_id
    current = list(Shot.objects.filter(scene_id=scene_id).order_by("rank", "id").values_list("pk", flat=True))
    # The cut's shots first, in its order; the dropped ones after them, as they were.
    wanted = [row["id"] for row in planned["shots"]] + [row["id"] for row in planned["dropped"]]
    wanted += [pk for pk in current if pk not in wanted]  # shots made since the preview stay, last
    for position, pk in enumerate(wanted):
        if current[position] != pk:
            board_services.move_shot(Shot.objects.get(pk=pk), wanted[position - 1] if position else None, None, actor, None)
            current.remove(pk)
            current.insert(position, pk)
    for row in planned["shots"]:
        shot = Shot.objects.get(pk=row["id"])
        changes = {}
        if abs(shot.duration_s - row["to_duration_s"]) > 1e-6:
            changes["duration_s"] = row["to_duration_s"]
        if shot.not_in_cut:
            changes["not_in_cut"] = False
        if changes:
            board_services.update_shot(shot, changes, actor, None)
    for row in planned["dropped"]:
        shot = Shot.objects.get(pk=row["id"])
        if not shot.not_in_cut:
            board_services.update_shot(shot, {"not_in_cut": True}, actor, None)
