"""Fast entry over the project room: a duplicate keeps its shot's fields and takes the scene's next
number, a reverse turns the camera round on the other person (same side of the line), a typed
slugline sets the heading and finds or makes its location, a scene inserted between two takes an
inserted scene's number, and bad input is an error frame."""

import math

import pytest
from asgiref.sync import sync_to_async

from apps.boards import services
from apps.boards.models import Location, Panel, Scene, Shot
from tests.test_room_ops import expect_error, op
from tests.test_rooms import connect, next_of

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def board(project, owner):
    scene = services.create_scene(project, {"synopsis": "The jetty."}, owner)
    mara = services.create_character(project, {"name": "MARA", "height_m": 1.68}, owner)
    jon = services.create_character(project, {"name": "JON", "height_m": 1.85}, owner)
    over = services.create_shot(
        scene,
        {
            "description": "Over Jon onto Mara.",
            "shot_size": "MS",
            "framing": "ots",
            "lens_mm": 50,
            "characters": [mara, jon],
            "notes": "rain towers",
            "status": "approved",
        },
        owner,
    )
    single = services.create_shot(scene, {"description": "Jon alone.", "characters": [jon]}, owner)
    services.create_panel(over, {"caption": "board"}, owner)
    return scene, over, single, mara, jon


async def room_for(user, project):
    room, _, _ = await connect(user, project.pk)
    await next_of(room, "hello")
    return room


def order_of(scene):
    return list(Shot.objects.filter(scene=scene).order_by("rank").values_list("number", flat=True))


async def test_duplicate_keeps_the_fields_and_takes_the_next_number_right_after(project, board, editor):
    scene, over, single, mara, jon = board
    room = await room_for(editor, project)
    ack = await op(room, "dup-1", kind="create", entity="shot", parent=scene.pk, after=over.pk, fields={"duplicate_of": over.pk})
    copy = await sync_to_async(Shot.objects.get)(pk=ack["id"])
    assert copy.number == "1C"  # the scene's next letter (1A and 1B are taken)
    for name in ("description", "shot_size", "framing", "lens_mm", "notes", "camera_spec"):
        assert getattr(copy, name) == getattr(over, name), name
    assert await sync_to_async(lambda: sorted(c.pk for c in copy.characters.all()))() == sorted([mara.pk, jon.pk])
    assert copy.status == "draft"  # not the source's approval
    assert await sync_to_async(Panel.objects.filter(shot=copy).count)() == 0
    assert await sync_to_async(order_of)(scene) == ["1A", "1C", "1B"]
    # Undone as a create is: by deleting it.
    await op(room, "dup-undo", kind="delete", entity="shot", id=copy.pk)
    assert await sync_to_async(order_of)(scene) == ["1A", "1B"]
    await room.disconnect()


def _side(spec):
    """Which side of the line between the two people the camera is on (sign of the cross product)."""
    (ax, ay), (bx, by) = (p["position"] for p in spec["characters"][:2])
    cx, cy = spec["camera"]["position"][:2]
    return math.copysign(1, (bx - ax) * (cy - ay) - (by - ay) * (cx - ax))


async def test_reverse_turns_the_camera_round_on_the_other_person(project, board, director):
    scene, over, single, mara, jon = board
    room = await room_for(director, project)
    ack = await op(room, "rev-1", kind="create", entity="shot", parent=scene.pk, after=over.pk, fields={"reverse_of": over.pk})
    reverse = await sync_to_async(Shot.objects.get)(pk=ack["id"])
    assert (reverse.shot_size, reverse.framing, reverse.lens_mm) == ("MS", "ots", 50)
    assert await sync_to_async(lambda: [c.pk for c in reverse.characters.all()])() in ([jon.pk, mara.pk], [mara.pk, jon.pk])
    spec, source = reverse.camera_spec, over.camera_spec
    assert spec["subject_id"] == str(jon.pk) and source["subject_id"] == str(mara.pk)
    # The people stand where they stood; the camera is across from where it was, mirrored over
    # the perpendicular bisector of the two marks (give or take the framing of a taller person),
    # and on the same side of the line of action.
    assert [p["position"] for p in spec["characters"]] == [p["position"] for p in source["characters"]]
    (ax, ay), (bx, by) = (p["position"] for p in source["characters"][:2])
    mx, my = (ax + bx) / 2, (ay + by) / 2
    ux, uy = (bx - ax) / math.dist((ax, ay), (bx, by)), (by - ay) / math.dist((ax, ay), (bx, by))
    sx, sy = source["camera"]["position"][:2]
    along = (sx - mx) * ux + (sy - my) * uy
    mirrored = (sx - 2 * along * ux, sy - 2 * along * uy)
    rx, ry = spec["camera"]["position"][:2]
    assert along * ((rx - mx) * ux + (ry - my) * uy) < 0  # behind the other person now
    assert math.dist(mirrored, (rx, ry)) < 0.6
    assert _side(spec) == _side(source)
    assert spec["camera"]["position"][2] == pytest.approx(source["camera"]["position"][2], abs=0.01)
    assert reverse.spec_locked and "Reverse of 1A on JON" in reverse.description
    assert await sync_to_async(order_of)(scene) == ["1A", "1C", "1B"]
    await room.disconnect()


