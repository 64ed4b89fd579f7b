"""Honest review over the real interfaces (REST, the project room): a shot's newest finished render
is its slide where no panel picture was chosen; a clip or frame rendered from an older spec than
the shot's current one is marked out of date; the board carries each shot's latest decision and
whether it went stale (by the review's own rule), live in the room and under the board's ETag; and
bad input is answered in the crew's words."""

import io

import pytest
from asgiref.sync import sync_to_async
from PIL import Image

from apps.assets.services import store_upload
from apps.boards import services as boards
from apps.renders.models import RenderJob
from tests.conftest import client_for, wait_until

WIDTH = 128  # small renders: the tests are about which picture is shown, not its pixels


def png(colour=(30, 60, 90)):
    out = io.BytesIO()
    Image.new("RGB", (320, 134), colour).save(out, format="PNG")
    return out.getvalue()


def render(client, shot, kind="frame"):
    """Render through the API and wait for the worker; the job's outputs by kind."""
    response = client.post("/api/render-jobs/", {"shot": shot.pk, "kind": kind, "parameters": {"width": WIDTH}}, format="json")
    assert response.status_code == 201, response.content
    job = wait_until(lambda: RenderJob.objects.filter(pk=response.json()["id"], status__in=RenderJob.FINISHED).first(), timeout=60)
    assert job.status == RenderJob.SUCCEEDED, job.error
    return {output["kind"]: output for output in client.get(f"/api/render-jobs/{job.pk}/").json()["outputs"]}


def review_items(client, project, scene):
    review = client.post("/api/reviews/", {"project": project.pk, "scene": scene.pk}, format="json")
    assert review.status_code == 201, review.content
    return review.json()["id"], {item["shot"]["id"]: item for item in client.get(f"/api/reviews/{review.json()['id']}/content/").json()["items"]}


def content_of(client, review_id):
    return {item["shot"]["id"]: item for item in client.get(f"/api/reviews/{review_id}/content/").json()["items"]}


def board_shot(client, project, shot_id, **headers):
    response = client.get(f"/api/projects/{project.pk}/board/", **headers)
    if response.status_code == 304:
        return response, None
    rows = [row for scene in response.json()["scenes"] for row in scene["shots"]]
    return response, next(row for row in rows if row["id"] == shot_id)


# --- Slides and out-of-date media (the real worker renders) ------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("quiet_worker_after")
def test_a_shot_with_renders_shows_its_newest_frame_unless_a_panel_picture_was_chosen(project, owner, render_worker):
    client = client_for(owner)
    scene = boards.create_scene(project, {}, owner)
    # Different lenses: identical pictures are stored once, under the job that made them first.
    undrawn = boards.create_shot(scene, {"duration_s": 1, "lens_mm": 35}, owner)
    boards.create_panel(undrawn, {"duration_s": 1.5, "caption": "no picture yet"}, owner)
    bare = boards.create_shot(scene, {"duration_s": 2, "lens_mm": 50}, owner)  # no panels at all
    drawn = boards.create_shot(scene, {"duration_s": 1, "lens_mm": 85}, owner)
    upload = store_upload(project_id=project.pk, data=png(), created_by=owner)
    boards.create_panel(drawn, {"image": upload}, owner)

    review_id, before = review_items(client, project, scene)
    assert before[undrawn.pk]["panels"][0]["source"] == "none" and before[undrawn.pk]["panels"][0]["url"] is None
    assert before[bare.pk]["panels"] == []

    frames = {shot.pk: render(client, shot)["frame"] for shot in (undrawn, bare, drawn)}
    items = content_of(client, review_id)
    (slide,) = items[undrawn.pk]["panels"]
    assert (slide["source"], slide["asset"], slide["caption"], slide["frames"]) == ("render", frames[undrawn.pk]["id"], "no picture yet", 36)
    assert slide["url"] and slide["out_of_date"] is False
    (slide,) = items[bare.pk]["panels"]  # a shot without panels still gets a slide: its render
    assert (slide["id"], slide["source"], slide["asset"], slide["frames"]) == (None, "render", frames[bare.pk]["id"], 48)
    assert items[bare.pk]["frames"] == 48
    (slide,) = items[drawn.pk]["panels"]  # the chosen picture wins over the render
    assert (slide["source"], slide["asset"], slide["out_of_date"]) == ("panel", upload.pk, False)

    # The frame the reviewer saw is part of what a decision records: a newer render moves it on.
    fingerprint = items[bare.pk]["fingerprint"]
    boards.update_shot(bare, {"lens_mm": 65}, owner, None)
    newer = render(client, bare)["frame"]
    (slide,) = content_of(client, review_id)[bare.pk]["panels"]
    assert slide["asset"] == newer["id"] != frames[bare.pk]["id"] and slide["out_of_date"] is False
    assert content_of(client, review_id)[bare.pk]["fingerprint"] != fingerprint


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("quiet_worker_after")
def test_clip_and_frame_rendered_before_a_camera_change_are_out_of_date(project, owner, render_worker):
    client = client_for(owner)
    scene = boards.create_scene(project, {}, owner)
    shot = boards.create_shot(scene, {"shot_size": "CU", "lens_mm": 85, "duration_s": 1}, owner)
    clip = render(client, shot, "clip")["clip"]
    frame = render(client, shot, "frame")["frame"]
    review_id, items = review_items(client, project, scene)
    item = items[shot.pk]
    assert item["clip"]["asset"] == clip["id"] and item["clip"]["out_of_date"] is False and item["out_of_date"] is False
    assert item["panels"][0]["asset"] == frame["id"] and item["panels"][0]["out_of_date"] is False

    # The camera moves on: the clip and the frame were made from the older spec.
    assert client.patch(f"/api/shots/{shot.pk}/", {"lens_mm": 35}, format="json").status_code == 200
    item = content_of(client, review_id)[shot.pk]
    assert item["clip"]["out_of_date"] is True and item["panels"][0]["out_of_date"] is True and item["out_of_date"] is True

    # A render of the new camera is current; back on the old camera, the newest render (just made)
    # is out of date and a render of it (the earlier bytes, reused) is the current one again.
    current = render(client, shot, "clip")["clip"]
    item = content_of(client, review_id)[shot.pk]
    assert item["clip"]["asset"] == current["id"] and item["clip"]["out_of_date"] is False
    assert client.patch(f"/api/shots/{shot.pk}/", {"lens_mm": 85}, format="json").status_code == 200
    assert content_of(client, review_id)[shot.pk]["clip"]["out_of_date"] is True
    again = render(client, shot, "clip")["clip"]
    item = content_of(client, review_id)[shot.pk]
    assert again["id"] == clip["id"] and item["clip"]["asset"] == clip["id"] and item["clip"]["out_of_date"] is False


