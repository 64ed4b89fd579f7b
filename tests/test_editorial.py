"""Exports and shot-list imports through the real interfaces: HTTP asks for the export, the Celery
worker (solo pool, the export queue) makes it, the document is downloaded through the asset
path and read back with pypdf, OpenTimelineIO or csv."""

import csv
import io
import math

import opentimelineio as otio
import pytest
from PIL import Image
from pypdf import PdfReader

from apps.boards import services
from apps.boards.models import Shot
from apps.changes.models import Change
from apps.editorial.models import Export
from tests.conftest import wait_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("quiet_exports_after")]


@pytest.fixture
def quiet_exports_after():
    yield
    try:
        wait_until(lambda: not Export.objects.filter(status__in=[Export.QUEUED, Export.RUNNING]).exists(), timeout=60)
    except AssertionError:
        pass


def png(width, height, colour):
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def board(project, owner, api):
    """Scene 1 with shots 1A (two panels with pictures, dialogue) and 1B (one panel); scene 2
    with shot 2A; the cast MAYA and JONAS; a location."""
    maya = services.create_character(project, {"name": "MAYA"}, owner)
    services.create_character(project, {"name": "JONAS"}, owner)
    services.create_location(project, {"name": "Harbour wall"}, owner)
    one = services.create_scene(project, {"number": "1"}, owner)
    two = services.create_scene(project, {"number": "2"}, owner)
    shots = [
        services.create_shot(
            one,
            {
                "number": "1A",
                "shot_size": "CU",
                "lens_mm": 85,
                "dialogue": "Don’t go — not tonight.",
                "description": "Maya grips the rail.",
                "characters": [maya],
                "duration_s": 2.5,
            },
            owner,
        ),
        services.create_shot(one, {"number": "1B", "shot_size": "WS", "description": "The boat leaves.", "duration_s": 4}, owner),
        services.create_shot(two, {"number": "2A", "description": "Dawn over the water.", "notes": "=not a formula", "duration_s": 3}, owner),
    ]
    for shot, count in zip(shots, (2, 1, 1)):
        for n in range(count):
            panel = services.create_panel(shot, {"caption": f"{shot.number} panel {n + 1}", "duration_s": 1.25}, owner)
            services.set_panel_upload(panel, png(2400, 1004, (40 * n + 60, 90, 120)), owner, None)
    return {"scenes": (one, two), "shots": shots}


