"""Projects, members and sign-in over the API."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent


def test_create_project_makes_caller_owner(api, owner):
    response = api(owner).post("/api/projects/", {"name": "Night Ferry", "fps": "25", "aspect_ratio": "1.85"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["role"] == "owner" and "manage_project" in body["allowed"]
    assert [p["name"] for p in api(owner).get("/api/projects/").json()] == ["Night Ferry"]
    bad = api(owner).post("/api/projects/", {"name": "", "fps": "17"}, format="json")
    assert bad.status_code == 400 and set(bad.json()) >= {"name", "fps"}


def test_a_name_over_its_limit_is_refused_even_when_trimming_would_fit(api, owner):
    # The schema promises maxLength 200 for what is sent; trimming a leading vertical tab
    # must not turn 201 characters into an accepted 200 (found by the contract fuzzer).
    response = api(owner).post("/api/projects/", {"name": "\x0b" + "é" * 200, "fps": "25"}, format="json")
    assert response.status_code == 400, response.content
    assert "200" in response.json()["name"][0]
    fits = api(owner).post("/api/projects/", {"name": " " + "é" * 199, "fps": "25"}, format="json")
    assert fits.status_code == 201 and fits.json()["name"] == "é" * 199


def test_projects_are_private_to_members(api, project, outsider, viewer):
    assert api(outsider).get("/api/projects/").json() == []
    assert api(outsider).get(f"/api/projects/{project.pk}/").status_code == 404
    assert api(viewer).get(f"/api/projects/{project.pk}/").json()["role"] == "viewer"
    assert api(viewer).patch(f"/api/projects/{project.pk}/", {"name": "x"}, format="json").status_code == 403


def test_project_edit_is_versioned(api, project, owner):
    first = api(owner).patch(f"/api/projects/{project.pk}/", {"style_prompt": "cold blue"}, format="json", HTTP_IF_MATCH=f'"{project.version}"')
    assert first.status_code == 200 and first.json()["version"] == project.version + 1
    stale = api(owner).patch(f"/api/projects/{project.pk}/", {"style_prompt": "warm"}, format="json", HTTP_IF_MATCH=f'"{project.version}"')
    assert stale.status_code == 409 and stale.json()["current"]["style_prompt"] == "cold blue"


def test_members_are_managed_by_owners_and_directors(api, project, owner, director, editor, outsider):
    members = api(editor).get(f"/api/projects/{project.pk}/members/").json()
    assert {m["username"]: m["role"] for m in members} == {"owner": "owner", "director": "director", "editor": "editor", "viewer": "viewer"}
    assert api(editor).post(f"/api/projects/{project.pk}/members/", {"username": "outsider", "role": "viewer"}, format="json").status_code == 403
    added = api(director).post(f"/api/projects/{project.pk}/members/", {"username": "outsider", "role": "editor"}, format="json")
    assert added.status_code == 201
    unknown = api(director).post(f"/api/projects/{project.pk}/members/", {"username": "nobody", "role": "sideways"}, format="json")
    assert unknown.status_code == 400 and set(unknown.json()) == {"username", "role"}
    owner_membership = next(m for m in members if m["username"] == "owner")
    demote = api(owner).patch(f"/api/projects/{project.pk}/members/{owner_membership['id']}/", {"role": "viewer"}, format="json")
    assert demote.status_code == 400  # the last owner stays an owner
    assert api(outsider).delete(f"/api/projects/{project.pk}/members/{added.json()['id']}/").status_code == 204  # anyone may leave


def test_session_sign_in_and_token_auth(owner, client):
    assert client.get("/api/auth/session/").status_code == 403
    assert "csrftoken" in client.cookies
    missing = client.post("/api/auth/session/", {}, content_type="application/json")
    assert missing.status_code == 400 and set(missing.json()) == {"username", "password"}
    wrong = client.post("/api/auth/session/", {"username": "owner", "password": "nope"}, content_type="application/json")
    assert wrong.status_code == 400 and wrong.json()["non_field_errors"]
    right = client.post("/api/auth/session/", {"username": "owner", "password": PASSWORD}, content_type="application/json")
    assert right.status_code == 200 and right.json()["username"] == "owner"
    assert client.get("/api/auth/session/").json()["display_name"] == "Olive Owner"
    token = APIClient().post("/api/auth/token/", {"username": "owner", "password": PASSWORD}, format="json").json()["token"]
    script = APIClient()
    script.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert script.get("/api/projects/").status_code == 200


def test_session_writes_need_csrf(owner):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(owner)
    assert browser.post("/api/projects/", {"name": "x"}, content_type="application/json").status_code == 403
    browser.get("/api/auth/session/")
    token = browser.cookies["csrftoken"].value
    assert browser.post("/api/projects/", {"name": "x"}, content_type="application/json", HTTP_X_CSRFTOKEN=token).status_code == 201


def test_openapi_schema_documents_the_api(client):
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    for path in ("/api/projects/{id}/board/", "/api/shots/{id}/move/", "/api/panels/{id}/image/", "/api/render-jobs/", "/api/assets/{id}/content/"):
        assert path in schema["paths"], path
    assert "CU" in json.dumps(schema["components"]["schemas"]["ShotSizeEnum"])
    assert client.get("/api/docs/").status_code == 200


def test_check_deploy_is_clean_under_production_settings():
    env = {**os.environ, "STUDIO_ENV": "production", "STUDIO_SECRET_KEY": "x7" * 30 + "-production-test-key", "STUDIO_ALLOWED_HOSTS": "studio.example.com"}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
