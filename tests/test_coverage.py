"""The coverage planner (previs/coverage.py): its film grammar, lenses, the 180-degree rule,
matched overs and durations; its REST (apps/scripts/coverage_api.py): proposals per scene and for
every scene, accepting (shots made through the board services, render jobs, change log entries)
and rejecting, roles and bad input; and the optional assistant, through a local HTTP server that
speaks the chat-completions API."""

import json
import math
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pydantic
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.boards import services as boards
from apps.boards.models import Scene, Shot
from apps.changes.models import Change
from apps.renders.models import RenderJob
from apps.scripts import assistant
from apps.scripts import services as scripts
from apps.scripts.models import ShotLines
from previs import coverage
from previs import screenplay as sp
from previs import vocabulary as v
from previs.camera import Camera

SCRIPT = """Title: Tide Tables

EXT. HARBOUR WALL - NIGHT

Rain. ANNA runs along the wall, clutching a LETTER. BEN follows.

ANNA
You came.

BEN
(quietly)
I said I would. I always keep my word, even when the tide is against me and the whole town is watching from the windows.

ANNA
Then read it!

She hands him the LETTER. He opens it.

BEN
No.

INT. LIGHTHOUSE KITCHEN - NIGHT

ANNA sits alone at the table with a KETTLE.

ANNA
Nobody comes here any more.

INT. LIGHTHOUSE KITCHEN - LATER

BEN enters, shaking off the rain. CORA watches from the stairs.

BEN
The boat is gone.

ANNA
Then we wait for morning.

BEN
We can't wait. The tide turns at four and the lamp is out and somebody has to go down to the rocks tonight.

EXT. LIGHTHOUSE STAIRS - NIGHT

CORA
They never listen to me.
"""


def scene_from(text, index=0, new_location=True, sensor="super35", aspect="2.39"):
    """A SceneToCover of the script's index-th scene, as apps.scripts.coverage builds one."""
    parsed = sp.parse(text.encode(), "t.fountain")[1]
    scene = sp.breakdown(parsed)[index]
    lines = [coverage.ScriptLine(i, e.kind, e.text, e.character) for i, e in enumerate(parsed.elements[scene.first : scene.last], start=scene.first)]
    cast = [coverage.CastMember(str(i + 1), name) for i, name in enumerate(sorted(scene.present))]
    return coverage.SceneToCover(
        lines=lines,
        cast=cast,
        setting=scene.setting,
        location=scene.location,
        time_of_day=scene.time_of_day,
        new_location=new_location,
        props=scene.props,
        sensor=sensor,
        aspect=aspect,
    )


def by_key(planned):
    return {p.proposal.key: p for p in planned}


# --- The planner's rules ---------------------------------------------------------------------------


def test_a_two_person_dialogue_gets_its_coverage_in_the_order_it_is_planned():
    planned = coverage.plan_coverage(scene_from(SCRIPT))
    keys = [p.proposal.key for p in planned]
    assert keys[:5] == ["establishing", "master", "two_shot", "ots:ben", "ots:anna"]  # BEN speaks most
    assert {"single:anna", "single:ben", "close_up:anna", "close_up:ben", "reaction:anna", "insert:letter"} <= set(keys)
    shots = by_key(planned)
    # An exterior is established wide from high; the master holds both, through the whole scene.
    assert (shots["establishing"].proposal.shot_size, shots["establishing"].proposal.angle) == ("EWS", "high")
    assert shots["master"].proposal.shot_size == "WS" and shots["master"].proposal.characters == ["ANNA", "BEN"]
    # The running is covered handheld, the prop in hand by an insert on the line that handles it.
    tracking = [p.proposal for p in planned if p.proposal.coverage == "tracking"]
    assert tracking and tracking[0].movement == "handheld" and tracking[0].rig == "handheld"
    insert = shots["insert:letter"].proposal
    assert insert.shot_size == "INSERT" and "LETTER" in next(line.text for line in scene_from(SCRIPT).lines if line.id == insert.elements[0])
    # Closer on the beats: "Then read it!" and "No." (an exclamation, a short line).
    anna_cu = shots["close_up:anna"].proposal
    assert anna_cu.shot_size == "CU" and "Then read it!" in anna_cu.dialogue


def test_an_interior_seen_before_gets_no_establishing_shot_and_a_new_one_does():
    assert "establishing" not in by_key(coverage.plan_coverage(scene_from(SCRIPT, 2, new_location=False)))
    assert by_key(coverage.plan_coverage(scene_from(SCRIPT, 1, new_location=True)))["establishing"].proposal.shot_size == "WS"


