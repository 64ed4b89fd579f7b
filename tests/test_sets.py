"""A location's set (issue 15, virtual location scouting): pieces from the library validated and
stored on the location, edited through the room, drawn in its scenes' shots (with per-shot
cheats), the camera kept out of the walls, and the set in and out as glTF."""

import io
import json
import math

import pytest
from asgiref.sync import sync_to_async

from apps.boards import services
from apps.boards.models import Location
from previs import gltf, sets
from previs.spec import layout_for_shot
from tests.conftest import client_for
from tests.test_rooms import connect, next_of

WALL = {
    "id": "north-wall",
    "kind": "wall_door",
    "name": "Kitchen wall",
    "size": [6.0, 0.2, 2.7],
    "position": [0.0, 3.0],
    "rotation_deg": 0,
    "colour": "#b8b2a7",
}
TABLE = {"id": "table", "kind": "table", "name": "Table", "size": [1.6, 0.9, 0.75], "position": [1.5, 1.0], "rotation_deg": 30, "colour": "#8b5a2b"}


@pytest.fixture
def kitchen(project, owner, director):
    location = services.create_location(project, {"name": "Kitchen"}, owner)
    scene = services.create_scene(project, {"synopsis": "Breakfast.", "location": location}, owner)
    character = services.create_character(project, {"name": "ANNA"}, owner)
    shot = services.create_shot(scene, {"description": "Anna at the table", "characters": [character]}, owner)
    return location, scene, shot


def test_pieces_are_validated_by_the_library():
    stored = sets.validate_set([{**WALL, "rotation_deg": 90}, sets.new_piece("car", "car-1", (4, -2))])
    assert stored[1]["size"] == [1.8, 4.5, 1.45] and stored[1]["elevation_m"] == 0.0
    with pytest.raises(sets.SetError) as error:
        sets.validate_set([{**WALL, "kind": "spaceship"}, {**TABLE, "size": [0, 1, 1]}, {**TABLE, "colour": "red"}, WALL])
    assert set(error.value.errors) >= {"0.kind", "1.size", "2.colour", "3.id"}


def test_every_kind_breaks_down_into_boxes_inside_its_footprint():
    for kind in sets.LIBRARY:
        piece = sets.new_piece(kind, kind, (2.0, -1.0))
        boxes = sets.piece_boxes(piece)
        assert boxes and all(b["piece"] == kind for b in boxes)
        w, d, h = piece["size"]
        for box in boxes:
            assert math.dist(box["position"][:2], (2.0, -1.0)) <= math.hypot(w, d) / 2 + 1e-6
            assert box["position"][2] + box["size"][2] <= h + 1e-6


def test_a_set_with_bad_pieces_is_a_400_with_field_messages_and_nothing_is_stored(project, kitchen, editor):
    location, _, _ = kitchen
    response = client_for(editor).patch(f"/api/locations/{location.pk}/", {"set_pieces": [{**WALL, "size": [6, 0.2, -1]}]}, format="json")
    assert response.status_code == 400
    assert any(message.startswith("0.size") for message in response.json()["set_pieces"])
    location.refresh_from_db()
    assert location.set_pieces == []


def test_the_set_is_in_its_scenes_shots_and_a_set_change_re_lays_them_out(project, kitchen, editor):
    location, _, shot = kitchen
    response = client_for(editor).patch(f"/api/locations/{location.pk}/", {"set_pieces": [WALL, TABLE]}, format="json")
    assert response.status_code == 200, response.json()
    assert [p["id"] for p in response.json()["set_pieces"]] == ["north-wall", "table"]
    shot.refresh_from_db()
    from_set = {b["piece"] for b in shot.camera_spec["set_pieces"]}
    assert from_set == {"north-wall", "table"}
    # The render spec (what the blocking frame, depth and plan read) carries them too.
    assert services.render_spec_for(shot)["set_pieces"] == shot.camera_spec["set_pieces"]


