"""The grey-box frame, its depth map and the camera plot: deterministic, complete and quick."""

import io

import numpy as np
from PIL import Image

from previs.spec import layout_for_shot, normalize_spec
from workers.renderers.blocking import png_bytes, render_frame, render_plan

CAST = [
    {"id": "1", "name": "ANNA", "height_m": 1.8, "colour": "#d9822b"},
    {"id": "2", "name": "BEN", "height_m": 1.75, "colour": "#3a7bd5", "pose": "sitting"},
]
SET = [
    {"name": "table", "position": [0.0, 0.9], "size": [1.2, 0.8, 0.75], "colour": "#8a6d4b"},
    {"name": "wall", "position": [0.0, 4.0], "size": [10.0, 0.2, 3.0], "rotation_deg": 10},
]


def scene(**kw):
    args = dict(
        shot_size="MS",
        angle="eye",
        lens_mm=35,
        sensor="super35",
        aspect="2.39",
        fps=24.0,
        duration_s=3.0,
        movement="static",
        characters=CAST,
        set_pieces=SET,
        framing="two_shot",
    )
    args.update(kw)
    return layout_for_shot(**args)


def test_same_spec_same_bytes():
    spec = scene()
    spec["guides"] = {"safe_area": True, "thirds": True}
    a, b = render_frame(spec, 640, 360), render_frame(spec, 640, 360)
    assert png_bytes(a.colour) == png_bytes(b.colour)
    assert png_bytes(a.depth) == png_bytes(b.depth)
    assert png_bytes(a.plan) == png_bytes(b.plan)
    other = render_frame(dict(spec, camera=dict(spec["camera"], lens_mm=50)), 640, 360)
    assert png_bytes(other.colour) != png_bytes(a.colour)


def test_depth_png_keeps_millimetres():
    frame = render_frame(scene(), 640, 360)
    decoded = Image.open(io.BytesIO(png_bytes(frame.depth)))
    assert np.array_equal(np.asarray(decoded).astype(np.uint16), np.asarray(frame.depth))
    depth = np.asarray(frame.depth)
    assert depth.dtype == np.uint16 and depth.max() > 0
    assert frame.depth.size == frame.colour.size == (640, 360)


def test_letterbox_matte_and_guides():
    spec = scene()
    plain = np.asarray(render_frame(spec, 640, 360).colour).astype(int)
    # 2.39 in a 16:9 image: the bars above and below the frame lines are shaded down.
    bar = 360 - 640 / 2.39
    assert plain[: int(bar / 2) - 2].mean() < plain[180].mean() * 0.6
    spec["guides"] = {"safe_area": True, "thirds": True}
    guided = np.asarray(render_frame(spec, 640, 360).colour).astype(int)
    changed = np.nonzero((guided != plain).any(axis=2))
    assert len(changed[0]) > 1000
    # A thirds line sits one third across the frame.
    assert (guided[180, 213] == 255).all() or (guided[180, 214] == 255).all()


def test_time_of_day_lights_the_scene():
    day = render_frame(scene(), 320, 180)
    night = render_frame(scene(environment={"time_of_day": "NIGHT"}), 320, 180)
    assert np.asarray(night.colour).mean() < np.asarray(day.colour).mean() * 0.6


def test_plan_shows_camera_and_cast():
    spec = scene()
    plan = render_plan(spec, (400, 300))
    assert plan.size == (400, 300) and plan.mode == "RGB"
    pixels = np.asarray(plan).reshape(-1, 3)
    colours = {tuple(p) for p in pixels.tolist()}
    assert (217, 130, 43) in colours and (58, 123, 213) in colours  # the characters' discs
    assert (200, 40, 40) in colours  # the camera
    assert render_frame(spec, 320, 180).plan.size == (512, 512)


def test_near_plane_and_crowds():
    # Camera inside a box and a figure brushing the lens: clipped, not crashed.
    spec = normalize_spec(
        {
            "camera": {"position": [0, 0, 1.0], "lens_mm": 12},
            "characters": [{"position": [0.0, 0.12], "facing_deg": 180}],
            "set_pieces": [{"position": [0, 0], "size": [3, 3, 3]}],
        }
    )
    frame = render_frame(spec, 320, 180)
    assert np.asarray(frame.depth).min() >= 0
    crowd = normalize_spec(
        {
            "camera": {"position": [0, -30, 8], "pitch_deg": -15},
            "characters": [{"id": str(i)} for i in range(32)],
            "set_pieces": [{"position": [(i % 20) * 2 - 20, (i // 20) * 3], "size": [1, 1, 1 + i % 3]} for i in range(200)],
        }
    )
    render_frame(crowd, 640, 360)


def test_every_move_renders_at_its_last_frame():
    for move in ("pan", "tilt", "pedestal", "dolly_in", "dolly_out", "truck", "arc", "crane", "zoom", "dolly_zoom", "handheld", "steadicam", "rack_focus"):
        spec = scene(movement=move, duration_s=1.0)
        frame = render_frame(spec, 160, 90, t=1.0)
        assert frame.colour.size == (160, 90), move
