"""Camera moves keyed over the shot, and the MP4 a review tool will scrub frame by frame."""

import io
import math
from fractions import Fraction

import av
import numpy as np
import pytest
from PIL import Image

from previs import camera as optics
from previs.move import camera_at
from previs.spec import body_landmarks, layout_for_shot, normalize_spec
from tests.renderers.helpers import horizontal_extent, object_mask, vertical_extent
from workers.renderers.blocking import render_frame
from workers.renderers.clip import RenderCancelled, render_clip

ANNA = {"id": "1", "name": "ANNA", "height_m": 1.8, "colour": "#ff0000"}
BEN = {"id": "2", "name": "BEN", "height_m": 1.75, "colour": "#3a7bd5"}


def shot(movement, size="MS", duration_s=1.0, fps=24.0, **kw):
    return layout_for_shot(
        shot_size=size,
        angle="eye",
        lens_mm=35,
        sensor="super35",
        aspect="1.78",
        fps=fps,
        duration_s=duration_s,
        movement=movement,
        characters=[ANNA, BEN],
        **kw,
    )


def decode(mp4):
    container = av.open(io.BytesIO(mp4))
    stream = container.streams.video[0]
    frames = [frame.to_ndarray(format="rgb24") for frame in container.decode(stream)]
    return container, stream, frames


def subject_rows(spec, t, width=320, height=180):
    """Rendered height in rows of the subject alone (the other character removed)."""
    solo = dict(spec, characters=[c for c in spec["characters"] if c["id"] == spec["subject_id"]], set_pieces=[])
    mask, _depth = object_mask(solo, width, height, t)
    return vertical_extent(mask)[2]


def test_clip_decodes_with_frame_count_rate_and_size():
    spec = shot("pan", duration_s=1.0)
    calls = []
    result = render_clip(spec, 320, 180, progress=lambda done, total: calls.append((done, total)))
    assert result.frame_count == 24 and result.fps == 24.0 and result.duration_s == pytest.approx(1.0)
    assert calls == [(i, 24) for i in range(1, 25)]
    container, stream, frames = decode(result.mp4)
    assert stream.codec_context.name == "h264" and stream.codec_context.pix_fmt == "yuv420p"
    assert stream.average_rate == 24
    assert len(frames) == 24 and frames[0].shape == (180, 320, 3)
    # Dense keyframes for frame-accurate scrubbing.
    container = av.open(io.BytesIO(result.mp4))
    keys = [packet.is_keyframe for packet in container.demux(container.streams.video[0]) if packet.size]
    assert keys[0] and keys[12] and sum(keys) >= 2
    # Poster is the first frame full size; thumbnail 320 wide.
    poster = Image.open(io.BytesIO(result.poster_png))
    assert poster.size == (320, 180)
    assert Image.open(io.BytesIO(result.thumbnail_png)).width == 320
    # The poster is what render_frame draws at t = 0.
    assert np.array_equal(np.asarray(poster), np.asarray(render_frame(spec, 320, 180).colour))


def test_ntsc_rate_is_exact_and_odd_sizes_are_made_even():
    spec = shot("static", duration_s=0.5, fps="23.976")
    result = render_clip(spec, 321, 181)
    assert result.fps_rational == Fraction(24000, 1001) and (result.width, result.height) == (320, 180)
    assert result.frame_count == 12
    _container, stream, frames = decode(result.mp4)
    assert stream.average_rate == Fraction(24000, 1001)
    assert len(frames) == 12 and frames[0].shape == (180, 320, 3)


def test_cancel_stops_the_render():
    checks = []

    def should_cancel():
        checks.append(1)
        return len(checks) > 3

    with pytest.raises(RenderCancelled):
        render_clip(shot("static"), 160, 90, should_cancel=should_cancel)
    assert len(checks) == 4


def test_dolly_in_subject_grows_frame_to_frame():
    spec = shot("dolly_in", size="WS", duration_s=1.0)  # the whole figure stays in frame to be measured
    sizes = [subject_rows(spec, t) for t in np.linspace(0, 1.0, 7)]
    assert all(b >= a for a, b in zip(sizes, sizes[1:])), sizes
    assert sizes[-1] > sizes[0] * 1.2
    # The same growth shows in the encoded movie: count the subject's red head pixels.
    result = render_clip(spec, 320, 180)
    _container, _stream, frames = decode(result.mp4)
    red = [int(((f[..., 0] > 150) & (f[..., 1] < 90) & (f[..., 2] < 90)).sum()) for f in frames]
    assert red[-1] > red[0] * 1.3


