"""The animatic's server side: scratch sound uploads (checked by content with PyAV, stored like
other media, each caller's right checked) and a shot's duration following its panels."""

import io
import math
import struct
import wave

import pytest
from PIL import Image

from apps.boards import services
from apps.boards.models import Shot
from apps.changes.models import Change
from previs.animatic import build

pytestmark = pytest.mark.django_db


def wav(seconds=1.0, rate=8000):
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"".join(struct.pack("<h", int(6000 * math.sin(i / 8))) for i in range(int(seconds * rate))))
    return buffer.getvalue()


def png():
    buffer = io.BytesIO()
    Image.new("RGB", (16, 9), (200, 40, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


def upload(client, path, data, name="scratch.wav"):
    file = io.BytesIO(data)
    file.name = name
    return client.post(path, {"audio": file}, format="multipart")


@pytest.fixture
def shot(project, owner):
    scene = services.create_scene(project, {}, owner)
    return services.create_shot(scene, {}, owner)  # 3 s by default, following its panels once it has some


def test_a_wav_becomes_the_shots_scratch_sound(api, shot, editor, media_backend):
    client = api(editor)
    response = upload(client, f"/api/shots/{shot.pk}/audio/", wav(1.5))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["audio"] and body["audio_url"]
    fetched = client.get(body["audio_url"]) if body["audio_url"].startswith("/") else None
    if fetched is not None:
        assert fetched.status_code == 200 and b"".join(fetched.streaming_content if fetched.streaming else [fetched.content]).startswith(b"RIFF")
    board = client.get(f"/api/projects/{shot.project_id}/board/").json()
    assert board["scenes"][0]["shots"][0]["audio"] == body["audio"] and board["scenes"][0]["shots"][0]["audio_url"]
    change = Change.objects.filter(entity="shot", entity_id=shot.pk).order_by("-seq").first()
    assert change.action == "update" and change.data["fields"]["audio"] == body["audio"], change.data  # the room hears it
    # Taken off again; the board says so.
    cleared = client.delete(f"/api/shots/{shot.pk}/audio/")
    assert cleared.status_code == 204
    row = client.get(f"/api/shots/{shot.pk}/").json()
    assert row["audio"] is None and row["audio_url"] is None


def test_scene_scratch_sound(api, shot, editor):
    response = upload(api(editor), f"/api/scenes/{shot.scene_id}/audio/", wav(2.0))
    assert response.status_code == 200, response.content
    assert response.json()["audio_url"]


def test_a_picture_renamed_wav_is_refused_with_the_reason(api, shot, editor):
    response = upload(api(editor), f"/api/shots/{shot.pk}/audio/", png(), name="dialogue.wav")
    assert response.status_code == 400
    assert "not accepted" in response.json()["audio"][0]
    garbage = upload(api(editor), f"/api/shots/{shot.pk}/audio/", b"RIFF\x00\x00\x00\x00WAVEnothing here", name="x.wav")
    assert garbage.status_code == 400 and "not a readable WAV, MP3 or M4A" in garbage.json()["audio"][0]
    empty = upload(api(editor), f"/api/shots/{shot.pk}/audio/", b"", name="x.wav")
    assert empty.status_code == 400
    assert Shot.objects.get(pk=shot.pk).audio_id is None


def test_other_project_404_and_viewer_403(api, shot, viewer, outsider):
    assert upload(api(outsider), f"/api/shots/{shot.pk}/audio/", wav()).status_code == 404
    assert upload(api(outsider), f"/api/scenes/{shot.scene_id}/audio/", wav()).status_code == 404
    assert upload(api(viewer), f"/api/shots/{shot.pk}/audio/", wav()).status_code == 403
    assert api(viewer).delete(f"/api/shots/{shot.pk}/audio/").status_code == 403


def test_the_shots_duration_follows_its_panels_unless_locked(api, shot, owner, editor):
    client = api(editor)
    first = client.post("/api/panels/", {"shot": shot.pk}, format="json").json()
    assert first["duration_s"] == 3.0  # a shot's first panel lasts the whole shot
    client.post("/api/panels/", {"shot": shot.pk, "duration_s": 1.0}, format="json")
    assert Shot.objects.get(pk=shot.pk).duration_s == pytest.approx(4.0)
    # 0.52 s is 12.48 frames at 24: the panel lasts 12 frames and the shot 72 + 24 + ... whole frames.
    client.patch(f"/api/panels/{first['id']}/", {"duration_s": 0.52}, format="json")
    assert Shot.objects.get(pk=shot.pk).duration_s == pytest.approx(36 / 24)
    # A duration typed on the shot list locks it; panels no longer move it.
    client.patch(f"/api/shots/{shot.pk}/", {"duration_s": 5.0}, format="json")
    client.patch(f"/api/panels/{first['id']}/", {"duration_s": 2.0}, format="json")
    locked = Shot.objects.get(pk=shot.pk)
    assert (locked.duration_locked, locked.duration_s) == (True, 5.0)
    # Unlocked, it takes its panels' sum again, in the same write.
    unlocked = client.patch(f"/api/shots/{shot.pk}/", {"duration_locked": False}, format="json").json()
    assert unlocked["duration_s"] == pytest.approx(3.0) and unlocked["duration_locked"] is False
    # A duration given with a new shot is the director's: panels do not move it.
    given = services.create_shot(shot.scene, {"duration_s": 4.0}, owner)
    client.post("/api/panels/", {"shot": given.pk, "duration_s": 1.0}, format="json")
    given.refresh_from_db()
    assert (given.duration_locked, given.duration_s) == (True, 4.0)
    # The server's animatic rule agrees with what is stored.
    board = client.get(f"/api/projects/{shot.project_id}/board/").json()
    timeline = build({"fps": board["project"]["fps"], "scenes": board["scenes"]})
    assert [span["length"] for span in timeline["shots"]] == [72, 96]  # the first follows its panels, the second is locked at 4 s
