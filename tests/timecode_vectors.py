"""Golden vectors of previs/timecode.py, which frontend/src/timecode.test.ts checks the
TypeScript twin against (tests/test_timecode.py fails when the checked-in file drifts).

Regenerate after changing previs/timecode.py:  .venv/bin/python -m tests.timecode_vectors
"""

import json
from pathlib import Path

from previs.timecode import frame_rate, frames_in, timecode
from previs.vocabulary import FRAME_RATES

PATH = Path(__file__).resolve().parent.parent / "frontend" / "src" / "timecode.vectors.json"
# The frames around every drop-frame boundary (each minute, each tenth minute) and the hour.
FRAMES = sorted(
    {
        0,
        1,
        2,
        3,
        4,
        5,
        23,
        24,
        25,
        29,
        30,
        59,
        60,
        1439,
        1440,
        1441,
        1797,
        1798,
        1799,
        1800,
        1801,
        1802,
        1803,
        1804,
        3595,
        3596,
        3597,
        3598,
        3599,
        3600,
        3601,
        3602,
        3603,
        3604,
        17981,
        17982,
        17983,
        17984,
        35963,
        35964,
        35965,
        35966,
        86313,
        86400,
        107892,
        107999,
        108000,
        215784,
        216000,
        215999,
        863999,
        2589408,
    }
)
DURATIONS_S = (0.04, 0.25, 0.5, 1.0, 2.5, 3.0, 10.01, 59.94, 600.0)


def vectors():
    rates = list(FRAME_RATES) + ["59.94", 29.97, 23.976]  # labels, plus the numbers the spec stores
    return {
        "frame_rates": [{"fps": fps, "exact": [frame_rate(fps).numerator, frame_rate(fps).denominator]} for fps in rates],
        "timecodes": [{"fps": fps, "frame": frame, "timecode": timecode(frame, fps)} for fps in rates for frame in FRAMES],
        "frames_in": [{"fps": fps, "duration_s": d, "frames": frames_in(d, fps)} for fps in rates for d in DURATIONS_S],
    }


def encoded():
    return json.dumps(vectors(), indent=1) + "\n"


if __name__ == "__main__":
    PATH.write_text(encoded())
    print(f"wrote {PATH}")