def test_a_shot_cheats_a_piece_without_changing_the_set(project, kitchen, editor):
    location, scene, shot = kitchen
    services.update_location(location, {"set_pieces": [WALL, TABLE]}, editor, None)
    other = services.create_shot(scene, {"description": "Reverse"}, editor)
    shot.refresh_from_db()
    spec = {**shot.camera_spec, "set_overrides": {"table": {"hidden": True}, "north-wall": {"position": [0.0, 5.0]}}}
    response = client_for(editor).patch(f"/api/shots/{shot.pk}/", {"camera_spec": spec}, format="json")
    assert response.status_code == 200, response.json()
    shot.refresh_from_db()
    other.refresh_from_db()
    location.refresh_from_db()
    assert {b["piece"] for b in shot.camera_spec["set_pieces"]} == {"north-wall"}
    assert all(b["position"][1] > 4.5 for b in shot.camera_spec["set_pieces"])  # the wall moved back for this shot
    assert {b["piece"] for b in other.camera_spec["set_pieces"]} == {"north-wall", "table"}
    assert location.set_pieces[1]["position"] == [1.5, 1.0]
    # The cheat holds when the set changes again: the wall comes back in, the table stays hidden.
    services.update_location(location, {"set_pieces": [WALL, {**TABLE, "colour": "#000000"}]}, editor, None)
    shot.refresh_from_db()
    assert {b["piece"] for b in shot.camera_spec["set_pieces"]} == {"north-wall"}
    bad = {**shot.camera_spec, "set_overrides": {"table": {"hidden": "maybe"}}}
    response = client_for(editor).patch(f"/api/shots/{shot.pk}/", {"camera_spec": bad}, format="json")
    assert response.status_code == 400 and "set_overrides.table.hidden" in json.dumps(response.json())


def test_the_camera_is_pushed_out_of_a_wall_along_its_line():
    kwargs = {
        "shot_size": "WS",
        "angle": "eye",
        "lens_mm": 35,
        "sensor": "super35",
        "aspect": "2.39",
        "fps": 24,
        "duration_s": 3,
        "movement": "static",
        "characters": [{"id": "1"}],
    }
    free = layout_for_shot(**kwargs)["camera"]
    # A wall right where the camera would stand, across its line of view.
    x, y, _z = free["position"]
    wall = sets.piece_boxes({"id": "w", "kind": "wall", "name": "Wall", "size": [8.0, 0.6, 3.0], "position": [x, y], "rotation_deg": 0, "colour": "#ffffff"})
    placed = layout_for_shot(**kwargs, set_pieces=wall)["camera"]
    assert not any(sets._inside(placed["position"], box) for box in wall)
    assert placed["position"][1] > y + 0.3  # pushed forward, toward the subject at the origin
    assert abs(placed["position"][0] - x) < 0.05 and placed["yaw_deg"] == free["yaw_deg"]


def test_glTF_round_trip_keeps_the_set(project, kitchen, editor):
    location, _, _ = kitchen
    pieces = [WALL, TABLE, sets.new_piece("tree", "oak", (-3, 4))]
    services.update_location(location, {"set_pieces": pieces}, editor, None)
    client = client_for(editor)
    exported = client.get(f"/api/locations/{location.pk}/set-gltf/")
    assert exported.status_code == 200 and exported["Content-Type"] == "model/gltf-binary"
    body = b"".join(exported.streaming_content) if exported.streaming else exported.content
    assert body[:4] == b"glTF"
    other = services.create_location(project, {"name": "Studio B"}, editor)
    response = client.post(f"/api/locations/{other.pk}/set-gltf/", {"file": io.BytesIO(body)}, format="multipart")
    assert response.status_code == 200, response.json()
    back = {p["id"]: p for p in response.json()["set_pieces"]}
    for piece in sets.validate_set(pieces):
        got = back[piece["id"]]
        assert got["kind"] == piece["kind"] and got["colour"] == piece["colour"]
        assert got["size"] == pytest.approx(piece["size"], abs=1e-3)
        assert got["position"] == pytest.approx(piece["position"], abs=1e-3)
        assert (got["rotation_deg"] - piece["rotation_deg"]) % 360 == pytest.approx(0, abs=1e-2)


def test_a_foreign_glTF_becomes_boxes_by_its_bounds():
    blob = gltf.export_set([sets.new_piece("box", "b", (0, 0))])
    # Strip our extras: a file from elsewhere is measured by its meshes.
    import pygltflib

    document = pygltflib.GLTF2.load_from_bytes(blob)
    document.nodes[-1].extras = {}
    document.nodes[-1].scale = [2.0, 3.0, 1.0]
    document.nodes[-1].translation = [5.0, 0.0, -2.0]
    pieces = gltf.import_set(b"".join(document.save_to_bytes()))
    assert pieces[0]["kind"] == "box" and pieces[0]["size"] == pytest.approx([2.0, 1.0, 3.0])
    assert pieces[0]["position"] == pytest.approx([5.0, 2.0])


