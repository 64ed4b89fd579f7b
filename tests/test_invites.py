"""People over HTTP: invites by email or link within the role rules, accepting one signed in,
signing up through one, withdrawn/used/expired links, the token kept only as a hash, password
reset by email, and guess limits on invite tokens, reset links and reset requests."""

import re
import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from apps.changes.models import Change
from apps.crew.models import Invite, token_digest
from apps.projects.models import Membership
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db

STRONG = "tide-lantern-harbour-93"


def fresh_address():
    # The guess counters live in a cache shared by the whole run: each test guesses from its own address.
    return f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250 + 1}"


def invite(api, user, project, role, email=""):
    return api(user).post(f"/api/projects/{project.pk}/invites/", {"role": role, "email": email}, format="json")


def token_of(url):
    return url.rstrip("/").rsplit("/", 1)[1]


def link_in_mail(message, path):
    return re.search(rf"https?://\S+{path}\S+", message.body).group(0)


# --- Making invites, within the role rules -------------------------------------------------------


def test_an_owner_invites_by_email_and_the_link_arrives_by_mail(api, project, owner):
    response = invite(api, owner, project, "editor", "ad@example.com")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["role"] == "editor" and body["email"] == "ad@example.com" and body["status"] == "pending"
    assert body["url"].startswith("http://testserver/invites/")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ad@example.com"]
    assert body["url"] in mail.outbox[0].body and "Harbour Light" in mail.outbox[0].subject
    # The studio keeps only the token's hash: the raw token is nowhere in the row.
    row = Invite.objects.get(pk=body["id"])
    token = token_of(body["url"])
    assert row.token_hash == token_digest(token) and token not in str(Invite.objects.filter(pk=row.pk).values().get())
    assert (row.expires_at - timezone.now()) > timedelta(days=6)
    # The list shows it (without its link, which nobody can see again).
    listed = api(owner).get(f"/api/projects/{project.pk}/invites/").json()
    assert [i["id"] for i in listed] == [row.pk] and "url" not in listed[0]


def test_an_invite_by_link_sends_no_mail(api, project, director):
    response = invite(api, director, project, "viewer")
    assert response.status_code == 201 and response.json()["email"] == "" and response.json()["url"]
    assert mail.outbox == []


def test_a_director_cannot_invite_an_owner_but_an_owner_can(api, project, owner, director):
    refused = invite(api, director, project, "owner", "boss@example.com")
    assert refused.status_code == 403 and "owner" in refused.json()["detail"]
    assert not Invite.objects.exists() and mail.outbox == []
    assert invite(api, owner, project, "owner").status_code == 201


@pytest.mark.parametrize("who", ["editor", "viewer"])
def test_editors_and_viewers_cannot_invite_or_see_invites(api, project, who, request):
    user = request.getfixturevalue(who)
    assert invite(api, user, project, "viewer").status_code == 403
    assert api(user).get(f"/api/projects/{project.pk}/invites/").status_code == 403


def test_another_productions_invites_answer_404(api, project, owner, other_project, outsider):
    assert invite(api, owner, other_project, "viewer").status_code == 404
    assert api(owner).get(f"/api/projects/{other_project.pk}/invites/").status_code == 404
    theirs = invite(api, outsider, other_project, "viewer").json()
    assert api(owner).delete(f"/api/projects/{other_project.pk}/invites/{theirs['id']}/").status_code == 404
    assert api(owner).delete(f"/api/projects/{project.pk}/invites/{theirs['id']}/").status_code == 404


def test_bad_invite_bodies_are_400_with_field_messages(api, project, owner):
    response = invite(api, owner, project, "sideways", "not-an-address")
    assert response.status_code == 400 and set(response.json()) == {"role", "email"}


# --- What the server says each caller may grant ----------------------------------------------------


