"""Writes and rules for scenes, shots, panels and the project library.

REST views, room ops, the script and shot-list imports all call these; each write goes through
apps.changes.editing, which checks versions, records the change for the room and keeps the
order keys.

Every write names its caller (`caller`: the caller's apps.projects.access.Access, as a socket or
view holds it, or the user a write is made for, whose membership is then looked up) and checks
the right here, in `editor`: the one gate of board writes, whatever the transport. A caller who
is not a member of the row's project is told it does not exist (404, the room's not_found); a
member whose role may not edit, and any share-link guest, is refused (403, "forbidden").
"""

import copy
import re

from django.db import transaction
from django.db.models import Q
from django.http import Http404
from rest_framework.exceptions import PermissionDenied, ValidationError

from apps.changes import editing, text
from apps.projects.access import authorize
from apps.projects.permissions import APPROVE, EDIT
from previs import gltf, sets
from previs.animatic import duration_for_frames, shot_frames
from previs.light import key_light_default
from previs.spec import MOVE_DEFAULTS, SpecError, layout_for_shot, normalize_spec

from .models import Character, Location, Panel, Scene, Shot
from .serializers import (
    CharacterSerializer,
    LocationSerializer,
    PanelSerializer,
    SceneSerializer,
    ShotSerializer,
    represent,
)

# Shot-list fields the automatic layout is computed from; editing one re-lays out the camera
# unless the spec was adjusted by hand (spec_locked).
LAYOUT_FIELDS = {"shot_size", "framing", "angle", "movement", "lens_mm", "sensor", "aspect_ratio", "fps", "duration_s", "characters"}
# The shot-list fields a hand-adjusted spec still follows. They say what camera, lens and move
# the shot uses, not where the camera stands, so a lens changed on the shot list (by REST, a
# script or the room) must reach the field of view, the plan and every render even when the
# camera was placed by hand. The others (size, angle, framing, characters) would move the camera.
SPEC_FOLLOWS_FIELDS = {"lens_mm", "sensor", "aspect_ratio", "movement", "fps", "duration_s"}
# The scene fields its shots are lit by (the heading's INT/EXT and time of day, the scene's sun):
# editing one re-lights every shot of the scene.
LIGHT_FIELDS = ("setting", "time_of_day", "sun_azimuth_deg", "sun_elevation_deg")


# --- The gate --------------------------------------------------------------------------------


def editor(caller, project_id):
    """The caller's Access, if they may edit the boards of project `project_id`; else Http404
    (not a member, or an Access to another project) or PermissionDenied (a role without EDIT;
    a guest never edits, whatever their link allows)."""
    return authorize(caller, project_id, EDIT, guests=False)


# --- Library ---------------------------------------------------------------------------------


def create_character(project, data, caller):
    actor = editor(caller, project.pk).actor
    return editing.create(Character, {**data, "project": project}, actor=actor, entity="character", represent=represent(CharacterSerializer))


def update_character(character, data, caller, version):
    access = editor(caller, character.project_id)
    character = editing.update_fields(
        character, data, actor=access.actor, expected_version=version, entity="character", represent=represent(CharacterSerializer)
    )
    for shot in Shot.objects.filter(characters=character, spec_locked=False):
        relayout(shot, access)  # a new height or colour must show in the shots it appears in
    return character


def delete_character(character, caller, version):
    actor = editor(caller, character.project_id).actor
    editing.delete(character, actor=actor, expected_version=version, entity="character")


def create_location(project, data, caller):
    actor = editor(caller, project.pk).actor
    return editing.create(Location, {**data, "project": project}, actor=actor, entity="location", represent=represent(LocationSerializer))


def update_location(location, data, caller, version):
    access = editor(caller, location.project_id)
    with transaction.atomic():
        location = editing.update_fields(
            location, data, actor=access.actor, expected_version=version, entity="location", represent=represent(LocationSerializer)
        )
        if "set_pieces" in data:
            for shot in shots_at(location):
                follow_set(shot, access)  # the set must show in every shot of its scenes
    return location


