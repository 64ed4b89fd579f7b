"""The lined script: which script lines each shot covers (set, cleared, or a new shot made from
them), and the draft laid out on its pages with every shot's line (previs.lining).

A shot's lines are part of the shot as everyone sees it: each write here is recorded in the
change log as an update of the shot's `script_lines` (the field the board read carries, in the
shot's current version), so every open board, shot list and script view follows it live, as
they follow any shot edit. A new shot from lines is made by apps.boards.services (its number,
its camera layout, its own change), then lined, in one transaction.
"""

import threading

from django.db import transaction
from rest_framework.exceptions import ValidationError

from apps.boards import services as boards
from apps.boards.models import Character, Scene, Shot
from apps.boards.serializers import ShotSerializer, represent
from apps.changes.log import lock_project, record_change
from previs import lining, screenplay
from previs.vocabulary import LONG_TEXT_MAX_CHARS
from workers.exports import ExportError
from workers.exports.lined_script import lined_script_pdf as write_pdf

from .models import ScriptElement, ShotLines

NO_SUCH_LINE = "No such script line in this project."


def pages_of(script):
    """The draft's pages (previs.lining.paginate) and its elements by index."""
    elements = list(ScriptElement.objects.filter(script=script).order_by("index"))
    return lining.paginate(elements), elements


def _element(project_id, pk, field):
    element = ScriptElement.objects.filter(pk=pk, script__project_id=project_id).select_related("script").first()
    if element is None:
        raise ValidationError({field: [NO_SUCH_LINE]})
    return element


def checked_range(project_id, first_id, last_id):
    """(first, last) elements of a range a shot may cover: both in one draft of this project, in
    order, all in one scene. Anything else is a 400 naming the field."""
    first = _element(project_id, first_id, "first")
    last = _element(project_id, last_id, "last")
    if first.script_id != last.script_id:
        raise ValidationError({"last": ["The first and last lines must be in the same draft of the script."]})
    if last.index < first.index:
        raise ValidationError({"last": ["The last line comes before the first: choose the lines from top to bottom."]})
    if first.scene_id is None:
        raise ValidationError({"first": ["These lines come before the first scene heading; a shot covers lines of a scene."]})
    crossing = ScriptElement.objects.filter(script_id=first.script_id, index__gte=first.index, index__lte=last.index).exclude(scene_id=first.scene_id)
    if crossing.exists():
        raise ValidationError({"last": ["These lines run into another scene; a shot covers lines of one scene."]})
    return first, last


# A draft's elements never change once imported, so its pages are worked out once per process:
# lining every accepted proposal of a feature (hundreds of shots) must not paginate it each time.
# Keyed by what identifies the draft's content, not its id alone (ids come back after a flush).
_PAGES = {}
_PAGES_KEPT = 8
_PAGES_LOCK = threading.Lock()  # request threads and the room's op thread share it


def _pages(script):
    key = (script.pk, script.sha256, script.created_at)
    with _PAGES_LOCK:
        pages = _PAGES.get(key)
    if pages is None:
        pages = pages_of(script)[0]
        with _PAGES_LOCK:
            while len(_PAGES) >= _PAGES_KEPT:
                _PAGES.pop(next(iter(_PAGES)))
            _PAGES[key] = pages
    return pages


def _summary_fields(script, first, last, pages=None):
    pages = pages if pages is not None else _pages(script)
    placed = lining.page_of(pages)
    printed = [placed[i] for i in range(first.index, last.index + 1) if i in placed]
    if not printed:
        raise ValidationError({"first": ["These lines print nothing (only notes or structure); choose lines of the scene."]})
    return {"page": printed[0].page, "lines": lining.printed_lines(pages, first.index, last.index)}


def _tell_room(shot_id, actor):
    """The shot's new script_lines, as a change of the shot (in its current version)."""
    shot = Shot.objects.select_related("script_lines").get(pk=shot_id)
    fields = represent(ShotSerializer)(shot, ["script_lines"])
    record_change(shot.project_id, actor, "update", "shot", shot.pk, {"version": shot.version, "fields": fields}, shot_id=shot.pk)
    return shot


