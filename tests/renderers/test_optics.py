"""The previs frame is optically honest: sizes, fields of view, framing and depth follow the pinhole
model of the domain notes (H·f / (d·h) of the frame height; FOV = 2·atan(size / 2f))."""

import json
import math

import numpy as np
import pytest

from previs import camera as optics
from previs.move import camera_at
from previs.spec import SpecError, body_landmarks, layout_for_shot, normalize_spec
from previs.vocabulary import CAMERA_ANGLES, FRAMINGS, SHOT_SIZES, values
from tests.renderers.helpers import base_spec, object_mask, vertical_extent
from workers.renderers.blocking import draw_frame, render_frame

WIDTH, HEIGHT = 1280, 720  # a 16:9 image with a 1.78 delivery frame: no matte, frame = image


# --- Field of view and the delivery frame --------------------------------------------------


def test_field_of_view_matches_textbook_values():
    # 50 mm on full frame, 3:2 delivery: the classic 39.6° × 27.0°.
    h, v = optics.field_of_view(50, "full_frame", "1.33")
    assert optics.frame_size_mm("full_frame", "1.33") == pytest.approx((32.0, 24.0))  # 4:3 pillarboxed in the 24 mm height
    assert h == pytest.approx(math.degrees(2 * math.atan(16 / 50)))
    h, v = optics.field_of_view(50, "full_frame", "2.39")
    assert h == pytest.approx(39.598, abs=0.01)
    assert v == pytest.approx(math.degrees(2 * math.atan(36 / 2.39 / 100)), abs=1e-6)  # letterboxed: width / aspect


def test_wider_lens_sees_more():
    h24, v24 = optics.field_of_view(24, "super35", "2.39")
    h50, v50 = optics.field_of_view(50, "super35", "2.39")
    assert h24 > h50 and v24 > v50
    # A pole 20° off the lens axis: outside a 50's half angle (13.9°), inside a 24's (27.3°).
    angle = math.radians(20)
    pole = {"name": "pole", "position": [5 * math.sin(angle), -5 + 5 * math.cos(angle)], "size": [0.1, 0.1, 2.0]}
    for lens, visible in ((24, True), (50, False)):
        spec = base_spec(set_pieces=[pole])
        spec["camera"].update(lens_mm=lens, aspect="2.39")
        mask, _depth = object_mask(spec, WIDTH, HEIGHT)
        x0, _y0, x1, _y1 = optics.Camera.from_spec(spec["camera"]).frame_rect(WIDTH, HEIGHT)
        assert mask[:, int(x0) : int(x1)].any() == visible, lens