def import_set_gltf(location, upload, caller, version):
    """Add a glTF's pieces to the location's set (previs/gltf.py); a file that is too big or not
    a glTF is a 400 and the set is left as it was."""
    editor(caller, location.project_id)
    if upload.size > gltf.MAX_GLTF_BYTES:
        raise ValidationError({"file": [f"The file is larger than {gltf.MAX_GLTF_BYTES // (1024 * 1024)} MB."]})
    current = list(location.set_pieces or [])
    try:
        pieces = gltf.import_set(upload.read(), existing_ids=[p["id"] for p in current])
    except gltf.GltfError as error:
        raise ValidationError({"file": [str(error)]})
    try:
        combined = sets.validate_set(current + pieces)
    except sets.SetError as error:
        raise ValidationError({"file": [f"{path}: {m}" if path else m for path, messages in error.errors.items() for m in messages]})
    return update_location(location, {"set_pieces": combined}, caller, version)


def shots_at(location):
    """The shots blocked in this location's set: their own location, else their scene's."""
    return Shot.objects.filter(Q(location=location) | Q(location__isnull=True, scene__location=location)).select_related("scene")


def set_of(shot):
    """The pieces of the shot's location (its own, else its scene's), read fresh: the shot's
    scene may be an object read before the set last changed."""
    location_id = shot.location_id or (shot.scene.location_id if shot.scene_id else None)
    if location_id is None:
        return []
    return Location.objects.filter(pk=location_id).values_list("set_pieces", flat=True).first() or []


def set_overrides_of(spec):
    return dict((spec or {}).get("set_overrides") or {})


def with_set(spec, shot):
    """The spec with its location's set as this shot sees it (its cheats applied): the boxes made
    from set pieces are replaced, boxes added to the shot alone stay, the camera does not move."""
    spec = copy.deepcopy(spec)
    own = [box for box in spec.get("set_pieces") or () if not (isinstance(box, dict) and box.get("piece"))]
    spec["set_pieces"] = sets.set_boxes(set_of(shot), set_overrides_of(spec)) + own
    return spec


def follow_set(shot, caller):
    """After a set change: a laid-out shot is laid out again (the camera keeps clear of the new
    pieces); a hand-placed camera stays where it was put and only the pieces change."""
    if not shot.spec_locked or not shot.camera_spec:
        return relayout(shot, caller)
    actor = editor(caller, shot.project_id).actor
    spec = _checked_spec(with_set(shot.camera_spec, shot))
    if spec == shot.camera_spec:
        return shot
    return editing.update_fields(shot, {"camera_spec": spec}, actor=actor, expected_version=None, entity="shot", represent=represent(ShotSerializer))


def delete_location(location, caller, version):
    actor = editor(caller, location.project_id).actor
    editing.delete(location, actor=actor, expected_version=version, entity="location")


# --- Scenes ----------------------------------------------------------------------------------


def next_scene_number(project):
    numbers = [int(m.group()) for n in Scene.objects.filter(project=project).values_list("number", flat=True) if (m := re.match(r"\d+", n))]
    return str(max(numbers, default=0) + 1)


def create_scene(project, data, caller):
    actor = editor(caller, project.pk).actor
    with transaction.atomic():
        siblings = Scene.objects.filter(project=project)
        values = {**data, "project": project, "rank": editing.rank_between(editing.last_rank(siblings), None)}
        if "number" not in values:  # not setdefault: that would read every scene's number anyway
            values["number"] = next_scene_number(project)
        return editing.create(Scene, values, actor=actor, entity="scene", represent=represent(SceneSerializer))


def update_scene(scene, data, caller, version):
    access = editor(caller, scene.project_id)
    before = copy.copy(scene)  # the light its shots were given, to tell their own cheats from it
    with transaction.atomic():
        scene = editing.update_fields(scene, data, actor=access.actor, expected_version=version, entity="scene", represent=represent(SceneSerializer))
        if any(getattr(before, name) != getattr(scene, name) for name in LIGHT_FIELDS):
            for shot in Shot.objects.filter(scene=scene):
                shot.scene = scene
                follow_scene(shot, access, before)  # each shot is a change the room and renders see
    return scene


def follow_scene(shot, caller, before=None):
    """After the scene's light changed: a laid-out shot is laid out again; a hand-placed camera
    stays where it was put and only its environment follows the scene (as follow_set does)."""
    if not shot.spec_locked or not shot.camera_spec:
        return relayout(shot, caller, before)
    actor = editor(caller, shot.project_id).actor
    spec = _checked_spec(with_scene_light(shot.camera_spec, shot, before))
    if spec == shot.camera_spec:
        return shot
    return editing.update_fields(shot, {"camera_spec": spec}, actor=actor, expected_version=None, entity="shot", represent=represent(ShotSerializer))


