"""The lined script: the pagination rule, shots lined through script lines over REST (roles,
other productions, bad ranges), a new shot from lines recorded in the change log like any shot,
the board carrying each shot's lines, and the PDF's text read back with pypdf."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.boards import services as boards
from apps.boards.models import Scene, Shot
from apps.changes.models import Change
from apps.scripts import services as scripts
from apps.scripts.models import Script, ScriptElement, ShotLines
from previs import lining, screenplay
from workers.exports.lined_script import lined_script_pdf

pytestmark = pytest.mark.django_db

DRAFT = """Title: Harbour Light
Author: Test Writer

INT. LIGHTHOUSE KITCHEN - NIGHT

MARA fills the KETTLE. Wind rattles the windows.

MARA
(quietly)
He should be back by now.

JONAH (O.S.)
I am back.

EXT. HARBOUR WALL - NIGHT

JONAH walks the wall with a LANTERN, soaked.

JONAH
The boat is gone.

MARA
Then we wait for morning.
"""


# --- Pagination (previs.lining) --------------------------------------------------------------------


def elements(*pairs):
    return [screenplay.Element(kind, text) for kind, text in pairs]


def test_a_page_holds_55_lines_and_the_blank_before_an_element_is_dropped_at_the_top():
    # 30 one-line action paragraphs: each takes a blank line and its line (2), the first none.
    pages = lining.paginate(elements(*[("action", f"Beat {i}.") for i in range(30)]))
    assert [len(p.elements) for p in pages] == [28, 2]  # 1 + 27*2 = 55 lines; the 29th would be 57
    assert pages[0].elements[0].line == 1 and pages[0].elements[-1].line == 55
    assert pages[1].elements[0].line == 1  # no blank line at the top of a page
    assert [p.number for p in pages] == [1, 2]


def test_long_action_wraps_at_six_inches_of_courier():
    placed = lining.paginate(elements(("action", "word " * 30)))[0].elements[0]
    assert [len(line) <= 60 for line in placed.wrapped] == [True, True, True]  # 150 characters → 3 lines
    dialogue = lining.paginate(elements(("character", "MARA"), ("dialogue", "word " * 14)))[0].elements[1]
    assert len(dialogue.wrapped) == 2 and all(len(line) <= 35 for line in dialogue.wrapped)


def test_a_heading_or_a_cue_never_ends_a_page_and_a_speech_moves_over_whole():
    filler = [("action", f"Beat {i}.") for i in range(26)]  # 1 + 25*2 = 51 lines
    pages = lining.paginate(elements(*filler, ("heading", "INT. KITCHEN - NIGHT"), ("action", "Line one\nline two\nline three")))
    assert pages[1].elements[0].index == 26  # the heading went over with its action
    pages = lining.paginate(elements(*filler, ("character", "MARA"), ("parenthetical", "(quietly)"), ("dialogue", "One.\nTwo.\nThree.")))
    assert [p.index for p in pages[1].elements] == [26, 27, 28]  # cue, parenthetical, dialogue together


def test_the_writers_page_breaks_are_kept_and_notes_are_not_printed():
    pages = lining.paginate(elements(("heading", "INT. A - DAY"), ("note", "cut this?"), ("action", "A."), ("page_break", ""), ("action", "B.")))
    assert [[p.index for p in page.elements] for page in pages] == [[0, 2], [4]]


def test_coverage_lines_take_lanes_side_by_side_and_run_over_the_page():
    pages = lining.paginate(elements(*[("action", f"Beat {i}.") for i in range(40)]))
    coverage = [lining.Coverage(1, "1A", 0, 39), lining.Coverage(2, "1B", 5, 10), lining.Coverage(3, "1C", 12, 14)]
    assert lining.lanes(coverage) == {1: 0, 2: 1, 3: 1}  # 1C reuses 1B's lane once 1B has ended
    segments = lining.segments(pages, coverage)
    master = [s for s in segments if s.shot == 1]
    assert [(s.page, s.starts, s.ends) for s in master] == [(1, True, False), (2, False, True)]
    assert master[0].top_line == 1 and master[0].bottom_line == 55
    assert {s.x_in for s in segments if s.shot in (2, 3)} == {lining.lane_x(1)} and lining.lane_x(1) > lining.lane_x(0)


def test_the_line_goes_wavy_where_the_speaker_is_off_camera():
    draft = elements(
        ("action", "Jonah walks."),
        ("character", "JONAH"),
        ("dialogue", "Gone."),
        ("character", "MARA"),
        ("parenthetical", "(softly)"),
        ("dialogue", "Then we wait."),
    )
    for index, element in enumerate(draft):
        element.character = {1: "JONAH", 2: "JONAH", 3: "MARA", 4: "MARA", 5: "MARA"}.get(index, "")
    indexed = [type("Row", (), {"index": i, "kind": e.kind, "character": e.character})() for i, e in enumerate(draft)]
    off = lining.off_camera(indexed, ["Jonah"])
    assert off == {3, 4, 5}  # Mara's cue, parenthetical and line: she is not in the shot
    pages = lining.paginate(draft)
    (segment,) = lining.segments(pages, [lining.Coverage(1, "2A", 0, 5, off_camera=off)])
    placed = lining.page_of(pages)
    assert segment.wavy == ((placed[3].line, placed[5].last_line),)  # one wavy stretch, cue to line
    assert lining.segments(pages, [lining.Coverage(1, "2A", 0, 5)])[0].wavy == ()


# --- Through the API ---------------------------------------------------------------------------------


@pytest.fixture
def script(project, director):
    job = scripts.start_import(project, SimpleUploadedFile("harbour.fountain", DRAFT.encode()), draft_name="First", revision_colour="white", actor=director)
    job = scripts.plan_import(job.pk, director)  # the worker's step, run here (a first draft is applied at once)
    assert job.status == "applied", job.error
    return Script.objects.get(project=project)


def element(script, kind, text_start):
    return ScriptElement.objects.filter(script=script, kind=kind, text__startswith=text_start).order_by("index").first()


def scenes(project):
    return list(Scene.objects.filter(project=project).order_by("rank", "id"))


def test_the_pages_read_lays_out_the_draft_with_scene_numbers(api, project, viewer, script):
    body = api(viewer).get(f"/api/scripts/{script.pk}/pages/").json()
    assert body["lines_per_page"] == 55 and body["title"] == "Harbour Light"
    first = body["pages"][0]["elements"]
    assert first[0]["kind"] == "heading" and first[0]["scene_number"] == "1" and first[0]["line"] == 1
    assert [e["kind"] for e in first[:5]] == ["heading", "action", "character", "parenthetical", "dialogue"]
    assert body["shots"] == [] and body["lines"] == []


def test_an_editor_lines_a_shot_and_the_room_and_board_hear_it(api, project, editor, viewer, script):
    scene = scenes(project)[0]
    shot = boards.create_shot(scene, {}, editor)
    first, last = element(script, "character", "MARA"), element(script, "dialogue", "I am back")
    before = Change.objects.filter(project=project).count()
    response = api(editor).put(f"/api/shots/{shot.pk}/script-lines/", {"first": first.pk, "last": last.pk}, format="json")
    assert response.status_code == 200, response.content
    assert response.json() == {
        "script": script.pk,
        "first": first.pk,
        "last": last.pk,
        "first_index": first.index,
        "last_index": last.index,
        "page": 1,
        "lines": 5,
    }
    change = Change.objects.filter(project=project).order_by("-seq").first()
    assert Change.objects.filter(project=project).count() == before + 1
    assert (change.entity, change.action, change.entity_id) == ("shot", "update", shot.pk)
    assert change.data["fields"]["script_lines"]["first"] == first.pk
    # The board read carries it (so the shot list shows "p.1 · 5 lines"), and so does the pages read.
    board = api(viewer).get(f"/api/projects/{project.pk}/board/").json()
    assert board["scenes"][0]["shots"][0]["script_lines"]["lines"] == 5
    lined = api(viewer).get(f"/api/scripts/{script.pk}/pages/").json()
    assert lined["shots"][0]["number"] == shot.number
    assert [(s["number"], s["page"], s["starts"], s["ends"]) for s in lined["lines"]] == [(shot.number, 1, True, True)]
    # The shot shows nobody yet: everyone who speaks in it is off camera, and the line is wavy there.
    placed = {e["index"]: e for page in lined["pages"] for e in page["elements"]}
    assert lined["lines"][0]["wavy"] == [[placed[first.index]["line"], placed[last.index]["line"]]]

    response = api(editor).delete(f"/api/shots/{shot.pk}/script-lines/")
    assert response.status_code == 204
    assert not ShotLines.objects.exists()
    assert Change.objects.filter(project=project).order_by("-seq").first().data["fields"] == {"script_lines": None}


def test_new_shot_from_lines_is_made_like_any_shot_and_recorded(api, project, director, script):
    scene = scenes(project)[1]
    first, last = element(script, "action", "JONAH walks"), element(script, "dialogue", "The boat")
    response = api(director).post(f"/api/scripts/{script.pk}/new-shot/", {"first": first.pk, "last": last.pk}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    shot = Shot.objects.get(pk=body["id"])
    assert shot.scene_id == scene.pk and shot.number == "2A"
    assert "LANTERN" in shot.description and shot.dialogue == "JONAH: The boat is gone."
    assert [c.name for c in shot.characters.all()] == ["JONAH"]
    assert body["script_lines"]["first"] == first.pk and body["script_lines"]["last"] == last.pk
    changes = list(Change.objects.filter(project=project, entity="shot", entity_id=shot.pk).order_by("seq"))
    assert [c.action for c in changes] == ["create", "update"]
    assert changes[-1].data["fields"]["script_lines"]["page"] == 1


def test_a_viewer_reads_but_may_not_line_and_another_production_gets_404(api, project, director, viewer, outsider, other_project, script):
    shot = boards.create_shot(scenes(project)[0], {}, director)
    first = element(script, "action", "MARA fills")
    assert api(viewer).get(f"/api/scripts/{script.pk}/pages/").status_code == 200
    assert api(viewer).get(f"/api/scripts/{script.pk}/lined-pdf/").status_code == 200
    assert api(viewer).put(f"/api/shots/{shot.pk}/script-lines/", {"first": first.pk, "last": first.pk}, format="json").status_code == 403
    assert api(viewer).post(f"/api/scripts/{script.pk}/new-shot/", {"first": first.pk, "last": first.pk}, format="json").status_code == 403
    assert api(outsider).get(f"/api/scripts/{script.pk}/pages/").status_code == 404
    assert api(outsider).get(f"/api/scripts/{script.pk}/lined-pdf/").status_code == 404
    assert api(outsider).put(f"/api/shots/{shot.pk}/script-lines/", {"first": first.pk, "last": first.pk}, format="json").status_code == 404
    assert api(outsider).post(f"/api/scripts/{script.pk}/new-shot/", {"first": first.pk, "last": first.pk}, format="json").status_code == 404
    # Lines of another production's draft are "no such line" for this one.
    job = scripts.start_import(
        other_project,
        SimpleUploadedFile("other.fountain", b"INT. ELSEWHERE - DAY\n\nSomething else.\n"),
        draft_name="",
        revision_colour="white",
        actor=outsider,
    )
    scripts.plan_import(job.pk, outsider)
    foreign = ScriptElement.objects.get(script__project=other_project, kind="action")
    response = api(project.memberships.get(role="editor").user).put(
        f"/api/shots/{shot.pk}/script-lines/", {"first": foreign.pk, "last": foreign.pk}, format="json"
    )
    assert response.status_code == 400 and "first" in response.json()


@pytest.mark.parametrize("case", ["reversed", "other-scene", "across-scenes", "unknown", "not-an-id", "before-first-heading", "other-draft-in-path"])
def test_bad_ranges_are_a_400_naming_the_field(api, project, editor, script, case):
    kitchen, harbour = scenes(project)
    shot = boards.create_shot(kitchen, {}, editor)
    action = element(script, "action", "MARA fills")
    back = element(script, "dialogue", "I am back")
    harbour_action = element(script, "action", "JONAH walks")
    url, body = f"/api/shots/{shot.pk}/script-lines/", None
    if case == "reversed":
        body, field = {"first": back.pk, "last": action.pk}, "last"
    elif case == "other-scene":
        body, field = {"first": harbour_action.pk, "last": harbour_action.pk}, "first"
    elif case == "across-scenes":
        body, field = {"first": action.pk, "last": harbour_action.pk}, "last"
    elif case == "unknown":
        body, field = {"first": action.pk, "last": 999999}, "last"
    elif case == "not-an-id":
        body, field = {"first": "12a", "last": action.pk}, "first"
    elif case == "before-first-heading":
        # A draft whose first paragraph comes before any heading (a cold open's text) belongs to no scene.
        draft = Script.objects.create(project=project, file=script.file, sha256=script.sha256, format="fountain")
        opening = ScriptElement.objects.create(script=draft, index=0, kind="action", text="A cold open.")
        body, field = {"first": opening.pk, "last": opening.pk}, "first"
    else:
        url, body, field = f"/api/scripts/{script.pk}/new-shot/", {"first": 999999, "last": action.pk}, "first"
    response = api(editor).put(url, body, format="json") if "script-lines" in url else api(editor).post(url, body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not ShotLines.objects.exists()
    assert Shot.objects.filter(project=project).count() == 1  # no shot made half-way


# --- The PDF -----------------------------------------------------------------------------------------


def test_the_lined_pdf_has_vector_text_and_the_shot_numbers(api, project, director, viewer, script):
    from pypdf import PdfReader

    scene = scenes(project)[0]
    master = boards.create_shot(scene, {}, director)
    api(director).put(
        f"/api/shots/{master.pk}/script-lines/",
        {"first": element(script, "action", "MARA fills").pk, "last": element(script, "dialogue", "I am back").pk},
        format="json",
    )
    api(director).post(
        f"/api/scripts/{script.pk}/new-shot/",
        {"first": element(script, "dialogue", "He should").pk, "last": element(script, "dialogue", "He should").pk},
        format="json",
    )
    response = api(viewer).get(f"/api/scripts/{script.pk}/lined-pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = reader.pages[0].extract_text()
    assert "INT. LIGHTHOUSE KITCHEN - NIGHT" in text and "He should be back by now." in text
    assert "1A" in text and "1B" in text  # each shot's line is labelled with its number
    assert "/Font" in str(reader.pages[0]["/Resources"])  # text drawn with a font, not a picture of text


def test_the_pdf_writer_is_pure_and_numbers_later_pages():
    from pypdf import PdfReader

    pages = lining.paginate(elements(*[("action", f"Beat {i}.") for i in range(40)]))
    document = {
        "title": "Test",
        "subtitle": "White draft",
        "pages": [
            {"number": p.number, "elements": [{"kind": "action", "line": e.line, "wrapped": list(e.wrapped), "scene_number": ""} for e in p.elements]}
            for p in pages
        ],
        "segments": [vars(s) for s in lining.segments(pages, [lining.Coverage(7, "3C", 0, 39)])],
    }
    reader = PdfReader(io.BytesIO(lined_script_pdf(document)))
    assert len(reader.pages) == 2
    assert "Beat 39." in reader.pages[1].extract_text() and "2." in reader.pages[1].extract_text()
    assert "3C" in reader.pages[0].extract_text()


def test_a_revised_draft_keeps_the_lining_and_follows_rewritten_lines(api, project, director, viewer, script):
    kitchen, harbour = scenes(project)
    master = boards.create_shot(kitchen, {}, director)
    walk = boards.create_shot(harbour, {}, director)
    assert (
        api(director)
        .put(
            f"/api/shots/{master.pk}/script-lines/",
            {"first": element(script, "action", "MARA fills").pk, "last": element(script, "dialogue", "I am back").pk},
            format="json",
        )
        .status_code
        == 200
    )
    assert (
        api(director)
        .put(
            f"/api/shots/{walk.pk}/script-lines/",
            {"first": element(script, "action", "JONAH walks").pk, "last": element(script, "dialogue", "The boat").pk},
            format="json",
        )
        .status_code
        == 200
    )

    # The blue pages: a line before the kitchen scene's action, and Jonah's line rewritten.
    blue = DRAFT.replace("MARA fills the KETTLE.", "Rain on the glass.\n\nMARA fills the KETTLE.").replace(
        "The boat is gone.", "The boat is gone. Nobody saw it go."
    )
    job = scripts.start_import(project, SimpleUploadedFile("harbour-blue.fountain", blue.encode()), draft_name="Blue", revision_colour="blue", actor=director)
    job = scripts.plan_import(job.pk, director)
    assert job.status == "planned", job.error
    scripts.request_apply(job, director)
    job = scripts.apply_import(job.pk, director)
    assert job.status == "applied", job.error
    new = Script.objects.exclude(pk=script.pk).get(project=project)

    lines = {row.shot_id: row for row in ShotLines.objects.select_related("first", "last")}
    assert {row.script_id for row in lines.values()} == {new.pk}
    assert lines[master.pk].first.text.startswith("MARA fills") and lines[master.pk].last.text == "I am back."
    assert lines[walk.pk].first.text.startswith("JONAH walks") and lines[walk.pk].last.text == "The boat is gone. Nobody saw it go."
    # Everyone hears it: the shots' new lines are changes of the shots, and the new draft's pages show both.
    assert Change.objects.filter(project=project, entity="shot", entity_id=walk.pk, data__fields__script_lines__script=new.pk).exists()
    lined = api(viewer).get(f"/api/scripts/{new.pk}/pages/").json()
    assert sorted(s["shot"] for s in lined["shots"]) == sorted([master.pk, walk.pk])
