"""Scenes, shots, panels and the library over the REST API: CRUD, numbering, ordering,
optimistic concurrency, field errors, and who may do what."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.boards import services
from apps.boards.models import Panel, Scene, Shot
from apps.changes.models import Change

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(project, owner):
    return services.create_scene(project, {"setting": "EXT", "time_of_day": "DUSK", "synopsis": "Tom comes home."}, owner)


@pytest.fixture
def shot(scene, owner):
    return services.create_shot(scene, {"description": "Tom climbs onto the jetty.", "shot_size": "MS"}, owner)


def test_create_scene_and_shots_number_themselves(api, project, editor):
    client = api(editor)
    scene = client.post("/api/scenes/", {"project": project.pk, "setting": "INT", "time_of_day": "NIGHT"}, format="json")
    assert scene.status_code == 201, scene.content
    assert scene.json()["number"] == "1"
    first = client.post("/api/shots/", {"scene": scene.json()["id"], "description": "Wide of the lamp room"}, format="json")
    second = client.post("/api/shots/", {"scene": scene.json()["id"], "shot_size": "CU", "lens_mm": 85}, format="json")
    assert first.status_code == 201 and second.status_code == 201, (first.content, second.content)
    assert [first.json()["number"], second.json()["number"]] == ["1A", "1B"]
    # A new shot takes the project's defaults and gets a camera layout from its fields.
    assert second.json()["aspect_ratio"] == "2.39"
    assert second.json()["camera_spec"]["camera"]["lens_mm"] == 85


def test_shot_fields_round_trip(api, project, shot, editor):
    client = api(editor)
    maya = client.post("/api/characters/", {"project": project.pk, "name": "MAYA", "height_m": 1.68, "colour": "#e07a5f"}, format="json").json()
    jetty = client.post("/api/locations/", {"project": project.pk, "name": "HARBOUR JETTY"}, format="json").json()
    response = client.patch(
        f"/api/shots/{shot.pk}/",
        {
            "dialogue": "MAYA: You came back.",
            "characters": [maya["id"]],
            "location": jetty["id"],
            "angle": "low",
            "movement": "dolly_in",
            "rig": "dolly",
            "lens_mm": 50,
            "fps": "23.976",
            "duration_s": 4.5,
            "props": "Lantern",
            "notes": "Rain towers",
            "status": "ready",
            "framing": "ots",
        },
        format="json",
        HTTP_IF_MATCH=f'"{shot.version}"',
    )
    assert response.status_code == 200, response.content
    body = client.get(f"/api/shots/{shot.pk}/").json()
    assert body["characters"] == [maya["id"]] and body["location"] == jetty["id"]
    assert (body["angle"], body["movement"], body["lens_mm"], body["fps"], body["status"]) == ("low", "dolly_in", 50, "23.976", "ready")
    assert body["version"] == shot.version + 1


def test_bad_input_gets_field_messages(api, scene, shot, editor):
    client = api(editor)
    response = client.patch(f"/api/shots/{shot.pk}/", {"shot_size": "HUGE", "lens_mm": -3, "duration_s": "long", "number": "twelve"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) >= {"shot_size", "lens_mm", "duration_s", "number"}
    assert Shot.objects.get(pk=shot.pk).shot_size == "MS"  # nothing half-written
    bad_spec = client.patch(f"/api/shots/{shot.pk}/", {"camera_spec": {"camera": {"lens_mm": "wide"}}}, format="json")
    assert bad_spec.status_code == 400 and "camera_spec" in bad_spec.json()
    duplicate = client.patch(f"/api/shots/{shot.pk}/", {"number": shot.number}, format="json")
    assert duplicate.status_code == 200
    other = client.post("/api/shots/", {"scene": scene.pk, "number": shot.number}, format="json")
    assert other.status_code == 400
    bad_version = client.patch(f"/api/shots/{shot.pk}/", {"notes": "x"}, format="json", HTTP_IF_MATCH='"abc"')
    assert bad_version.status_code == 400 and "version" in bad_version.json()


def test_stale_write_gets_409_with_current_state(api, shot, editor, director):
    first = api(editor).patch(f"/api/shots/{shot.pk}/", {"lens_mm": 85}, format="json", HTTP_IF_MATCH=f'"{shot.version}"')
    assert first.status_code == 200
    stale = api(director).patch(f"/api/shots/{shot.pk}/", {"lens_mm": 24}, format="json", HTTP_IF_MATCH=f'"{shot.version}"')
    assert stale.status_code == 409
    assert stale.json()["current"]["lens_mm"] == 85
    assert stale.json()["current"]["version"] == shot.version + 1
    assert Shot.objects.get(pk=shot.pk).lens_mm == 85
    # The version may also travel in the body.
    again = api(director).patch(f"/api/shots/{shot.pk}/", {"lens_mm": 24, "version": shot.version}, format="json")
    assert again.status_code == 409
    stale_delete = api(director).delete(f"/api/shots/{shot.pk}/", HTTP_IF_MATCH=f'"{shot.version}"')
    assert stale_delete.status_code == 409 and Shot.objects.filter(pk=shot.pk).exists()


def test_moves_write_one_row_and_keep_order(api, scene, owner, editor):
    shots = [services.create_shot(scene, {"description": f"shot {i}"}, owner) for i in range(4)]
    before = {s.pk: s.rank for s in Shot.objects.filter(scene=scene)}
    client = api(editor)
    response = client.post(f"/api/shots/{shots[3].pk}/move/", {"after": None}, format="json")
    assert response.status_code == 200, response.content
    after = {s.pk: s.rank for s in Shot.objects.filter(scene=scene)}
    assert [pk for pk in before if before[pk] != after[pk]] == [shots[3].pk]
    order = list(Shot.objects.filter(scene=scene).order_by("rank", "id").values_list("pk", flat=True))
    assert order == [shots[3].pk, shots[0].pk, shots[1].pk, shots[2].pk]
    client.post(f"/api/shots/{shots[0].pk}/move/", {"after": shots[2].pk}, format="json")
    order = list(Shot.objects.filter(scene=scene).order_by("rank", "id").values_list("pk", flat=True))
    assert order == [shots[3].pk, shots[1].pk, shots[2].pk, shots[0].pk]
    assert client.post(f"/api/shots/{shots[0].pk}/move/", {"after": shots[0].pk}, format="json").status_code == 400


def test_two_people_moving_at_once_converge(api, scene, owner, editor, director):
    a, b, c = (services.create_shot(scene, {}, owner) for _ in range(3))
    # Both ask for "right after a" at the same time; both land there, in one agreed order.
    api(editor).post(f"/api/shots/{c.pk}/move/", {"after": a.pk}, format="json")
    api(director).post(f"/api/shots/{b.pk}/move/", {"after": a.pk}, format="json")
    order = list(Shot.objects.filter(scene=scene).order_by("rank", "id").values_list("pk", flat=True))
    assert order == [a.pk, b.pk, c.pk]
    assert len({s.rank for s in Shot.objects.filter(scene=scene)}) == 3


def test_move_shot_to_another_scene_and_panels_between_shots(api, project, scene, shot, owner, editor):
    other = services.create_scene(project, {}, owner)
    client = api(editor)
    moved = client.post(f"/api/shots/{shot.pk}/move/", {"after": None, "parent": other.pk}, format="json")
    assert moved.status_code == 200 and moved.json()["scene"] == other.pk
    target = services.create_shot(scene, {}, owner)
    panel = services.create_panel(shot, {"caption": "p"}, owner)
    response = client.post(f"/api/panels/{panel.pk}/move/", {"after": None, "parent": target.pk}, format="json")
    assert response.status_code == 200 and response.json()["shot"] == target.pk


def test_scene_order_and_delete(api, project, owner, editor):
    scenes = [services.create_scene(project, {}, owner) for _ in range(3)]
    client = api(editor)
    client.post(f"/api/scenes/{scenes[2].pk}/move/", {"after": None}, format="json")
    listed = client.get(f"/api/scenes/?project={project.pk}").json()
    assert [s["id"] for s in listed] == [scenes[2].pk, scenes[0].pk, scenes[1].pk]
    assert client.delete(f"/api/scenes/{scenes[0].pk}/", HTTP_IF_MATCH=f'"{scenes[0].version}"').status_code == 204
    assert not Scene.objects.filter(pk=scenes[0].pk).exists()


def test_roles_and_other_projects(api, project, other_project, shot, viewer, outsider, editor):
    # A viewer reads but cannot write.
    assert api(viewer).get(f"/api/shots/{shot.pk}/").status_code == 200
    assert api(viewer).patch(f"/api/shots/{shot.pk}/", {"notes": "x"}, format="json").status_code == 403
    assert api(viewer).post("/api/scenes/", {"project": project.pk}, format="json").status_code == 403
    assert api(viewer).post(f"/api/shots/{shot.pk}/move/", {"after": None}, format="json").status_code == 403
    # Someone from another production cannot even see it exists.
    assert api(outsider).get(f"/api/shots/{shot.pk}/").status_code == 404
    assert api(outsider).patch(f"/api/shots/{shot.pk}/", {"notes": "x"}, format="json").status_code == 404
    assert api(outsider).delete(f"/api/shots/{shot.pk}/").status_code == 404
    assert api(outsider).get(f"/api/projects/{project.pk}/board/").status_code == 404
    assert api(outsider).get(f"/api/scenes/?project={project.pk}").json() == []
    assert api(outsider).post("/api/shots/", {"scene": shot.scene_id}, format="json").status_code == 400
    # Library rows of another project cannot be attached.
    theirs = services.create_character(other_project, {"name": "STRANGER"}, outsider)
    response = api(editor).patch(f"/api/shots/{shot.pk}/", {"characters": [theirs.pk]}, format="json")
    assert response.status_code == 400 and "characters" in response.json()
    # Signed-out callers get nothing.
    assert api(None).get(f"/api/shots/{shot.pk}/").status_code == 403


def test_every_write_is_recorded_with_who_and_when(api, project, shot, editor):
    api(editor).patch(f"/api/shots/{shot.pk}/", {"lens_mm": 40}, format="json")
    change = Change.objects.filter(project=project, entity="shot", entity_id=shot.pk, action="update").last()
    assert change.actor == editor and change.created_at is not None
    assert change.data["fields"]["lens_mm"] == 40
    seqs = list(Change.objects.filter(project=project).values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))  # gap-free, in order


def test_board_read_has_everything_in_order(api, project, scene, shot, owner, viewer):
    services.create_panel(shot, {"caption": "first", "duration_s": 1.5}, owner)
    services.create_panel(shot, {"caption": "second"}, owner)
    board = api(viewer).get(f"/api/projects/{project.pk}/board/").json()
    assert board["project"]["role"] == "viewer"
    assert board["scenes"][0]["heading"].startswith("EXT.")
    panels = board["scenes"][0]["shots"][0]["panels"]
    assert [p["caption"] for p in panels] == ["first", "second"]


def _bulk_board(project, owner, shots):
    from fractional_indexing import generate_n_keys_between

    scene_count = max(1, shots // 50)
    ranks = generate_n_keys_between(None, None, max(shots, scene_count, 2))
    scenes = Scene.objects.bulk_create([Scene(project=project, rank=ranks[i], number=str(i + 1)) for i in range(scene_count)])
    rows = [Shot(project=project, scene=scenes[i % scene_count], rank=ranks[i], number=f"{i // scene_count + 1}A", camera_spec={}) for i in range(shots)]
    rows = Shot.objects.bulk_create(rows)
    Panel.objects.bulk_create([Panel(project=project, shot=s, rank=ranks[j]) for s in rows for j in range(2)])
    character = services.create_character(project, {"name": "MAYA"}, owner)
    Shot.characters.through.objects.bulk_create([Shot.characters.through(shot_id=s.pk, character_id=character.pk) for s in rows])


def _board_queries(client, project, shots):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/api/projects/{project.pk}/board/")
    assert response.status_code == 200
    assert sum(len(s["shots"]) for s in response.json()["scenes"]) == shots
    assert sum(len(shot["panels"]) for s in response.json()["scenes"] for shot in s["shots"]) == shots * 2
    return len(queries)


def test_board_read_uses_a_constant_number_of_queries(api, owner):
    from apps.crew import services as project_services

    small = project_services.create_project(owner, {"name": "Ten shots"})
    large = project_services.create_project(owner, {"name": "Five hundred shots"})
    _bulk_board(small, owner, 10)
    _bulk_board(large, owner, 500)
    client = api(owner)
    queries_10 = _board_queries(client, small, 10)
    queries_500 = _board_queries(client, large, 500)
    assert queries_10 == queries_500 <= 9


def test_shot_reports_its_angle_of_view(api, shot, editor):
    import math

    body = api(editor).patch(f"/api/shots/{shot.pk}/", {"lens_mm": 24, "sensor": "full_frame", "aspect_ratio": "1.78"}, format="json").json()
    # Full frame, 16:9 delivery: the frame is the sensor's 36 mm width; 24 mm is a wide lens.
    assert body["field_of_view"]["horizontal_deg"] == pytest.approx(math.degrees(2 * math.atan(36 / 48)), abs=0.01)
    assert body["field_of_view"]["vertical_deg"] == pytest.approx(math.degrees(2 * math.atan(36 / (16 / 9) / 48)), abs=0.01)
    tele = api(editor).patch(f"/api/shots/{shot.pk}/", {"lens_mm": 85}, format="json").json()
    assert tele["field_of_view"]["horizontal_deg"] < body["field_of_view"]["horizontal_deg"] / 3


def test_lens_sensor_and_aspect_reach_a_hand_adjusted_camera(api, shot, editor):
    """A hand-placed camera stays where it was put, but the lens, sensor, aspect, move, rate and
    length set on the shot list are what its field of view, plan and renders use: the rule is the
    shot service's, so a script's PATCH gets it as well as the browser."""
    import math

    client = api(editor)
    placed = {**shot.camera_spec, "camera": {**shot.camera_spec["camera"], "position": [2.0, -6.0, 1.2], "yaw_deg": -15.0}}
    locked = client.patch(f"/api/shots/{shot.pk}/", {"camera_spec": placed}, format="json").json()
    assert locked["spec_locked"] is True
    wide = locked["field_of_view"]["horizontal_deg"]
    body = client.patch(
        f"/api/shots/{shot.pk}/",
        {"lens_mm": 85, "sensor": "full_frame", "aspect_ratio": "1.78", "movement": "dolly_in", "fps": "29.97", "duration_s": 5},
        format="json",
    ).json()
    camera = body["camera_spec"]["camera"]
    assert (camera["lens_mm"], camera["sensor"], camera["aspect"]) == (85, "full_frame", "1.78")
    assert (camera["position"], camera["yaw_deg"]) == ([2.0, -6.0, 1.2], -15.0)  # still where it was put
    assert body["camera_spec"]["move"]["type"] == "dolly_in" and body["camera_spec"]["move"]["distance_m"] > 0
    assert (body["camera_spec"]["fps"], body["camera_spec"]["duration_s"]) == (29.97, 5)
    assert body["spec_locked"] is True
    assert wide > 39 and body["field_of_view"]["horizontal_deg"] == pytest.approx(math.degrees(2 * math.atan(36 / 170)), abs=0.01)
    assert Change.objects.filter(entity="shot", entity_id=shot.pk).count() == 3  # create, placing, one edit


def test_the_plan_gets_the_end_of_the_move_the_clip_renders(api, shot, editor):
    """The plan's end mark is previs.move's camera at the last moment, the one the clip renders."""
    from previs.move import camera_at

    client = api(editor)
    assert client.get(f"/api/shots/{shot.pk}/").json()["move_end"] is None  # a static camera
    body = client.patch(f"/api/shots/{shot.pk}/", {"movement": "arc", "duration_s": 2}, format="json").json()
    last = camera_at(body["camera_spec"], 2.0)
    assert body["move_end"]["position"] == pytest.approx(last["position"], abs=0.001)
    assert body["move_end"]["yaw_deg"] == pytest.approx(last["yaw_deg"], abs=0.01)
    assert body["move_end"]["position"] != pytest.approx(body["camera_spec"]["camera"]["position"], abs=0.1)
    change = Change.objects.filter(entity="shot", entity_id=shot.pk).latest("seq")
    assert change.data["fields"]["move_end"] == body["move_end"]  # live clients get it with the spec
