"""The board read over HTTP: an ETag from the project's last seq (304 when unchanged, without
reading the board), a fresh body after any change, and JSON compressed for clients that take gzip."""

import gzip
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.boards import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def shot(project, owner):
    scene = services.create_scene(project, {"setting": "INT", "time_of_day": "NIGHT", "synopsis": "The lamp room."}, owner)
    tom = services.create_character(project, {"name": "TOM"}, owner)
    shot = services.create_shot(scene, {"description": "Tom climbs the stairs.", "shot_size": "MS", "characters": [tom]}, owner)
    services.create_panel(shot, {"caption": "first"}, owner)
    services.create_panel(shot, {"caption": "second"}, owner)
    shot.refresh_from_db()  # its duration followed its panels (a new version)
    return shot


def test_board_has_each_shot_with_its_cast_and_panels_in_order(api, project, shot, viewer):
    board = api(viewer).get(board_url(project)).json()
    (row,) = board["scenes"][0]["shots"]
    assert row["characters"] == [board["characters"][0]["id"]] and board["characters"][0]["name"] == "TOM"
    assert [panel["caption"] for panel in row["panels"]] == ["first", "second"]
    assert row == {**api(viewer).get(f"/api/shots/{shot.pk}/").json(), "panels": row["panels"]}


def board_url(project):
    return f"/api/projects/{project.pk}/board/"


def test_unchanged_board_answers_304_without_reading_it(api, project, shot, viewer):
    client = api(viewer)
    with CaptureQueriesContext(connection) as queries:
        first = client.get(board_url(project))
    assert first.status_code == 200
    assert [q for q in queries if "boards_shot" in q["sql"]]
    etag = first["ETag"]
    assert etag.startswith('"') and first["Cache-Control"] == "private, no-cache"
    with CaptureQueriesContext(connection) as queries:
        again = client.get(board_url(project), HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag
    # The project row (and the caller's membership) only: no scene, shot or panel is read.
    assert not [q for q in queries if "boards_" in q["sql"]]
    # Weak form (what gzip makes of it on the way out) and lists of tags match too.
    assert client.get(board_url(project), HTTP_IF_NONE_MATCH=f'"other", W/{etag}').status_code == 304


def test_any_change_gives_a_new_body_and_etag(api, project, shot, owner, viewer):
    client = api(viewer)
    first = client.get(board_url(project))
    services.update_shot(shot, {"description": "Tom runs up the stairs."}, owner, shot.version)
    second = client.get(board_url(project), HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 200 and second["ETag"] != first["ETag"]
    assert second.json()["scenes"][0]["shots"][0]["description"] == "Tom runs up the stairs."
    assert second.json()["project"]["last_seq"] > first.json()["project"]["last_seq"]


def test_each_role_gets_its_own_board(api, project, shot, owner, viewer):
    as_viewer = api(viewer).get(board_url(project))
    as_owner = api(owner).get(board_url(project), HTTP_IF_NONE_MATCH=as_viewer["ETag"])
    assert as_owner.status_code == 200 and as_owner["ETag"] != as_viewer["ETag"]
    assert as_owner.json()["project"]["role"] == "owner"
    assert as_viewer.json()["project"]["role"] == "viewer"


def test_outsider_gets_404_whatever_etag_they_send(api, project, shot, viewer, outsider):
    etag = api(viewer).get(board_url(project))["ETag"]
    assert api(outsider).get(board_url(project), HTTP_IF_NONE_MATCH=etag).status_code == 404
    assert api(outsider).get(board_url(project), HTTP_IF_NONE_MATCH="*").status_code == 404


def test_board_is_gzipped_for_clients_that_take_it(api, project, shot, viewer):
    client = api(viewer)
    plain = client.get(board_url(project))
    assert "Content-Encoding" not in plain
    packed = client.get(board_url(project), HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert packed.status_code == 200 and packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    assert json.loads(gzip.decompress(packed.content)) == plain.json()
    # The ETag goes weak once compressed, and still revalidates.
    assert packed["ETag"] == "W/" + plain["ETag"]
    assert client.get(board_url(project), HTTP_IF_NONE_MATCH=packed["ETag"], HTTP_ACCEPT_ENCODING="gzip").status_code == 304


def test_media_is_not_gzipped(api, project, owner):
    from io import BytesIO

    from PIL import Image

    from apps.assets.models import Asset

    buffer = BytesIO()
    Image.new("RGB", (64, 64), (10, 200, 30)).save(buffer, format="PNG")
    upload = buffer.getvalue()
    scene = services.create_scene(project, {"setting": "EXT", "time_of_day": "DAY"}, owner)
    shot = services.create_shot(scene, {"description": "A field."}, owner)
    panel = services.create_panel(shot, {"caption": "board"}, owner)
    services.set_panel_upload(panel, upload, owner, panel.version)
    asset = Asset.objects.filter(project=project).latest("id")
    response = api(owner).get(f"/api/assets/{asset.pk}/content/", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert "Content-Encoding" not in response
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body.startswith(b"\x89PNG")
