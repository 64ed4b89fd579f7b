"""The REST API under attack: who may grant the owner role, guess limits on passwords and share-link
passphrases (and whose address counts), ids that are not ids, hostile bodies, JSON errors
everywhere, upload sizes and the security headers."""

import io
import json
import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from PIL import Image

from apps.boards import services as boards
from apps.projects.models import Membership
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

NOT_IDS = ["²", "١٢", "-1", "0", "1.5", "abc", str(2**63), str(2**64 + 5), "9" * 40]


def fresh_address():
    """A client address of its own per test: the guess counters live in a cache shared by the
    whole test run (and across processes on Redis)."""
    return f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250 + 1}"


def membership(project, user):
    return Membership.objects.get(project=project, user=user)


# --- 1. Who may grant, change or remove the owner role ------------------------------------------


def test_a_director_cannot_make_anyone_owner_or_touch_an_owner(api, project, owner, director, editor, outsider):
    members = f"/api/projects/{project.pk}/members/"
    promote_self = api(director).patch(f"{members}{membership(project, director).pk}/", {"role": "owner"}, format="json")
    assert promote_self.status_code == 403, promote_self.content
    assert "owner" in promote_self.json()["detail"]
    assert api(director).patch(f"{members}{membership(project, editor).pk}/", {"role": "owner"}, format="json").status_code == 403
    assert api(director).post(members, {"username": "outsider", "role": "owner"}, format="json").status_code == 403
    assert api(director).patch(f"{members}{membership(project, owner).pk}/", {"role": "viewer"}, format="json").status_code == 403
    assert api(director).delete(f"{members}{membership(project, owner).pk}/").status_code == 403
    assert membership(project, owner).role == "owner" and membership(project, director).role == "director"
    assert not Membership.objects.filter(project=project, user=outsider).exists()
    # Directors still manage everyone else.
    assert api(director).patch(f"{members}{membership(project, editor).pk}/", {"role": "viewer"}, format="json").status_code == 200


def test_an_owner_may_grant_and_hand_over_ownership_and_a_project_keeps_one(api, project, owner, director):
    members = f"/api/projects/{project.pk}/members/"
    assert api(owner).patch(f"{members}{membership(project, director).pk}/", {"role": "owner"}, format="json").status_code == 200
    # Now two owners: the first may step down, and the new owner may not then be removed by anyone.
    assert api(director).patch(f"{members}{membership(project, owner).pk}/", {"role": "editor"}, format="json").status_code == 200
    last = api(director).delete(f"{members}{membership(project, director).pk}/")
    assert last.status_code == 400 and "owner" in json.dumps(last.json())
    assert api(owner).delete(f"{members}{membership(project, director).pk}/").status_code == 403  # an editor now
    assert Membership.objects.filter(project=project, role="owner").count() == 1


# --- 5. Ids that are not ids ---------------------------------------------------------------------


@pytest.mark.parametrize("bad", NOT_IDS)
def test_id_filters_answer_400_with_the_field(api, project, owner, bad):
    for url, param in [
        ("/api/scenes/", "project"),
        ("/api/shots/", "scene"),
        ("/api/panels/", "shot"),
        ("/api/reviews/", "project"),
        ("/api/comments/", "review"),
        ("/api/approvals/", "scene"),
        ("/api/share-links/", "review"),
        ("/api/assets/", "project"),
    ]:
        response = api(owner).get(url, {param: bad})
        assert response.status_code == 400, (url, param, response.status_code)
        assert param in response.json(), (url, response.json())


@pytest.mark.parametrize("bad", NOT_IDS)
def test_id_paths_answer_404(api, project, owner, bad):
    for url in (f"/api/projects/{bad}/members/", f"/api/shots/{bad}/", f"/api/projects/{bad}/", f"/api/reviews/{bad}/"):
        assert api(owner).get(url).status_code == 404, url