def test_grantable_roles_follow_the_one_rule(api, project, owner, director, editor):
    assert api(owner).get(f"/api/projects/{project.pk}/").json()["grantable_roles"] == ["owner", "director", "editor", "viewer"]
    assert api(director).get(f"/api/projects/{project.pk}/").json()["grantable_roles"] == ["director", "editor", "viewer"]
    assert api(editor).get(f"/api/projects/{project.pk}/").json()["grantable_roles"] == []
    as_director = {m["username"]: m for m in api(director).get(f"/api/projects/{project.pk}/members/").json()}
    assert as_director["owner"]["grantable_roles"] == [] and as_director["owner"]["removable"] is False
    assert as_director["editor"]["grantable_roles"] == ["director", "editor", "viewer"] and as_director["editor"]["removable"] is True
    as_owner = {m["username"]: m for m in api(owner).get(f"/api/projects/{project.pk}/members/").json()}
    assert as_owner["director"]["grantable_roles"] == ["owner", "director", "editor", "viewer"]
    as_editor = {m["username"]: m for m in api(editor).get(f"/api/projects/{project.pk}/members/").json()}
    assert as_editor["viewer"]["grantable_roles"] == [] and as_editor["viewer"]["removable"] is False
    assert as_editor["editor"]["removable"] is True  # anyone may leave


# --- Accepting ------------------------------------------------------------------------------------


def test_a_signed_in_person_accepts_and_the_room_hears_it(api, project, owner, outsider):
    url = invite(api, owner, project, "editor").json()["url"]
    token = token_of(url)
    info = Client(REMOTE_ADDR=fresh_address()).get(f"/api/invites/{token}/")
    assert info.status_code == 200 and info.json()["project_name"] == "Harbour Light" and info.json()["role"] == "editor"
    assert info.json()["invited_by"] == "Olive Owner"
    seq_before = project.__class__.objects.get(pk=project.pk).last_seq
    joined = api(outsider).post(f"/api/invites/{token}/accept/")
    assert joined.status_code == 200, joined.content
    assert joined.json() == {"project": project.pk, "role": "editor"}
    assert Membership.objects.get(project=project, user=outsider).role == "editor"
    change = Change.objects.filter(project=project, entity="membership").latest("seq")
    assert change.seq > seq_before and change.data["user"] == outsider.pk and change.data["role"] == "editor"
    # Used: the link now says so.
    again = api(make_user("late")).post(f"/api/invites/{token}/accept/")
    assert again.status_code == 410 and "already used" in again.json()["detail"]
    row = Invite.objects.get()
    assert row.accepted_by == outsider and row.accepted_at is not None


def test_a_member_accepting_again_is_told_they_are_in(api, project, owner, viewer):
    token = token_of(invite(api, owner, project, "director").json()["url"])
    response = api(viewer).post(f"/api/invites/{token}/accept/")
    assert response.status_code == 400 and "already in Harbour Light (as viewer)" in response.json()["non_field_errors"][0]
    assert Membership.objects.get(project=project, user=viewer).role == "viewer"
    assert Invite.objects.get().accepted_at is None


def test_an_invite_from_someone_demoted_since_no_longer_works(api, project, owner, director, outsider):
    token = token_of(invite(api, director, project, "editor").json()["url"])
    Membership.objects.filter(project=project, user=director).update(role="viewer")
    response = api(outsider).post(f"/api/invites/{token}/accept/")
    assert response.status_code == 410 and not Membership.objects.filter(project=project, user=outsider).exists()


# --- Signing up through an invite -----------------------------------------------------------------


