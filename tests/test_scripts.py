"""Script import end to end: a draft uploaded over HTTP, read by the Celery worker into scenes,
the library and the breakdown; bad files refused with a 400 and nothing stored; roles; and a
revised draft merged without losing a shot, panel, render, comment or approval."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.assets.models import Asset
from apps.boards import services as boards
from apps.boards.models import Character, Location, Panel, Scene, Shot
from apps.changes.models import Change
from apps.projects.access import access_for
from apps.renders import services as renders
from apps.renders.models import RenderJob
from apps.review import selectors
from apps.review import services as review
from apps.review.models import Approval, Comment
from apps.scripts.models import SceneCast, Script, ScriptElement, ScriptImport
from tests.conftest import wait_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("quiet_worker_after")]

SCENES = {
    "A": """INT. LIGHTHOUSE KITCHEN - NIGHT

MARA (40s) fills the KETTLE. Wind rattles the windows.

MARA
He should be back by now.

JONAH (O.S.)
I am back.
""",
    "B": """EXT. HARBOUR WALL - NIGHT

JONAH walks the wall with a LANTERN, soaked.

JONAH
The boat is gone.

MARA
(quietly)
Then we wait for morning.
""",
    "C": """INT. LIGHTHOUSE LAMP ROOM - CONTINUOUS

The great LENS turns. MARA climbs the last steps.

