"""A scene's heading lights its shots (issue 15, Light): INT/EXT and time of day reach every
shot's spec, the scene's sun overrides the key, and a scene edit re-lights its shots as shot
changes the room sees, so renders made before are out of date and new ones are lit the new way.
Through the REST API, the room socket and the render worker."""

import io

import pytest
from asgiref.sync import sync_to_async
from PIL import Image, ImageStat

from apps.assets import storage
from apps.assets.models import Asset
from apps.boards import services
from apps.boards.models import Shot
from apps.renders.models import RenderJob
from apps.review.selectors import latest_renders
from tests.conftest import wait_until
from tests.test_room_ops import op
from tests.test_rooms import connect, next_of, receive

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("quiet_worker_after")]


@pytest.fixture
def jetty(project, owner):
    """EXT. HARBOUR JETTY - DAY with a set, MAYA and two shots."""
    jetty = services.create_location(
        project,
        {
            "name": "HARBOUR JETTY",
            "set_pieces": [
                {"id": "shed", "kind": "wall", "name": "shed wall", "position": [0, 6], "size": [4, 0.15, 2.7], "rotation_deg": 0, "colour": "#b8b2a7"},
            ],
        },
        owner,
    )
    scene = services.create_scene(project, {"setting": "EXT", "time_of_day": "DAY", "location": jetty}, owner)
    maya = services.create_character(project, {"name": "MAYA", "height_m": 1.68}, owner)
    shots = [services.create_shot(scene, {"shot_size": size, "characters": [maya], "duration_s": 1}, owner) for size in ("WS", "MS")]
    return scene, shots


def luminance(job_id):
    asset = Asset.objects.get(render_job_id=job_id, kind=Asset.FRAME)
    image = Image.open(io.BytesIO(storage.read(asset.key))).convert("L")
    return ImageStat.Stat(image).mean[0]


def render_frame(client, shot_id):
    response = client.post("/api/render-jobs/", {"shot": shot_id, "kind": "frame", "parameters": {"width": 320}}, format="json")
    assert response.status_code == 201, response.content
    job = wait_until(lambda: RenderJob.objects.filter(pk=response.json()["id"], status__in=RenderJob.FINISHED).first())
    assert job.status == "succeeded", job.error
    return job


def test_a_night_interior_scene_lights_its_shots_as_night_interior(api, project, editor):
    client = api(editor)
    scene = client.post("/api/scenes/", {"project": project.pk, "setting": "INT", "time_of_day": "NIGHT"}, format="json").json()
    shot = client.post("/api/shots/", {"scene": scene["id"], "shot_size": "MS"}, format="json").json()
    environment = shot["camera_spec"]["environment"]
    assert (environment["setting"], environment["time_of_day"]) == ("INT", "NIGHT")
    board = client.get(f"/api/projects/{project.pk}/board/").json()
    read = board["scenes"][0]["shots"][0]["camera_spec"]["environment"]
    assert (read["setting"], read["time_of_day"]) == ("INT", "NIGHT")
    # The moon's default key, not the day sun's.
    assert read["key_light"] == {"azimuth_deg": 200.0, "elevation_deg": 35.0}
    # A story time carries no light of its own: lit as DAY, but the spec says what the heading says.
    later = client.post("/api/scenes/", {"project": project.pk, "setting": "EXT", "time_of_day": "CONTINUOUS"}, format="json").json()
    shot = client.post("/api/shots/", {"scene": later["id"]}, format="json").json()
    assert shot["camera_spec"]["environment"]["time_of_day"] == "CONTINUOUS"
    assert shot["camera_spec"]["environment"]["key_light"] == {"azimuth_deg": 135.0, "elevation_deg": 50.0}


async def test_night_falls_over_the_room_and_renders_go_dark(api, project, jetty, editor, director, render_worker):
    scene, shots = jetty
    client = api(editor)
    day = await sync_to_async(render_frame)(client, shots[0].pk)
    media = await sync_to_async(latest_renders)([await sync_to_async(Shot.objects.get)(pk=shots[0].pk)])
    assert media[shots[0].pk].frame_current

    alice, _, _ = await connect(editor, project.pk)
    bob, _, _ = await connect(director, project.pk)
    await next_of(alice, "hello")
    await next_of(bob, "hello")
    await op(alice, "night-1", kind="set", entity="scene", id=scene.pk, fields={"time_of_day": "NIGHT"})
    seen = {}
    while len(seen) < 1 + len(shots):
        for message in await receive(bob):
            if message.get("type") == "change":
                change = message["change"]
                seen[(change["entity"], change["id"])] = change
    assert seen[("scene", scene.pk)]["data"]["fields"]["time_of_day"] == "NIGHT"
    for shot in shots:
        assert seen[("shot", shot.pk)]["data"]["fields"]["camera_spec"]["environment"]["time_of_day"] == "NIGHT"
    await alice.disconnect()
    await bob.disconnect()

    relit = await sync_to_async(Shot.objects.get)(pk=shots[0].pk)
    assert relit.camera_spec["environment"]["key_light"] == {"azimuth_deg": 200.0, "elevation_deg": 35.0}
    # The DAY frame was made from another spec: out of date until rendered again.
    media = await sync_to_async(latest_renders)([relit])
    assert not media[shots[0].pk].frame_current
    night = await sync_to_async(render_frame)(client, shots[0].pk)
    media = await sync_to_async(latest_renders)([relit])
    assert media[shots[0].pk].frame_current
    day_mean, night_mean = await sync_to_async(luminance)(day.pk), await sync_to_async(luminance)(night.pk)
    assert night_mean < day_mean * 0.6, (day_mean, night_mean)


