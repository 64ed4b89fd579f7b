"""A location's set in the blocking frame: a wall stands between the camera and what is behind
it (issue 15), so the frame and its depth pass show the wall, not the character."""

import numpy as np

from previs import sets
from workers.renderers.blocking import render_frame

CAMERA = {"position": [0.0, -6.0, 1.2], "yaw_deg": 0.0, "pitch_deg": 0.0, "lens_mm": 35}
ACTOR = {"id": "1", "position": [0.0, 0.0], "facing_deg": 180.0, "colour": "#c0392b"}


def _centre_depth_m(spec):
    frame = render_frame(spec, 320, 180)
    depth = np.asarray(frame.depth, dtype=np.float64)
    h, w = depth.shape
    return float(np.median(depth[h // 2 - 3 : h // 2 + 3, w // 2 - 3 : w // 2 + 3])) / 1000.0


def test_a_wall_hides_the_character_behind_it():
    open_floor = {"camera": CAMERA, "characters": [ACTOR]}
    assert 5.5 < _centre_depth_m(open_floor) < 6.5  # the character, 6 m off
    wall = sets.piece_boxes(
        {"id": "w", "kind": "wall", "name": "Wall", "size": [8.0, 0.2, 2.7], "position": [0.0, -3.0], "rotation_deg": 0, "colour": "#b8b2a7"}
    )
    walled = {"camera": CAMERA, "characters": [ACTOR], "set_pieces": wall}
    assert 2.7 < _centre_depth_m(walled) < 3.1  # the wall's near face, 2.9 m off


def test_a_door_opening_lets_the_camera_see_through():
    door_wall = sets.piece_boxes(
        {"id": "w", "kind": "wall_door", "name": "Wall", "size": [8.0, 0.2, 2.7], "position": [0.0, -3.0], "rotation_deg": 0, "colour": "#b8b2a7"}
    )
    spec = {"camera": CAMERA, "characters": [ACTOR], "set_pieces": door_wall}
    assert 5.5 < _centre_depth_m(spec) < 6.5  # through the door to the character