def test_a_listener_who_does_not_speak_gets_a_reaction_and_an_entrance_is_a_dolly():
    shots = by_key(coverage.plan_coverage(scene_from(SCRIPT, 2, new_location=False)))
    assert shots["reaction:cora"].proposal.characters == ["CORA"]
    assert shots["master"].proposal.framing == "three_shot"
    assert any(p.proposal.movement == "dolly_in" and p.proposal.rig == "dolly" for p in shots.values())


@pytest.mark.parametrize("sensor", list(v.SENSOR_FORMATS))
@pytest.mark.parametrize("aspect", ["2.39", "1.78"])
def test_every_lens_fits_its_size_on_the_sensor_and_is_in_the_vocabulary(sensor, aspect):
    for p in coverage.plan_coverage(scene_from(SCRIPT, sensor=sensor, aspect=aspect)):
        low, high = coverage.lens_range(p.proposal.shot_size, sensor, aspect)
        assert low - 0.5 <= p.proposal.lens_mm <= high + 0.5, (p.proposal.key, p.proposal.lens_mm, low, high)
        assert v.LENS_MM_RANGE[0] <= p.proposal.lens_mm <= v.LENS_MM_RANGE[1]
        assert p.camera_spec["camera"]["lens_mm"] == p.proposal.lens_mm and p.camera_spec["camera"]["sensor"] == sensor
    # A close-up takes a longer lens than a wide on every sensor; full frame takes longer glass than Super 16.
    assert coverage.lens_for("CU", sensor, aspect) > coverage.lens_for("WS", sensor, aspect)
    assert coverage.lens_for("MS", "full_frame", aspect) > coverage.lens_for("MS", "super16", aspect)


def side_of_line(a, b, c):
    """Sign of the cross product (B - A) × (C - A) on the ground: which side of A→B point C is."""
    return math.copysign(1.0, (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]))


@pytest.mark.parametrize("index", [0, 2])
def test_all_coverage_of_the_exchange_stays_on_one_side_of_the_line(index):
    planned = coverage.plan_coverage(scene_from(SCRIPT, index, new_location=False))
    shots = by_key(planned)
    pair = shots["two_shot"].proposal.characters
    marks = {c["name"]: c["position"] for c in shots["two_shot"].camera_spec["characters"]}
    a, b = marks[pair[0]], marks[pair[1]]
    exchange = [p for p in planned if p.proposal.coverage in ("two_shot", "ots", "single", "close_up") and set(p.proposal.characters) <= set(pair)]
    exchange += [p for p in planned if p.proposal.coverage == "reaction" and p.proposal.characters[0] in pair]
    assert len(exchange) >= 6
    sides = set()
    for p in exchange:
        spec_marks = {c["name"]: c["position"] for c in p.camera_spec["characters"]}
        assert all(spec_marks[name] == marks[name] for name in spec_marks if name in marks)  # one blocking for the scene
        sides.add(side_of_line(a, b, p.camera_spec["camera"]["position"]))
    assert len(sides) == 1, [(p.proposal.key, p.camera_spec["camera"]["position"]) for p in exchange]


def test_the_overs_mirror_each_other_and_each_sees_its_subject():
    shots = by_key(coverage.plan_coverage(scene_from(SCRIPT)))
    on_ben, on_anna = shots["ots:ben"], shots["ots:anna"]
    assert (on_ben.proposal.shot_size, on_ben.proposal.lens_mm, on_ben.proposal.angle) == (
        on_anna.proposal.shot_size,
        on_anna.proposal.lens_mm,
        on_anna.proposal.angle,
    )
    assert shots["single:ben"].proposal.lens_mm == shots["single:anna"].proposal.lens_mm
    # Cutting from an over to the single of the same person is a clear change of size.
    assert on_ben.proposal.shot_size == "MS" and shots["single:ben"].proposal.shot_size == "MCU"
    ben_cam, anna_cam = on_ben.camera_spec["camera"], on_anna.camera_spec["camera"]
    # Mirrored across the perpendicular bisector of the line (x = 0 on the default marks).
    assert ben_cam["position"][0] == pytest.approx(-anna_cam["position"][0], abs=1e-3)
    assert ben_cam["position"][1:] == pytest.approx(anna_cam["position"][1:], abs=1e-3)
    assert ben_cam["yaw_deg"] == pytest.approx(-anna_cam["yaw_deg"], abs=1e-2)
    # The subject is in frame; in each over, the subject faces the lens side (sees the camera's side).
    for shot, subject in ((on_ben, "BEN"), (on_anna, "ANNA")):
        person = next(c for c in shot.camera_spec["characters"] if c["name"] == subject)
        px, py, depth = Camera.from_spec(shot.camera_spec["camera"]).project_point([*person["position"], 1.6], 1920, 804)
        assert depth > 0 and 0 < px < 1920 and 0 < py < 804