@pytest.mark.parametrize("bad", NOT_IDS + [2**63, 2**64, -3, True])
def test_id_bodies_answer_400_with_the_field(api, project, owner, bad):
    scene = boards.create_scene(project, {}, owner)
    shot = boards.create_shot(scene, {}, owner)
    for url, body, field in [
        ("/api/scenes/", {"project": bad}, "project"),
        ("/api/shots/", {"scene": bad}, "scene"),
        ("/api/panels/", {"shot": bad}, "shot"),
        ("/api/render-jobs/", {"shot": bad, "kind": "frame"}, "shot"),
        ("/api/share-links/", {"review": bad, "scope": "view"}, "review"),
        ("/api/share-links/", {"scene": bad, "scope": "view"}, "scene"),
        ("/api/share-links/", {"shots": [bad], "scope": "view"}, "shots"),
        ("/api/reviews/", {"project": bad, "scene": scene.pk}, "project"),
        ("/api/approvals/", {"shot": bad, "decision": "approved", "fingerprint": "x"}, "shot"),
    ]:
        response = api(owner).post(url, body, format="json")
        assert response.status_code == 400, (url, bad, response.status_code)
        assert field in response.json(), (url, response.json())
    patched = api(owner).patch(f"/api/shots/{shot.pk}/", {"location": bad}, format="json")
    assert patched.status_code == 400 and "location" in patched.json()
    patched = api(owner).patch(f"/api/shots/{shot.pk}/", {"characters": [bad]}, format="json")
    assert patched.status_code == 400 and "characters" in patched.json()


@pytest.mark.parametrize("bad", ["²", str(2**64)])
def test_asset_upload_with_a_bad_project_id_is_400(api, project, owner, bad):
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, format="PNG")
    out.seek(0)
    out.name = "p.png"
    response = api(owner).post("/api/assets/", {"project": bad, "image": out}, format="multipart")
    assert response.status_code == 400 and "project" in response.json()


# --- 3, 4. Password sign-in: one answer for every wrong login, and a limit on guessing ---------


@pytest.mark.parametrize(
    "body",
    [
        [],
        "text",
        42,
        None,
        {"username": "owner", "password": 12},
        {"username": ["owner"], "password": "x"},
        {"username": "owner", "password": {"$ne": ""}},
        {"username": "owner", "password": None},
    ],
)
def test_sign_in_with_a_malformed_body_is_a_400(owner, body):
    for url in ("/api/auth/session/", "/api/auth/token/"):
        response = Client(REMOTE_ADDR=fresh_address()).post(url, json.dumps(body), content_type="application/json")
        assert response.status_code == 400, (url, body, response.content)
        assert response["Content-Type"] == "application/json"


def test_a_wrong_login_reads_the_same_whether_or_not_the_login_exists(owner):
    answers = []
    for username in ("owner", "nobody-by-that-name"):
        for url in ("/api/auth/session/", "/api/auth/token/"):
            response = Client(REMOTE_ADDR=fresh_address()).post(url, {"username": username, "password": "wrong"}, content_type="application/json")
            answers.append((response.status_code, response.json()))
    assert len({json.dumps(answer) for answer in answers}) == 1 and answers[0][0] == 400


def test_guessing_passwords_is_refused_with_429_and_retry_after(owner, settings):
    settings.LOGIN_GUESS_LIMIT = 5
    address = fresh_address()
    for url in ("/api/auth/session/", "/api/auth/token/"):
        owner.username = f"owner-{uuid.uuid4().hex[:8]}"  # a fresh login name per door, so only the address counts
        owner.save()
        client = Client(REMOTE_ADDR=address)
        statuses = [client.post(url, {"username": owner.username, "password": f"guess-{n}"}, content_type="application/json").status_code for n in range(5)]
        if url == "/api/auth/session/":
            assert statuses == [400] * 5
        refused = client.post(url, {"username": owner.username, "password": PASSWORD}, content_type="application/json")
        assert refused.status_code == 429, refused.content  # even the right password, from this address, for a while
        assert int(refused["Retry-After"]) > 0 and "detail" in refused.json()
    # Another address is not held back by these misses; the right password works there.
    assert (
        Client(REMOTE_ADDR=fresh_address())
        .post("/api/auth/token/", {"username": owner.username, "password": PASSWORD}, content_type="application/json")
        .status_code
        == 200
    )


def test_guessing_one_login_from_many_addresses_is_refused_too(owner, settings):
    settings.LOGIN_GUESS_LIMIT = 3
    for n in range(3):
        Client(REMOTE_ADDR=fresh_address()).post("/api/auth/session/", {"username": "owner", "password": f"guess-{n}"}, content_type="application/json")
    response = Client(REMOTE_ADDR=fresh_address()).post("/api/auth/session/", {"username": "owner", "password": "another"}, content_type="application/json")
    assert response.status_code == 429 and "Retry-After" in response


# --- 2. Whose address counts: forwarded headers only from trusted proxies ----------------------


def wrong_tokens(count, **headers):
    statuses = []
    for n in range(count):
        client = Client(**headers) if "HTTP_X_FORWARDED_FOR" not in headers else Client(**{**headers, "HTTP_X_FORWARDED_FOR": f"198.18.{n}.{n + 1}"})
        statuses.append(client.get(f"/api/share/not-a-real-token-{uuid.uuid4().hex}/").status_code)
    return statuses