def test_dolly_zoom_holds_the_subject_while_the_background_changes():
    pole = {"name": "pole", "position": [0.0, 8.0], "size": [0.3, 0.3, 3.0]}
    spec = layout_for_shot(
        shot_size="MS",
        angle="eye",
        lens_mm=25,
        sensor="super35",
        aspect="1.78",
        fps=24.0,
        duration_s=1.0,
        movement="dolly_zoom",
        characters=[dict(ANNA, position=[0.0, 0.0], facing_deg=180.0)],
        set_pieces=[pole],
    )
    assert spec["move"]["end_lens_mm"] == 50
    start, end = camera_at(spec, 0.0), camera_at(spec, 1.0)
    assert end["lens_mm"] == pytest.approx(50) and end["position"][1] < start["position"][1] - 1  # dollied back
    first, last = subject_rows(spec, 0.0, 640, 360), subject_rows(spec, 1.0, 640, 360)
    assert abs(last - first) <= max(3, 0.03 * first), (first, last)

    def pole_width(t):
        only_pole = dict(spec, characters=[], subject_id=None)
        mask, _ = object_mask(only_pole, 640, 360, t)
        return horizontal_extent(mask)[2]

    # The background pole, 8 m behind the subject, looms larger as the lens lengthens.
    assert pole_width(1.0) > pole_width(0.0) * 1.3


def test_moves_do_what_their_names_say():
    for kind, check in (
        ("pan", lambda a, b: b["yaw_deg"] == pytest.approx(a["yaw_deg"] + 30)),
        ("tilt", lambda a, b: b["pitch_deg"] == pytest.approx(a["pitch_deg"] + 10)),
        ("pedestal", lambda a, b: b["position"][2] == pytest.approx(a["position"][2] + 0.5)),
        ("crane", lambda a, b: b["position"][2] == pytest.approx(a["position"][2] + 1.5) and b["pitch_deg"] < a["pitch_deg"]),
        ("zoom", lambda a, b: b["lens_mm"] == pytest.approx(2 * a["lens_mm"]) and b["position"] == a["position"]),
        ("static", lambda a, b: a == b),
        ("rack_focus", lambda a, b: a == b),
    ):
        spec = shot(kind)
        assert check(camera_at(spec, 0.0), camera_at(spec, spec["duration_s"])), kind
    # Truck moves along the camera's right, on the floor.
    spec = shot("truck")
    a, b = camera_at(spec, 0.0), camera_at(spec, 1.0)
    right = optics.bearing_vector(a["yaw_deg"] + 90)
    moved = np.subtract(b["position"], a["position"])
    assert moved[:2] @ right == pytest.approx(spec["move"]["distance_m"]) and moved[2] == pytest.approx(0)
    # Arc keeps its distance from the subject and keeps the subject in the middle of frame.
    spec = shot("arc", size="MS", framing="two_shot")
    subject = spec["characters"][0]
    eyes = (*subject["position"], body_landmarks(1.8)["eyes"])
    a, b = camera_at(spec, 0.0), camera_at(spec, 1.0)
    assert math.dist(a["position"][:2], eyes[:2]) == pytest.approx(math.dist(b["position"][:2], eyes[:2]))
    pa = optics.Camera.from_spec(a).project_point(eyes, 640, 360)
    pb = optics.Camera.from_spec(b).project_point(eyes, 640, 360)
    assert pa[0] == pytest.approx(pb[0], abs=1.0)
    # Eased: the move starts and ends slowly.
    spec = shot("pan")
    assert camera_at(spec, 0.05)["yaw_deg"] - camera_at(spec, 0.0)["yaw_deg"] < (camera_at(spec, 0.55)["yaw_deg"] - camera_at(spec, 0.5)["yaw_deg"]) / 3


def test_handheld_is_deterministic_shake():
    spec = shot("handheld", duration_s=2.0)
    a = [camera_at(spec, t) for t in (0.0, 0.5, 1.0)]
    assert a == [camera_at(spec, t) for t in (0.0, 0.5, 1.0)]
    assert len({round(c["yaw_deg"], 6) for c in a}) == 3
    assert all(abs(c["yaw_deg"] - spec["camera"]["yaw_deg"]) < 1.0 for c in a)
    other = normalize_spec(dict(spec, move=dict(spec["move"], seed=7)))
    assert camera_at(other, 0.5) != camera_at(spec, 0.5)
    steadicam = shot("steadicam", duration_s=2.0)
    drift = np.subtract(camera_at(steadicam, 2.0)["position"], camera_at(steadicam, 0.0)["position"])
    assert np.linalg.norm(drift[:2]) == pytest.approx(steadicam["move"]["distance_m"], rel=0.05)


def test_characters_walk_their_paths():
    walker = dict(ANNA, position=None, path=[[0.0, -2.0, 0.0], [1.0, 2.0, 0.0]])
    spec = normalize_spec({"camera": {"position": [0, -8, 1.6], "aspect": "1.78"}, "characters": [walker], "duration_s": 1.0})
    from previs.spec import character_at

    assert character_at(spec["characters"][0], 0.5)[:2] == pytest.approx((0.0, 0.0))
    assert character_at(spec["characters"][0], 0.5)[2] == pytest.approx(90.0)  # facing the way they walk
    left = object_mask(spec, 320, 180, 0.0)[0]
    right = object_mask(spec, 320, 180, 1.0)[0]
    assert np.nonzero(left.any(0))[0].mean() < 160 < np.nonzero(right.any(0))[0].mean()
