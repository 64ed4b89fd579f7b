"""previs/timecode.py: drop-frame and non-drop timecode, exact rates, frame counts; and the golden
vectors the browser's timecode is checked against (frontend/src/timecode.test.ts)."""

from fractions import Fraction

import pytest

from previs.timecode import frame_rate, frames_in, timecode
from tests import timecode_vectors


@pytest.mark.parametrize(
    "frame, fps, expected",
    [
        (0, "24", "00:00:00:00"),
        (26, "24", "00:00:01:02"),
        (1800, "29.97", "00:01:00;02"),  # 00 and 01 are skipped at the start of minute 1
        (1799, "29.97", "00:00:59;29"),
        (17982, "29.97", "00:10:00;00"),  # but not on the tenth minute
        (107892, "29.97", "01:00:00;00"),  # an hour of drop-frame timecode is an hour of clock
        (3600, "59.94", "00:01:00;04"),
        (1440, "23.976", "00:01:00:00"),  # 23.976 counts at 24, non-drop
        (1800, 29.97, "00:01:00;02"),  # the number the spec stores counts the same as the label
    ],
)
def test_timecode(frame, fps, expected):
    assert timecode(frame, fps) == expected


def test_exact_rates_and_frame_counts():
    assert frame_rate("23.976") == Fraction(24000, 1001) == frame_rate(23.976)
    assert frame_rate("29.97") == Fraction(30000, 1001) and frame_rate("25") == 25
    assert frames_in(3.0, "29.97") == 90 and frames_in(0.5, "25") == 13 and frames_in(0.0, "24") == 1


def test_the_checked_in_golden_vectors_are_previs_timecode():
    assert timecode_vectors.PATH.read_text() == timecode_vectors.encoded(), (
        "frontend/src/timecode.vectors.json no longer matches previs/timecode.py: "
        "run .venv/bin/python -m tests.timecode_vectors and check the TypeScript twin with npm test"
    )