def test_bad_glTF_is_a_400_and_nothing_is_stored(project, kitchen, editor, settings):
    location, _, _ = kitchen
    services.update_location(location, {"set_pieces": [WALL]}, editor, None)
    client = client_for(editor)
    for content in (b"\x89PNG\r\n\x1a\n not a model", json.dumps({"hello": "world"}).encode(), b"glTF\x02\x00\x00\x00broken"):
        response = client.post(f"/api/locations/{location.pk}/set-gltf/", {"file": io.BytesIO(content)}, format="multipart")
        assert response.status_code == 400 and response.json()["file"], content
    big = io.BytesIO(b"glTF" + b"\0" * (gltf.MAX_GLTF_BYTES + 1))
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = None
    response = client.post(f"/api/locations/{location.pk}/set-gltf/", {"file": big}, format="multipart")
    assert response.status_code == 400 and "20 MB" in response.json()["file"][0]
    location.refresh_from_db()
    assert [p["id"] for p in location.set_pieces] == ["north-wall"]


def test_other_project_404_and_viewer_cannot_edit(project, kitchen, outsider, viewer):
    location, _, _ = kitchen
    assert client_for(outsider).get(f"/api/locations/{location.pk}/set-gltf/").status_code == 404
    assert client_for(outsider).patch(f"/api/locations/{location.pk}/", {"set_pieces": [WALL]}, format="json").status_code == 404
    assert client_for(viewer).get(f"/api/locations/{location.pk}/set-gltf/").status_code == 200
    assert client_for(viewer).patch(f"/api/locations/{location.pk}/", {"set_pieces": [WALL]}, format="json").status_code == 403
    blob = gltf.export_set([WALL])
    assert client_for(viewer).post(f"/api/locations/{location.pk}/set-gltf/", {"file": io.BytesIO(blob)}, format="multipart").status_code == 403
    location.refresh_from_db()
    assert location.set_pieces == []


@pytest.mark.django_db(transaction=True)
async def test_the_set_is_edited_through_the_room_and_the_other_socket_sees_it(project, editor, director, viewer, owner):
    location = await sync_to_async(services.create_location)(project, {"name": "Jetty"}, owner)
    alice, _, _ = await connect(editor, project.pk)
    bob, _, _ = await connect(director, project.pk)
    carol, _, _ = await connect(viewer, project.pk)
    for room in (alice, bob, carol):
        await next_of(room, "hello")
    jetty = sets.new_piece("jetty", "dock", (0, 4))
    await alice.send_json_to({"type": "op", "op_id": "s-1", "op": {"kind": "set", "entity": "location", "id": location.pk, "fields": {"set_pieces": [jetty]}}})
    assert (await next_of(alice, "ack"))["op_id"] == "s-1"
    change = (await next_of(bob, "change"))["change"]
    assert change["data"]["fields"]["set_pieces"][0]["id"] == "dock"
    # A bad piece is an error frame naming the field; nothing is stored.
    await alice.send_json_to(
        {"type": "op", "op_id": "s-2", "op": {"kind": "set", "entity": "location", "id": location.pk, "fields": {"set_pieces": [{**jetty, "kind": "ufo"}]}}}
    )
    error = await next_of(alice, "error")
    assert error["op_id"] == "s-2" and "set_pieces" in json.dumps(error)
    # A viewer may look, not move the set.
    await carol.send_json_to({"type": "op", "op_id": "c-1", "op": {"kind": "set", "entity": "location", "id": location.pk, "fields": {"set_pieces": []}}})
    assert (await next_of(carol, "error"))["op_id"] == "c-1"
    stored = await sync_to_async(Location.objects.get)(pk=location.pk)
    assert [p["kind"] for p in stored.set_pieces] == ["jetty"]
    for room in (alice, bob, carol):
        await room.disconnect()


def test_a_glTF_with_parts_of_the_wrong_shape_is_refused():
    for document in (
        {"asset": {"version": "2.0"}, "nodes": ["x"], "scenes": [{"nodes": [0]}]},
        {
            "asset": {"version": "2.0"},
            "nodes": [{"mesh": 0}],
            "meshes": [{"primitives": [{"attributes": {"POSITION": 0}}]}],
            "accessors": [{"count": 3, "type": "VEC3", "componentType": 5126, "min": [0, 0, 0], "max": [1e308, "NaN", 1]}],
        },
    ):
        with pytest.raises(gltf.GltfError):
            gltf.import_set(json.dumps(document).encode())
    with pytest.raises(sets.SetError):
        sets.validate_set([{**WALL, "position": [float("nan"), 0.0]}])
