"""Object storage: the same tests against local files and a real S3-protocol server over HTTP."""

import io
import urllib.request

import pytest
from PIL import Image

from apps.assets import storage
from apps.assets.models import Asset
from apps.boards import services

pytestmark = pytest.mark.django_db


def png(width=32, height=18, colour=(200, 40, 40)):
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def upload(client, path, data, name="board.png"):
    file = io.BytesIO(data)
    file.name = name
    return client.post(path, {"image": file}, format="multipart")


@pytest.fixture
def panel(project, owner):
    scene = services.create_scene(project, {}, owner)
    shot = services.create_shot(scene, {}, owner)
    return services.create_panel(shot, {}, owner)


def test_put_is_content_addressed_and_idempotent(media_backend):
    data = b"the same bytes twice"
    key, digest = storage.put(data, "image/png")
    again, digest_again = storage.put(data, "image/png")
    assert key == again == f"media/{digest[:2]}/{digest}.png" and digest == digest_again
    assert storage.exists(key) and storage.read(key) == data
    storage.delete(key)
    assert not storage.exists(key)


def test_panel_upload_stored_under_sha256_once(api, panel, editor, media_backend):
    data = png()
    client = api(editor)
    first = upload(client, f"/api/panels/{panel.pk}/image/", data)
    assert first.status_code == 200, first.content
    second = upload(client, f"/api/panels/{panel.pk}/image/", data, name="retry.png")
    assert second.status_code == 200
    asset = Asset.objects.get(pk=first.json()["image"])
    assert Asset.objects.filter(project=panel.project).count() == 1
    assert (asset.width, asset.height, asset.content_type, asset.byte_size) == (32, 18, "image/png", len(data))
    assert storage.read(asset.key) == data


def test_browser_fetches_media_only_with_permission(api, panel, editor, viewer, outsider, media_backend):
    data = png(colour=(10, 200, 10))
    asset_id = upload(api(editor), f"/api/panels/{panel.pk}/image/", data).json()["image"]
    board = api(viewer).get(f"/api/projects/{panel.project_id}/board/").json()
    url = board["scenes"][0]["shots"][0]["panels"][0]["image_url"]
    if media_backend == "s3":
        # A short-lived presigned URL straight to the bucket: Django is not in the path.
        assert "X-Amz-Signature=" in url and "X-Amz-Expires=300" in url
        with urllib.request.urlopen(url) as response:
            assert response.read() == data
        redirect = api(viewer).get(f"/api/assets/{asset_id}/content/")
        assert redirect.status_code == 302 and "X-Amz-Signature=" in redirect["Location"]
    else:
        assert url == f"/api/assets/{asset_id}/content/"
        response = api(viewer).get(url)
        assert response.status_code == 200 and b"".join(response.streaming_content) == data
        assert response["Content-Type"] == "image/png"
    assert api(outsider).get(f"/api/assets/{asset_id}/content/").status_code == 404
    assert api(None).get(f"/api/assets/{asset_id}/content/").status_code == 403


@pytest.mark.parametrize(
    "data,name,message",
    [
        (b"<svg onload=alert(1)>", "board.png", "not a readable"),
        (b"", "empty.png", "empty"),
        (b"GIF89a" + b"\x00" * 40, "board.gif", "not a readable"),
    ],
)
def test_uploads_are_checked_by_content(api, panel, editor, data, name, message):
    response = upload(api(editor), f"/api/panels/{panel.pk}/image/", data, name=name)
    assert response.status_code == 400
    assert message in " ".join(response.json()["image"])


def test_other_formats_and_bombs_are_refused(api, panel, editor, settings):
    gif = io.BytesIO()
    Image.new("RGB", (8, 8)).save(gif, format="GIF")
    response = upload(api(editor), f"/api/panels/{panel.pk}/image/", gif.getvalue(), name="x.png")
    assert response.status_code == 400 and "GIF" in response.json()["image"][0]
    # A tiny file that decodes to far more pixels than allowed.
    settings.UPLOAD_MAX_PIXELS = 1000 * 1000
    bomb = io.BytesIO()
    Image.new("1", (4000, 4000)).save(bomb, format="PNG")
    assert len(bomb.getvalue()) < 100_000
    response = upload(api(editor), f"/api/panels/{panel.pk}/image/", bomb.getvalue())
    assert response.status_code == 400 and "limit" in response.json()["image"][0]
    settings.UPLOAD_MAX_BYTES = 1000
    response = upload(api(editor), f"/api/panels/{panel.pk}/image/", png(200, 200) + b"\x00" * 2000)
    assert response.status_code == 400 and "larger" in response.json()["image"][0]
    assert not Asset.objects.exists()


def test_truncated_image_is_refused(api, panel, editor):
    data = png(64, 64)[:-40]
    response = upload(api(editor), f"/api/panels/{panel.pk}/image/", data)
    assert response.status_code == 400


def test_viewer_cannot_upload_and_outsider_gets_404(api, panel, viewer, outsider):
    assert upload(api(viewer), f"/api/panels/{panel.pk}/image/", png()).status_code == 403
    assert upload(api(outsider), f"/api/panels/{panel.pk}/image/", png()).status_code == 404


def test_asset_upload_endpoint(api, project, editor, outsider, media_backend):
    file = io.BytesIO(png())
    file.name = "ref.png"
    response = api(editor).post("/api/assets/", {"project": project.pk, "image": file}, format="multipart")
    assert response.status_code == 201 and response.json()["kind"] == "upload"
    listed = api(editor).get(f"/api/assets/?project={project.pk}").json()
    assert [a["id"] for a in listed] == [response.json()["id"]]
    assert api(outsider).get(f"/api/assets/{response.json()['id']}/").status_code == 404


def test_media_answers_byte_ranges_for_scrubbing(api, panel, editor):
    data = png(64, 64)
    asset_id = upload(api(editor), f"/api/panels/{panel.pk}/image/", data).json()["image"]
    url = f"/api/assets/{asset_id}/content/"
    part = api(editor).get(url, HTTP_RANGE="bytes=10-19")
    assert part.status_code == 206 and part.content == data[10:20]
    assert part["Content-Range"] == f"bytes 10-19/{len(data)}" and part["Accept-Ranges"] == "bytes"
    tail = api(editor).get(url, HTTP_RANGE="bytes=-8")
    assert tail.status_code == 206 and tail.content == data[-8:]
    open_ended = api(editor).get(url, HTTP_RANGE=f"bytes={len(data) - 5}-")
    assert open_ended.content == data[-5:]
    assert api(editor).get(url, HTTP_RANGE=f"bytes={len(data) + 10}-").status_code == 416
    whole = api(editor).get(url, HTTP_RANGE="bytes=0-1,5-6")
    assert whole.status_code == 200 and b"".join(whole.streaming_content) == data
