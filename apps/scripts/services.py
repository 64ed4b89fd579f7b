"""Reading a draft into the studio: the upload's checks, the import job (dry run, then apply), and
the merge of a revised draft into the scenes the crew already works on.

Every scene, character and location write goes through apps.boards.services, so the room hears
each one as it would hear a person's edit; the whole apply is one transaction, so a draft is in
entirely or not at all.
"""

import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from apps.assets import storage
from apps.assets.models import Asset
from apps.assets.services import store_asset
from apps.boards import services as boards
from apps.boards.models import SCENE_OR_SHOT_NUMBER, Character, Location, Scene
from apps.changes.log import record_change
from apps.projects.access import authorize
from apps.projects.permissions import EDIT
from previs import drafts, screenplay

from . import lining
from .models import SceneCast, Script, ScriptElement, ScriptImport

log = logging.getLogger(__name__)

CONTENT_TYPES = {"fountain": "text/plain; charset=utf-8", "fdx": "application/xml"}


def import_event(job):
    """What the room hears about an import (the REST shape)."""
    from .serializers import ScriptImportSerializer

    return dict(ScriptImportSerializer(job).data)


def _tell_room(job, actor, action="update"):
    record_change(job.project_id, actor, action, "script_import", job.pk, import_event(job))


# --- Upload ------------------------------------------------------------------------------------


