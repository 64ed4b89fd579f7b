"""Renderers that turn a camera-and-blocking spec (previs/spec.py) into images and clips.

Pure Python (numpy, Pillow, PyAV); no Django. `blocking` draws grey-box frames, depth maps and
camera plots; `clip` keys camera moves over a shot and encodes H.264 MP4.
"""


class RenderCancelled(Exception):
    """Raised inside a render when its job was cancelled (one class for every renderer)."""
