"""The editor's cut back on the board: our timeline is exported over HTTP (made by the worker),
edited with OpenTimelineIO as an editor would (reordered, retimed, a shot dropped), written as
OTIO, EDL or FCP 7 XML and imported: the preview says what applying does, and applying does it
through the board services (logged for the room), deleting nothing."""

import io

import opentimelineio as otio
import pytest

from apps.boards import services
from apps.boards.models import Shot
from apps.changes.models import Change
from tests.test_editorial import download, make_export, quiet_exports_after  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("quiet_exports_after")]


@pytest.fixture
def scene(project, owner):
    one = services.create_scene(project, {"number": "1"}, owner)
    for number, seconds in (("1A", 2), ("1B", 3), ("1C", 1.5), ("1D", 2)):
        services.create_shot(one, {"number": number, "duration_s": seconds}, owner)
    services.create_shot(services.create_scene(project, {"number": "2"}, owner), {"number": "2A", "duration_s": 1}, owner)
    return one


def edited_cut(data, rate=None):
    """The exported timeline as an editor leaves it: 1C moved first, 1A trimmed to 36 frames,
    1B taken out; optionally re-timed to another rate (same frame counts)."""
    timeline = otio.adapters.read_from_string(data.decode(), "otio_json")
    track = timeline.tracks[0]
    clips = {clip.metadata["previs"]["number"]: clip for clip in track}
    a, c, d = clips["1A"], clips["1C"], clips["1D"]
    a.source_range = otio.opentime.TimeRange(a.source_range.start_time, otio.opentime.RationalTime(36, 24))
    track[:] = []
    for clip in (c.deepcopy(), a.deepcopy(), d.deepcopy()):
        if rate:
            clip.source_range = otio.opentime.TimeRange(otio.opentime.RationalTime(0, rate), otio.opentime.RationalTime(clip.source_range.duration.value, rate))
            clip.media_reference.available_range = clip.source_range
        track.append(clip)
    if rate:
        timeline.global_start_time = otio.opentime.RationalTime(rate * 3600, rate)
    return timeline


def post_cut(api, user, project, scene, data, name, apply=False):
    file = io.BytesIO(data)
    file.name = name
    return api(user).post("/api/cuts/import/", {"project": project.pk, "scene": scene.pk, "file": file, "apply": apply}, format="multipart")


def order(scene):
    return list(Shot.objects.filter(scene=scene).order_by("rank", "id").values_list("number", flat=True))


@pytest.mark.parametrize("fmt,adapter,name", [("otio", "otio_json", "cut.otio"), ("edl", "cmx_3600", "cut.edl"), ("fcp_xml", "fcp_xml", "cut.xml")])
def test_an_edited_cut_previews_then_applies_its_order_and_lengths(api, director, project, scene, render_worker, fmt, adapter, name):
    exported = download(api, director, make_export(api, director, project, "otio", scene=scene.pk))
    cut = otio.adapters.write_to_string(edited_cut(exported), adapter).encode()
    before = Change.objects.filter(project=project).count()
    last_seq = Change.objects.filter(project=project).order_by("-seq").values_list("seq", flat=True).first()
    preview = post_cut(api, director, project, scene, cut, name)
    assert preview.status_code == 200, preview.content
    body = preview.json()
    assert body["applied"] is False and body["format"] == fmt and body["converted"] is False and body["unmatched"] == []
    [planned] = body["scenes"]
    assert [(s["number"], s["position"], s["was_position"]) for s in planned["shots"]] == [("1C", 1, 3), ("1A", 2, 1), ("1D", 3, 4)]
    assert [s["to_duration_s"] for s in planned["shots"]] == [1.5, 1.5, 2.0] and planned["shots"][1]["from_duration_s"] == 2
    assert [s["number"] for s in planned["dropped"]] == ["1B"]
    assert Change.objects.filter(project=project).count() == before and order(scene) == ["1A", "1B", "1C", "1D"]

    applied = post_cut(api, director, project, scene, cut, name, apply=True)
    assert applied.status_code == 200 and applied.json()["applied"] is True
    assert order(scene) == ["1C", "1A", "1D", "1B"]  # nothing deleted: the dropped shot waits at the end
    shots = {shot.number: shot for shot in Shot.objects.filter(scene=scene)}
    assert shots["1A"].duration_s == 1.5 and shots["1C"].duration_s == 1.5 and shots["1B"].duration_s == 3
    assert shots["1B"].not_in_cut and not shots["1A"].not_in_cut
    # Two moves (1C to the front, 1D after 1A) and two edits (1A's length, 1B marked), each
    # logged for the room as the director's.
    logged = Change.objects.filter(project=project, seq__gt=last_seq).order_by("seq")
    number = {shot.pk: shot.number for shot in Shot.objects.filter(scene=scene)}
    assert sorted((c.action, c.entity, number[c.entity_id]) for c in logged) == [
        ("move", "shot", "1C"),
        ("move", "shot", "1D"),
        ("update", "shot", "1A"),
        ("update", "shot", "1B"),
    ]
    assert {c.actor_id for c in logged} == {director.pk}
    # Applying the same cut again changes nothing more.
    count = Change.objects.filter(project=project).count()
    assert post_cut(api, director, project, scene, cut, name, apply=True).status_code == 200
    assert Change.objects.filter(project=project).count() == count