def make_export(api, user, project, kind, **extra):
    response = api(user).post("/api/exports/", {"project": project.pk, "kind": kind, **extra}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    if body["status"] != "succeeded":
        wait_until(lambda: Export.objects.get(pk=body["id"]).status in Export.FINISHED, timeout=60)
        body = api(user).get(f"/api/exports/{body['id']}/").json()
    assert body["status"] == "succeeded", body["error"]
    return body


def download(api, user, body):
    url = body["output"]["url"]
    if url.startswith("/"):
        response = api(user).get(url)
        assert response.status_code == 200
        return b"".join(response.streaming_content) if hasattr(response, "streaming_content") else response.content
    import urllib.request

    with urllib.request.urlopen(url) as response:  # a presigned bucket URL
        return response.read()


def pdf_text(data):
    reader = PdfReader(io.BytesIO(data))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


@pytest.mark.parametrize(
    "layout,orientation,paper", [(1, "portrait", "a4"), (2, "landscape", "letter"), (3, "portrait", "letter"), (6, "portrait", "a4"), (9, "landscape", "a4")]
)
def test_storyboards_pdf_has_every_panel_with_its_words_on_the_right_number_of_pages(api, viewer, project, board, render_worker, layout, orientation, paper):
    body = make_export(api, viewer, project, "boards_pdf", parameters={"layout": layout, "orientation": orientation, "paper": paper})
    assert body["filename"] == "harbour-light_film_storyboards.pdf" and body["created_by_name"] == "viewer"
    data = download(api, viewer, body)
    reader, text = pdf_text(data)
    assert len(reader.pages) == math.ceil(4 / layout)  # four panels
    for words in (
        "1A",
        "1B",
        "2A",
        "Don’t go — not tonight.",
        "Close-Up",
        "85 mm",
        "Maya grips the rail",
        "Harbour Light",
        "Storyboards",
        f"Page 1 of {len(reader.pages)}",
    ):
        assert words in text.replace("\n", " "), words
    width_mm = reader.pages[0].mediabox.width / 72 * 25.4
    assert (width_mm > 250) == (orientation == "landscape")
    # Pictures are embedded at print resolution (200 dpi of their box), not at the upload's 2400 px.
    for page in reader.pages:
        for image in page.images:
            assert image.image.width <= width_mm / 25.4 * 200


def test_an_identical_export_reuses_the_document_and_a_changed_board_makes_a_new_one(api, editor, media_backend, project, board, render_worker):
    first = make_export(api, editor, project, "boards_pdf")
    second = api(editor).post("/api/exports/", {"project": project.pk, "kind": "boards_pdf"}, format="json").json()
    assert second["status"] == "succeeded" and second["reused_from"] == first["id"]
    assert second["output"]["sha256"] == first["output"]["sha256"]
    assert download(api, editor, second)[:5] == b"%PDF-"
    api(editor).patch(f"/api/shots/{board['shots'][0].pk}/", {"dialogue": "Stay."}, format="json")
    third = make_export(api, editor, project, "boards_pdf")
    assert third["reused_from"] is None and "Stay." in pdf_text(download(api, editor, third))[1]
    listed = api(editor).get(f"/api/exports/?project={project.pk}").json()
    assert [e["id"] for e in listed] == [third["id"], second["id"], first["id"]]


def test_export_status_reaches_the_room_log(api, editor, project, board, render_worker):
    body = make_export(api, editor, project, "shot_list_csv")
    statuses = [c.data["status"] for c in Change.objects.filter(project=project, entity="export", entity_id=body["id"]).order_by("seq")]
    assert statuses == ["queued", "running", "succeeded"]


def test_shot_list_pdf_groups_by_scene_with_totals(api, viewer, project, board, render_worker):
    _, text = pdf_text(download(api, viewer, make_export(api, viewer, project, "shot_list_pdf")))
    flat = text.replace("\n", " ")
    assert "Scene 1" in flat and "Scene 2" in flat
    assert "Scene 1: 2 shots, 0:06 screen time" in flat  # 2.5 s + 4 s
    assert "Total: 2 scenes, 3 shots, 0:10 screen time" in flat


def test_a_scene_export_and_bad_requests(api, viewer, outsider, project, other_project, board, owner, render_worker):
    one, _ = board["scenes"]
    body = make_export(api, viewer, project, "shot_list_csv", scene=one.pk)
    rows = list(csv.reader(io.StringIO(download(api, viewer, body).decode("utf-8-sig"))))
    assert [row[2] for row in rows[1:]] == ["1A", "1B"] and body["filename"] == "harbour-light_sc1_shot-list.csv"
    empty = services.create_scene(project, {"number": "3"}, owner)
    response = api(viewer).post("/api/exports/", {"project": project.pk, "kind": "boards_pdf", "scene": empty.pk}, format="json")
    assert response.status_code == 400 and "Scene 3 has no shots" in response.json()["scene"][0]
    foreign = services.create_scene(other_project, {}, outsider)
    response = api(viewer).post("/api/exports/", {"project": project.pk, "kind": "boards_pdf", "scene": foreign.pk}, format="json")
    assert response.status_code == 400 and "scene" in response.json()
    response = api(viewer).post("/api/exports/", {"project": project.pk, "kind": "boards_pdf", "parameters": {"layout": 4}}, format="json")
    assert response.status_code == 400 and "layout" in response.json()["parameters"]
    assert api(outsider).post("/api/exports/", {"project": project.pk, "kind": "boards_pdf"}, format="json").status_code == 404
    assert api(outsider).get(f"/api/exports/{body['id']}/").status_code == 404
    assert api(outsider).get(f"/api/assets/{body['output']['id']}/content/").status_code == 404


# --- Shot list CSV: out and back in ----------------------------------------------------------------


def upload(api, user, project, data, apply=False):
    return api(user).post("/api/shot-list/import/", {"project": project.pk, "file": io.BytesIO(data), "apply": apply}, format="multipart")


def test_shot_list_csv_is_spreadsheet_friendly_and_reads_back_unchanged(api, editor, project, board, render_worker):
    data = download(api, editor, make_export(api, editor, project, "shot_list_csv"))
    assert data.startswith("\ufeff".encode()) and b"\r\n" in data
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert [(r["Scene"], r["Shot"]) for r in rows] == [("1", "1A"), ("1", "1B"), ("2", "2A")]
    assert rows[0]["Size"] == "Close-Up" and rows[0]["Lens (mm)"] == "85" and rows[0]["Characters"] == "MAYA" and rows[0]["Panels"] == "2"
    assert rows[2]["Notes"] == "'=not a formula"  # a spreadsheet shows it as text, not a formula
    response = upload(api, editor, project, data, apply=True)
    assert response.status_code == 200, response.content
    assert [r["action"] for r in response.json()["rows"]] == ["unchanged"] * 3
    assert Shot.objects.get(number="2A").notes == "=not a formula"


def edited(data, change):
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    change(rows)
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def test_importing_an_edited_shot_list_previews_then_applies_through_the_shot_services(api, editor, director, project, board, render_worker):
    data = download(api, editor, make_export(api, editor, project, "shot_list_csv"))
    header = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))[0]

    def change(rows):
        rows[1][header.index("Lens (mm)")] = "50"
        rows[1][header.index("Characters")] = "maya; Jonas"
        rows.append(["2", "", "2B", "Insert", "", "High", "", "", "", "", "", "", "1.5", "", "Harbour wall", "The rope slips.", "", "", "", "Ready", ""])
        rows.append(["4", "", "4A", "Wide", "", "", "", "", "", "", "", "", "", "", "", "A new scene.", "", "", "", "", ""])

    new = edited(data, change)
    changes_before = Change.objects.filter(project=project).count()
    preview = upload(api, director, project, new)
    assert preview.status_code == 200, preview.content
    rows = {r["shot"]: r for r in preview.json()["rows"]}
    assert preview.json()["applied"] is False
    assert rows["1A"]["action"] == "update" and set(rows["1A"]["changes"]) == {"lens_mm", "characters"}
    assert rows["1A"]["changes"]["lens_mm"] == {"from": 85.0, "to": 50.0}
    assert rows["2B"]["action"] == "create" and rows["4A"]["new_scene"] is True
    assert Change.objects.filter(project=project).count() == changes_before  # a preview writes nothing
    assert Shot.objects.get(number="1A").lens_mm == 85

    applied = upload(api, director, project, new, apply=True)
    assert applied.status_code == 200 and applied.json()["applied"] is True
    shot = Shot.objects.get(number="1A")
    assert shot.lens_mm == 50 and sorted(c.name for c in shot.characters.all()) == ["JONAS", "MAYA"]
    assert shot.camera_spec["camera"]["lens_mm"] == 50  # the shot service's camera re-layout ran
    added = Shot.objects.get(number="2B")
    assert (added.shot_size, added.angle, added.status, added.location.name, added.duration_s) == ("INSERT", "high", "ready", "Harbour wall", 1.5)
    assert Shot.objects.get(number="4A").scene.number == "4"
    logged = Change.objects.filter(project=project, seq__gt=0).order_by("-seq")[:4]
    assert {(c.entity, c.action) for c in logged} >= {("shot", "update"), ("shot", "create"), ("scene", "create")}


