"""Frame rates and SMPTE timecode: the one definition (frontend/src/timecode.ts is its
TypeScript twin, held to it by golden vectors: tests/timecode_vectors.py).

A rate is a FRAME_RATES label ("23.976", "29.97") or a number (the spec stores 29.97). The NTSC
rates run slightly slower than their names: 23.976 is 24000/1001 frames a second, 29.97 is
30000/1001, 59.94 is 60000/1001. Timecode counts at the nominal rate (24, 30, 60); 23.976 counts
plainly (non-drop), so its timecode drifts from the clock by 0.1 %. 29.97 and 59.94 use
drop-frame timecode, shown with ';' before the frames as editors expect: frame numbers 00 and 01
(00-03 at 59.94) are skipped at the start of every minute except every tenth, which keeps
timecode on the clock.
"""

import math
from fractions import Fraction

# A rate as the spec or a form gives it: a FRAME_RATES label ("29.97") or a number.
Rate = str | float | Fraction

NTSC_NOMINAL_RATES = (24, 30, 48, 60, 120)
# Frame numbers dropped each minute, by exact rate.
DROPPED_PER_MINUTE = {Fraction(30000, 1001): 2, Fraction(60000, 1001): 4}


def frame_rate(fps: Rate) -> Fraction:
    """The exact rate: 23.976 is 24000/1001, 29.97 is 30000/1001, 59.94 is 60000/1001."""
    value = float(fps)
    for nominal in NTSC_NOMINAL_RATES:
        ntsc = Fraction(nominal * 1000, 1001)
        if abs(value - float(ntsc)) < 0.005:
            return ntsc
    return Fraction(value).limit_denominator(1001)


def nominal_rate(fps: Rate) -> int:
    """Frames per second of timecode: 23.976 counts as 24, 29.97 as 30."""
    return round(float(fps))


def is_drop_frame(fps: Rate) -> bool:
    return frame_rate(fps) in DROPPED_PER_MINUTE


def timecode(frame: int, fps: Rate) -> str:
    """HH:MM:SS:FF of frame `frame` (the first frame is 0); HH:MM:SS;FF in drop-frame."""
    if frame < 0:
        raise ValueError("Frame numbers start at 0.")
    rate = nominal_rate(fps)
    drop = DROPPED_PER_MINUTE.get(frame_rate(fps), 0)
    separator = ":"
    if drop:
        separator = ";"
        frames_per_10_min = rate * 600 - drop * 9
        frames_per_min = rate * 60 - drop
        tens, rest = divmod(frame, frames_per_10_min)
        frame += drop * 9 * tens
        if rest > drop:
            frame += drop * ((rest - drop) // frames_per_min)
    frames = frame % rate
    seconds = (frame // rate) % 60
    minutes = (frame // (rate * 60)) % 60
    hours = frame // (rate * 3600)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{separator}{frames:02d}"


def frames_in(duration_s: float, fps: Rate) -> int:
    """Whole frames in a duration at the exact rate, halves rounded up (at least one)."""
    return max(1, math.floor(duration_s * float(frame_rate(fps)) + 0.5))
