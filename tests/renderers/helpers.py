"""Measuring rendered frames: what is in the picture that an empty set would not show."""

import numpy as np

from previs.move import camera_at
from previs.spec import normalize_spec
from workers.renderers.blocking import draw_frame


def base_spec(**overrides):
    spec = {
        "camera": {"position": [0.0, -5.0, 0.9], "yaw_deg": 0.0, "pitch_deg": 0.0, "lens_mm": 35.0, "sensor": "super35", "aspect": "1.78"},
        "environment": {"ground_grid": False},
    }
    spec.update(overrides)
    return normalize_spec(spec)


def object_mask(spec, width, height, t=0.0, keep_characters=False):
    """Pixels where the spec's characters and set pieces are, found by comparing depth with the bare floor."""
    spec = normalize_spec(spec)
    camera = camera_at(spec, t)
    _colour, depth = draw_frame(spec, camera, width, height, t)
    empty = dict(spec, characters=[], set_pieces=[])
    _colour, bare = draw_frame(empty, camera, width, height, t)
    depth = np.asarray(depth).astype(np.int64)
    bare = np.asarray(bare).astype(np.int64)
    return (depth != bare) & (depth > 0), depth


def vertical_extent(mask):
    """(top row, bottom row, height in rows) of a mask."""
    rows = np.nonzero(mask.any(axis=1))[0]
    assert len(rows), "nothing in frame"
    return int(rows[0]), int(rows[-1]), int(rows[-1] - rows[0] + 1)


def horizontal_extent(mask):
    cols = np.nonzero(mask.any(axis=0))[0]
    assert len(cols), "nothing in frame"
    return int(cols[0]), int(cols[-1]), int(cols[-1] - cols[0] + 1)