def test_a_bad_shot_list_names_its_lines_and_writes_nothing(api, editor, viewer, outsider, project, board, render_worker):
    data = download(api, editor, make_export(api, editor, project, "shot_list_csv"))
    header = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))[0]

    def change(rows):
        rows[1][header.index("Lens (mm)")] = "50"  # a good row before the bad ones
        rows[2][header.index("Lens (mm)")] = "wide"
        rows[3][header.index("Size")] = "Medium-ish"
        rows.append(["1", "", "1C", "", "", "", "", "", "", "", "", "", "9000", "GHOST", "", "", "", "", "", "", ""])

    bad = edited(data, change)
    response = upload(api, editor, project, bad, apply=True)
    assert response.status_code == 400
    errors = response.json()["file"]
    assert any(e.startswith('Line 3, Lens (mm): "wide" is not a number') for e in errors), errors
    assert any(e.startswith('Line 4, Size: "Medium-ish" is not one of') for e in errors), errors
    assert any(e.startswith("Line 5, Characters: no GHOST") for e in errors), errors
    assert Shot.objects.get(number="1A").lens_mm == 85 and not Shot.objects.filter(number="1C").exists()

    too_long = edited(data, lambda rows: rows[2].__setitem__(header.index("Duration (s)"), "9000"))
    response = upload(api, editor, project, too_long)
    assert response.status_code == 400 and response.json()["file"][0].startswith("Line 3, Duration (s):")
    for nonsense, message in ((b"", "empty"), (b"\xff\xfe\x00bad", "UTF-8"), (b"Scene,Shoot\n1,1A\n", "unknown column")):
        response = upload(api, editor, project, nonsense)
        assert response.status_code == 400 and message in " ".join(response.json()["file"]), response.content
    assert upload(api, viewer, project, data).status_code == 403
    assert upload(api, outsider, project, data).status_code == 404