def set_lines(shot, first_id, last_id, actor):
    """Line `shot` through the elements first..last (of its own scene). Returns the shot."""
    first, last = checked_range(shot.project_id, first_id, last_id)
    if first.scene_id != shot.scene_id:
        scene = Scene.objects.get(pk=first.scene_id)
        raise ValidationError({"first": [f"These lines are in scene {scene.number}; shot {shot.number} is in scene {shot.scene.number}."]})
    with transaction.atomic():
        lock_project(shot.project_id)
        _write(shot, first, last)
        return _tell_room(shot.pk, actor)


def _write(shot, first, last, pages=None):
    ShotLines.objects.update_or_create(
        shot_id=shot.pk,
        defaults={
            "project_id": shot.project_id,
            "script_id": first.script_id,
            "first": first,
            "last": last,
            "first_index": first.index,
            "last_index": last.index,
            **_summary_fields(first.script, first, last, pages),
        },
    )


def clear_lines(shot, actor):
    """The shot no longer covers any script lines."""
    with transaction.atomic():
        lock_project(shot.project_id)
        removed, _ = ShotLines.objects.filter(shot_id=shot.pk).delete()
        if not removed:
            return shot
        return _tell_room(shot.pk, actor)


def new_shot_from_lines(project_id, first_id, last_id, actor, fields=None):
    """A new shot in the lines' scene, covering them: its action, dialogue and speakers are taken
    from the lines (the director refines them on the shot list)."""
    first, last = checked_range(project_id, first_id, last_id)
    scene = Scene.objects.select_related("project").get(pk=first.scene_id)
    covered = list(ScriptElement.objects.filter(script_id=first.script_id, index__gte=first.index, index__lte=last.index).order_by("index"))
    values = {**shot_fields_from(covered, project_id), **(fields or {})}
    with transaction.atomic():
        shot = boards.create_shot(scene, values, actor)
        _write(shot, first, last)
        return _tell_room(shot.pk, actor)


def shot_fields_from(elements, project_id):
    """A shot's description (the action), dialogue ("NAME: line") and characters (who speaks, as
    named in the project library) from the script lines it covers."""
    action, dialogue, speakers, parenthetical = [], [], [], ""
    for element in elements:
        if element.kind in (screenplay.ACTION, screenplay.SHOT):
            action.append(element.text)
        elif element.kind == screenplay.PARENTHETICAL:
            parenthetical = f"{element.text} "  # how the next line is said
        elif element.kind == screenplay.DIALOGUE:
            line = f"{parenthetical}{element.text}"
            dialogue.append(f"{element.character}: {line}" if element.character else line)
            parenthetical = ""
        if element.kind in (screenplay.CHARACTER, screenplay.DIALOGUE) and element.character and element.character.upper() not in speakers:
            speakers.append(element.character.upper())
    by_name = {c.name.upper(): c for c in Character.objects.filter(project_id=project_id)}
    return {
        "description": "\n".join(action)[:LONG_TEXT_MAX_CHARS],
        "dialogue": "\n".join(dialogue)[:LONG_TEXT_MAX_CHARS],
        "characters": [by_name[name] for name in speakers if name in by_name],
    }


def carry_forward(previous, script, actor):
    """A revised draft keeps the crew's lining: each shot lined in the previous draft is lined
    through the same lines of the new one, found by matching the drafts' elements (kind and
    text) in order. A line the writer rewrote is followed to its rewrite; a range that no longer
    sits in the shot's scene (its lines cut, the scene omitted) stays on the previous draft,
    where the lined script of that draft still shows it. Called inside the import's transaction."""
    if previous is None:
        return 0
    lined = list(ShotLines.objects.filter(script=previous).select_related("shot"))
    if not lined:
        return 0
    old = list(ScriptElement.objects.filter(script=previous).order_by("index").values_list("kind", "text"))
    new = list(ScriptElement.objects.filter(script=script).order_by("index"))
    start_of, end_of = _matched_indices(old, [(e.kind, e.text) for e in new])
    pages = lining.paginate(new)
    moved = 0
    for row in lined:
        first_index, last_index = start_of.get(row.first_index), end_of.get(row.last_index)
        if first_index is None or last_index is None or last_index < first_index:
            continue
        covered = new[first_index : last_index + 1]
        if any(e.scene_id != row.shot.scene_id for e in covered):
            continue
        try:
            _write(row.shot, covered[0], covered[-1], pages)
        except ValidationError:
            continue  # the range prints nothing in the new draft: leave it where it was
        _tell_room(row.shot_id, actor)
        moved += 1
    return moved