@pytest.mark.parametrize("sensor", ["full_frame", "super35", "super16"])
@pytest.mark.parametrize("lens", [18, 35, 85])
def test_pole_projects_to_pinhole_height(sensor, lens):
    """A 1.8 m pole at a known distance spans H·f/(d·h) of the frame height, within 1.5 px."""
    pole_height, thickness = 1.8, 0.02
    frame_w_mm, frame_h_mm = optics.frame_size_mm(sensor, "1.78")
    # Put the pole where it fills about 60 % of the frame height.
    distance = pole_height * lens / (0.6 * frame_h_mm)
    spec = base_spec(set_pieces=[{"name": "pole", "position": [0.0, -5.0 + distance], "size": [thickness, thickness, pole_height]}])
    spec["camera"].update(lens_mm=lens, sensor=sensor, position=[0.0, -5.0, pole_height / 2])
    mask, depth = object_mask(spec, WIDTH, HEIGHT)
    near_face = distance - thickness / 2
    expected_px = optics.fill_fraction(pole_height, near_face, lens, sensor, "1.78") * HEIGHT
    top, bottom, rows = vertical_extent(mask)
    # The pixel count is the continuous height give or take the two partly covered edge pixels.
    assert abs(rows - expected_px) <= 2.0, (rows, expected_px)
    # Each edge lands where the pinhole puts it (rows grow downward from the centre of a 720-row
    # image; the lens axis is level with the pole's middle). Pillow's fill also takes a partly
    # covered first row, so the top may start up to 1.5 px early.
    assert -1.5 <= top - (HEIGHT / 2 - expected_px / 2) <= 1.0
    assert abs(bottom + 1 - (HEIGHT / 2 + expected_px / 2)) <= 1.0
    # Depth at the pole's middle is its distance along the lens axis (in mm), within 2 %.
    assert depth[HEIGHT // 2, WIDTH // 2] == pytest.approx(near_face * 1000, rel=0.02)


def test_character_height_on_screen_follows_lens_and_distance():
    """A 1.8 m standing figure at 10 m on a 50 mm Super 35 fills H·f/(d·h) of the frame height."""
    lens, distance = 50.0, 10.0
    spec = base_spec(characters=[{"id": "a", "name": "", "position": [0.0, 0.0], "facing_deg": 180.0, "height_m": 1.8}])
    spec["camera"].update(lens_mm=lens, position=[0.0, -distance, 0.9])
    mask, depth = object_mask(spec, WIDTH, HEIGHT)
    _top, _bottom, rows = vertical_extent(mask)
    # The figure's front is about 7 cm nearer than its centre line at head height.
    expected_far = optics.fill_fraction(1.8, distance, lens, "super35", "1.78") * HEIGHT
    expected_near = optics.fill_fraction(1.8, distance - 0.12, lens, "super35", "1.78") * HEIGHT
    assert expected_far - 2 <= rows <= expected_near + 2
    # The chest faces the lens ~0.1 m in front of the mark.
    chest = depth[HEIGHT // 2 - int(0.25 * optics.Camera.from_spec(spec["camera"]).focal_px(WIDTH, HEIGHT) / distance), WIDTH // 2]
    assert chest == pytest.approx((distance - 0.1) * 1000, rel=0.02)


def test_floor_depth_at_a_known_pixel():
    """Camera 1.6 m up tilted 10° down: the floor at the frame centre is 1.6 / sin(10°) away along the
    ray, i.e. 1.6 / tan(10°) … measured along the lens axis: depth = z / sin(tilt)."""
    spec = base_spec()
    spec["camera"].update(position=[0.0, 0.0, 1.6], pitch_deg=-10.0)
    _colour, depth = draw_frame(spec, spec["camera"], WIDTH, HEIGHT)
    depth = np.asarray(depth)
    expected = 1.6 / math.sin(math.radians(10)) * 1000
    assert depth[HEIGHT // 2, WIDTH // 2] == pytest.approx(expected, rel=0.02)
    # Half way from the centre to the bottom edge the floor is nearer, along the exact pinhole ray.
    cam = optics.Camera.from_spec(spec["camera"])
    row = HEIGHT * 3 // 4
    ray = cam.pixel_ray(WIDTH / 2 + 0.5, row + 0.5, WIDTH, HEIGHT)
    assert depth[row, WIDTH // 2] == pytest.approx(-1.6 / ray[2] * 1000, rel=0.02)
    # The sky is 0 (nothing / infinity).
    assert depth[0, WIDTH // 2] == 0


def test_projection_round_trip():
    cam = optics.Camera(position=(1.0, -3.0, 1.5), yaw_deg=25.0, pitch_deg=-8.0, roll_deg=12.0, lens_mm=40, sensor="alexa_lf_og", aspect="2.39")
    point = np.array([2.0, 4.0, 0.7])
    px, py, depth = cam.project_point(point, 1920, 1080)
    ray = cam.pixel_ray(px, py, 1920, 1080)
    assert np.allclose(np.asarray(cam.position) + ray * depth, point)


def test_dutch_roll_tilts_the_horizon():
    cam = optics.Camera(position=(0, 0, 1.6), roll_deg=15.0, lens_mm=35, aspect="1.78")
    # A level line far away: rolling the camera clockwise turns the picture anticlockwise, so the
    # line's right end sits higher (smaller row) than its left end, by the roll angle.
    left = cam.project_point((-50, 1000, 1.6), WIDTH, HEIGHT)
    right = cam.project_point((50, 1000, 1.6), WIDTH, HEIGHT)
    rise = math.degrees(math.atan2(left[1] - right[1], right[0] - left[0]))
    assert rise == pytest.approx(15.0, abs=0.2)


def test_distance_to_fill_inverts_fill_fraction():
    d = optics.distance_to_fill(1.8, 0.5, 85, "super35", "2.39")
    assert optics.fill_fraction(1.8, d, 85, "super35", "2.39") == pytest.approx(0.5)


# --- Automatic layout ---------------------------------------------------------------------

TWO = [{"id": "1", "name": "ANNA", "height_m": 1.8, "colour": "#d9822b"}, {"id": "2", "name": "BEN", "height_m": 1.75, "colour": "#3a7bd5"}]


def layout(**kw):
    args = dict(shot_size="MS", angle="eye", lens_mm=50, sensor="super35", aspect="2.39", fps=24.0, duration_s=3.0, movement="static", characters=TWO)
    args.update(kw)
    return layout_for_shot(**args)


def frame_rows(spec, width=1280, height=720):
    cam = optics.Camera.from_spec(spec["camera"])
    x0, y0, x1, y1 = cam.frame_rect(width, height)
    return cam, (x0, y0, x1, y1)


def landmark_rows(spec, character_id, names, width=1280, height=720):
    """Where (as a fraction of frame height from the top) each body landmark of a character projects."""
    cam, (x0, y0, x1, y1) = frame_rows(spec, width, height)
    character = next(c for c in spec["characters"] if c["id"] == character_id)
    marks = body_landmarks(character["height_m"], character["pose"])
    x, y = character["position"]
    out = {}
    for name in names:
        _px, py, _d = cam.project_point((x, y, marks[name]), width, height)
        out[name] = (py - y0) / (y1 - y0)
    return out


def test_close_up_is_head_and_top_of_shoulders():
    spec = layout(shot_size="CU", lens_mm=85)
    rows = landmark_rows(spec, "1", ["head_top", "eyes", "shoulders", "chest"])
    assert -0.1 <= rows["head_top"] <= 0.08  # the top of the head at (or just past) the top of frame
    assert abs(rows["eyes"] - 1 / 3) < 0.08  # eyes near the upper third line
    assert 0.8 <= rows["shoulders"] <= 1.05  # top of the shoulders at the bottom of frame
    assert rows["chest"] > 1.0  # the chest is out of frame
    # And in pixels: head to shoulders of the rendered figure ≈ the frame height.
    mask, _depth = object_mask(spec, 1280, 720)
    cam, (x0, y0, x1, y1) = frame_rows(spec)
    in_frame = mask[int(y0) : int(y1), int(x0) : int(x1)]
    top, _bottom, _rows = vertical_extent(in_frame)
    assert top <= 0.08 * (y1 - y0)


def test_medium_shot_cuts_at_the_waist_and_full_shot_shows_the_feet():
    ms = landmark_rows(layout(shot_size="MS"), "1", ["head_top", "waist", "hips"])
    assert 0.0 < ms["head_top"] < 0.15 and 0.9 <= ms["waist"] <= 1.05 and ms["hips"] > 1.0
    fs = landmark_rows(layout(shot_size="FS"), "1", ["head_top", "feet"])
    assert 0.0 < fs["head_top"] < 0.1 and 0.9 < fs["feet"] < 1.0


def test_wide_shot_shows_the_whole_person_small():
    spec = layout(shot_size="WS", lens_mm=35)
    rows = landmark_rows(spec, "1", ["head_top", "feet"])
    assert 0.0 < rows["head_top"] < rows["feet"] < 1.0
    assert 0.2 < rows["feet"] - rows["head_top"] < 0.45
    ews = landmark_rows(layout(shot_size="EWS", lens_mm=35), "1", ["head_top", "feet"])
    assert ews["feet"] - ews["head_top"] < 0.2


def test_low_angle_looks_up_from_below_the_eye_line():
    spec = layout(shot_size="CU", angle="low", lens_mm=85)
    eyes = body_landmarks(1.8)["eyes"]
    assert spec["camera"]["position"][2] < eyes - 0.3
    assert spec["camera"]["pitch_deg"] > 5
    high = layout(shot_size="MS", angle="high")
    assert high["camera"]["position"][2] > eyes + 0.3 and high["camera"]["pitch_deg"] < -5
    eye = layout(shot_size="CU", angle="eye", lens_mm=85)
    assert abs(eye["camera"]["pitch_deg"]) < 5 and abs(eye["camera"]["position"][2] - eyes) < 0.05
    worm = layout(shot_size="MS", angle="worms_eye")
    assert worm["camera"]["position"][2] < 0.3 and worm["camera"]["pitch_deg"] > 10
    overhead = layout(shot_size="MS", angle="overhead")
    assert overhead["camera"]["pitch_deg"] == -90 and overhead["camera"]["position"][2] > 2
    assert layout(angle="dutch")["camera"]["roll_deg"] != 0
    assert layout(angle="knee")["camera"]["position"][2] < layout(angle="hip")["camera"]["position"][2] < layout(angle="shoulder")["camera"]["position"][2]


def test_subject_choice_and_two_shot_frames_both():
    ben = layout(shot_size="CU", subject_id="2", lens_mm=85)
    assert ben["subject_id"] == "2"
    rows = landmark_rows(ben, "2", ["eyes"])
    assert abs(rows["eyes"] - 1 / 3) < 0.08
    two = layout(shot_size="MS", framing="two_shot", lens_mm=35)
    cam, (x0, y0, x1, y1) = frame_rows(two)
    for character in two["characters"]:
        x, y = character["position"]
        for z in (character["height_m"], body_landmarks(character["height_m"])["waist"]):
            px, py, _d = cam.project_point((x, y, z), 1280, 720)
            assert x0 < px < x1 and y0 - 2 < py < y1 + 2


def test_ots_has_the_foreground_shoulder_in_frame():
    spec = layout(shot_size="MCU", framing="ots", lens_mm=50, aspect="1.78")
    cam, (x0, y0, x1, y1) = frame_rows(spec)
    ben = spec["characters"][1]
    anna = spec["characters"][0]
    fg_px, _py, fg_depth = cam.project_point((*ben["position"], body_landmarks(1.75)["eyes"]), 1280, 720)
    s_px, _py, s_depth = cam.project_point((*anna["position"], body_landmarks(1.8)["eyes"]), 1280, 720)
    assert 0 < fg_depth < s_depth  # the foreground character is between the lens and the subject
    assert x0 - 100 < fg_px < x1 + 100  # their head is at the edge of frame
    assert x0 < s_px < x1
    assert (fg_px - 640) * (s_px - 640) < 0  # on opposite sides of frame


def test_default_marks_face_each_other():
    spec = layout()
    a, b = spec["characters"]
    assert math.dist(a["position"], b["position"]) == pytest.approx(1.2)
    to_b = math.degrees(math.atan2(b["position"][0] - a["position"][0], b["position"][1] - a["position"][1]))
    assert a["facing_deg"] == pytest.approx(to_b)
    assert b["facing_deg"] == pytest.approx(to_b - 180 if to_b > 0 else to_b + 180)


def test_every_combination_of_shot_list_values_lays_out_a_valid_spec():
    for size in values(SHOT_SIZES):
        for angle in values(CAMERA_ANGLES):
            for framing in values(FRAMINGS):
                for cast in (TWO, TWO[:1], [], TWO + [{"id": "3", "name": "CAL", "pose": "sitting"}]):
                    spec = layout(shot_size=size, angle=angle, framing=framing, characters=cast)
                    assert normalize_spec(spec) == spec
                    assert spec["camera"]["position"][2] > 0
                    json.dumps(spec)


def test_layout_keeps_given_marks_and_set():
    cast = [dict(TWO[0], position=[3.0, 2.0], facing_deg=0.0)]
    pieces = [{"name": "table", "position": [3.0, 3.0], "size": [1.2, 0.8, 0.75]}]
    spec = layout(characters=cast, set_pieces=pieces, environment={"time_of_day": "NIGHT"})
    assert spec["characters"][0]["position"] == [3.0, 2.0]
    assert spec["set_pieces"][0]["position"] == [3.0, 3.0, 0.0]
    assert spec["environment"]["time_of_day"] == "NIGHT"
    # Facing north, so the camera is north of the mark looking back south.
    assert spec["camera"]["position"][1] > 2.0 and abs(abs(spec["camera"]["yaw_deg"]) - 180) < 15


# --- Validation ---------------------------------------------------------------------------


def test_normalize_fills_defaults_and_is_idempotent():
    spec = normalize_spec({})
    assert spec["camera"]["lens_mm"] == 35.0 and spec["fps"] == 24.0 and spec["move"] == {"type": "static"}
    assert normalize_spec(spec) == spec
    spec = normalize_spec({"fps": "23.976", "camera": {"look_at": [0, 0, 1.6]}, "move": "zoom", "characters": [{"name": "A"}, {"name": "B"}]})
    assert spec["fps"] == pytest.approx(23.976)
    assert spec["camera"]["yaw_deg"] == 0 and spec["camera"]["pitch_deg"] == 0 and "look_at" not in spec["camera"]
    assert spec["move"]["end_lens_mm"] == 70.0
    assert [c["id"] for c in spec["characters"]] == ["char1", "char2"]
    assert normalize_spec(spec) == spec


def test_normalize_rejects_bad_input_with_every_field_path():
    bad = {
        "camera": {"lens_mm": 2, "sensor": "imax", "aspect": "3.00", "position": [0, 0, -1], "pitch_deg": 120},
        "characters": [
            {"id": "a", "height_m": 5, "colour": "orange", "pose": "lying", "position": [0, "x"]},
            {"id": "a", "path": [[1, 0, 0], [0.5, 1, 1]]},
        ],
        "set_pieces": [{"name": "wall", "position": [0, 0], "size": [0, 1, 1]}],
        "environment": {"time_of_day": "NOON", "key_light": {"elevation_deg": 95}},
        "move": {"type": "barrel_roll", "distance_m": "far"},
        "fps": 0,
        "duration_s": 700,
        "subject_id": "zed",
        "lens": 50,
    }
    with pytest.raises(SpecError) as caught:
        normalize_spec(bad)
    errors = caught.value.errors
    for path in (
        "camera.lens_mm",
        "camera.sensor",
        "camera.aspect",
        "camera.position",
        "camera.pitch_deg",
        "characters.0.height_m",
        "characters.0.colour",
        "characters.0.pose",
        "characters.0.position",
        "characters.1.id",
        "characters.1.path.1",
        "set_pieces.0.size",
        "environment.time_of_day",
        "environment.key_light.elevation_deg",
        "move.type",
        "move.distance_m",
        "fps",
        "duration_s",
        "subject_id",
        "lens",
    ):
        assert path in errors, path
    assert all(isinstance(m, str) for messages in errors.values() for m in messages)
    assert isinstance(caught.value, ValueError)


def test_normalize_limits_counts():
    with pytest.raises(SpecError) as caught:
        normalize_spec({"characters": [{}] * 33, "set_pieces": [{"position": [0, 0], "size": [1, 1, 1]}] * 201})
    assert "characters" in caught.value.errors and "set_pieces" in caught.value.errors
    normalize_spec({"characters": [{"id": str(i)} for i in range(32)], "set_pieces": [{"position": [i, 0], "size": [1, 1, 1]} for i in range(200)]})
    with pytest.raises(SpecError) as caught:
        normalize_spec("not a dict")
    assert "spec" in caught.value.errors


def test_render_frame_accepts_raw_layout_and_times():
    spec = layout(movement="dolly_in")
    frame = render_frame(spec, 320, 180, t=1.5)
    assert frame.colour.size == frame.depth.size == (320, 180)
    assert frame.depth.mode == "I;16" and frame.colour.mode == "RGB"
    assert camera_at(spec, 1.5) != camera_at(spec, 0.0)
    with pytest.raises(SpecError):
        render_frame({"camera": {"lens_mm": 1}}, 320, 180)
