"""The API keeps the contract its OpenAPI schema states.

The schema validates as OpenAPI 3.0. Then schemathesis fuzzes a real studio (Daphne in a
subprocess, on the test database) over every operation, as a director of a production with a
board in it and the owner of a second one: valid and invalid bodies, query strings and ids (ids
drawn mostly from rows that exist, so requests get past the 404), and every answer must be no
5xx, a documented status, with a body that matches its documented schema. A stateful run
follows the links between operations (create → read → change → delete).

Runs in both passes of `make test` (SQLite, and Postgres + Redis).
"""

import json

import hypothesis
import pytest
import schemathesis
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from apps.crew import services as project_services
from studio.openapi import as_openapi_3_0

from .conftest import StudioServer

pytestmark = pytest.mark.django_db(transaction=True)

# Examples per operation: the whole run (80 operations) stays within a few minutes on two cores.
MAX_EXAMPLES = 5
# Stateful scenarios, and the operations in each.
STATEFUL_SCENARIOS = 10
STATEFUL_STEPS = 8


def test_schema_is_valid_openapi_3_0(client):
    from drf_spectacular.validation import validate_schema

    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    validate_schema(json.loads(response.content))  # raises on anything OpenAPI 3.0 does not allow


def test_any_pydantic_model_becomes_an_openapi_3_0_component():
    """What pydantic writes that 3.0 lacks (const, unions with null, tuples, numeric exclusive
    bounds, $defs, $ref with siblings) leaves the last schema hook as valid 3.0."""
    from typing import Literal

    from drf_spectacular.validation import validate_schema
    from pydantic import BaseModel, Field, TypeAdapter

    class Mark(BaseModel):
        x: float = Field(gt=0, lt=1)

    class Spec(BaseModel):
        kind: Literal["spec"]
        lens_mm: float | None = None
        mark: Mark | None = Field(default=None, description="Where the character stands.")
        points: list[tuple[float, float] | tuple[float, float, float]]
        size: tuple[int, int]
        tags: dict[str, int] = Field(examples=[{"a": 1}])

    schema = TypeAdapter(Spec).json_schema(ref_template="#/components/schemas/{model}")
    result = as_openapi_3_0(
        {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}, "components": {"schemas": {"Spec": schema}}}, None, None, True
    )
    validate_schema(result)
    components = result["components"]["schemas"]
    spec = components["Spec"]["properties"]
    assert spec["kind"]["enum"] == ["spec"]
    assert spec["lens_mm"] == {"type": "number", "nullable": True, "default": None, "title": "Lens Mm"}
    assert spec["mark"]["allOf"] == [{"$ref": "#/components/schemas/Mark"}] and spec["mark"]["nullable"]
    assert spec["size"]["items"] == {"type": "integer"} and spec["size"]["minItems"] == spec["size"]["maxItems"] == 2
    assert components["Mark"]["properties"]["x"]["exclusiveMinimum"] is True and components["Mark"]["properties"]["x"]["minimum"] == 0
    assert spec["tags"]["example"] == {"a": 1}


# --- Fuzzing a running studio -----------------------------------------------------------------------

# The schema the studio serves at /api/schema/ (same generator, no request): loaded at import so
# each operation is a test of its own.
from drf_spectacular.generators import SchemaGenerator  # noqa: E402

# The caller's token (each test's database is fresh, the token the same). Sent as the case's
# explicit credentials, so schemathesis also checks that none, or bad ones, are refused.
TOKEN = "c0ffee" * 6 + "cafe"
CREDENTIALS = {"Authorization": f"Token {TOKEN}"}

contract = schemathesis.openapi.from_dict(
    SchemaGenerator().get_schema(request=None, public=True),
    config=schemathesis.Config.from_dict(
        {
            # The caller's credentials are the token above; no generated cookies or tokens.
            # Deterministic: the same inputs on every run, so a red build is a real finding that
            # reproduces, not a draw (widen MAX_EXAMPLES locally to explore further).
            "generation": {"max-examples": MAX_EXAMPLES, "with-security-parameters": False, "deterministic": True},
            # The coverage phase (every boundary of every field) alone takes minutes per operation here;
            # the fuzzing phase's valid and invalid inputs stay.
            "phases": {"coverage": {"enabled": False}},
            "checks": {
                # Excluded: "a schema-valid request must be accepted". Here a valid shape can still
                # be refused by a rule about the data: an id must name a row in one of the
                # caller's projects, a password must match, an expiry must be in the future, a
                # move must stay in its list. Those answers are documented 400s/404s and are still
                # checked by every other check (status documented, body conforms, no 5xx).
                "positive_data_acceptance": {"enabled": False},
            },
        }
    ),
)

# Rows made for the test, by list path: an {id} is drawn from them or at random.
SEEDED = {}