def test_a_forwarded_for_header_from_the_client_itself_changes_nothing(settings):
    settings.SHARE_GUESS_LIMIT = 3
    peer = fresh_address()
    # A new X-Forwarded-For on every request: still one address, the socket's.
    assert wrong_tokens(5, REMOTE_ADDR=peer, HTTP_X_FORWARDED_FOR="x") == [404, 404, 404, 429, 429]


def test_an_ipv6_subscriber_has_one_budget_for_its_whole_prefix(settings):
    settings.SHARE_GUESS_LIMIT = 3
    prefix = f"2001:db8:{uuid.uuid4().int % 65535:x}:1"
    statuses = [Client(REMOTE_ADDR=f"{prefix}::{n + 1:x}").get(f"/api/share/not-a-real-token-{uuid.uuid4().hex}/").status_code for n in range(5)]
    assert statuses == [404, 404, 404, 429, 429]


@pytest.fixture
def behind_a_proxy(settings):
    """The studio with its reverse proxy at 10.9.0.0/16 (middleware reads the setting when built)."""
    settings.TRUSTED_PROXIES = ["10.9.0.0/16"]
    settings.SHARE_GUESS_LIMIT = 3
    return "10.9.0.7"


def test_a_trusted_proxy_names_the_client(behind_a_proxy):
    # Each request comes through the proxy for another client: each client has its own budget.
    assert wrong_tokens(5, REMOTE_ADDR=behind_a_proxy, HTTP_X_FORWARDED_FOR="x") == [404] * 5
    # One client through the proxy spends its own budget, whatever it writes left of the proxy's entry.
    client_address = fresh_address()
    statuses = [
        Client(REMOTE_ADDR=behind_a_proxy, HTTP_X_FORWARDED_FOR=f"1.2.3.{n}, {client_address}")
        .get(f"/api/share/not-a-real-token-{uuid.uuid4().hex}/")
        .status_code
        for n in range(5)
    ]
    assert statuses == [404, 404, 404, 429, 429]


# --- 2. A link locks after too many wrong passphrases, but its guests keep watching -------------


@pytest.fixture
def passphrase_link(api, project, owner):
    scene = boards.create_scene(project, {}, owner)
    boards.create_shot(scene, {"description": "MAYA at the rail."}, owner)
    review = api(owner).post("/api/reviews/", {"project": project.pk, "scene": scene.pk}, format="json").json()
    link = api(owner).post("/api/share-links/", {"review": review["id"], "scope": "comment", "passphrase": "harbour-2026"}, format="json")
    assert link.status_code == 201, link.content
    return link.json()["token"]


def join(client, token, passphrase):
    return client.post(f"/api/share/{token}/join/", {"name": "Ana", "passphrase": passphrase}, content_type="application/json")


def test_a_link_locks_after_wrong_passphrases_from_many_addresses(passphrase_link, settings):
    settings.SHARE_LINK_GUESS_LIMIT = 4
    token = passphrase_link
    watching = Client(REMOTE_ADDR=fresh_address())
    assert join(watching, token, "harbour-2026").status_code == 201
    for n in range(4):  # four guessers, one try each: no address is over its own budget
        assert join(Client(REMOTE_ADDR=fresh_address()), token, f"guess-{n}").status_code == 400
    locked = join(Client(REMOTE_ADDR=fresh_address()), token, "harbour-2026")
    assert locked.status_code == 429 and int(locked["Retry-After"]) <= 300
    # The guest who joined before keeps watching.
    assert watching.get(f"/api/share/{token}/content/").status_code == 200


def test_a_joined_guest_is_not_locked_out_by_guessers_behind_the_same_address(passphrase_link, settings):
    settings.SHARE_GUESS_LIMIT = 3
    address = fresh_address()
    watching = Client(REMOTE_ADDR=address)
    assert join(watching, passphrase_link, "harbour-2026").status_code == 201
    guesser = Client(REMOTE_ADDR=address)
    assert wrong_tokens(3, REMOTE_ADDR=address) == [404] * 3
    assert guesser.get(f"/api/share/{passphrase_link}/").status_code == 429
    assert watching.get(f"/api/share/{passphrase_link}/content/").status_code == 200
    assert watching.get(f"/api/share/{passphrase_link}/").status_code == 200


# --- 6, 7. Hostile bodies ---------------------------------------------------------------------


