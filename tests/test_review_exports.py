"""Exports of review notes: an annotated clip frame as PNG (decoded exactly at its frame, the
marks drawn server-side), a shot's notes and a session's notes as PDF; and a guest's clip
through the share link, from local storage or S3."""

import io

import pytest
from asgiref.sync import sync_to_async
from PIL import Image

from apps.assets import storage
from apps.boards import services
from apps.renders.models import RenderJob
from apps.review.models import Review
from tests.conftest import client_for, wait_until
from tests.test_review import guest, make_link
from tests.test_review_sessions import answer, join_as, op

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("quiet_worker_after")]


def rendered_clip(shot, user):
    response = client_for(user).post("/api/render-jobs/", {"shot": shot.pk, "kind": "clip", "parameters": {"width": 320}}, format="json")
    assert response.status_code == 201, response.content
    job = wait_until(lambda: RenderJob.objects.filter(pk=response.json()["id"], status__in=RenderJob.FINISHED).first(), timeout=90)
    assert job.status == "succeeded", job.error
    return job.outputs.get(kind="clip")


async def test_annotated_clip_frame_and_notes_export(project, owner, director, render_worker, media_backend):
    scene = await sync_to_async(services.create_scene)(project, {}, owner)
    shot = await sync_to_async(services.create_shot)(scene, {"duration_s": 1, "lens_mm": 50}, owner)
    clip = await sync_to_async(rendered_clip)(shot, owner)
    review = await sync_to_async(Review.objects.create)(project=project, title="Dailies", scene=scene)
    content = await sync_to_async(lambda: client_for(director).get(f"/api/reviews/{review.pk}/content/").json())()
    item = content["items"][0]
    assert item["clip"]["asset"] == clip.pk and item["frames"] == 24 == item["clip"]["frames"]

    socket, _ = await join_as(director, review.pk)
    box = {"tool": "rect", "colour": "#ff00ff", "width": 12, "points": [[0.25, 0.25], [0.75, 0.75]]}
    await op(socket, "draw", "annotation", shot.pk, {"asset": clip.pk, "frame": 10, "shapes": [box]})
    annotation_id = (await answer(socket, "draw"))["id"]
    # Someone else's mark on the same frame: the exported frame carries both.
    line = {"tool": "line", "colour": "#00ff00", "width": 12, "points": [[0.05, 0.9], [0.95, 0.9]]}
    await op(socket, "draw-2", "annotation", shot.pk, {"asset": clip.pk, "frame": 10, "shapes": [line]})
    assert (await answer(socket, "draw-2"))["type"] == "ack"
    await op(socket, "note", "comment", shot.pk, {"body": "Hold on the rail a beat longer.", "frame": 10})
    assert (await answer(socket, "note"))["type"] == "ack"
    await socket.disconnect()

    def exports():
        client = client_for(director)
        response = client.get(f"/api/annotations/{annotation_id}/image/")
        assert response.status_code == 200 and response["Content-Type"] == "image/png"
        image = Image.open(io.BytesIO(response.content)).convert("RGB")
        assert image.size == (clip.width, clip.height)
        # The rectangle's edge is drawn at a quarter of the picture, in its colour.
        x, y = image.width // 2, round(image.height * 0.25)
        r, g, b = image.getpixel((x, y))
        assert r > 200 and g < 60 and b > 200
        r, g, b = image.getpixel((image.width // 2, round(image.height * 0.9)))
        assert g > 200 and r < 60 and b < 60  # the second mark on that frame
        # Inside the box is the clip's own frame 10 (decoded, not drawn over).
        assert image.getpixel((image.width // 2, image.height // 2)) != (255, 0, 255)
        pdf = client.get(f"/api/shots/{shot.pk}/notes.pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF") and pdf["Content-Type"] == "application/pdf"
        from pypdf import PdfReader

        # Vector pages: the notes are text a reader can select and search, the frame an image.
        reader = PdfReader(io.BytesIO(pdf.content))
        text = " ".join(page.extract_text() for page in reader.pages)
        assert "Hold on the rail a beat longer." in text and "notes" in text
        assert sum(len(page.images) for page in reader.pages) >= 1
        notes = client.get(f"/api/reviews/{review.pk}/notes/").json()["notes"]
        assert [(n["frame"], n["timecode"], n["body"]) for n in notes] == [(10, "00:00:00:10", "Hold on the rail a beat longer.")]
        session_pdf = client.get(f"/api/reviews/{review.pk}/notes/pdf/")
        assert session_pdf.content.startswith(b"%PDF")
        # A guest plays the clip through the link (a signed bucket URL on S3, ranges locally).
        token = make_link(client_for, owner, review.pk, scope="view")["token"]
        browser = guest(token)
        url = browser.get(f"/api/share/{token}/content/").json()["items"][0]["clip"]["url"]
        response = browser.get(url, HTTP_RANGE="bytes=0-99")
        if storage.is_remote():
            assert response.status_code == 302 and "X-Amz-Signature" in response["Location"]
        else:
            assert response.status_code == 206 and len(response.content) == 100

    await sync_to_async(exports)()
