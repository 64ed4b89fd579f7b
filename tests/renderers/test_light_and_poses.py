"""Light by the scene heading (previs/light.py) and characters that act (poses, builds): the
blocking frame shades by the time of day with cast shadows, and shot sizes frame the posed body."""

import math

import numpy as np
import pytest

from previs.camera import Camera
from previs.light import scene_light
from previs.move import camera_at
from previs.spec import POSES, SpecError, body_landmarks, framing_box, layout_for_shot, normalize_spec
from tests.renderers.helpers import base_spec, object_mask
from workers.renderers.blocking import draw_frame, render_frame


def luminance(image):
    rgb = np.asarray(image).astype(np.float64)
    return rgb @ np.array([0.2126, 0.7152, 0.0722])


def test_sun_direction_follows_time_of_day_and_the_override():
    dawn, dusk = scene_light("DAWN"), scene_light("DUSK")
    assert dawn["direction"][0] > 0.9 and dusk["direction"][0] < -0.9  # sunrise in the east, sunset in the west
    assert dawn["elevation_deg"] < 15 and scene_light("DAY")["elevation_deg"] > 30
    assert scene_light("CONTINUOUS")["condition"] == "DAY"
    south = scene_light("DAY", azimuth_deg=180.0, elevation_deg=30.0)["direction"]
    assert south == pytest.approx((0.0, -math.cos(math.radians(30)), 0.5), abs=1e-9)
    assert scene_light("DAY", "INT")["ambient"] < scene_light("DAY", "EXT")["ambient"]
    spec = normalize_spec({"environment": {"time_of_day": "DUSK", "setting": "INT", "key_light": {"azimuth_deg": 10}}})
    assert spec["environment"]["setting"] == "INT"
    assert spec["environment"]["key_light"] == {"azimuth_deg": 10.0, "elevation_deg": 8.0}
    with pytest.raises(SpecError) as error:
        normalize_spec({"environment": {"setting": "OUTSIDE"}})
    assert "environment.setting" in error.value.errors


def test_the_lit_side_of_a_box_is_brighter_than_its_shadow_side():
    # A box turned 45° seen from the south shows its south-east and south-west faces; the sun is in the east.
    spec = base_spec(
        set_pieces=[{"position": [0.0, 2.0], "size": [1.5, 1.5, 2.0], "rotation_deg": 45.0, "colour": "#b0b0b0"}],
        environment={"ground_grid": False, "key_light": {"azimuth_deg": 90.0, "elevation_deg": 20.0}},
    )
    colour, _depth = draw_frame(spec, camera_at(spec, 0.0), 640, 360)
    mask, _ = object_mask(spec, 640, 360)
    lum = luminance(colour)
    columns = np.nonzero(mask.any(axis=0))[0]
    middle = (columns.min() + columns.max()) // 2
    row = 150
    west = lum[row, columns.min() + 10 : middle - 10][mask[row, columns.min() + 10 : middle - 10]]
    east = lum[row, middle + 10 : columns.max() - 10][mask[row, middle + 10 : columns.max() - 10]]
    assert len(west) > 20 and len(east) > 20
    assert east.mean() > west.mean() + 40


def test_night_is_darker_than_day():
    cast = [{"name": "", "position": [0.0, 0.0]}]
    pieces = [{"position": [2.0, 3.0], "size": [1.0, 1.0, 2.0]}]
    means = {}
    for time_of_day in ("DAY", "DAWN", "NIGHT"):
        spec = base_spec(characters=cast, set_pieces=pieces, environment={"time_of_day": time_of_day})
        means[time_of_day] = luminance(render_frame(spec, 320, 180).colour).mean()
    assert means["NIGHT"] < means["DAWN"] < means["DAY"]
    assert means["NIGHT"] < 0.5 * means["DAY"]


def test_a_low_sun_casts_a_long_shadow_on_the_floor_away_from_it():
    # A tall box with the sun low in the east: its shadow runs west over the floor; with the sun
    # behind the horizon's clamp (night's moon overhead) there is no long shadow.
    def floor_row(elevation):
        spec = base_spec(
            camera={"position": [0.0, -8.0, 3.0], "yaw_deg": 0.0, "pitch_deg": -15.0, "lens_mm": 24.0, "sensor": "super35", "aspect": "1.78"},
            set_pieces=[{"position": [2.0, 2.0], "size": [0.5, 0.5, 3.0]}],
            environment={"ground_grid": False, "key_light": {"azimuth_deg": 90.0, "elevation_deg": elevation}},
        )
        camera = Camera.from_spec(camera_at(spec, 0.0))
        # A point on the floor 4 m west of the box: in its shadow when the sun is low in the east.
        col, row, _ = camera.project_point((-2.0, 2.0, 0.0), 640, 360)
        colour = luminance(render_frame(spec, 640, 360).colour)
        return colour[int(row), int(col)]

    assert floor_row(20.0) < floor_row(80.0) - 15