def scene_key_light(scene, time_of_day):
    """(azimuth, elevation) the scene gives its shots' key: its sun, else the time of day's."""
    azimuth, elevation = key_light_default(time_of_day)
    if scene.sun_azimuth_deg is not None:
        azimuth = scene.sun_azimuth_deg
    if scene.sun_elevation_deg is not None:
        elevation = scene.sun_elevation_deg
    return {"azimuth_deg": azimuth, "elevation_deg": elevation}


def environment_for(shot, before=None, spec=None):
    """The shot's environment: INT/EXT and time of day from its scene's heading (previs/light.py
    lights story times such as CONTINUOUS as DAY), the key from the scene's sun. A key the shot's
    spec carries that differs from what the scene gave it (`before`, the scene as it was, default
    as it is) is the shot's own cheat and survives, as set_overrides do. `spec`: the spec to
    read it from, default the shot's stored one."""
    own = dict(((shot.camera_spec if spec is None else spec) or {}).get("environment") or {})
    scene = shot.scene if shot.scene_id else None
    if scene is None:
        return own
    environment = {"setting": scene.setting, "time_of_day": scene.time_of_day}
    if "ground_grid" in own:
        environment["ground_grid"] = own["ground_grid"]
    given = scene_key_light(before or scene, str(own.get("time_of_day") or "DAY")) if own else None
    carried = own.get("key_light") or {}
    key = {}
    for axis in ("azimuth_deg", "elevation_deg"):
        value = carried.get(axis)
        if given is not None and isinstance(value, int | float) and _degrees_apart(value, given[axis]) > 1e-6:
            key[axis] = value
        elif getattr(scene, "sun_" + axis) is not None:
            key[axis] = getattr(scene, "sun_" + axis)
        # else the time of day's default (previs.spec fills it)
    if key:
        environment["key_light"] = key
    return environment


def _degrees_apart(a, b):
    return abs((a - b + 180.0) % 360.0 - 180.0)


def with_scene_light(spec, shot, before=None):
    """The spec lit as the shot's scene says; the camera does not move."""
    spec = copy.deepcopy(spec)
    spec["environment"] = environment_for(shot, before, spec)
    return spec


def delete_scene(scene, caller, version):
    actor = editor(caller, scene.project_id).actor
    editing.delete(scene, actor=actor, expected_version=version, entity="scene")


def move_scene(scene, after_id, caller, version):
    actor = editor(caller, scene.project_id).actor
    siblings = Scene.objects.filter(project_id=scene.project_id)
    after = _sibling(siblings, after_id, "after")
    return editing.move(
        scene, siblings=siblings, parent_field="project", parent=scene.project, after=after, actor=actor, expected_version=version, entity="scene"
    )


# --- Shots -----------------------------------------------------------------------------------


def next_shot_number(scene):
    """Scene 12's shots are 12A, 12B, … (the next letter not yet used)."""
    used = set(Shot.objects.filter(scene=scene).values_list("number", flat=True))
    base = re.match(r"\d+", scene.number).group()
    for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
        if f"{base}{letter}" not in used:
            return f"{base}{letter}"
    for first in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
        for second in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
            if f"{base}{first}{second}" not in used:
                return f"{base}{first}{second}"
    raise ValidationError({"number": ["This scene has run out of shot letters; give the shot a number."]})


def shot_defaults(scene):
    project = scene.project
    return {"fps": project.fps, "aspect_ratio": project.aspect_ratio, "sensor": project.sensor}


def layout_kwargs(shot, characters=None, before=None):
    """What the automatic layout needs from a shot and its library characters (`before`: the
    shot's scene as it was, when its light has just changed)."""
    characters = list(shot.characters.all()) if characters is None else characters
    return {
        "shot_size": shot.shot_size,
        "angle": shot.angle,
        "lens_mm": shot.lens_mm,
        "sensor": shot.sensor,
        "aspect": shot.aspect_ratio,
        "fps": float(shot.fps),
        "duration_s": shot.duration_s,
        "movement": shot.movement,
        "framing": shot.framing,
        "characters": [character_for_spec(c) for c in characters],
        "environment": environment_for(shot, before),
        **set_for_layout(shot),
    }