@contract.hook
def flatmap_path_parameters(context, path_parameters):
    ids = next((ids for prefix, ids in SEEDED.items() if context.operation.path.startswith(prefix)), None)
    if not ids or not path_parameters or "id" not in path_parameters:
        return st.just(path_parameters)
    return st.one_of(st.just(path_parameters), st.sampled_from(ids).map(lambda pk: {**path_parameters, "id": pk}))


@pytest.fixture(scope="module")
def studio_url(django_db_setup):
    """Daphne on the test database, for the whole module."""
    server = StudioServer().start()
    try:
        yield f"http://{server.base}"
    finally:
        server.stop()


@pytest.fixture
def production(transactional_db, studio_url):
    """A production to fuzz, made afresh for each operation (the database is flushed after each
    test). The caller directs it (a scene, shots, a panel, a character, a location, a review, a
    share link) and owns a project of their own, which the fuzzer may rename or delete.
    Returns the studio's URL."""
    from django.contrib.auth import get_user_model

    from apps.projects.models import Membership
    from apps.projects.permissions import DIRECTOR

    users = get_user_model().objects
    producer, caller = users.create_user("contract-owner"), users.create_user("contract-director")
    project = project_services.create_project(producer, {"name": "Harbour Light", "fps": "24", "aspect_ratio": "2.39"})
    Membership.objects.create(project=project, user=caller, role=DIRECTOR)
    own = project_services.create_project(caller, {"name": "Test reel"})
    client = APIClient()
    client.force_authenticate(producer)
    SEEDED.clear()
    SEEDED["/api/projects/"] = [project.pk, own.pk]

    def made(path, body):
        response = client.post(path, body, format="json")
        assert response.status_code == 201, (path, response.content)
        SEEDED.setdefault(path, []).append(response.json()["id"])
        return response.json()

    scene = made("/api/scenes/", {"project": project.pk, "setting": "INT", "time_of_day": "NIGHT"})
    shots = [made("/api/shots/", {"scene": scene["id"], "shot_size": size, "description": "The lamp turns"}) for size in ("WS", "CU")]
    made("/api/panels/", {"shot": shots[0]["id"], "caption": "Beam sweeps the water"})
    made("/api/characters/", {"project": project.pk, "name": "MAYA", "height_m": 1.68})
    made("/api/locations/", {"project": project.pk, "name": "HARBOUR JETTY"})
    review = made("/api/reviews/", {"project": project.pk, "scene": scene["id"]})
    made("/api/share-links/", {"review": review["id"], "scope": "comment", "label": "Client"})
    Token.objects.create(user=caller, key=TOKEN)
    return studio_url


@contract.parametrize()
@hypothesis.settings(deadline=None, suppress_health_check=list(hypothesis.HealthCheck), max_examples=MAX_EXAMPLES)
def test_every_operation_keeps_its_contract(case, production):
    response = case.call(base_url=production, headers=CREDENTIALS)
    if refused_by_the_http_server(case, response):
        return
    case.validate_response(response, headers=CREDENTIALS, transport_kwargs={"base_url": production, "headers": CREDENTIALS})


def refused_by_the_http_server(case, response):
    """Excluded: a multipart body that Twisted (under Daphne) cannot parse is refused by the
    HTTP server itself, before Django sees it, with a bare 400 (no headers, no body). The status
    is the documented one; only its body cannot be JSON. Anything else is checked."""
    return (case.media_type or "").startswith("multipart/") and response.status_code == 400 and not response.content and "content-type" not in response.headers


def test_operations_in_sequence_keep_the_contract(production):
    """Stateful: schemathesis follows the links it infers between operations (what a create
    answers feeds the read, change and delete of that row), with every check on every step."""

    class Sequence(contract.as_state_machine()):
        def get_call_kwargs(self, case):
            return {"base_url": production, "headers": CREDENTIALS}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            if not refused_by_the_http_server(case, response):
                super().validate_response(response, case, additional_checks, **kwargs)

    Sequence.run(
        settings=hypothesis.settings(
            max_examples=STATEFUL_SCENARIOS,
            stateful_step_count=STATEFUL_STEPS,
            deadline=None,
            suppress_health_check=list(hypothesis.HealthCheck),
        )
    )


def test_a_number_sent_for_text_is_refused(api, editor, project):
    """Found by the fuzzer: DRF's CharField stored 119092 as "119092"."""
    location = api(editor).post("/api/locations/", {"project": project.pk, "name": "JETTY"}, format="json").json()
    response = api(editor).patch(f"/api/locations/{location['id']}/", {"name": 119092, "description": -160214}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"name", "description"}
    scene = api(editor).post("/api/scenes/", {"project": project.pk, "synopsis": 5}, format="json")
    assert scene.status_code == 400 and "synopsis" in scene.json()