def test_a_box_occludes_what_stands_behind_it_in_colour_and_depth():
    figure = {"name": "", "position": [0.0, 3.0], "colour": "#ff0000"}
    wall = {"position": [0.0, 0.0], "size": [3.0, 0.3, 2.5], "colour": "#2020ff"}
    spec = base_spec(characters=[figure], set_pieces=[wall])
    frame = render_frame(spec, 320, 180)
    camera = Camera.from_spec(camera_at(spec, 0.0))
    col, row, _ = camera.project_point((0.0, 3.0, 1.2), 320, 180)
    depth = np.asarray(frame.depth)[int(row), int(col)]
    assert 4700 <= depth <= 5000  # the wall's face 4.85 m from the lens, not the figure at 8 m
    red, _green, blue = np.asarray(frame.colour)[int(row), int(col)].astype(int)
    assert blue > red
    alone = render_frame(base_spec(characters=[figure]), 320, 180)
    assert np.asarray(alone.depth)[int(row), int(col)] > 7500


@pytest.mark.parametrize("pose", POSES)
def test_every_pose_renders_and_its_landmarks_stay_in_order(pose):
    marks = body_landmarks(1.8, pose)
    order = ["feet", "hips", "waist", "chest", "shoulders", "chin", "mouth", "eyes", "head_top"]
    heights = [marks[name] for name in order]
    assert heights == sorted(heights) and heights[0] == 0.0
    assert 0.0 < marks["knees"] < marks["waist"]  # a seated figure's knees are level with its hips
    spec = base_spec(characters=[{"name": "", "position": [0.0, 0.0], "pose": pose, "build": "heavy"}])
    mask, _depth = object_mask(spec, 320, 180)
    assert mask.sum() > 200


def test_kneeling_lowers_the_head_and_puts_the_knees_on_the_floor():
    standing, kneeling, sitting = (body_landmarks(1.8, p) for p in ("standing", "kneeling", "sitting"))
    assert kneeling["knees"] < 0.1
    assert 1.2 < kneeling["head_top"] < standing["head_top"] - 0.4
    assert standing["head_top"] - kneeling["head_top"] == pytest.approx(standing["hips"] - kneeling["hips"])
    assert sitting["eyes"] < kneeling["eyes"] + 0.2
    assert body_landmarks(1.8, "running")["eyes"] < standing["eyes"]
    for pose in ("walking", "pointing", "arms_crossed", "reaching"):
        assert body_landmarks(1.8, pose) == standing


def test_the_rendered_kneeling_figure_is_as_tall_as_its_landmarks():
    spec = base_spec(
        camera={"position": [0.0, -6.0, 1.0], "yaw_deg": 0.0, "pitch_deg": 0.0, "lens_mm": 35.0, "sensor": "super35", "aspect": "1.78"},
        characters=[{"name": "", "position": [0.0, 0.0], "pose": "kneeling", "facing_deg": 180.0, "height_m": 1.8}],
    )
    mask, _depth = object_mask(spec, 640, 360)
    camera = Camera.from_spec(camera_at(spec, 0.0))
    _col, head_row, _ = camera.project_point((0.0, 0.0, body_landmarks(1.8, "kneeling")["head_top"]), 640, 360)
    top = np.nonzero(mask.any(axis=1))[0].min()
    assert abs(top - head_row) <= 4