def test_durations_come_from_the_lines():
    scene = scene_from(SCRIPT)
    shots = by_key(coverage.plan_coverage(scene))
    lines = {line.id: line for line in scene.lines}
    ben = shots["single:ben"].proposal
    spoken = [lines[i] for i in ben.elements if lines[i].kind == "dialogue"]
    words = sum(coverage.words(line.text) for line in spoken)
    beats = sum(1 for i in ben.elements if lines[i].kind == "parenthetical")
    assert ben.duration_s == pytest.approx(round(words / coverage.WORDS_PER_SECOND + beats * coverage.PARENTHETICAL_BEAT_S, 1))
    assert words == 26 and ben.duration_s == pytest.approx(11.4)
    # Action counts at a page a minute: an eighth of a page (55/8 printed lines) is 7.5 s.
    eighth = coverage.ScriptLine(1, "action", "\n".join([" ".join(["wordy"] * 10)] * 6))  # six printed lines of 59 characters
    assert coverage.line_seconds(eighth) == pytest.approx(7 * 60 / 55)  # with the blank line before it
    assert shots["insert:letter"].proposal.duration_s == coverage.INSERT_S
    assert shots["master"].proposal.duration_s >= ben.duration_s


def test_the_planner_is_deterministic_and_its_output_fits_the_schema():
    first = [p.proposal.model_dump() for p in coverage.plan_coverage(scene_from(SCRIPT))]
    second = [p.proposal.model_dump() for p in coverage.plan_coverage(scene_from(SCRIPT))]
    assert first == second
    for data in first:
        coverage.ShotProposal.model_validate(data)
    with pytest.raises(pydantic.ValidationError):
        coverage.ShotProposal.model_validate({**first[0], "shot_size": "HUGE"})


# --- REST ---------------------------------------------------------------------------------------------


@pytest.fixture
def imported(project, director):
    """The script read into the project (the import job's steps, run here without the worker)."""
    job = scripts.start_import(project, SimpleUploadedFile("tide.fountain", SCRIPT.encode()), draft_name="", revision_colour="white", actor=director)
    scripts.plan_import(job.pk, director)
    job.refresh_from_db()
    assert job.status == "applied", job.error
    return list(Scene.objects.filter(project=project).order_by("rank", "id"))


