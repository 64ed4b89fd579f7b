"""The animatic's timing rule (previs/animatic.py) and its golden vectors for the browser."""

import pytest

from previs.animatic import build, duration_for_frames, item_at, shot_frames
from previs.timecode import frames_in
from tests import animatic_vectors


def test_vectors_file_matches_the_rule():
    assert animatic_vectors.PATH.read_text() == animatic_vectors.encoded(), (
        "frontend/src/animatic/timeline.vectors.json no longer matches previs/animatic.py: "
        "run .venv/bin/python -m tests.animatic_vectors and check the TypeScript twin with npm test"
    )


def board(*shots, fps="24"):
    return {"fps": fps, "scenes": [{"shots": list(shots)}]}


def test_each_panel_is_rounded_to_frames_on_its_own():
    # 0.52 s at 24 fps is 12.48 frames: three of them are 36 frames, not round(37.44) = 37.
    timeline = build(board({"duration_s": 9, "panels": [{"duration_s": 0.52}] * 3}))
    assert [(i["start"], i["length"]) for i in timeline["items"]] == [(0, 12), (12, 12), (24, 12)]
    assert timeline["length"] == 36  # the shot follows its panels, not its own 9 s


def test_a_locked_shot_holds_its_last_panel_or_cuts_the_panel_that_crosses_its_end():
    longer = build(board({"duration_s": 5, "duration_locked": True, "panels": [{"duration_s": 1}, {"duration_s": 1}]}))
    assert [(i["start"], i["length"]) for i in longer["items"]] == [(0, 24), (24, 96)]
    shorter = build(board({"duration_s": 1.5, "duration_locked": True, "panels": [{"duration_s": 1}] * 3}))
    assert [(i["panel"], i["start"], i["length"]) for i in shorter["items"]] == [(0, 0, 24), (1, 24, 12)]


def test_clips_mode_shows_the_clip_on_the_shots_frames():
    shots = [{"duration_s": 3, "clip": {"version": 2}, "panels": [{"duration_s": 1}, {"duration_s": 1.5}]}, {"duration_s": 2, "clip": None, "panels": []}]
    panels, clips = build(board(*shots), "panels"), build(board(*shots), "clips")
    assert panels["shots"] == clips["shots"]
    assert [(i["kind"], i["start"], i["length"]) for i in clips["items"]] == [("clip", 0, 60), ("shot", 60, 48)]
    with pytest.raises(ValueError):
        build(board(*shots), "frames")


def test_frame_lookup_and_whole_frame_durations():
    timeline = build(board({"duration_s": 1, "panels": [{"duration_s": 0.5}, {"duration_s": 0.5}]}))
    assert [item_at(timeline, f) for f in (-1, 0, 11, 12, 23, 24)] == [None, 0, 0, 1, 1, None]
    for fps in ("23.976", "29.97", "25", "59.94"):
        for frames in (1, 7, 48, 1799):
            assert frames_in(duration_for_frames(frames, fps), fps) == frames
    assert shot_frames({"duration_s": 2.0, "panels": []}, "24") == 48


def test_the_editors_timeline_cuts_each_shot_on_the_animatics_frames():
    # Three 0.52 s panels at 23.976 are 12 frames each (36), while the shot's 1.56 s alone would
    # round to 37: the timeline sent to the editor must take the animatic's 36, not its own sum.
    from workers.exports.timeline import SHOT_METADATA, build_timeline

    panels = [{"duration_s": 0.52, "image": None} for _ in range(3)]
    shot = {key: "" for key in SHOT_METADATA} | {"number": "1A", "duration_s": 1.56, "duration_locked": False, "panels": panels}
    locked = shot | {"number": "1B", "duration_locked": True}
    board = {"title": "Harbour", "project": {"fps": "23.976"}, "scenes": [{"number": "1", "heading": "EXT. JETTY - DAWN", "shots": [shot, locked]}]}
    timeline = build_timeline(board)  # held: a track read off a dropped timeline comes back empty
    cut = [clip.source_range.duration.value for clip in timeline.tracks[0]]
    animatic = build({"fps": "23.976", "scenes": [{"shots": [shot, locked]}]})
    assert cut == [span["length"] for span in animatic["shots"]] == [36, 37]