@pytest.mark.parametrize("pose", ["kneeling", "sitting", "running"])
@pytest.mark.parametrize("size", ["CU", "MCU", "MS"])
def test_close_sizes_frame_the_posed_head(pose, size):
    spec = layout_for_shot(
        shot_size=size,
        angle="eye",
        lens_mm=50,
        sensor="super35",
        aspect="1.78",
        fps=24.0,
        duration_s=2.0,
        movement=None,
        characters=[{"id": "k", "name": "KEEPER", "pose": pose, "height_m": 1.8}],
    )
    camera = Camera.from_spec(camera_at(spec, 0.0))
    x, y = spec["characters"][0]["position"]
    marks = body_landmarks(1.8, pose)
    width, height = 1280, 720
    _c, eyes_row, _ = camera.project_point((x, y, marks["eyes"]), width, height)
    _c, top_row, _ = camera.project_point((x, y, marks["head_top"]), width, height)
    # The head in frame (a close-up may trim the crown a little, as a standing one does), eyes in the upper half.
    assert -0.03 * height <= top_row < eyes_row < height / 2
    if size == "CU":
        assert abs(eyes_row - height / 3) < height * 0.08  # eyes on the upper third line
    # The standing figure's eye height would be well above the frame: the camera followed the pose.
    _c, standing_eyes, _ = camera.project_point((x, y, body_landmarks(1.8)["eyes"]), width, height)
    if pose != "running":
        assert standing_eyes < 0


def test_framing_box_follows_the_pose():
    stand_bottom, stand_top = framing_box("FS", 1.8, "standing")
    kneel_bottom, kneel_top = framing_box("FS", 1.8, "kneeling")
    assert kneel_bottom == stand_bottom
    cu_bottom, cu_top = framing_box("CU", 1.8, "kneeling")
    assert cu_top > body_landmarks(1.8, "kneeling")["head_top"] - 0.02
    assert cu_top < body_landmarks(1.8, "standing")["eyes"]


def test_build_changes_the_figures_width_not_its_height():
    widths, tops = {}, {}
    for build in ("slim", "average", "heavy"):
        spec = base_spec(characters=[{"name": "", "position": [0.0, 0.0], "build": build}])
        mask, _ = object_mask(spec, 640, 360)
        columns = np.nonzero(mask.any(axis=0))[0]
        widths[build] = columns.max() - columns.min()
        tops[build] = np.nonzero(mask.any(axis=1))[0].min()
    assert widths["slim"] < widths["average"] < widths["heavy"]
    assert tops["slim"] == tops["average"] == tops["heavy"]
    with pytest.raises(SpecError) as error:
        normalize_spec({"characters": [{"build": "tall"}]})
    assert "characters.0.build" in error.value.errors


def test_the_head_turns_to_its_eyeline_target():
    from previs.spec import head_bearing

    spec = normalize_spec(
        {
            "characters": [
                {"id": "keeper", "position": [0.0, 0.0], "facing_deg": 180.0, "look_at": "girl"},
                {"id": "girl", "position": [2.0, 0.0], "facing_deg": 270.0, "look_at": [0.0, 5.0]},
                {"id": "boy", "position": [0.0, 3.0], "facing_deg": 180.0, "look_at": [0.0, 10.0, 1.0]},
            ]
        }
    )
    keeper, girl, boy = spec["characters"]
    assert head_bearing(keeper, spec["characters"], 0.0) == pytest.approx(100.0)  # 90° east, turned at most 80°
    assert head_bearing(girl, spec["characters"], 0.0) == pytest.approx(-21.801, abs=1e-3)
    assert head_bearing(boy, spec["characters"], 0.0) == pytest.approx(-100.0)  # behind him: as far as the neck turns (180° + 80°)
    assert girl["look_at"] == [0.0, 5.0, pytest.approx(1.633, abs=1e-3)]
    for bad in ("nobody", "keeper"):
        with pytest.raises(SpecError) as error:
            normalize_spec({"characters": [{"id": "keeper", "look_at": bad}]})
        assert "characters.0.look_at" in error.value.errors


def test_a_turned_head_moves_in_the_frame_and_the_body_does_not():
    camera = {"position": [0.0, -4.0, 1.6], "yaw_deg": 0.0, "pitch_deg": 0.0, "lens_mm": 85.0, "sensor": "super35", "aspect": "1.78"}
    ahead = base_spec(camera=camera, characters=[{"name": "", "position": [0.0, 0.0], "facing_deg": 180.0}])
    turned = base_spec(camera=camera, characters=[{"name": "", "position": [0.0, 0.0], "facing_deg": 180.0, "look_at": [5.0, 0.0]}])
    mask_ahead, _ = object_mask(ahead, 640, 360)
    mask_turned, _ = object_mask(turned, 640, 360)
    head_rows = slice(0, 120)  # the head at the top of this frame, the torso below it
    assert (mask_ahead[head_rows] != mask_turned[head_rows]).sum() > 30
    assert (mask_ahead[250:] != mask_turned[250:]).sum() == 0