def test_a_deeply_nested_body_is_a_400(api, project, owner):
    deep = "[" * 100_000 + "]" * 100_000
    for method, url in [("post", "/api/projects/"), ("patch", f"/api/projects/{project.pk}/"), ("post", "/api/scenes/")]:
        response = getattr(api(owner), method)(url, deep, content_type="application/json")
        assert response.status_code == 400, (url, response.status_code)
        assert "nested" in response.json()["detail"]
    response = Client().post("/api/auth/session/", deep, content_type="application/json")
    assert response.status_code == 400


def test_long_text_has_one_limit_over_rest(api, project, owner):
    from previs.vocabulary import LONG_TEXT_MAX_CHARS

    scene = boards.create_scene(project, {}, owner)
    shot = boards.create_shot(scene, {}, owner)
    too_long = "x" * (LONG_TEXT_MAX_CHARS + 1)
    for url, field in [(f"/api/shots/{shot.pk}/", "notes"), (f"/api/scenes/{scene.pk}/", "synopsis"), (f"/api/projects/{project.pk}/", "style_prompt")]:
        response = api(owner).patch(url, {field: too_long}, format="json")
        assert response.status_code == 400 and field in response.json(), (url, response.status_code)
        assert api(owner).patch(url, {field: "x" * LONG_TEXT_MAX_CHARS}, format="json").status_code == 200


def test_a_body_over_the_limit_is_refused_with_413_json(api, project, owner, settings):
    response = api(owner).patch(
        f"/api/projects/{project.pk}/", json.dumps({"description": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)}), content_type="application/json"
    )
    assert response.status_code in (400, 413)
    assert response["Content-Type"].startswith("application/json")


# --- 8. Share links, probing and JSON errors ------------------------------------------------------


def test_a_share_link_cannot_be_made_already_expired(api, project, owner, passphrase_link):
    review = api(owner).get("/api/reviews/").json()[0]
    past = (timezone.now() - timedelta(minutes=1)).isoformat()
    response = api(owner).post("/api/share-links/", {"review": review["id"], "scope": "view", "expires_at": past}, format="json")
    assert response.status_code == 400 and "expires_at" in response.json()
    future = (timezone.now() + timedelta(days=1)).isoformat()
    assert api(owner).post("/api/share-links/", {"review": review["id"], "scope": "view", "expires_at": future}, format="json").status_code == 201


def test_another_productions_ids_answer_like_ids_nobody_has(api, project, owner, other_project, outsider):
    their_scene = boards.create_scene(other_project, {}, outsider)
    their_shot = boards.create_shot(their_scene, {}, outsider)
    their_review = api(outsider).post("/api/reviews/", {"project": other_project.pk, "scene": their_scene.pk}, format="json").json()
    missing = 2**62
    for url, body in [
        ("/api/scenes/", lambda pk: {"project": pk}),
        ("/api/shots/", lambda pk: {"scene": pk}),
        ("/api/reviews/", lambda pk: {"project": pk, "shots": [1]}),
        ("/api/share-links/", lambda pk: {"review": pk, "scope": "view"}),
        ("/api/share-links/", lambda pk: {"scene": pk, "scope": "view"}),
        ("/api/render-jobs/", lambda pk: {"shot": pk, "kind": "frame"}),
        ("/api/approvals/", lambda pk: {"shot": pk, "decision": "approved", "fingerprint": "f"}),
    ]:
        theirs = {
            "/api/scenes/": other_project.pk,
            "/api/reviews/": other_project.pk,
            "/api/shots/": their_scene.pk,
            "/api/render-jobs/": their_shot.pk,
            "/api/approvals/": their_shot.pk,
        }.get(url)
        if url == "/api/share-links/":
            theirs = their_review["id"] if "review" in body(0) else their_scene.pk
        foreign = api(owner).post(url, body(theirs), format="json")
        nobody = api(owner).post(url, body(missing), format="json")
        assert foreign.status_code == nobody.status_code == 400, (url, foreign.status_code, nobody.status_code)
        assert foreign.json() == json.loads(json.dumps(nobody.json()).replace(str(missing), str(theirs))), (url, foreign.json(), nobody.json())


def test_the_api_answers_json_errors_in_debug_mode_too(api, owner, settings):
    settings.DEBUG = True
    for url in ("/api/no-such-thing/", "/api/projects/1/no-such-action/", "/api/share/x/assets/abc/"):
        response = api(owner).get(url)
        assert response.status_code == 404 and response["Content-Type"] == "application/json", url
        assert response.json()["detail"]
    csrf = Client(enforce_csrf_checks=True)
    csrf.force_login(owner)
    refused = csrf.post("/api/projects/", {"name": "x"}, content_type="application/json")
    assert refused.status_code == 403 and refused["Content-Type"] == "application/json"


# --- 9. Upload sizes: refused before the body is read -------------------------------------------