MARA (CONT'D)
Nobody is out there.
""",
    "D": """EXT. BEACH - DAWN

Grey light. A broken OAR lies on the sand. JONAH picks it up.

JONAH
It's his.
""",
    "E": """INT. HARBOUR OFFICE - DAY

The HARBOURMASTER stamps a FORM without looking up.

HARBOURMASTER
No boats went out last night.

MARA
One did.
""",
    "F": """EXT. CLIFF PATH - DUSK

MARA and JONAH walk in silence. The lamp starts to turn above them.
""",
    "G": """INT. CHAPEL - DAY

Candles. MARA lights one for the missing.
""",
}

TITLE = "Title: Harbour Light\nCredit: Written by\nAuthor: Test Writer\nDraft date: 1 December 2026\n\n"


def draft(*keys, changes=None):
    scenes = [SCENES[k] for k in keys]
    for key, (old, new) in (changes or {}).items():
        scenes[keys.index(key)] = scenes[keys.index(key)].replace(old, new)
    return (TITLE + "\n".join(scenes)).encode()


def upload(client, project, data, name="harbour.fountain", **extra):
    return client.post("/api/script-imports/", {"project": project.pk, "file": SimpleUploadedFile(name, data), **extra}, format="multipart")


def imported(client, project, data, **extra):
    """Upload a draft and wait for the worker to finish with it (applied, planned or failed)."""
    response = upload(client, project, data, **extra)
    assert response.status_code == 201, response.content
    return wait_until(lambda: finished(response.json()["id"]))


def finished(job_id, statuses=("applied", "planned", "failed")):
    job = ScriptImport.objects.get(pk=job_id)
    return job if job.status in statuses else None


def scene_list(project):
    return list(Scene.objects.filter(project=project).order_by("rank", "id").select_related("location"))


def test_first_draft_becomes_scenes_library_and_breakdown(api, project, director, render_worker):
    response = upload(api(director), project, draft("A", "B", "C", "D", "E", "F"), draft_name="First draft")
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "queued"
    job = wait_until(lambda: finished(response.json()["id"]))
    assert job.status == "applied", job.error
    assert job.plan["counts"] == {"added": 6, "changed": 0, "unchanged": 0, "omitted": 0}

    scenes = scene_list(project)
    assert [(s.number, s.setting, s.location.name, s.time_of_day) for s in scenes] == [
        ("1", "INT", "LIGHTHOUSE KITCHEN", "NIGHT"),
        ("2", "EXT", "HARBOUR WALL", "NIGHT"),
        ("3", "INT", "LIGHTHOUSE LAMP ROOM", "CONTINUOUS"),
        ("4", "EXT", "BEACH", "DAWN"),
        ("5", "INT", "HARBOUR OFFICE", "DAY"),
        ("6", "EXT", "CLIFF PATH", "DUSK"),
    ]
    assert all(1 <= s.page_eighths <= 8 for s in scenes)
    assert scenes[0].props == "KETTLE" and scenes[3].props == "OAR"
    # The library: one row per character, CONT'D and (O.S.) stripped, matched case-insensitively.
    assert sorted(Character.objects.filter(project=project).values_list("name", flat=True)) == ["HARBOURMASTER", "JONAH", "MARA"]
    assert Location.objects.filter(project=project).count() == 6
    cast = {(c.scene.number, c.character.name): c.speaking for c in SceneCast.objects.filter(scene__project=project).select_related("scene", "character")}
    assert cast[("1", "MARA")] and cast[("1", "JONAH")]
    assert cast[("6", "MARA")] is False and cast[("6", "JONAH")] is False  # present, not speaking

    script = Script.objects.get(project=project)
    assert (script.format, script.title, script.draft_name, script.revision_colour) == ("fountain", "Harbour Light", "First draft", "white")
    assert script.title_page["author"] == "Test Writer"
    assert script.file.sha256 == script.sha256
    body = api(director).get(f"/api/scripts/{script.pk}/elements/").json()
    assert body[0] == {
        "index": 0,
        "kind": "heading",
        "text": "INT. LIGHTHOUSE KITCHEN - NIGHT",
        "scene_number": "",
        "character": "",
        "extension": "",
        "dual": False,
        "scene": scenes[0].pk,
    }
    assert {e["kind"] for e in body} >= {"heading", "action", "character", "dialogue", "parenthetical"}
    cast_body = api(director).get(f"/api/scripts/{script.pk}/cast/").json()
    assert {"scene": scenes[5].pk, "character": Character.objects.get(project=project, name="MARA").pk, "name": "MARA", "speaking": False} in cast_body
    # The room heard the import and every scene it made.
    assert Change.objects.filter(project=project, entity="scene", action="create").count() == 6
    assert Change.objects.filter(project=project, entity="script_import").exists()


def test_a_character_already_in_the_library_is_reused(api, project, owner, director, render_worker):
    boards.create_character(project, {"name": "Mara", "description": "Keeper's widow, oilskin coat"}, owner)
    job = imported(api(director), project, draft("A"))
    assert job.status == "applied", job.error
    assert list(Character.objects.filter(project=project, name__iexact="mara").values_list("name", flat=True)) == ["Mara"]


FDX = b"""<?xml version="1.0" encoding="UTF-8"?>
<FinalDraft DocumentType="Script" Version="5"><Content>
<Paragraph Number="7" Type="Scene Heading"><Text>INT. OFFICE - DAY</Text></Paragraph>
<Paragraph Type="Action"><Text>LEE drops the FILE.</Text></Paragraph>
<Paragraph Type="Character"><Text>LEE</Text></Paragraph>
<Paragraph Type="Dialogue"><Text>Again.</Text></Paragraph>
</Content></FinalDraft>"""


def test_final_draft_import_keeps_its_scene_numbers(api, project, editor, render_worker):
    job = imported(api(editor), project, FDX, name="office.fdx", revision_colour="blue")
    assert job.status == "applied", job.error
    assert [(s.number, s.location.name) for s in scene_list(project)] == [("7", "OFFICE")]
    assert Script.objects.get(project=project).format == "fdx"


HOSTILE_FDX = b"""<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>
<FinalDraft><Content><Paragraph Type="Scene Heading"><Text>&b;</Text></Paragraph></Content></FinalDraft>"""


@pytest.mark.parametrize(
    "data,name,message",
    [
        (b"", "empty.fountain", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "picture.fountain", "binary"),
        ("INT. CAFÉ - DAY\n\nCoffee.".encode("cp1252"), "latin.fountain", "not UTF-8"),
        (b"Notes for the writer, no scenes yet.\n", "notes.fountain", "no scene heading"),
        (HOSTILE_FDX, "evil.fdx", "entities"),
        (b"<FinalDraft><Content>", "broken.fdx", "not well-formed"),
    ],
    ids=["empty", "image", "unknown-encoding", "no-heading", "entity-expansion", "malformed-fdx"],
)
@pytest.mark.django_db  # no worker: a plain transaction per test is enough
def test_bad_files_are_a_400_naming_the_problem_and_nothing_is_stored(api, project, editor, data, name, message):
    response = upload(api(editor), project, data, name=name)
    assert response.status_code == 400, response.content
    assert message in " ".join(response.json()["file"])
    assert not ScriptImport.objects.exists() and not Asset.objects.exists() and not Scene.objects.exists()


@pytest.mark.django_db  # no worker: a plain transaction per test is enough
def test_a_file_over_the_limit_is_refused(api, project, editor):
    response = upload(api(editor), project, b"INT. A - DAY\n\n" + b"x" * (10 * 1024 * 1024))
    assert response.status_code == 400
    assert "larger than 10 MB" in response.json()["file"][0]
    assert not Asset.objects.exists()


@pytest.mark.django_db  # no worker: a plain transaction per test is enough
def test_missing_file_and_bad_colour_are_field_errors(api, project, editor):
    response = api(editor).post("/api/script-imports/", {"project": project.pk, "revision_colour": "mauve"}, format="multipart")
    assert response.status_code == 400
    assert set(response.json()) == {"file", "revision_colour"}


def test_a_viewer_reads_but_may_not_import_and_an_outsider_sees_nothing(api, project, viewer, director, outsider, render_worker):
    assert upload(api(viewer), project, draft("A")).status_code == 403
    job = imported(api(director), project, draft("A"))
    script = Script.objects.get(project=project)
    assert api(viewer).get(f"/api/script-imports/{job.pk}/").status_code == 200
    assert api(viewer).get(f"/api/scripts/{script.pk}/elements/").status_code == 200
    assert api(viewer).post(f"/api/script-imports/{job.pk}/apply/").status_code in (403,)
    assert upload(api(outsider), project, draft("A")).status_code == 404
    assert api(outsider).get(f"/api/scripts/{script.pk}/").status_code == 404
    assert api(outsider).get(f"/api/script-imports/{job.pk}/").status_code == 404
    assert api(outsider).get("/api/scripts/", {"project": project.pk}).json() == []


def work_on(scene, owner):
    """A shot with a panel, a finished render, a comment and an approval."""
    shot = boards.create_shot(scene, {"description": f"Cover {scene.number}"}, owner)
    panel = boards.create_panel(shot, {"caption": "board"}, owner)
    job = renders.create_job(shot=shot, kind="frame", backend="blocking", seed=1, parameters={"width": 64}, actor=owner)
    wait_until(lambda: RenderJob.objects.get(pk=job.pk).status in RenderJob.FINISHED)
    access = access_for(owner, scene.project_id)
    review.create_comment(access, shot, {"body": "Love this angle."})
    shots, panels, clips = selectors.shots_with_media([shot.pk])
    fingerprint = selectors.fingerprint_of(selectors.reviewed_content(shots[shot.pk], panels.get(shot.pk, []), clips.get(shot.pk)))
    review.record_decision(access, shots[shot.pk], Approval.APPROVED, fingerprint)
    return shot, panel


def test_a_revised_draft_merges_and_keeps_every_piece_of_work(api, project, owner, director, render_worker):
    first = imported(api(director), project, draft("A", "B", "C", "D", "E", "F"))
    assert first.status == "applied", first.error
    by_number = {s.number: s for s in scene_list(project)}
    work = {number: work_on(by_number[number], owner) for number in ("1", "2", "3", "4")}
    counts = lambda: (Shot.objects.count(), Panel.objects.count(), RenderJob.objects.count(), Comment.objects.count(), Approval.objects.count())  # noqa: E731
    before = counts()

    # The blue pages: B rewritten and moved after C, D cut, G new after E.
    blue = draft("A", "C", "B", "E", "G", "F", changes={"B": ("The boat is gone.", "The boat is gone. Smashed on the rocks.")})
    response = upload(api(director), project, blue, revision_colour="blue", draft_name="Blue pages")
    job = wait_until(lambda: finished(response.json()["id"]))
    assert job.status == "planned", job.error
    # The dry run: counts and the list, and nothing written yet.
    body = api(director).get(f"/api/script-imports/{job.pk}/").json()
    assert body["revision"] is True
    assert body["plan"]["counts"] == {"added": 1, "changed": 1, "unchanged": 4, "omitted": 1}
    assert [(s["action"], s["number"]) for s in body["plan"]["scenes"]] == [
        ("unchanged", "1"),
        ("unchanged", "3"),
        ("omitted", "4"),
        ("changed", "2"),
        ("unchanged", "5"),
        ("added", ""),
        ("unchanged", "6"),
    ]
    assert "Smashed on the rocks" in body["plan"]["scenes"][3]["diff"]
    assert Scene.objects.filter(project=project).count() == 6 and Script.objects.count() == 1

    response = api(director).post(f"/api/script-imports/{job.pk}/apply/")
    assert response.status_code == 202, response.content
    job = wait_until(lambda: finished(job.pk, ("applied", "failed")))
    assert job.status == "applied", job.error

    scenes = scene_list(project)
    assert [(s.number, s.location.name, s.omitted, s.script_changed) for s in scenes] == [
        ("1", "LIGHTHOUSE KITCHEN", False, False),
        ("3", "LIGHTHOUSE LAMP ROOM", False, False),
        ("4", "BEACH", True, False),
        ("2", "HARBOUR WALL", False, True),
        ("5", "HARBOUR OFFICE", False, False),
        ("5A", "CHAPEL", False, False),
        ("6", "CLIFF PATH", False, False),
    ]
    changed = Scene.objects.get(project=project, number="2")
    assert "+JONAH" not in changed.script_diff and "Smashed on the rocks" in changed.script_diff
    assert counts() == before
    for number, (shot, panel) in work.items():
        shot.refresh_from_db()
        assert shot.scene.number == number and shot.status == "approved"
        assert Panel.objects.filter(pk=panel.pk, shot=shot).exists()
        assert Comment.objects.filter(shot=shot).exists() and RenderJob.objects.filter(shot=shot, status="succeeded").exists()
    script = Script.objects.order_by("-id").first()
    assert (script.revision_colour, script.draft_name) == ("blue", "Blue pages")
    # The room heard the merge: the moves and the updates went through the boards services.
    assert Change.objects.filter(project=project, entity="scene", action="move").exists()
    assert Change.objects.filter(project=project, entity="scene", action="update", data__fields__omitted=True).exists()
    # Applying twice is refused.
    assert api(director).post(f"/api/script-imports/{job.pk}/apply/").status_code == 400

    # A third draft identical to the second changes nothing.
    again = imported(api(director), project, blue, revision_colour="pink")
    assert again.plan["counts"] == {"added": 0, "changed": 0, "unchanged": 6, "omitted": 0}


def test_locked_scene_numbers_match_even_when_the_heading_changes(api, project, director, render_worker):
    numbered = b"INT. HOUSE - DAY #10#\n\nAnna waits.\n\nEXT. ROAD - NIGHT #11#\n\nA car passes.\n"
    assert imported(api(director), project, numbered).status == "applied"
    renamed = b"INT. FARMHOUSE - NIGHT #10#\n\nAnna waits by the stove.\n\nEXT. ROAD - NIGHT #11#\n\nA car passes.\n"
    job = imported(api(director), project, renamed)
    assert job.plan["counts"] == {"added": 0, "changed": 1, "unchanged": 1, "omitted": 0}
    api(director).post(f"/api/script-imports/{job.pk}/apply/")
    assert wait_until(lambda: finished(job.pk, ("applied", "failed"))).status == "applied"
    scene = Scene.objects.get(project=project, number="10")
    assert (scene.location.name, scene.time_of_day, scene.script_changed) == ("FARMHOUSE", "NIGHT", True)


def test_elements_link_to_their_scene(api, project, director, render_worker):
    imported(api(director), project, draft("A", "B"))
    first, second = scene_list(project)
    assert set(ScriptElement.objects.filter(scene=first).values_list("kind", flat=True)) == {"heading", "action", "character", "dialogue"}
    assert ScriptElement.objects.filter(scene=second, kind="parenthetical").exists()


def test_a_project_with_drafts_can_be_deleted(api, project, owner, director, render_worker):
    """A draft's file is protected from being deleted on its own, not from its project's deletion."""
    assert imported(api(director), project, draft("A", "B")).status == "applied"
    response = api(owner).delete(f"/api/projects/{project.pk}/", HTTP_IF_MATCH=f'"{project.__class__.objects.get(pk=project.pk).version}"')
    assert response.status_code == 204, response.content
    assert not Script.objects.exists() and not ScriptImport.objects.exists() and not Scene.objects.exists()