def set_for_layout(shot):
    """The location's set as this shot sees it, and the cheats it keeps across re-layouts."""
    overrides = set_overrides_of(shot.camera_spec)
    return {"set_pieces": sets.set_boxes(set_of(shot), overrides), "set_overrides": overrides}


def character_for_spec(character):
    return {"id": str(character.pk), "name": character.name, "height_m": character.height_m, "colour": character.colour}


def _checked_spec(spec, field="camera_spec"):
    try:
        return normalize_spec(spec)
    except SpecError as error:
        raise ValidationError({f"{field}.{path}": messages for path, messages in error.errors.items()})


def create_shot(scene, data, caller):
    actor = editor(caller, scene.project_id).actor
    data = dict(data)
    characters = data.pop("characters", [])
    with transaction.atomic():
        siblings = Shot.objects.filter(scene=scene)
        values = {
            **shot_defaults(scene),
            **data,
            "project_id": scene.project_id,
            "scene": scene,
            "rank": editing.rank_between(editing.last_rank(siblings), None),
        }
        if "number" in values:
            _check_shot_number_free(scene, values["number"])
        else:
            values["number"] = next_shot_number(scene)
        if "duration_s" in data:
            # A duration given with the shot (typed, planned from its lines, imported) is the
            # director's, not its panels' sum: it stays until unlocked (follow_panels).
            values.setdefault("duration_locked", True)
        if values.get("camera_spec"):
            values["spec_locked"] = True
        else:
            draft = Shot(**values)
            values["camera_spec"] = _checked_spec(layout_for_shot(**layout_kwargs(draft, characters)))
        return editing.create(Shot, values, actor=actor, entity="shot", represent=represent(ShotSerializer), m2m={"characters": characters})


def update_shot(shot, data, caller, version):
    actor = editor(caller, shot.project_id).actor
    data = dict(data)
    m2m = {"characters": data.pop("characters")} if "characters" in data else None
    if "number" in data:
        _check_shot_number_free(shot.scene, data["number"], exclude=shot)
    if "camera_spec" in data:
        data.setdefault("spec_locked", True)  # a hand-adjusted camera stays where it was put
        if isinstance(data["camera_spec"], dict) and data["camera_spec"]:
            # The set's pieces come from the location, as the spec's cheats (set_overrides) show them.
            draft = copy.copy(shot)
            if "location" in data:
                draft.location = data["location"]
            data["camera_spec"] = _checked_spec(with_scene_light(with_set(_checked_spec(data["camera_spec"]), draft), draft))
    if "duration_s" in data and "duration_locked" not in data and Panel.objects.filter(shot_id=shot.pk).exists():
        # A duration typed for a shot with panels is the director's, not their sum: it stays
        # until unlocked (follow_panels sends duration_locked False with the sum it writes).
        data["duration_locked"] = True
    if data.get("duration_locked") is False and "duration_s" not in data:
        # Unlocked again: the duration goes back to following the panels, in the same write.
        followed = panels_duration(shot)
        if followed is not None:
            data["duration_s"] = followed
    locked = data.get("spec_locked", shot.spec_locked)
    touched = set(data) | set(m2m or {})
    if not locked and (touched & LAYOUT_FIELDS or data.get("spec_locked") is False):
        # Re-lay out the camera in the same write, so one edit is one version and one change.
        draft = copy.copy(shot)
        for name, value in data.items():
            setattr(draft, name, value)
        characters = m2m["characters"] if m2m else list(shot.characters.all())
        data["camera_spec"] = _checked_spec(layout_for_shot(**layout_kwargs(draft, characters)))
    elif locked and touched & SPEC_FOLLOWS_FIELDS:
        spec = data.get("camera_spec", shot.camera_spec)
        if spec:
            data["camera_spec"] = spec_following(spec, data)
    return editing.update_fields(shot, data, actor=actor, expected_version=version, entity="shot", represent=represent(ShotSerializer), m2m=m2m)


def follow_decision(access, shot, status):
    """A shot's status after a reviewer's decision (apps.review records it): the approve right,
    not EDIT, lets a director or a share-link guest with an "approve" link set it, and only to
    what the decision says."""
    if access.project_id != shot.project_id:
        raise Http404("No such shot.")
    if not access.allows(APPROVE):
        raise PermissionDenied("This link does not allow approving." if access.is_guest else f"Your role ({access.role}) may not approve.")
    if status not in ("approved", "changes_requested"):
        raise ValidationError({"status": ["A decision approves a shot or asks for changes."]})
    return editing.update_fields(shot, {"status": status}, actor=access.actor, expected_version=None, entity="shot", represent=represent(ShotSerializer))