# --- The editor's timeline ----------------------------------------------------------------------


def test_timeline_exports_read_back_with_clips_durations_record_timecodes_and_markers(api, editor, project, board, render_worker):
    from apps.review.models import Comment

    first = board["shots"][0]
    Comment.objects.create(project=project, shot=first, body="Too dark", frame=12, author=editor, author_name="editor")
    Comment.objects.create(project=project, shot=first, body="Fixed", frame=30, author=editor, author_name="editor", resolved=True)
    durations = [60, 96, 72]  # 2.5 s, 4 s, 3 s at 24 fps

    timeline = otio.adapters.read_from_string(download(api, editor, make_export(api, editor, project, "otio")).decode(), "otio_json")
    clips = list(timeline.find_clips())
    assert [c.name for c in clips] == ["sc001_sh001A_p01", "sc001_sh001B_p01", "sc002_sh002A_p01"]
    assert [c.duration().value for c in clips] == durations
    assert clips[0].metadata["previs"]["dialogue"] == "Don’t go — not tonight." and clips[0].metadata["previs"]["scene"] == "1"
    assert [(m.name, m.marked_range.start_time.value, m.color) for m in clips[0].markers] == [("Too dark", 12, "RED"), ("Fixed", 30, "GREEN")]
    assert timeline.global_start_time.to_timecode() == "01:00:00:00"

    edl = download(api, editor, make_export(api, editor, project, "edl")).decode()
    cut = otio.adapters.read_from_string(edl, "cmx_3600", rate=24)
    clips = list(cut.find_clips())
    assert len(clips) == 3 and [c.duration().value for c in clips] == durations
    # The reader keeps the record start as the track's offset (its source range starts at minus it).
    start = -cut.tracks[0].source_range.start_time
    records = [otio.opentime.to_timecode(c.range_in_parent().start_time + start, 24) for c in clips]
    assert records == ["01:00:00:00", "01:00:02:12", "01:00:06:12"]
    assert [m.name for m in clips[0].markers] == ["TOO DARK", "FIXED"]

    xml = download(api, editor, make_export(api, editor, project, "fcp_xml")).decode()
    sequence = otio.adapters.read_from_string(xml, "fcp_xml")
    clips = list(sequence.find_clips())
    assert [c.duration().value for c in clips] == durations and [m.name for m in clips[0].markers] == ["Too dark", "Fixed"]
    assert sequence.global_start_time.to_timecode() == "01:00:00:00"