def test_the_scene_sun_is_checked_and_reaches_its_shots(api, project, jetty, editor):
    scene, shots = jetty
    client = api(editor)
    too_high = client.patch(f"/api/scenes/{scene.pk}/", {"sun_elevation_deg": 95}, format="json")
    assert too_high.status_code == 400
    assert too_high.json()["sun_elevation_deg"] == ["Sun elevation from -10° to 90°."]
    round_the_clock = client.patch(f"/api/scenes/{scene.pk}/", {"sun_azimuth_deg": 400}, format="json")
    assert round_the_clock.status_code == 400 and "sun_azimuth_deg" in round_the_clock.json()

    low_sun = client.patch(f"/api/scenes/{scene.pk}/", {"sun_azimuth_deg": 260, "sun_elevation_deg": 12}, format="json")
    assert low_sun.status_code == 200, low_sun.content
    assert (low_sun.json()["sun_azimuth_deg"], low_sun.json()["sun_elevation_deg"]) == (260, 12)
    for shot in shots:
        body = client.get(f"/api/shots/{shot.pk}/").json()
        assert body["camera_spec"]["environment"]["key_light"] == {"azimuth_deg": 260.0, "elevation_deg": 12.0}
        assert body["version"] == shot.version + 1

    # Cleared, the sun goes back to the time of day's; a later dusk puts it in the west.
    client.patch(f"/api/scenes/{scene.pk}/", {"sun_azimuth_deg": None, "sun_elevation_deg": None, "time_of_day": "DUSK"}, format="json")
    body = client.get(f"/api/shots/{shots[0].pk}/").json()
    assert body["camera_spec"]["environment"]["key_light"] == {"azimuth_deg": 280.0, "elevation_deg": 8.0}


def test_a_hand_placed_camera_stays_and_takes_the_new_light(api, project, jetty, editor):
    scene, shots = jetty
    client = api(editor)
    placed = dict(shots[1].camera_spec)
    placed["camera"] = {**placed["camera"], "position": [3.0, -4.0, 1.2], "yaw_deg": 20.0}
    response = client.patch(f"/api/shots/{shots[1].pk}/", {"camera_spec": placed}, format="json")
    assert response.status_code == 200, response.content
    # The first shot's key is cheated by hand for this shot alone (its own environment.key_light).
    cheated = dict(shots[0].camera_spec)
    cheated["environment"] = {**cheated["environment"], "key_light": {"azimuth_deg": 45.0, "elevation_deg": 20.0}}
    assert client.patch(f"/api/shots/{shots[0].pk}/", {"camera_spec": cheated}, format="json").status_code == 200
    camera = client.get(f"/api/shots/{shots[1].pk}/").json()["camera_spec"]["camera"]

    assert client.patch(f"/api/scenes/{scene.pk}/", {"setting": "INT", "time_of_day": "NIGHT"}, format="json").status_code == 200
    locked = client.get(f"/api/shots/{shots[1].pk}/").json()
    assert locked["spec_locked"] and locked["camera_spec"]["camera"] == camera
    assert (locked["camera_spec"]["environment"]["setting"], locked["camera_spec"]["environment"]["time_of_day"]) == ("INT", "NIGHT")
    assert locked["camera_spec"]["environment"]["key_light"] == {"azimuth_deg": 200.0, "elevation_deg": 35.0}
    own = client.get(f"/api/shots/{shots[0].pk}/").json()["camera_spec"]["environment"]
    assert own["time_of_day"] == "NIGHT" and own["key_light"] == {"azimuth_deg": 45.0, "elevation_deg": 20.0}
    # The set still shows in both: lighting a scene does not touch its pieces.
    assert [b["piece"] for b in locked["camera_spec"]["set_pieces"]] == ["shed"]


def test_magic_hour_is_a_low_warm_sun_from_the_script_to_the_spec(api, project, editor):
    from previs.light import scene_light
    from previs.screenplay import parse_heading

    assert parse_heading("EXT. SALT FLATS - MAGIC HOUR") == ("EXT", "SALT FLATS", "MAGIC HOUR")
    client = api(editor)
    scene = client.post("/api/scenes/", {"project": project.pk, "setting": "EXT", "time_of_day": "MAGIC HOUR"}, format="json")
    assert scene.status_code == 201, scene.content
    shot = client.post("/api/shots/", {"scene": scene.json()["id"]}, format="json").json()
    environment = shot["camera_spec"]["environment"]
    assert environment["time_of_day"] == "MAGIC HOUR"
    day, golden = scene_light("DAY"), scene_light(environment["time_of_day"], environment["setting"])
    assert golden["condition"] == "MAGIC HOUR" and environment["key_light"]["elevation_deg"] < 10 < day["elevation_deg"]
    assert golden["key"][2] < golden["key"][1] < golden["key"][0]  # warmer than white: red over green over blue


def test_a_shot_moved_to_a_night_scene_is_lit_as_night(api, project, jetty, editor):
    scene, shots = jetty
    client = api(editor)
    night = client.post("/api/scenes/", {"project": project.pk, "setting": "INT", "time_of_day": "NIGHT"}, format="json").json()
    response = client.post(f"/api/shots/{shots[0].pk}/move/", {"after": None, "parent": night["id"]}, format="json")
    assert response.status_code == 200, response.content
    environment = client.get(f"/api/shots/{shots[0].pk}/").json()["camera_spec"]["environment"]
    assert (environment["setting"], environment["time_of_day"]) == ("INT", "NIGHT")
    assert environment["key_light"] == {"azimuth_deg": 200.0, "elevation_deg": 35.0}