def spec_following(spec, fields):
    """A hand-adjusted spec with the shot-list fields it follows (SPEC_FOLLOWS_FIELDS) taken from
    `fields`; the camera stays where it was put. A new move type keeps the parameters it uses."""
    spec = copy.deepcopy(spec)
    camera = spec.setdefault("camera", {})
    if "lens_mm" in fields:
        camera["lens_mm"] = fields["lens_mm"]
    if "sensor" in fields:
        camera["sensor"] = fields["sensor"]
    if "aspect_ratio" in fields:
        camera["aspect"] = fields["aspect_ratio"]
    if "movement" in fields:
        move = spec.get("move") or {}
        if isinstance(move, str):
            move = {"type": move}
        if move.get("type") != fields["movement"]:
            spec["move"] = {"type": fields["movement"], **{k: v for k, v in move.items() if k in MOVE_DEFAULTS[fields["movement"]]}}
    if "fps" in fields:
        spec["fps"] = fields["fps"]
    if "duration_s" in fields:
        spec["duration_s"] = fields["duration_s"]
    return _checked_spec(spec)


def _check_shot_number_free(scene, number, exclude=None):
    clash = Shot.objects.filter(scene=scene, number=number)
    if exclude is not None:
        clash = clash.exclude(pk=exclude.pk)
    if clash.exists():
        raise ValidationError({"number": [f"Scene {scene.number} already has a shot {number}."]})


def relayout(shot, caller, before=None):
    """Recompute the camera spec from the shot-list fields (for shots not adjusted by hand)."""
    actor = editor(caller, shot.project_id).actor
    spec = _checked_spec(layout_for_shot(**layout_kwargs(shot, before=before)))
    if spec == shot.camera_spec:
        return shot
    return editing.update_fields(shot, {"camera_spec": spec}, actor=actor, expected_version=None, entity="shot", represent=represent(ShotSerializer))


def delete_shot(shot, caller, version):
    actor = editor(caller, shot.project_id).actor
    editing.delete(shot, actor=actor, expected_version=version, entity="shot")


def move_shot(shot, after_id, scene_id, caller, version):
    actor = editor(caller, shot.project_id).actor
    scene = shot.scene if scene_id is None else _in_project(Scene, scene_id, shot.project_id, "parent")
    siblings = Shot.objects.filter(scene=scene)
    after = _sibling(siblings, after_id, "after")
    if scene.pk != shot.scene_id and Shot.objects.filter(scene=scene, number=shot.number).exists():
        raise ValidationError({"parent": [f"Scene {scene.number} already has a shot {shot.number}; renumber one first."]})
    came_from = shot.scene
    with transaction.atomic():
        moved = editing.move(shot, siblings=siblings, parent_field="scene", parent=scene, after=after, actor=actor, expected_version=version, entity="shot")
        if scene.pk != came_from.pk:
            moved.scene = scene
            moved = follow_scene(moved, caller, came_from)  # lit as the scene it now belongs to
        return moved


def edit_text(caller, row, entity, field, update, raw_update):
    """Merge a room's CRDT update into a long-text field of a board row (apps.changes.text keeps
    the document) and write the merged text: no rules beyond the gate and the CRDT."""
    actor = editor(caller, row.project_id).actor
    merged = text.apply_update(row.project_id, entity, row.pk, field, update, getattr(row, field))
    return editing.update_fields(
        row,
        {field: merged},
        actor=actor,
        expected_version=None,
        entity=entity,
        represent=represent(SERIALIZERS[entity]),
        text_updates={field: raw_update},
    )


SERIALIZERS = {"scene": SceneSerializer, "shot": ShotSerializer, "panel": PanelSerializer, "character": CharacterSerializer, "location": LocationSerializer}


def render_spec_for(shot):
    """The spec a render uses: the stored spec, or a fresh layout when there is none yet."""
    if shot.camera_spec:
        return _checked_spec(shot.camera_spec)
    return _checked_spec(layout_for_shot(**layout_kwargs(shot)))


# --- Scratch audio (the animatic) ------------------------------------------------------------