def _matched_indices(old, new):
    """Where each element of the old draft is in the new one, as the first and as the last line
    of a range: equal runs map one to one; a rewritten run maps onto its rewrite (its start to
    the rewrite's start, its end to the rewrite's end); a cut run maps a range's first line to
    what follows the cut and its last line to what precedes it."""
    from difflib import SequenceMatcher

    start_of, end_of = {}, {}
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        for i in range(i1, i2):
            if tag == "equal":
                start_of[i] = end_of[i] = j1 + (i - i1)
            elif tag == "replace":
                start_of[i], end_of[i] = j1, j2 - 1
            else:  # delete
                start_of[i], end_of[i] = j1, j1 - 1
    return start_of, end_of


def lined_script(script):
    """The draft on its pages with every shot lined in it, as plain data: the REST read
    (LinedScriptSerializer) and the PDF (workers.exports.lined_script) are both made from it."""
    pages, elements = pages_of(script)
    by_index = {e.index: e for e in elements}
    scene_numbers = dict(Scene.objects.filter(project_id=script.project_id).values_list("pk", "number"))
    covered = list(ShotLines.objects.filter(script=script).select_related("shot").prefetch_related("shot__characters").order_by("first_index", "shot_id"))
    coverage = [
        lining.Coverage(
            shot=c.shot_id,
            number=c.shot.number,
            first=c.first_index,
            last=c.last_index,
            off_camera=lining.off_camera(elements[c.first_index : c.last_index + 1], [who.name for who in c.shot.characters.all()]),
        )
        for c in covered
    ]

    def placed(p):
        e = by_index[p.index]
        number = scene_numbers.get(e.scene_id, e.scene_number) if e.kind == screenplay.HEADING else ""
        left, right = lining.MARGINS.get(e.kind, lining.MARGINS[screenplay.ACTION])
        return {
            "id": e.pk,
            "index": e.index,
            "kind": e.kind,
            "text": e.text,
            "scene": e.scene_id,
            "scene_number": number or "",
            "character": e.character,
            "extension": e.extension,
            "dual": e.dual,
            "line": p.line,
            "wrapped": list(p.wrapped),
            "left_in": left,
            "right_in": right,
        }

    return {
        "script": script.pk,
        "page_width_in": lining.PAGE_WIDTH_IN,
        "page_height_in": lining.PAGE_HEIGHT_IN,
        "top_in": lining.TOP_IN,
        "line_height_in": lining.LINE_HEIGHT_IN,
        "title": script.title or script.filename,
        "draft_name": script.draft_name,
        "revision_colour": script.revision_colour,
        "lines_per_page": lining.LINES_PER_PAGE,
        "pages": [{"number": page.number, "elements": [placed(p) for p in page.elements]} for page in pages],
        "shots": [
            {
                "shot": c.shot_id,
                "number": c.shot.number,
                "scene": c.shot.scene_id,
                "first": c.first_id,
                "last": c.last_id,
                "first_index": c.first_index,
                "last_index": c.last_index,
                "page": c.page,
                "lines": c.lines,
            }
            for c in covered
        ],
        "lines": [{**vars(segment), "wavy": [list(run) for run in segment.wavy]} for segment in lining.segments(pages, coverage)],
    }


def lined_script_pdf(script):
    """The lined script as a PDF (vector text)."""
    data = lined_script(script)
    colour = script.get_revision_colour_display()
    subtitle = " · ".join(part for part in (script.draft_name, f"{colour} draft") if part)
    try:
        return write_pdf({"title": data["title"], "subtitle": subtitle, "pages": data["pages"], "segments": data["lines"]})
    except ExportError as error:  # what the writer could not draw is said, not a 500
        raise ValidationError({"detail": error.args[0] if error.args else ["The PDF could not be made."]})
