"""Renderers that turn a camera-and-blocking spec (previs/spec.py) into images and clips.

Pure Python (numpy, Pillow, PyAV); no Django. `blocking` draws grey-box frames, depth maps and
camera plots; `clip` keys camera moves over a shot and encodes H.264 MP4.
"""

from collections.abc import Callable

# Told (done, total) as a render goes.
Progress = Callable[[int, int], None]
# Asked before each frame or step: true once the job was cancelled.
ShouldCancel = Callable[[], bool]


class RenderCancelled(Exception):
    """Raised inside a render when its job was cancelled (one class for every renderer)."""
