"""Review and approval over REST: reviews, share links and their guests, approvals with their
fingerprints, exports; and the rules a link enforces (scope, expiry, revoke, guessing)."""

import io
from datetime import timedelta

import pytest
from django.test import Client, override_settings
from django.utils import timezone
from PIL import Image

from apps.assets.services import store_upload
from apps.boards import services as boards
from apps.review.models import Approval, ShareLink
from apps.review.services import hash_token

pytestmark = pytest.mark.django_db


def png(colour=(30, 60, 90), size=(320, 134)):
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def board(project, owner):
    """Two scenes: the first (two shots, the first with a picture) is shared, the second is not."""
    scene = boards.create_scene(project, {}, owner)
    other_scene = boards.create_scene(project, {}, owner)
    first = boards.create_shot(scene, {"description": "MAYA at the rail."}, owner)
    second = boards.create_shot(scene, {}, owner)
    hidden = boards.create_shot(other_scene, {"description": "The twist."}, owner)
    image = store_upload(project_id=project.pk, data=png(), created_by=owner)
    panel = boards.create_panel(first, {"image": image, "duration_s": 2.0}, owner)
    hidden_image = store_upload(project_id=project.pk, data=png((200, 10, 10)), created_by=owner)
    boards.create_panel(hidden, {"image": hidden_image}, owner)
    return {
        "scene": scene,
        "other_scene": other_scene,
        "shots": [first, second],
        "hidden": hidden,
        "panel": panel,
        "image": image,
        "hidden_image": hidden_image,
    }


def make_review(api, user, project, scene):
    response = api(user).post("/api/reviews/", {"project": project.pk, "scene": scene.pk}, format="json")
    assert response.status_code == 201, response.data
    return response.data


def make_link(api, user, review_id, **fields):
    response = api(user).post("/api/share-links/", {"review": review_id, "scope": "approve", "label": "Studio exec", **fields}, format="json")
    assert response.status_code == 201, response.data
    return response.data


def guest(token, name="Ana from the studio", **extra):
    """A browser with no account that opened the link and gave a name."""
    client = Client(enforce_csrf_checks=True)
    assert client.get(f"/s/{token}").status_code == 200  # the link page hands out the CSRF cookie
    response = client.post(
        f"/api/share/{token}/join/", {"name": name, **extra}, content_type="application/json", HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value
    )
    assert response.status_code == 201, response.content
    return client


def test_review_of_a_scene_lists_its_shots_with_frames_and_timecodes(api, project, owner, board):
    review = make_review(api, owner, project, board["scene"])
    assert review["title"] == f"Scene {board['scene'].number} boards"
    content = api(owner).get(f"/api/reviews/{review['id']}/content/").json()
    items = content["items"]
    assert [item["shot"]["id"] for item in items] == [shot.pk for shot in board["shots"]]
    first = items[0]
    assert first["clip"] is None and first["panels"][0]["asset"] == board["image"].pk
    assert first["panels"][0]["frames"] == 48 and first["frames"] == 48  # 2 s at 24 fps
    assert len(first["fingerprint"]) == 64
    assert content["you"] == {"name": "Olive Owner", "guest": False, "can_comment": True, "can_approve": True}


def test_who_may_create_reviews_and_links(api, project, owner, editor, outsider, board, other_project):
    assert api(editor).post("/api/reviews/", {"project": project.pk, "scene": board["scene"].pk}, format="json").status_code == 403
    # Another production's project answers like an id nobody has (a 400 on the field), so it cannot be probed.
    refused = api(outsider).post("/api/reviews/", {"project": project.pk, "scene": board["scene"].pk}, format="json")
    assert refused.status_code == 400 and set(refused.data) == {"project", "scene"}
    response = api(owner).post("/api/reviews/", {"project": project.pk, "shots": [board["shots"][0].pk, 999999]}, format="json")
    assert response.status_code == 400 and "shots" in response.data
    response = api(owner).post("/api/reviews/", {"project": project.pk}, format="json")
    assert response.status_code == 400 and "shots" in response.data
    review = make_review(api, owner, project, board["scene"])
    assert api(editor).post("/api/share-links/", {"review": review["id"], "scope": "view"}, format="json").status_code == 403
    assert api(outsider).post("/api/share-links/", {"review": review["id"], "scope": "view"}, format="json").status_code == 400
    assert api(outsider).get(f"/api/reviews/{review['id']}/content/").status_code == 404
    response = api(owner).post("/api/share-links/", {"review": review["id"], "scope": "everything"}, format="json")
    assert response.status_code == 400 and "scope" in response.data