@pytest.mark.django_db
def test_proposals_for_a_scene_and_for_every_scene(api, project, viewer, imported):
    scene = imported[0]
    response = api(viewer).get(f"/api/coverage-proposals/?scene={scene.pk}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert [p["proposal"]["key"] for p in body][:3] == ["establishing", "master", "two_shot"]
    assert all(p["status"] == "proposed" and p["scene"] == scene.pk for p in body)
    assert body[2]["camera_spec"]["camera"]["lens_mm"] == body[2]["proposal"]["lens_mm"]
    assert body[1]["proposal"]["elements"]  # the script elements it covers
    again = api(viewer).get(f"/api/coverage-proposals/?scene={scene.pk}").json()
    assert [p["id"] for p in again] == [p["id"] for p in body]  # stored: a reload shows the same
    everything = api(viewer).get(f"/api/coverage-proposals/?project={project.pk}").json()
    assert {p["scene"] for p in everything} == {s.pk for s in imported}
    # The second scene is the kitchen's first: established; the third (same kitchen, later) is not.
    kinds = {s.pk: {p["proposal"]["key"] for p in everything if p["scene"] == s.pk} for s in imported}
    assert "establishing" in kinds[imported[1].pk] and "establishing" not in kinds[imported[2].pk]


@pytest.mark.django_db
def test_accepting_makes_shots_render_jobs_and_changes(api, project, director, imported):
    scene = imported[0]
    boards.create_shot(scene, {"description": "Hand-made first shot"}, director)
    before = Change.objects.filter(project=project).count()
    proposals = api(director).get(f"/api/coverage-proposals/?scene={scene.pk}").json()
    two_shot = next(p for p in proposals if p["proposal"]["key"] == "two_shot")
    ots = next(p for p in proposals if p["proposal"]["key"] == "ots:anna")
    response = api(director).post(
        "/api/coverage-proposals/accept/",
        {"scene": scene.pk, "proposals": [{"id": two_shot["id"]}, {"id": ots["id"], "fields": {"lens_mm": 65, "description": "Over Ben on Anna, tighter"}}]},
        format="json",
    )
    assert response.status_code == 201, response.content
    accepted = response.json()["accepted"]
    assert [a["shot_number"] for a in accepted] == ["1B", "1C"]  # after the hand-made 1A, never over it
    assert Shot.objects.get(scene=scene, number="1A").description == "Hand-made first shot"
    shot = Shot.objects.get(pk=accepted[1]["shot"])
    assert (shot.lens_mm, shot.framing, shot.description) == (65, "ots", "Over Ben on Anna, tighter")
    assert shot.camera_spec["camera"]["lens_mm"] == 65 and sorted(c.name for c in shot.characters.all()) == ["ANNA", "BEN"]
    assert RenderJob.objects.filter(shot_id__in=[a["shot"] for a in accepted], kind="frame", backend="blocking").count() == 2
    # Lined through the script it covers, as the lined script shows it.
    lined = ShotLines.objects.get(shot=shot)
    assert (lined.first_id, lined.last_id) == (ots["proposal"]["elements"][0], ots["proposal"]["elements"][-1])
    changes = Change.objects.filter(project=project, seq__gt=0).order_by("seq")[before:]
    entities = [(c.entity, c.action) for c in changes]
    assert entities.count(("shot", "create")) == 2 and entities.count(("render_job", "create")) == 2
    assert entities.count(("coverage_proposal", "update")) == 2
    # Decisions persist: a reload shows them accepted, linked to their shots; the rest are still proposed.
    reloaded = {p["id"]: p for p in api(director).get(f"/api/coverage-proposals/?scene={scene.pk}").json()}
    assert reloaded[ots["id"]]["status"] == "accepted" and reloaded[ots["id"]]["shot"] == shot.pk
    assert reloaded[ots["id"]]["proposal"]["lens_mm"] == 65
    # Accepting the rest takes every undecided one, and nothing twice.
    rest = api(director).post("/api/coverage-proposals/accept/", {"scene": scene.pk}, format="json")
    assert rest.status_code == 201
    assert len(rest.json()["accepted"]) == len(proposals) - 2
    assert Shot.objects.filter(scene=scene).count() == 1 + len(proposals)
    again = api(director).post("/api/coverage-proposals/accept/", {"scene": scene.pk, "proposals": [{"id": two_shot["id"]}]}, format="json")
    assert again.status_code == 400 and "already shot" in json.dumps(again.json())
    refused = api(director).post(f"/api/coverage-proposals/{two_shot['id']}/reject/")
    assert refused.status_code == 400 and "already a shot" in json.dumps(refused.json())
    # A proposal whose shot was deleted since may be accepted again: a new shot, the next number.
    first = Shot.objects.get(pk=accepted[0]["shot"])
    boards.delete_shot(first, director, None)
    redo = api(director).post("/api/coverage-proposals/accept/", {"scene": scene.pk, "proposals": [{"id": two_shot["id"]}]}, format="json")
    assert redo.status_code == 201, redo.content
    assert redo.json()["accepted"][0]["shot"] != first.pk and Shot.objects.filter(pk=redo.json()["accepted"][0]["shot"], framing="two_shot").exists()


@pytest.mark.django_db
def test_rejecting_persists_and_a_rejected_proposal_is_not_accepted_with_the_rest(api, project, editor, imported):
    scene = imported[1]
    proposals = api(editor).get(f"/api/coverage-proposals/?scene={scene.pk}").json()
    response = api(editor).post(f"/api/coverage-proposals/{proposals[0]['id']}/reject/")
    assert response.status_code == 200 and response.json()["status"] == "rejected"
    assert Change.objects.filter(project=project, entity="coverage_proposal", entity_id=proposals[0]["id"]).exists()
    assert api(editor).get(f"/api/coverage-proposals/?scene={scene.pk}").json()[0]["status"] == "rejected"
    made = api(editor).post("/api/coverage-proposals/accept/", {"scene": scene.pk}, format="json").json()["accepted"]
    assert proposals[0]["id"] not in [a["proposal"]["id"] for a in made] and len(made) == len(proposals) - 1


@pytest.mark.django_db
def test_a_viewer_may_read_but_not_decide_and_another_project_is_not_found(api, project, viewer, outsider, imported):
    scene = imported[0]
    proposals = api(viewer).get(f"/api/coverage-proposals/?scene={scene.pk}").json()
    assert api(viewer).post("/api/coverage-proposals/accept/", {"scene": scene.pk}, format="json").status_code == 403
    assert api(viewer).post(f"/api/coverage-proposals/{proposals[0]['id']}/reject/").status_code == 403
    assert not Shot.objects.filter(scene=scene).exists()
    assert api(outsider).get(f"/api/coverage-proposals/?scene={scene.pk}").status_code == 404
    assert api(outsider).get(f"/api/coverage-proposals/?project={project.pk}").status_code == 404
    assert api(outsider).post("/api/coverage-proposals/accept/", {"scene": scene.pk}, format="json").status_code == 404
    assert api(outsider).post(f"/api/coverage-proposals/{proposals[0]['id']}/reject/").status_code == 404


@pytest.mark.django_db
def test_bad_input_is_a_400_naming_the_field(api, project, director, imported, other_project):
    scene = imported[0]
    proposals = api(director).get(f"/api/coverage-proposals/?scene={scene.pk}").json()
    first = proposals[0]["id"]
    other_scene = imported[1]
    other_row = api(director).get(f"/api/coverage-proposals/?scene={other_scene.pk}").json()[0]["id"]
    cases = [
        ({"scene": "x"}, "scene"),
        ({"scene": scene.pk, "proposals": []}, "proposals"),
        ({"scene": scene.pk, "proposals": [{"id": first, "fields": {"shot_size": "HUGE"}}]}, "proposals.0.fields.shot_size"),
        ({"scene": scene.pk, "proposals": [{"id": first, "fields": {"lens_mm": 5000}}]}, "proposals.0.fields.lens_mm"),
        ({"scene": scene.pk, "proposals": [{"id": first, "fields": {"characters": ["ZED"]}}]}, "proposals"),
        ({"scene": scene.pk, "proposals": [{"id": other_row}]}, "proposals.0.id"),
        ({"scene": scene.pk, "proposals": [{"id": 999999}]}, "proposals"),
        ({"scene": scene.pk, "proposals": [{"id": first}, {"id": first}]}, "proposals"),
    ]
    for body, field in cases:
        response = api(director).post("/api/coverage-proposals/accept/", body, format="json")
        assert response.status_code == 400, (body, response.content)
        assert any(key.startswith(field) for key in response.json()), (body, response.json())
    assert api(director).get("/api/coverage-proposals/").status_code == 400
    assert api(director).get("/api/coverage-proposals/?scene=abc").status_code == 400
    assert not Shot.objects.filter(project=project).exists()


@pytest.mark.django_db
def test_a_changed_scene_is_planned_again_and_decisions_stay(api, project, director, imported):
    scene = imported[2]
    proposals = api(director).get(f"/api/coverage-proposals/?scene={scene.pk}").json()
    master = next(p for p in proposals if p["proposal"]["key"] == "master")
    api(director).post(f"/api/coverage-proposals/{master['id']}/reject/")
    boards.update_scene(scene, {"props": "ROPE"}, director, None)  # the planner's input changed
    again = {p["proposal"]["key"]: p for p in api(director).get(f"/api/coverage-proposals/?scene={scene.pk}").json()}
    assert again["master"]["id"] == master["id"] and again["master"]["status"] == "rejected"


# --- The assistant, through a local chat-completions endpoint ------------------------------------------


class FakeAssistant(BaseHTTPRequestHandler):
    """Speaks POST /v1/chat/completions; answers with whatever the test set as `reply`."""

    reply = None
    requests = []

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
        content = type(self).reply(body) if callable(type(self).reply) else type(self).reply
        if content is None:
            self.send_response(500)
            self.end_headers()
            return
        data = json.dumps(
            {"id": "c1", "object": "chat.completion", "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}]}
        ).encode()
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except BrokenPipeError:
            pass  # the studio gave up waiting (the timeout case)

    def log_message(self, *args):
        pass


@pytest.fixture
def assistant_server(monkeypatch):
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeAssistant)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeAssistant.requests = []
    monkeypatch.setenv("STUDIO_ASSISTANT_URL", f"http://127.0.0.1:{server.server_address[1]}/v1")
    monkeypatch.setenv("STUDIO_ASSISTANT_MODEL", "coverage-test")
    monkeypatch.setenv("STUDIO_ASSISTANT_KEY", "sekrit")
    monkeypatch.setenv("STUDIO_ASSISTANT_TIMEOUT_S", "2")
    yield FakeAssistant
    server.shutdown()
    server.server_close()


def good_reply(body):
    request = json.loads(body["messages"][1]["content"])
    line = next(line for line in request["lines"] if line["kind"] == "dialogue")
    extra = {
        **request["proposals"][2],
        "key": "extra:low_angle",
        "coverage": "extra",
        "description": "Low angle on the pair against the lamp",
        "angle": "low",
        "elements": [line["id"]],
    }
    return json.dumps({"descriptions": {"master": "Master from the harbour steps, rain in the lamp light."}, "extra_shots": [extra]})


@pytest.mark.django_db
def test_the_assistant_refines_descriptions_and_adds_shots_within_the_schema(api, project, director, imported, assistant_server):
    assistant_server.reply = good_reply
    body = api(director).get(f"/api/coverage-proposals/?scene={imported[0].pk}").json()
    sent = assistant_server.requests[0]
    assert sent["path"] == "/v1/chat/completions" and sent["auth"] == "Bearer sekrit" and sent["body"]["model"] == "coverage-test"
    by = {p["proposal"]["key"]: p for p in body}
    assert by["master"]["proposal"]["description"] == "Master from the harbour steps, rain in the lamp light."
    extra = by["extra:low_angle"]
    assert extra["source"] == "assistant" and extra["proposal"]["coverage"] == "extra" and extra["proposal"]["angle"] == "low"
    assert extra["camera_spec"]["camera"]["pitch_deg"] > 0  # laid out by the studio's layout, looking up
    made = api(director).post("/api/coverage-proposals/accept/", {"scene": imported[0].pk, "proposals": [{"id": extra["id"]}]}, format="json")
    assert made.status_code == 201 and Shot.objects.get(pk=made.json()["accepted"][0]["shot"]).angle == "low"


def test_the_assistant_is_off_by_default(monkeypatch):
    for name in ("STUDIO_ASSISTANT_URL", "STUDIO_ASSISTANT_MODEL", "STUDIO_ASSISTANT_KEY"):
        monkeypatch.delenv(name, raising=False)
    planned = coverage.plan_coverage(scene_from(SCRIPT))
    assert assistant.settings() is None and assistant.fingerprint() == ""
    assert assistant.refine(None, scene_from(SCRIPT), planned) is planned  # no request, the planner's answer
    monkeypatch.setenv("STUDIO_ASSISTANT_URL", "http://127.0.0.1:9/v1")  # a URL without a model is still off
    assert assistant.settings() is None


@pytest.mark.parametrize(
    "reply",
    [
        None,  # HTTP 500
        "not json at all",
        json.dumps({"descriptions": {"master": "x"}, "extra_shots": [{"key": "extra:a", "shot_size": "GIANT"}]}),  # schema violation
        json.dumps({"descriptions": {"no_such_shot": "x"}}),
        json.dumps(
            {
                "extra_shots": [
                    {
                        "key": "extra:zed",
                        "coverage": "extra",
                        "description": "Zed",
                        "shot_size": "MS",
                        "framing": "single",
                        "angle": "eye",
                        "movement": "static",
                        "rig": "sticks",
                        "lens_mm": 40,
                        "characters": ["ZED"],
                        "duration_s": 2,
                    }
                ]
            }
        ),
        "slow",
    ],
    ids=["http-500", "bad-json", "schema", "unknown-key", "stranger", "timeout"],
)
@pytest.mark.django_db
def test_a_failing_assistant_leaves_the_planners_answer(api, project, director, imported, assistant_server, reply, caplog):
    if reply == "slow":
        import time

        def reply_fn(body):
            time.sleep(3)
            return json.dumps({})

        assistant_server.reply = reply_fn
    else:
        assistant_server.reply = reply
    body = api(director).get(f"/api/coverage-proposals/?scene={imported[0].pk}").json()
    assert assistant_server.requests
    keys = [p["proposal"]["key"] for p in body]
    planner_keys = [p.proposal.key for p in coverage.plan_coverage(scene_from(SCRIPT))]
    assert keys == planner_keys and all(p["source"] == "planner" for p in body)
    assert next(p for p in body if p["proposal"]["key"] == "master")["proposal"]["description"].startswith("Master:")
    assert "coverage assistant not used" in caplog.text