def start_import(project, upload, *, draft_name, revision_colour, actor):
    """Check the file, store it and queue its import. A file that is not a screenplay is a 400
    naming the problem, and nothing is stored. Importing writes the board: the caller needs the
    edit right (a guest never), checked here, whatever asks."""
    authorize(actor, project.pk, EDIT, guests=False)
    if upload.size > screenplay.MAX_BYTES:
        raise ValidationError({"file": [f"The file is larger than {screenplay.MAX_BYTES // (1024 * 1024)} MB."]})
    data = upload.read()
    filename = screenplay.CONTROL_CHARACTERS.sub("", upload.name or "")[:255]
    try:
        fmt, _parsed = screenplay.parse(data, filename)
    except screenplay.ScreenplayError as error:
        raise ValidationError({"file": [str(error)]})
    with transaction.atomic():
        asset = store_asset(project_id=project.pk, kind=Asset.UPLOAD, data=data, content_type=CONTENT_TYPES[fmt], created_by=actor)
        job = ScriptImport.objects.create(
            project=project,
            file=asset,
            filename=filename,
            draft_name=draft_name,
            revision_colour=revision_colour,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        _tell_room(job, actor, "create")
        transaction.on_commit(lambda: enqueue("apps.scripts.tasks.plan_import", job.pk, actor))
    return job


def enqueue(task_name, job_id, actor):
    from studio.celery import send

    if not send(task_name, job_id, getattr(actor, "pk", None)):
        _fail(job_id, "The worker queue could not be reached; upload the draft again.")


def request_apply(job, actor):
    """Apply a revised draft's dry run (the worker writes it, through the board services, which
    check the caller's right again when it is written)."""
    authorize(actor, job.project_id, EDIT, guests=False)
    claimed = ScriptImport.objects.filter(pk=job.pk, status=ScriptImport.PLANNED).update(status=ScriptImport.APPLYING)
    if not claimed:
        raise ValidationError({"status": [f"This import is {job.status}; only a planned import can be applied."]})
    job.refresh_from_db()
    with transaction.atomic():
        _tell_room(job, actor)
        transaction.on_commit(lambda: enqueue("apps.scripts.tasks.apply_import", job.pk, actor))
    return job


# --- The job (worker side) -----------------------------------------------------------------------


def _read(job):
    """The draft, parsed again from the stored file (the job row carries only its id)."""
    fmt, parsed = screenplay.parse(storage.read(job.file.key), job.filename)
    return fmt, parsed, screenplay.breakdown(parsed)


def _fail(job_id, message):
    with transaction.atomic():
        job = ScriptImport.objects.select_for_update().get(pk=job_id)
        job.status, job.error, job.finished_at = ScriptImport.FAILED, message[:2000], timezone.now()
        job.save(update_fields=["status", "error", "finished_at"])
        _tell_room(job, None)


def plan_import(job_id, actor=None):
    """The dry run: what the draft would add, change and omit. A first draft is applied at once."""
    if not ScriptImport.objects.filter(pk=job_id, status=ScriptImport.QUEUED).update(status=ScriptImport.PLANNING):
        return None  # already taken (a redelivered message)
    job = ScriptImport.objects.select_related("file").get(pk=job_id)
    try:
        _fmt, _parsed, scenes = _read(job)
        plan = drafts.plan_revision(last_draft_scenes(job.project_id), scenes)
        with transaction.atomic():
            job.plan = plan_summary(plan)
            job.revision = Script.objects.filter(project_id=job.project_id).exists()
            job.status = ScriptImport.PLANNED if job.revision else ScriptImport.APPLYING
            job.save(update_fields=["plan", "revision", "status"])
            _tell_room(job, None)
    except Exception as error:  # a job must end, and say why, whatever went wrong
        log.exception("script import %s failed while planning", job_id)
        _fail(job_id, _reason(error))
        return None
    if not job.revision:
        return apply_import(job_id, actor, claimed=True)
    return job


def apply_import(job_id, actor=None, claimed=False):
    """Write the draft: its Script and elements, the library, the scenes (merged into the last
    draft's for a revision) and their cast. One transaction: all of it, or nothing."""
    job = ScriptImport.objects.select_related("file", "project").get(pk=job_id)
    if job.status != ScriptImport.APPLYING:
        return None
    try:
        fmt, parsed, scenes = _read(job)
        with transaction.atomic():
            plan = drafts.plan_revision(last_draft_scenes(job.project_id), scenes)
            script = _write(job, fmt, parsed, scenes, plan, actor)
            job.script, job.plan, job.status, job.finished_at = script, plan_summary(plan), ScriptImport.APPLIED, timezone.now()
            job.save(update_fields=["script", "plan", "status", "finished_at"])
            _tell_room(job, actor)
    except Exception as error:
        log.exception("script import %s failed while applying", job_id)
        _fail(job_id, _reason(error))
        return None
    return job


def _reason(error):
    if isinstance(error, screenplay.ScreenplayError):
        return str(error)
    if isinstance(error, ValidationError):
        return f"The draft could not be written: {error.detail}"
    return f"The draft could not be imported ({type(error).__name__})."


def plan_summary(plan):
    """The dry run as the API shows it: counts, then every scene in story order."""
    return {
        "counts": plan.counts(),
        "scenes": [{"action": s.action, "number": s.number, "heading": s.heading, "scene": s.scene_id, "diff": s.diff} for s in plan.order],
    }


def latest_script(project_id):
    return Script.objects.filter(project_id=project_id).order_by("-created_at", "-id").first()


def last_draft_scenes(project_id):
    """The scenes of the last imported draft, in its order, with their text in that draft."""
    script = latest_script(project_id)
    if script is None:
        return []
    by_scene: dict[int | None, list[ScriptElement]] = {}
    order: list[int | None] = []
    for element in ScriptElement.objects.filter(script=script, scene__isnull=False).order_by("index"):
        if element.scene_id not in by_scene:
            by_scene[element.scene_id] = []
            order.append(element.scene_id)
        by_scene[element.scene_id].append(element)
    numbers = dict(Scene.objects.filter(pk__in=order, omitted=False).values_list("pk", "number"))
    return [drafts.OldScene(id=pk, number=numbers[pk], heading=by_scene[pk][0].text, text=screenplay.scene_text(by_scene[pk])) for pk in order if pk in numbers]


# --- Writing a draft -------------------------------------------------------------------------------


def _library(project, model, names, actor):
    """Rows of the project library for these names (matched case-insensitively), made when missing."""
    rows = {}
    for name in names:
        key = name.upper()
        if key in rows:
            continue
        row = model.objects.filter(project=project, name__iexact=name).first()
        if row is None:
            create = boards.create_character if model is Character else boards.create_location
            row = create(project, {"name": name[: model._meta.get_field("name").max_length]}, actor)
        rows[key] = row
    return rows


def _scene_fields(scene, locations):
    fields = {
        "setting": scene.setting,
        "location": locations[scene.location.upper()],
        "time_of_day": scene.time_of_day,
        "page_eighths": scene.eighths,
        "props": "\n".join(scene.props),
    }
    if scene.synopsis:
        fields["synopsis"] = scene.synopsis[:20_000]
    return fields


def _valid_number(number):
    number = (number or "").strip().upper()
    try:
        SCENE_OR_SHOT_NUMBER(number)
    except Exception:
        return ""
    return number


def _inserted_number(after, used):
    """A scene added to a locked script takes the number before it and a letter: 12A, 12B…"""
    if after is None:
        return ""
    base = after.number
    for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
        if f"{base}{letter}" not in used and _valid_number(f"{base}{letter}"):
            return f"{base}{letter}"
    return ""


def _write(job, fmt, parsed, scenes, plan, actor):
    project = job.project
    last_draft = latest_script(project.pk)
    script = Script.objects.create(
        project=project,
        file=job.file,
        sha256=job.file.sha256,
        filename=job.filename,
        format=fmt,
        title=parsed.title_page.get("title", "")[:255],
        title_page=parsed.title_page,
        draft_name=job.draft_name,
        revision_colour=job.revision_colour,
        created_by=job.created_by,
    )
    characters = _library(project, Character, [name for s in scenes for name in s.present], actor)
    locations = _library(project, Location, [s.location for s in scenes], actor)

    existing = Scene.objects.in_bulk([s.scene_id for s in plan.order if s.scene_id])
    kept = drafts.kept_in_place([existing[s.scene_id].rank if s.scene_id else None for s in plan.order])
    used = set(Scene.objects.filter(project=project).values_list("number", flat=True))
    # Scenes the script does not number follow the project's highest number (as create_scene would).
    next_number = int(boards.next_scene_number(project)) - 1
    row_of = {}  # index in the new draft -> Scene
    previous = None
    for position, step in enumerate(plan.order):
        later_exists = any(s.scene_id for s in plan.order[position + 1 :])
        if step.action == drafts.ADDED:
            breakdown = scenes[step.new_index]
            fields = _scene_fields(breakdown, locations)
            number = _valid_number(breakdown.number)
            if not number or (job.revision and number in used):
                number = _inserted_number(previous, used) if job.revision else ""
            if not number:
                next_number += 1
                number = str(next_number)
            fields["number"] = number
            scene = boards.create_scene(project, fields, actor)  # appended after every scene
            used.add(scene.number)
            if later_exists:
                scene = boards.move_scene(scene, previous.pk if previous else None, actor, None)
            step.scene_id, step.number = scene.pk, scene.number
        else:
            scene = existing[step.scene_id]
            if position not in kept:
                scene = boards.move_scene(scene, previous.pk if previous else None, actor, None)
            if step.action == drafts.CHANGED:
                fields = {**_scene_fields(scenes[step.new_index], locations), "script_changed": True, "script_diff": step.diff[:20_000]}
                scene = boards.update_scene(scene, fields, actor, None)
            elif step.action == drafts.OMITTED and not scene.omitted:
                scene = boards.update_scene(scene, {"omitted": True}, actor, None)
        if step.new_index is not None:
            row_of[step.new_index] = scene
        previous = scene

    scene_of_element = {}
    for index, breakdown in enumerate(scenes):
        for position in range(breakdown.first, breakdown.last):
            scene_of_element[position] = row_of[index]
    ScriptElement.objects.bulk_create(
        ScriptElement(
            script=script,
            index=i,
            kind=e.kind,
            text=e.text,
            scene_number=e.scene_number[:16],
            character=e.character[:120],
            extension=e.extension[:40],
            dual=e.dual,
            scene=scene_of_element.get(i),
        )
        for i, e in enumerate(parsed.elements)
    )
    lining.carry_forward(last_draft, script, actor)  # the shots lined in the last draft stay lined
    written = [row_of[i] for i in range(len(scenes))]
    SceneCast.objects.filter(scene__in=written).delete()
    SceneCast.objects.bulk_create(
        SceneCast(scene=row_of[index], character=characters[name.upper()], speaking=name.upper() in {s.upper() for s in breakdown.speaking})
        for index, breakdown in enumerate(scenes)
        for name in breakdown.present
    )
    return script


def elements_of(script):
    return ScriptElement.objects.filter(script=script).order_by("index")


def cast_of(project_id):
    return SceneCast.objects.filter(Q(scene__project_id=project_id)).select_related("character").order_by("scene_id", "id")