def test_link_token_is_shown_once_and_stored_only_as_a_hash(api, project, owner, board):
    review = make_review(api, owner, project, board["scene"])
    link = make_link(api, owner, review["id"])
    token = link["token"]
    assert len(token) >= 43 and link["url"].endswith(f"/s/{token}")  # 256 random bits, base64url
    stored = ShareLink.objects.get(pk=link["id"])
    assert stored.token_hash == hash_token(token) and token not in stored.token_hash
    listed = api(owner).get(f"/api/share-links/?review={review['id']}").json()
    assert listed[0]["token"] is None and listed[0]["url"] is None and listed[0]["status"] == "active"


def test_guest_sees_only_what_the_link_covers(api, project, owner, board, other_project, outsider):
    review = make_review(api, owner, project, board["scene"])
    token = make_link(api, owner, review["id"], scope="comment")["token"]
    anonymous = Client()
    info = anonymous.get(f"/api/share/{token}/").json()
    assert info["review_title"] == review["title"] and info["scope"] == "comment" and info["guest"] is None
    assert anonymous.get(f"/api/share/{token}/content/").status_code in (401, 403)  # a name first
    browser = guest(token)
    content = browser.get(f"/api/share/{token}/content/").json()
    assert [item["shot"]["id"] for item in content["items"]] == [shot.pk for shot in board["shots"]]
    assert content["you"] == {"name": "Ana from the studio", "guest": True, "can_comment": True, "can_approve": False}
    url = content["items"][0]["panels"][0]["url"]
    assert url == f"/api/share/{token}/assets/{board['image'].pk}/"
    # Pictures of covered shots only; not the other scene's, not another project's, nor member URLs.
    assert browser.get(url).status_code == 200
    assert browser.get(f"/api/share/{token}/assets/{board['hidden_image'].pk}/").status_code == 404
    foreign = store_upload(project_id=other_project.pk, data=png((1, 2, 3)), created_by=outsider)
    assert browser.get(f"/api/share/{token}/assets/{foreign.pk}/").status_code == 404
    assert browser.get(f"/api/assets/{board['image'].pk}/content/").status_code in (401, 403)
    assert browser.get(f"/api/reviews/{review['id']}/content/").status_code in (401, 403)
    assert browser.get(f"/api/shots/{board['hidden'].pk}/").status_code in (401, 403)
    stats = api(owner).get(f"/api/share-links/?review={review['id']}").json()[0]["stats"]
    assert stats["opens"] == 1 and [g["name"] for g in stats["guests"]] == ["Ana from the studio"]


def test_guest_frames_carry_a_watermark_with_their_name(api, project, owner, board):
    review = make_review(api, owner, project, board["scene"])
    token = make_link(api, owner, review["id"], scope="view")["token"]
    browser = guest(token, name="Watermark Wendy")
    response = browser.get(f"/api/share/{token}/assets/{board['image'].pk}/")
    marked = Image.open(io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)).convert("RGB")
    assert marked.size == (320, 134)
    # The flat picture now has the stamp on it: a band along the bottom and pale text.
    assert marked.getpixel((5, 130)) != (30, 60, 90)
    assert len(set(marked.get_flattened_data())) > 10
    plain_link = make_link(api, owner, review["id"], scope="view", watermark=False)["token"]
    plain = guest(plain_link)
    response = plain.get(f"/api/share/{plain_link}/assets/{board['image'].pk}/")
    data = b"".join(response.streaming_content)
    assert data == png()


