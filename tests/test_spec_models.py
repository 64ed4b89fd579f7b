"""previs/spec_models.py describes what normalize_spec returns: every spec the layout makes, for
every shot size, angle, move and cast size, and specs with paths and set pieces, fit the models
exactly (the browser's CameraSpec type is generated from them)."""

import itertools

import pytest
from pydantic import ValidationError

from previs import vocabulary as v
from previs.spec import layout_for_shot, normalize_spec
from previs.spec_models import CameraSpec

CAST = [{"id": str(i), "name": f"C{i}", "height_m": 1.6 + i / 10, "colour": "#336699"} for i in range(3)]


@pytest.mark.parametrize("move", v.values(v.CAMERA_MOVES))
def test_every_laid_out_spec_fits_the_models(move):
    for size, angle, cast in itertools.product(v.values(v.SHOT_SIZES), ("eye", "low", "overhead"), (0, 1, 3)):
        spec = layout_for_shot(
            shot_size=size,
            angle=angle,
            lens_mm=35,
            sensor="super35",
            aspect="2.39",
            fps=23.976,
            duration_s=2.0,
            movement=move,
            framing="single",
            characters=CAST[:cast],
        )
        assert CameraSpec.model_validate(spec).model_dump(mode="json", exclude_unset=True) == spec


def test_a_hand_built_spec_fits_and_a_wrong_one_does_not():
    spec = normalize_spec(
        {
            "camera": {"position": [1, -4, 2], "look_at": [0, 0, 1.5], "aspect": 1.85},
            "characters": [{"name": "Maya", "path": [[0, 0, 0], [2, 1, 0]]}, {"name": "Tom", "pose": "sitting"}],
            "set_pieces": [{"position": [0, 2], "size": [2, 0.2, 1]}],
            "move": {"type": "zoom"},
            "environment": {"time_of_day": "DUSK"},
        }
    )
    assert CameraSpec.model_validate(spec).model_dump(mode="json", exclude_unset=True) == spec
    with pytest.raises(ValidationError):
        CameraSpec.model_validate({**spec, "camera": {**spec["camera"], "lens_mm": 2}})