def test_sign_up_through_an_emailed_invite_lands_in_the_project(api, project, owner):
    invite(api, owner, project, "editor", "maya@example.com")
    url = link_in_mail(mail.outbox[0], "/invites/")
    client = Client(REMOTE_ADDR=fresh_address())
    response = client.post(
        f"/api/invites/{token_of(url)}/sign-up/",
        {"username": "maya", "email": "maya@example.com", "password": STRONG, "name": "Maya Reyes"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["username"] == "maya" and response.json()["display_name"] == "Maya Reyes" and response.json()["project"] == project.pk
    # Signed in at once, and in the project with the invite's role.
    assert client.get("/api/auth/session/").json()["username"] == "maya"
    shown = client.get(f"/api/projects/{project.pk}/").json()
    assert shown["role"] == "editor" and "edit" in shown["allowed"]
    assert (
        Client(REMOTE_ADDR=fresh_address()).post("/api/auth/token/", {"username": "maya", "password": STRONG}, content_type="application/json").status_code
        == 200
    )


def test_sign_up_checks_the_login_and_the_password_rules(api, project, owner):
    token = token_of(invite(api, owner, project, "viewer").json()["url"])
    client = Client(REMOTE_ADDR=fresh_address())
    weak = client.post(f"/api/invites/{token}/sign-up/", {"username": "owner", "email": "nope", "password": "password"}, content_type="application/json")
    assert weak.status_code == 400 and set(weak.json()) == {"username", "email"}
    assert "taken" in weak.json()["username"][0]
    common = client.post(
        f"/api/invites/{token}/sign-up/", {"username": "sam", "email": "sam@example.com", "password": "password"}, content_type="application/json"
    )
    assert common.status_code == 400 and set(common.json()) == {"password"}
    assert any("too common" in message for message in common.json()["password"])
    like_login = client.post(
        f"/api/invites/{token}/sign-up/",
        {"username": "samwise-gamgee", "email": "sam@example.com", "password": "samwise-gamgee"},
        content_type="application/json",
    )
    assert like_login.status_code == 400 and any("similar" in message for message in like_login.json()["password"])
    assert not Membership.objects.filter(project=project, user__username__in=["sam", "samwise-gamgee"]).exists()
    assert Invite.objects.get().accepted_at is None  # still open after the refusals


def test_sign_up_needs_the_pages_csrf_token(api, project, owner):
    token = token_of(invite(api, owner, project, "viewer").json()["url"])
    client = Client(REMOTE_ADDR=fresh_address(), enforce_csrf_checks=True)
    refused = client.post(
        f"/api/invites/{token}/sign-up/", {"username": "sam", "email": "sam@example.com", "password": STRONG}, content_type="application/json"
    )
    assert refused.status_code == 403
    client.get("/api/auth/session/")  # the page's first call hands the browser its CSRF cookie
    accepted = client.post(
        f"/api/invites/{token}/sign-up/",
        {"username": "sam", "email": "sam@example.com", "password": STRONG},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value,
    )
    assert accepted.status_code == 201, accepted.content


# --- Withdrawn, used, expired ---------------------------------------------------------------------


def test_withdrawn_and_expired_invites_answer_410_in_words(api, project, owner, director, outsider):
    withdrawn = invite(api, director, project, "editor").json()
    assert api(director).delete(f"/api/projects/{project.pk}/invites/{withdrawn['id']}/").status_code == 204
    for path in ("", "accept/"):
        method = "get" if not path else "post"
        response = getattr(api(outsider), method)(f"/api/invites/{token_of(withdrawn['url'])}/{path}")
        assert response.status_code == 410 and "withdrawn" in response.json()["detail"]
    assert api(director).get(f"/api/projects/{project.pk}/invites/").json() == []  # withdrawn ones leave the list

    expired = invite(api, owner, project, "viewer").json()
    Invite.objects.filter(pk=expired["id"]).update(expires_at=timezone.now() - timedelta(minutes=1))
    response = Client(REMOTE_ADDR=fresh_address()).post(
        f"/api/invites/{token_of(expired['url'])}/sign-up/",
        {"username": "late", "email": "late@example.com", "password": STRONG},
        content_type="application/json",
    )
    assert response.status_code == 410 and "expired" in response.json()["detail"]
    assert not Membership.objects.filter(user__username="late").exists()
    assert [i["status"] for i in api(owner).get(f"/api/projects/{project.pk}/invites/").json()] == ["expired"]


def test_a_director_cannot_withdraw_an_owners_invite(api, project, owner, director):
    owners = invite(api, owner, project, "owner").json()
    assert api(director).delete(f"/api/projects/{project.pk}/invites/{owners['id']}/").status_code == 403
    assert Invite.objects.get().revoked_at is None


def test_guessing_invite_tokens_is_refused_with_429(api, project, owner, settings):
    settings.LOGIN_GUESS_LIMIT = 4
    real = token_of(invite(api, owner, project, "viewer").json()["url"])
    client = Client(REMOTE_ADDR=fresh_address())
    statuses = [client.get(f"/api/invites/guess-{n}-{uuid.uuid4().hex}/").status_code for n in range(4)]
    assert statuses == [404] * 4
    refused = client.get(f"/api/invites/{real}/")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0  # even the right token, for a while
    assert Client(REMOTE_ADDR=fresh_address()).get(f"/api/invites/{real}/").status_code == 200


# --- Password reset -------------------------------------------------------------------------------


def test_password_reset_by_email(owner):
    owner.email = "olive@example.com"
    owner.save()
    client = Client(REMOTE_ADDR=fresh_address())
    known = client.post("/api/auth/password-reset/", {"email": "Olive@Example.com"}, content_type="application/json")
    unknown = client.post("/api/auth/password-reset/", {"email": "nobody@example.com"}, content_type="application/json")
    assert known.status_code == unknown.status_code == 200 and known.json() == unknown.json()  # nobody learns which exist
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["olive@example.com"] and "owner" in mail.outbox[0].body
    uid, token = link_in_mail(mail.outbox[0], "/reset/").rstrip("/").rsplit("/", 2)[1:]

    weak = client.post("/api/auth/password-reset/confirm/", {"uid": uid, "token": token, "password": "12345678"}, content_type="application/json")
    assert weak.status_code == 400 and set(weak.json()) == {"password"}
    done = client.post("/api/auth/password-reset/confirm/", {"uid": uid, "token": token, "password": STRONG}, content_type="application/json")
    assert done.status_code == 200 and "owner" in done.json()["detail"]
    signed_in = client.post("/api/auth/session/", {"username": "owner", "password": STRONG}, content_type="application/json")
    assert signed_in.status_code == 200
    old = Client(REMOTE_ADDR=fresh_address()).post("/api/auth/session/", {"username": "owner", "password": PASSWORD}, content_type="application/json")
    assert old.status_code == 400
    # The link works once.
    reused = client.post("/api/auth/password-reset/confirm/", {"uid": uid, "token": token, "password": "another-" + STRONG}, content_type="application/json")
    assert reused.status_code == 400 and "not valid any more" in reused.json()["token"][0]


def test_bad_reset_requests_and_links_are_400(owner):
    client = Client(REMOTE_ADDR=fresh_address())
    assert set(client.post("/api/auth/password-reset/", {"email": "not an address"}, content_type="application/json").json()) == {"email"}
    forged = client.post("/api/auth/password-reset/confirm/", {"uid": "%%%", "token": "x-y", "password": STRONG}, content_type="application/json")
    assert forged.status_code == 400 and set(forged.json()) == {"token"}
    missing = client.post("/api/auth/password-reset/confirm/", {}, content_type="application/json")
    assert missing.status_code == 400 and set(missing.json()) == {"uid", "token", "password"}


def test_reset_requests_are_limited(owner, settings):
    settings.PASSWORD_RESET_LIMIT = 3
    client = Client(REMOTE_ADDR=fresh_address())
    statuses = [client.post("/api/auth/password-reset/", {"email": f"someone-{n}@example.com"}, content_type="application/json").status_code for n in range(4)]
    assert statuses == [200, 200, 200, 429]
    # One address asked about from many places is limited too (each request may send it mail).
    target = f"{uuid.uuid4().hex[:8]}@example.com"
    statuses = [
        Client(REMOTE_ADDR=fresh_address()).post("/api/auth/password-reset/", {"email": target}, content_type="application/json").status_code for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]


def test_guessing_reset_links_is_limited(owner, settings):
    settings.LOGIN_GUESS_LIMIT = 3
    client = Client(REMOTE_ADDR=fresh_address())
    statuses = [
        client.post("/api/auth/password-reset/confirm/", {"uid": "MQ", "token": f"guess-{n}", "password": STRONG}, content_type="application/json").status_code
        for n in range(4)
    ]
    assert statuses == [400, 400, 400, 429]