def test_passphrase_is_asked_and_checked(api, project, owner, board):
    review = make_review(api, owner, project, board["scene"])
    token = make_link(api, owner, review["id"], passphrase="harbour-2026")["token"]
    stored = ShareLink.objects.get(token_hash=hash_token(token))
    assert stored.passphrase.startswith("pbkdf2_") and "harbour-2026" not in stored.passphrase
    client = Client()
    assert client.get(f"/api/share/{token}/").json()["needs_passphrase"] is True
    response = client.post(f"/api/share/{token}/join/", {"name": "Ana"}, content_type="application/json")
    assert response.status_code == 400 and "passphrase" in response.json()
    response = client.post(f"/api/share/{token}/join/", {"name": "Ana", "passphrase": "wrong"}, content_type="application/json")
    assert response.status_code == 400
    response = client.post(f"/api/share/{token}/join/", {"name": "Ana", "passphrase": "harbour-2026"}, content_type="application/json")
    assert response.status_code == 201
    assert client.get(f"/api/share/{token}/content/").status_code == 200


def test_join_needs_a_name_and_the_page_csrf_token(api, project, owner, board):
    review = make_review(api, owner, project, board["scene"])
    token = make_link(api, owner, review["id"])["token"]
    client = Client(enforce_csrf_checks=True)
    client.get(f"/s/{token}")
    response = client.post(f"/api/share/{token}/join/", {"name": "Ana"}, content_type="application/json")
    assert response.status_code == 403  # no CSRF header: not from our page
    response = client.post(f"/api/share/{token}/join/", {"name": "  "}, content_type="application/json", HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value)
    assert response.status_code == 400 and "name" in response.json()


@pytest.mark.parametrize("ending", ["revoked", "expired"])
def test_revoked_or_expired_link_is_refused_everywhere(api, project, owner, board, ending):
    review = make_review(api, owner, project, board["scene"])
    link = make_link(api, owner, review["id"])
    token = link["token"]
    browser = guest(token)
    asset_url = f"/api/share/{token}/assets/{board['image'].pk}/"
    assert browser.get(asset_url).status_code == 200
    if ending == "revoked":
        response = api(owner).post(f"/api/share-links/{link['id']}/revoke/")
        assert response.status_code == 200 and response.data["status"] == "revoked"
    else:
        ShareLink.objects.filter(pk=link["id"]).update(expires_at=timezone.now() - timedelta(seconds=1))
    for url in (f"/api/share/{token}/", f"/api/share/{token}/content/", asset_url):
        response = browser.get(url)
        assert response.status_code == 410, url
        assert ending in response.json()["detail"]
    response = browser.post(f"/api/share/{token}/join/", {"name": "Ana"}, content_type="application/json")
    assert response.status_code in (403, 410)


@override_settings(SHARE_GUESS_LIMIT=5)
def test_guessing_tokens_is_throttled(api, project, owner, board):
    from django.core.cache import cache

    cache.clear()
    review = make_review(api, owner, project, board["scene"])
    token = make_link(api, owner, review["id"])["token"]
    client = Client(REMOTE_ADDR="203.0.113.7")
    for attempt in range(5):
        assert client.get(f"/api/share/not-the-token-{attempt:04d}-xxxxxxxxxxxxxxxxxxxx/").status_code == 404
    # The budget is spent: even the right token is refused from this address for a while.
    response = client.get(f"/api/share/{token}/")
    assert response.status_code == 429 and "Retry-After" in response
    assert Client(REMOTE_ADDR="198.51.100.2").get(f"/api/share/{token}/").status_code == 200
    cache.clear()