# --- The approval on the board ---------------------------------------------------------------


@pytest.fixture
def approved(project, owner, director):
    """A shot with a chosen picture, approved by the director through the API."""
    scene = boards.create_scene(project, {}, owner)
    shot = boards.create_shot(scene, {"description": "MAYA at the rail.", "lens_mm": 50}, owner)
    panel = boards.create_panel(shot, {"image": store_upload(project_id=project.pk, data=png(), created_by=owner)}, owner)
    client = client_for(director)
    review_id, items = review_items(client, project, scene)
    return {"shot": shot, "panel": panel, "scene": scene, "review": review_id, "fingerprint": items[shot.pk]["fingerprint"]}


def approve(client, shot, fingerprint, decision="approved"):
    response = client.post("/api/approvals/", {"shot": shot.pk, "decision": decision, "fingerprint": fingerprint}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


@pytest.mark.django_db
def test_board_shows_the_approval_and_turns_it_stale_by_the_reviews_rule(project, owner, director, approved):
    client, shot = client_for(director), approved["shot"]
    before, row = board_shot(client, project, shot.pk)
    assert row["approval"] is None

    approve(client, shot, approved["fingerprint"])
    after, row = board_shot(client, project, shot.pk, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200 and after["ETag"] != before["ETag"]  # recording a decision moves the board's seq
    assert {key: row["approval"][key] for key in ("decision", "stale", "by")} == {"decision": "approved", "stale": False, "by": "director"}
    assert row["status"] == "approved"
    assert board_shot(client, project, shot.pk, HTTP_IF_NONE_MATCH=after["ETag"])[0].status_code == 304

    # The camera changes: the review calls the approval stale, and so does the board.
    assert client.patch(f"/api/shots/{shot.pk}/", {"lens_mm": 35}, format="json").status_code == 200
    changed, row = board_shot(client, project, shot.pk, HTTP_IF_NONE_MATCH=after["ETag"])
    assert changed.status_code == 200 and row["approval"]["stale"] is True and row["approval"]["decision"] == "approved"
    (approval,) = content_of(client, approved["review"])[shot.pk]["approvals"]
    assert approval["stale"] is True
    # A plain shot read and a list of shots say the same.
    assert client.get(f"/api/shots/{shot.pk}/").json()["approval"]["stale"] is True
    listed = client.get(f"/api/shots/?scene={approved['scene'].pk}").json()
    assert [r["approval"]["stale"] for r in (listed["results"] if isinstance(listed, dict) else listed)] == [True]


@pytest.mark.django_db
def test_a_new_panel_picture_makes_the_approval_stale_and_a_fresh_decision_clears_it(project, owner, director, approved):
    client, shot = client_for(director), approved["shot"]
    approve(client, shot, approved["fingerprint"])
    other = store_upload(project_id=project.pk, data=png((200, 40, 40)), created_by=owner)
    boards.update_panel(approved["panel"], {"image": other}, owner, None)
    _, row = board_shot(client, project, shot.pk)
    assert row["approval"]["stale"] is True
    fresh = content_of(client, approved["review"])[shot.pk]["fingerprint"]
    approve(client, shot, fresh, "changes_requested")
    _, row = board_shot(client, project, shot.pk)
    assert (row["approval"]["decision"], row["approval"]["stale"]) == ("changes_requested", False)


@pytest.mark.django_db(transaction=True)
async def test_the_room_carries_the_stale_approval_with_the_shots_change(project, owner, director, approved):
    from tests.test_rooms import connect, next_of

    client = client_for(director)
    await sync_to_async(approve)(client, approved["shot"], approved["fingerprint"])
    room, connected, _ = await connect(owner, project.pk)
    assert connected
    await next_of(room, "hello")
    response = await sync_to_async(client.patch)(f"/api/shots/{approved['shot'].pk}/", {"shot_size": "ECU"}, format="json")
    assert response.status_code == 200
    while True:
        change = (await next_of(room, "change"))["change"]
        if change["entity"] == "shot" and "shot_size" in change["data"]["fields"]:
            break
    assert change["data"]["fields"]["approval"]["stale"] is True and change["data"]["fields"]["approval"]["decision"] == "approved"
    # A field a reviewer does not judge (the crew's notes) carries no approval: nothing to recompute.
    await sync_to_async(client.patch)(f"/api/shots/{approved['shot'].pk}/", {"notes": "Check the tide table."}, format="json")
    while True:
        change = (await next_of(room, "change"))["change"]
        if change["entity"] == "shot" and "notes" in change["data"]["fields"]:
            break
    assert "approval" not in change["data"]["fields"]
    await room.disconnect()


# --- Errors in the crew's words ----------------------------------------------------------------


@pytest.mark.django_db
def test_bad_numbers_are_answered_in_the_crews_words(project, owner, approved):
    client, shot = client_for(owner), approved["shot"]
    too_short = client.patch(f"/api/shots/{shot.pk}/", {"duration_s": 0.01}, format="json")
    assert too_short.status_code == 400 and too_short.json() == {"duration_s": ["At least one frame (1/25 s = 0.04 s)."]}
    assert client.patch(f"/api/shots/{shot.pk}/", {"duration_s": "long"}, format="json").json() == {"duration_s": ["A length in seconds, like 2.5."]}
    assert client.patch(f"/api/shots/{shot.pk}/", {"lens_mm": 2}, format="json").json() == {"lens_mm": ["A lens from 4 mm to 1200 mm."]}
    panel = client.patch(f"/api/panels/{approved['panel'].pk}/", {"duration_s": 0}, format="json")
    assert panel.status_code == 400 and panel.json() == {"duration_s": ["At least one frame (1/25 s = 0.04 s)."]}
    for seed in ("forty-two", None, -1):
        refused = client.post("/api/projects/", {"name": "Seeded", "seed": seed}, format="json")
        assert refused.status_code == 400 and refused.json() == {"seed": ["A whole number from 0 to 2147483647 (the same number gives the same AI look)."]}
    assert client.post("/api/projects/", {"name": "Seeded", "seed": "42"}, format="json").json()["seed"] == 42


@pytest.mark.django_db
def test_styled_renders_say_why_they_are_off_with_the_same_words_as_the_page(project, owner, approved, settings):
    settings.STUDIO_DIFFUSION_MODEL_PATH = ""
    client = client_for(owner)
    capabilities = client.get("/api/vocabulary/").json()["capabilities"]
    assert capabilities["styled_renders"] is False and "No diffusion weights" in capabilities["styled_renders_reason"]
    refused = client.post("/api/render-jobs/", {"shot": approved["shot"].pk, "backend": "diffusion"}, format="json")
    assert refused.status_code == 400 and refused.json() == {"backend": [capabilities["styled_renders_reason"]]}
    page = client.get(f"/projects/{project.pk}")
    assert b'"styled_renders": false' in page.content or b'"styled_renders":false' in page.content