def set_audio(row, entity, data, caller, version):
    """Put uploaded scratch sound (WAV, MP3 or M4A, checked by its content) on a scene or shot."""
    from apps.assets.services import store_audio_upload

    access = editor(caller, row.project_id)
    asset = store_audio_upload(project_id=row.project_id, data=data, created_by=access.actor)
    return editing.update_fields(row, {"audio": asset}, actor=access.actor, expected_version=version, entity=entity, represent=represent(SERIALIZERS[entity]))


def clear_audio(row, entity, caller, version):
    actor = editor(caller, row.project_id).actor
    return editing.update_fields(row, {"audio": None}, actor=actor, expected_version=version, entity=entity, represent=represent(SERIALIZERS[entity]))


# --- Panels ----------------------------------------------------------------------------------


def panels_duration(shot):
    """The duration a shot takes from its panels: their whole frames at the project's rate
    (previs.animatic, the animatic's one timing rule), or None for a shot without panels."""
    durations = list(Panel.objects.filter(shot_id=shot.pk).values_list("duration_s", flat=True))
    if not durations:
        return None
    fps = shot.project.fps
    return duration_for_frames(shot_frames({"duration_s": shot.duration_s, "panels": [{"duration_s": d} for d in durations]}, fps), fps)


def follow_panels(shot_id, access):
    """The shot's duration follows its panels unless it is locked (duration_locked): called after
    every panel write that can change the sum, in the same transaction, so the room hears the
    shot's new duration with the panel's and an undo of the panel brings both back."""
    shot = Shot.objects.select_related("project").filter(pk=shot_id).first()
    if shot is None or shot.duration_locked:
        return
    followed = panels_duration(shot)
    if followed is not None and abs(followed - shot.duration_s) > 1e-9:
        update_shot(shot, {"duration_s": followed, "duration_locked": False}, access, None)


def create_panel(shot, data, caller):
    access = editor(caller, shot.project_id)
    with transaction.atomic():
        siblings = Panel.objects.filter(shot=shot)
        values = {**data, "project_id": shot.project_id, "shot": shot, "rank": editing.rank_between(editing.last_rank(siblings), None)}
        if "duration_s" not in values and not siblings.exists():
            values["duration_s"] = shot.duration_s  # a shot's first panel lasts the whole shot
        panel = editing.create(Panel, values, actor=access.actor, entity="panel", represent=represent(PanelSerializer))
        follow_panels(shot.pk, access)
        return panel


def update_panel(panel, data, caller, version):
    access = editor(caller, panel.project_id)
    with transaction.atomic():
        panel = editing.update_fields(panel, data, actor=access.actor, expected_version=version, entity="panel", represent=represent(PanelSerializer))
        if "duration_s" in data:
            follow_panels(panel.shot_id, access)
        return panel


def set_panel_upload(panel, data, caller, version):
    from apps.assets.services import store_upload

    access = editor(caller, panel.project_id)
    asset = store_upload(project_id=panel.project_id, data=data, created_by=access.actor)
    return update_panel(panel, {"image": asset}, access, version)


def delete_panel(panel, caller, version):
    access = editor(caller, panel.project_id)
    shot_id = panel.shot_id
    with transaction.atomic():
        editing.delete(panel, actor=access.actor, expected_version=version, entity="panel")
        follow_panels(shot_id, access)


def move_panel(panel, after_id, shot_id, caller, version):
    actor = editor(caller, panel.project_id).actor
    shot = panel.shot if shot_id is None else _in_project(Shot, shot_id, panel.project_id, "parent")
    siblings = Panel.objects.filter(shot=shot)
    after = _sibling(siblings, after_id, "after")
    moved_from = panel.shot_id
    with transaction.atomic():
        panel = editing.move(panel, siblings=siblings, parent_field="shot", parent=shot, after=after, actor=actor, expected_version=version, entity="panel")
        if moved_from != shot.pk:  # a panel taken to another shot shortens one and lengthens the other
            follow_panels(moved_from, caller)
            follow_panels(shot.pk, caller)
        return panel


# --- Helpers ---------------------------------------------------------------------------------


def _sibling(siblings, pk, field):
    if pk is None:
        return None
    sibling = siblings.filter(pk=pk).first()
    if sibling is None:
        raise ValidationError({field: ["That item is not in the same list (it may have been moved or deleted)."]})
    return sibling


def _in_project(model, pk, project_id, field):
    row = model.objects.filter(pk=pk, project_id=project_id).first()
    if row is None:
        raise ValidationError({field: ["No such item in this project."]})
    return row
