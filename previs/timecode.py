"""SMPTE timecode of integer frame numbers at the trade's frame rates.

23.976 runs at a nominal 24 frames per second of timecode (non-drop); 29.97 uses drop-frame
timecode (frame numbers 00 and 01 are skipped at the start of every minute except every tenth),
shown with ';' before the frames as editors expect. Integer rates count plainly.
"""

from fractions import Fraction

DROP_FRAME_RATES = {"29.97": 2, "59.94": 4}


def nominal_rate(fps: str) -> int:
    return round(float(fps))


def frame_rate(fps: str) -> Fraction:
    """The real rate: 23.976 is 24000/1001, 29.97 is 30000/1001."""
    if fps in ("23.976", "29.97", "59.94"):
        return Fraction(nominal_rate(fps) * 1000, 1001)
    return Fraction(fps)


def timecode(frame: int, fps: str) -> str:
    if frame < 0:
        raise ValueError("Frame numbers start at 0.")
    rate = nominal_rate(fps)
    drop = DROP_FRAME_RATES.get(fps, 0)
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


def frames_in(duration_s: float, fps: str) -> int:
    """Whole frames in a duration at the real rate (at least one)."""
    return max(1, round(duration_s * float(frame_rate(fps))))