def test_a_cut_at_another_rate_is_converted_and_the_preview_says_so(api, director, project, scene, render_worker):
    exported = download(api, director, make_export(api, director, project, "otio", scene=scene.pk))
    cut = otio.adapters.write_to_string(edited_cut(exported, rate=25), "fcp_xml").encode()
    body = post_cut(api, director, project, scene, cut, "cut.xml").json()
    assert body["converted"] is True and "25 fps" in body["note"] and "24 fps" in body["note"]
    # 36 frames at 25 fps are 34.56 frames at 24: 35 frames.
    assert [(s["number"], s["frames"]) for s in body["scenes"][0]["shots"]] == [("1C", 35), ("1A", 35), ("1D", 46)]


def test_clips_matched_by_name_and_reel_and_unmatched_ones_listed(api, director, project, scene):
    rate = 24
    track = otio.schema.Track(kind=otio.schema.TrackKind.Video)
    for name, reel, frames in (("sc001_sh001D_v002", "", 24), ("B-roll gulls", "GULLS", 12), ("1B", "", 48)):
        clip = otio.schema.Clip(name=name, source_range=otio.opentime.TimeRange(otio.opentime.RationalTime(0, rate), otio.opentime.RationalTime(frames, rate)))
        if reel:
            clip.metadata["cmx_3600"] = {"reel": reel}
        track.append(clip)
    timeline = otio.schema.Timeline()
    timeline.tracks.append(track)
    body = post_cut(api, director, project, scene, otio.adapters.write_to_string(timeline, "otio_json").encode(), "cut.otio").json()
    assert [s["number"] for s in body["scenes"][0]["shots"]] == ["1D", "1B"]
    assert body["unmatched"] == [{"index": 2, "name": "B-roll gulls", "reel": "GULLS"}]
    assert [s["number"] for s in body["scenes"][0]["dropped"]] == ["1A", "1C"]


def test_bad_cuts_are_400s_naming_the_problem(api, director, viewer, outsider, project, scene):
    response = post_cut(api, director, project, scene, b'{"OTIO_SCHEMA": "Timeline.1", "tracks": ', "cut.otio")
    assert response.status_code == 400 and "cut.otio is not an OpenTimelineIO timeline" in response.json()["file"][0]
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]><xmeml>&b;</xmeml>'
    response = post_cut(api, director, project, scene, bomb, "cut.xml")
    assert response.status_code == 400 and "entities" in response.json()["file"][0]
    response = post_cut(api, director, project, scene, b"<xmeml><sequence>", "cut.xml")
    assert response.status_code == 400 and "not well-formed XML" in response.json()["file"][0]
    response = post_cut(api, director, project, scene, b"TITLE: nothing\n\n001  X  V  C  garbage\n", "cut.edl")
    assert response.status_code == 400 and "cut.edl" in response.json()["file"][0]
    response = post_cut(api, director, project, scene, b"\xff\xfe\x00", "cut.edl")
    assert response.status_code == 400 and "not text" in response.json()["file"][0]
    clip = otio.schema.Clip(name="somebody else's", source_range=otio.opentime.TimeRange(otio.opentime.RationalTime(0, 24), otio.opentime.RationalTime(10, 24)))
    foreign = otio.schema.Timeline()
    foreign.tracks.append(otio.schema.Track(children=[clip]))
    response = post_cut(api, director, project, scene, otio.adapters.write_to_string(foreign, "otio_json").encode(), "cut.otio")
    assert response.status_code == 400 and "No clip in the cut matches a shot of scene 1" in response.json()["file"][0]
    assert post_cut(api, viewer, project, scene, b"{}", "cut.otio").status_code == 403
    assert post_cut(api, outsider, project, scene, b"{}", "cut.otio").status_code == 404