def test_approval_records_what_was_seen_and_goes_stale(api, project, owner, director, editor, board):
    review = make_review(api, owner, project, board["scene"])
    item = api(director).get(f"/api/reviews/{review['id']}/content/").json()["items"][0]
    shot = board["shots"][0]
    body = {"shot": shot.pk, "decision": "approved", "comment": "Lovely.", "fingerprint": item["fingerprint"]}
    assert api(editor).post("/api/approvals/", body, format="json").status_code == 403
    response = api(director).post("/api/approvals/", body, format="json")
    assert response.status_code == 201, response.data
    approval = response.data
    assert approval["stale"] is False and approval["author"]["name"] == "director"
    assert approval["reviewed"]["panels"][0]["image_sha256"] == board["image"].sha256
    shot.refresh_from_db()
    assert shot.status == "approved"
    # Immutable: no route changes or deletes it, and the model refuses too.
    assert api(director).patch(f"/api/approvals/{approval['id']}/", {"decision": "changes_requested"}, format="json").status_code == 405
    assert api(director).delete(f"/api/approvals/{approval['id']}/").status_code == 405
    with pytest.raises(ValueError):
        Approval.objects.get(pk=approval["id"]).save()
    # A later change to what was reviewed marks it stale; a decision on the old fingerprint is refused.
    api(editor).patch(f"/api/shots/{shot.pk}/", {"lens_mm": 85}, format="json")
    history = api(director).get(f"/api/approvals/?shot={shot.pk}").json()
    assert [a["stale"] for a in history] == [True]
    response = api(director).post("/api/approvals/", body, format="json")
    assert response.status_code == 400 and "fingerprint" in response.data
    board_history = api(director).get(f"/api/approvals/?scene={board['scene'].pk}").json()
    assert [a["id"] for a in board_history] == [approval["id"]]
    # A status edit is not a content change: the decision stays current.
    fresh = api(director).get(f"/api/reviews/{review['id']}/content/").json()["items"][0]["fingerprint"]
    api(director).post("/api/approvals/", {**body, "decision": "changes_requested", "fingerprint": fresh}, format="json")
    api(editor).patch(f"/api/shots/{shot.pk}/", {"notes": "Crew-only note"}, format="json")
    assert api(director).get(f"/api/approvals/?shot={shot.pk}").json()[0]["stale"] is False


def test_other_projects_objects_answer_404(api, project, owner, outsider, board):
    review = make_review(api, owner, project, board["scene"])
    link = make_link(api, owner, review["id"])
    for url in (
        f"/api/reviews/{review['id']}/",
        f"/api/share-links/{link['id']}/",
        f"/api/reviews/{review['id']}/notes/",
        f"/api/shots/{board['shots'][0].pk}/notes.pdf",
    ):
        assert api(outsider).get(url).status_code == 404, url
    assert api(outsider).get("/api/share-links/").json() == []
    assert api(outsider).post(f"/api/share-links/{link['id']}/revoke/").status_code == 404


def test_a_link_to_a_scene_or_to_shots_makes_their_review(api, project, owner, board, other_project, outsider):
    response = api(owner).post("/api/share-links/", {"scene": board["scene"].pk, "scope": "view"}, format="json")
    assert response.status_code == 201, response.data
    browser = guest(response.data["token"])
    content = browser.get(f"/api/share/{response.data['token']}/content/").json()
    assert [item["shot"]["id"] for item in content["items"]] == [shot.pk for shot in board["shots"]]
    second, hidden = board["shots"][1], board["hidden"]
    response = api(owner).post("/api/share-links/", {"shots": [hidden.pk, second.pk], "scope": "comment"}, format="json")
    token = response.data["token"]
    content = guest(token).get(f"/api/share/{token}/content/").json()
    assert [item["shot"]["id"] for item in content["items"]] == [hidden.pk, second.pk]
    foreign_scene = boards.create_scene(other_project, {}, outsider)
    assert api(owner).post("/api/share-links/", {"scene": foreign_scene.pk}, format="json").status_code == 400
    response = api(owner).post("/api/share-links/", {"scene": board["scene"].pk, "shots": [second.pk]}, format="json")
    assert response.status_code == 400 and "review" in response.data