async def asgi_post(path, headers, chunks):
    """POST through the ASGI app Daphne serves, sending the body in `chunks` only as the app asks
    for them; returns (status, body, how many chunks the app read)."""
    from asgiref.testing import ApplicationCommunicator

    from studio.asgi import application

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
    }
    communicator = ApplicationCommunicator(application, scope)
    await communicator.send_input({"type": "http.request", "body": chunks[0], "more_body": len(chunks) > 1})
    start = await communicator.receive_output(timeout=10)
    body = await communicator.receive_output(timeout=10)
    await communicator.wait(timeout=5)
    return start["status"], json.loads(body["body"]), communicator


@pytest.mark.asyncio
async def test_an_upload_over_the_limit_is_refused_from_its_content_length(settings):
    fifty_mb = 50 * 1024 * 1024
    headers = [(b"host", b"testserver"), (b"content-type", b"multipart/form-data; boundary=x"), (b"content-length", str(fifty_mb).encode())]
    # Only the first 64 KB are ever sent: the answer comes without the rest of the body.
    status, body, _ = await asgi_post("/api/assets/", headers, [b"x" * 65536, b"more"])
    assert status == 413 and "MB" in body["detail"]
    status, body, _ = await asgi_post(
        "/api/projects/",
        [(b"host", b"testserver"), (b"content-type", b"application/json"), (b"content-length", str(settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1).encode())],
        [b"{"],
    )
    assert status == 413


@pytest.mark.asyncio
async def test_a_chunked_body_over_the_limit_is_cut_off(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    status, body, _ = await asgi_post("/api/projects/", [(b"host", b"testserver"), (b"content-type", b"application/json")], [b"x" * 1500, b"more"])
    assert status == 413


# --- 10. Security headers ----------------------------------------------------------------------


def test_the_app_shell_and_the_api_carry_the_security_headers(api, owner):
    for response in (Client().get("/"), Client().get("/s/some-token-of-a-guest"), api(owner).get("/api/projects/")):
        csp = response["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
        assert "frame-ancestors 'none'" in csp and "connect-src 'self' ws: wss:" in csp
        assert response["X-Frame-Options"] == "DENY"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Content-Type-Options"] == "nosniff"
    shell = Client().get("/").content.decode()
    assert "<script>" not in shell and "style=" not in shell  # nothing inline for the policy to block


@pytest.mark.django_db(transaction=True)
async def test_the_room_holds_long_text_to_the_same_limit(project, owner, editor):
    from asgiref.sync import sync_to_async

    from apps.boards.models import Shot
    from previs.vocabulary import LONG_TEXT_MAX_CHARS
    from tests.test_room_ops import yjs_edit
    from tests.test_rooms import connect, next_of

    scene = await sync_to_async(boards.create_scene)(project, {}, owner)
    shot = await sync_to_async(boards.create_shot)(scene, {"description": "Shot 0"}, owner)
    room, _, _ = await connect(editor, project.pk)
    await next_of(room, "hello")
    await room.send_json_to(
        {"type": "op", "op_id": "long-1", "op": {"kind": "set", "entity": "shot", "id": shot.pk, "fields": {"notes": "x" * (LONG_TEXT_MAX_CHARS + 1)}}}
    )
    error = await next_of(room, "error")
    assert "notes" in json.dumps(error)
    # A live text edit that would take the text past the limit is refused too.
    await room.send_json_to({"type": "text_sync", "entity": "shot", "id": shot.pk, "field": "description"})
    state = await next_of(room, "text_state")
    update, _ = yjs_edit(state["update"], lambda text: text.insert(0, "y" * LONG_TEXT_MAX_CHARS))
    await room.send_json_to(
        {"type": "op", "op_id": "long-2", "op": {"kind": "text", "entity": "shot", "id": shot.pk, "field": "description", "update": update}}
    )
    error = await next_of(room, "error")
    assert "description" in json.dumps(error)
    fresh = await sync_to_async(Shot.objects.get)(pk=shot.pk)
    assert fresh.notes == "" and fresh.description == "Shot 0"
    await room.disconnect()


def test_a_crash_under_the_api_is_a_json_500_in_every_mode(api, owner, settings, monkeypatch):
    from apps.crew.views import ProjectViewSet

    def crash(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(ProjectViewSet, "list", crash)
    for debug in (True, False):
        settings.DEBUG = debug
        client = Client(raise_request_exception=False)
        client.force_login(owner)
        response = client.get("/api/projects/")
        assert response.status_code == 500 and response["Content-Type"] == "application/json"
        assert "a bug" not in response.content.decode()