async def test_a_reverse_needs_the_other_person_and_a_source_in_the_project(project, board, other_project, outsider, editor):
    scene, over, single, mara, jon = board
    room = await room_for(editor, project)
    error = await expect_error(room, "rev-lone", kind="create", entity="shot", parent=scene.pk, fields={"reverse_of": single.pk})
    assert error["code"] == "invalid" and "other person" in error["errors"]["reverse_of"][0]
    other_scene = await sync_to_async(services.create_scene)(other_project, {}, outsider)
    theirs = await sync_to_async(services.create_shot)(other_scene, {}, outsider)
    error = await expect_error(room, "dup-theirs", kind="create", entity="shot", parent=scene.pk, fields={"duplicate_of": theirs.pk})
    assert error["code"] == "invalid" and "duplicate_of" in error["errors"]
    error = await expect_error(room, "dup-text", kind="create", entity="shot", parent=scene.pk, fields={"duplicate_of": "1A"})
    assert error["code"] == "invalid" and "duplicate_of" in error["errors"]
    error = await expect_error(room, "dup-more", kind="create", entity="shot", parent=scene.pk, fields={"duplicate_of": over.pk, "notes": "x"})
    assert error["code"] == "invalid"
    assert await sync_to_async(Shot.objects.filter(scene=scene).count)() == 2
    await room.disconnect()


async def test_a_viewer_cannot_duplicate(project, board, viewer):
    scene, over, *_ = board
    room = await room_for(viewer, project)
    error = await expect_error(room, "dup-viewer", kind="create", entity="shot", parent=scene.pk, fields={"duplicate_of": over.pk})
    assert error["code"] == "forbidden"
    await room.disconnect()


async def test_a_typed_slugline_sets_the_heading_and_finds_or_makes_the_location(project, board, editor, owner):
    scene, *_ = board
    await sync_to_async(services.create_location)(project, {"name": "Harbour Office"}, owner)
    room = await room_for(editor, project)
    await op(room, "slug-1", kind="set", entity="scene", id=scene.pk, fields={"slugline": "EXT. JETTY - DAWN"})
    row = await sync_to_async(Scene.objects.select_related("location").get)(pk=scene.pk)
    assert (row.setting, row.location.name, row.time_of_day) == ("EXT", "JETTY", "DAWN")
    # Matched whatever its case: no second HARBOUR OFFICE.
    await op(room, "slug-2", kind="set", entity="scene", id=scene.pk, fields={"slugline": "int. harbour office - night"})
    row = await sync_to_async(Scene.objects.select_related("location").get)(pk=scene.pk)
    assert (row.setting, row.location.name, row.time_of_day) == ("INT", "Harbour Office", "NIGHT")
    names = await sync_to_async(lambda: sorted(Location.objects.filter(project=project).values_list("name", flat=True)))()
    assert names == ["Harbour Office", "JETTY"]
    error = await expect_error(room, "slug-empty", kind="set", entity="scene", id=scene.pk, fields={"slugline": "   "})
    assert error["code"] == "invalid" and "slugline" in error["errors"]
    error = await expect_error(room, "slug-num", kind="set", entity="scene", id=scene.pk, fields={"slugline": 7})
    assert error["code"] == "invalid" and "slugline" in error["errors"]
    await room.disconnect()


async def test_a_scene_inserted_between_takes_an_inserted_number_and_moves_keep_numbers(project, editor, owner):
    first = await sync_to_async(services.create_scene)(project, {}, owner)
    second = await sync_to_async(services.create_scene)(project, {}, owner)
    room = await room_for(editor, project)
    ack = await op(room, "ins-1", kind="create", entity="scene", parent=project.pk, after=first.pk, fields={"slugline": "EXT. CLIFF PATH - DUSK"})
    inserted = await sync_to_async(Scene.objects.select_related("location").get)(pk=ack["id"])
    assert inserted.number == "1A" and inserted.location.name == "CLIFF PATH" and inserted.time_of_day == "DUSK"
    ack = await op(room, "ins-2", kind="create", entity="scene", parent=project.pk, after=first.pk, fields={})
    again = await sync_to_async(Scene.objects.get)(pk=ack["id"])
    assert again.number == "1B"
    ack = await op(room, "ins-end", kind="create", entity="scene", parent=project.pk, after=second.pk, fields={})
    assert (await sync_to_async(Scene.objects.get)(pk=ack["id"])).number == "3"

    def numbers():
        return list(Scene.objects.filter(project=project).order_by("rank").values_list("number", flat=True))

    assert await sync_to_async(numbers)() == ["1", "1B", "1A", "2", "3"]
    await op(room, "move-1", kind="move", entity="scene", id=second.pk, after=None)
    assert await sync_to_async(numbers)() == ["2", "1", "1B", "1A", "3"]  # a move keeps the script's numbers
    error = await expect_error(room, "ins-bad", kind="create", entity="scene", parent=project.pk, after=999999, fields={})
    assert error["code"] == "invalid" and "after" in error["errors"]
    await room.disconnect()
