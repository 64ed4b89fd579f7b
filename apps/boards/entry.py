"""Fast entry on the shot list: the writes that let an AD build a day's shots in minutes.

A duplicate of a shot, the reverse of an over or a single, a slugline typed into a scene
heading (its location found or made in the library), a scene inserted after another. Each goes
through the board services (the same gate, numbering and change log as any other write), so the
room hears it as ordinary creates and sets, and the browser undoes it as one.
"""

from django.db import transaction
from rest_framework.exceptions import ValidationError

from previs.screenplay import parse_heading
from previs.spec import layout_for_shot

from . import services
from .models import Character, Location, Scene

# What a duplicate carries over from its shot: its shot-list columns and its camera. Not its
# number (the scene's next), status (a copy starts as a draft), panels, renders or approvals:
# those belong to the shot that was drawn, rendered and approved.
DUPLICATED_FIELDS = (
    "description",
    "dialogue",
    "location",
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
    "props",
    "notes",
    "camera_spec",
    "spec_locked",
)
# A reverse is the same set-up turned round: same size, framing, angle, lens, move and length.
REVERSED_FIELDS = ("location", "shot_size", "framing", "angle", "movement", "rig", "lens_mm", "sensor", "aspect_ratio", "fps", "duration_s")
SLUGLINE_MAX_CHARS = 200


def duplicate_shot(source, caller):
    """A copy of `source` right after it in its scene, numbered by the scene's next letter."""
    services.editor(caller, source.project_id)
    values = {name: getattr(source, name) for name in DUPLICATED_FIELDS}
    values["characters"] = _in_spec_order(source)
    if not source.spec_locked:
        values.pop("camera_spec")  # laid out again from the same fields: the same camera
    return _create_after(source, values, caller)


def reverse_shot(source, caller):
    """The reverse of an over or a single: the same size and lens on the other person, the camera
    across from where it was (on the same side of the line of action, so the cut keeps the
    eyelines), the people on the same marks. The other person is the shot's second character,
    or, for a single, the partner its camera keeps on their mark."""
    services.editor(caller, source.project_id)
    characters = _in_spec_order(source)
    spec = services.render_spec_for(source)
    people = spec["characters"]
    if not characters or len(people) < 2:
        raise ValidationError({"reverse_of": ["A reverse turns round on the other person: give the shot two characters first."]})
    subject_id = spec.get("subject_id") or str(characters[0].pk)
    characters = [c for c in characters if str(c.pk) == subject_id] + [c for c in characters if str(c.pk) != subject_id]
    others = [person for person in people if person["id"] != subject_id]
    partner = _library_character(source, characters, others)
    if partner is None:
        raise ValidationError({"reverse_of": ["A reverse turns round on the other person: give the shot two characters first."]})
    if len(characters) > 1 and partner in characters:
        turned = [partner] + [c for c in characters if c != partner]
    else:
        turned = [partner]
    camera = spec["camera"]
    reverse_spec = layout_for_shot(
        shot_size=source.shot_size,
        angle=source.angle,
        lens_mm=source.lens_mm,
        sensor=camera["sensor"],
        aspect=camera["aspect"],
        fps=spec["fps"],
        duration_s=source.duration_s,
        movement=source.movement,
        characters=people,
        subject_id=str(partner.pk),
        framing=source.framing,
        set_pieces=spec.get("set_pieces"),
        environment=spec.get("environment"),
    )
    values = {name: getattr(source, name) for name in REVERSED_FIELDS}
    values |= {"characters": turned, "camera_spec": reverse_spec, "spec_locked": True}
    description = (source.description or "").strip()
    values["description"] = f"Reverse of {source.number} on {partner.name}." + (f" ({description})" if description else "")
    return _create_after(source, values, caller)


def _in_spec_order(shot):
    """The shot's characters in the order its camera was laid out with (the first is who it is
    on), so a copy laid out again gets the same camera; the library's order after that."""
    order = {person["id"]: index for index, person in enumerate((shot.camera_spec or {}).get("characters", []))}
    return sorted(shot.characters.all(), key=lambda c: order.get(str(c.pk), len(order)))


def _library_character(source, characters, others):
    """The library character the reverse plays on: the shot's second character, else the one
    the camera's spec keeps on a mark beside the subject."""
    if len(characters) > 1:
        ids = {person["id"] for person in others}
        return next((c for c in characters[1:] if str(c.pk) in ids), characters[1])
    ids = [int(person["id"]) for person in others if str(person.get("id", "")).isdigit()]
    found = {c.pk: c for c in Character.objects.filter(project_id=source.project_id, pk__in=ids)}
    return next((found[pk] for pk in ids if pk in found), None)


def _create_after(source, values, caller):
    with transaction.atomic():
        shot = services.create_shot(source.scene, values, caller)
        return services.move_shot(shot, source.pk, None, caller, None)


# --- Scenes ------------------------------------------------------------------------------------


def slugline_fields(project, slugline, caller):
    """A scene's setting, location and time of day from a typed slugline ("EXT. JETTY - DAWN"),
    read by the screenplay parser's rule; the location is the library's (matched whatever its
    case) or made for it."""
    text = " ".join(str(slugline or "").split())
    if not text:
        raise ValidationError({"slugline": ["Type a scene heading, like EXT. JETTY - DAWN."]})
    if len(text) > SLUGLINE_MAX_CHARS:
        raise ValidationError({"slugline": [f"A scene heading has at most {SLUGLINE_MAX_CHARS} characters."]})
    setting, place, time_of_day = parse_heading(text)
    if place == "UNKNOWN":
        location = None
    else:
        place = place[: Location._meta.get_field("name").max_length]
        location = Location.objects.filter(project=project, name__iexact=place).order_by("pk").first()
        if location is None:
            location = services.create_location(project, {"name": place}, caller)
    return {"setting": setting, "location": location, "time_of_day": time_of_day}


def next_inserted_number(project, after):
    """Where a scene goes in between (after scene 12, before 13), it takes 12A, 12B, … as a
    locked script numbers an added scene; at the end, the next whole number."""
    numbers = set(Scene.objects.filter(project=project).values_list("number", flat=True))
    later = Scene.objects.filter(project=project, rank__gt=after.rank).exists()
    if not later:
        return services.next_scene_number(project)
    for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
        if f"{after.number}{letter}" not in numbers:
            return f"{after.number}{letter}"
    raise ValidationError({"number": [f"No letters are left after scene {after.number}; give the new scene a number."]})


def insert_scene(project, data, after_id, caller):
    """A new scene right after scene `after_id` (None: at the end), numbered as an inserted scene."""
    services.editor(caller, project.pk)
    with transaction.atomic():
        after = None
        if after_id is not None:
            after = Scene.objects.filter(project=project, pk=after_id).first()
            if after is None:
                raise ValidationError({"after": ["That scene is not in this project (it may have been deleted)."]})
        values = dict(data)
        if "number" not in values and after is not None:
            values["number"] = next_inserted_number(project, after)
        scene = services.create_scene(project, values, caller)
        if after is not None:
            scene = services.move_scene(scene, after.pk, caller, None)
        return scene


def set_slugline(scene, slugline, caller):
    """Type a slugline into a scene's heading: one write of its setting, location and time."""
    services.editor(caller, scene.project_id)
    return services.update_scene(scene, slugline_fields(scene.project, slugline, caller), caller, None)
