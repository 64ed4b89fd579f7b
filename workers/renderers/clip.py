"""Previs clips: the camera move keyed over the shot, rendered as grey-box frames, encoded H.264 MP4.

No Django. Where the camera is at time t is previs.move.camera_at (the frame renderer and the
camera plan use it too, so a still at t, the clip's frame at t and the plan's end mark agree).

The moves, keyed there (spec["move"], parameters documented in previs/spec.py), start from
spec["camera"] and ease in and out (smoothstep), like a grip easing a dolly off its mark:
    static, rack_focus  the camera holds (no depth of field is drawn, so a rack is a locked frame).
    pan / tilt          yaw / pitch turn by `degrees` (+ right / + up).
    pedestal            the camera rises by `distance_m` on its column, angles unchanged.
    dolly_in / out      the camera travels `distance_m` along the floor, toward / away from where it looks.
    truck               the camera travels `distance_m` sideways along the floor (+ = its right).
    arc (orbit)         the camera circles the subject by `degrees` (+ = travelling to its right), turning to keep it.
    crane               the camera rises `distance_m` and tilts to keep the same point in the middle of frame.
    zoom                the focal length runs to `end_lens_mm` (geometrically, so the zoom speed looks even).
    dolly_zoom          the lens runs to `end_lens_mm` while the camera moves along its axis so the subject's
                        distance stays proportional to the focal length: the subject keeps its size, the
                        background stretches or squeezes (the "Vertigo" shot).
    handheld            seeded, deterministic shake (a few summed sines): `amplitude_deg` of rotation and
                        about a centimetre of position per degree.
    steadicam           a gentle push of `distance_m` with a slow float of `amplitude_deg`.

Encoding: libx264 (PyAV wheels ship it), yuv420p, even frame sizes (odd sizes are rounded down),
exact rational frame rates (23.976 = 24000/1001), a keyframe every 12 frames or fewer and no
B-frames, so review tools can seek to any frame quickly; +faststart so browsers play while loading.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Final

import numpy as np
from PIL import Image

from previs.move import camera_at
from previs.spec import frame_count, normalize_spec
from previs.timecode import frame_rate
from previs.types import JsonObject
from workers.renderers.blocking import draw_frame, png_bytes

if TYPE_CHECKING:
    from av.container import OutputContainer
    from av.video.stream import VideoStream

KEYFRAME_INTERVAL = 12
THUMBNAIL_WIDTH = 320
CODEC: Final = "libx264"


# One cancellation exception for every renderer (defined in the package).
from workers.renderers import Progress, RenderCancelled, ShouldCancel  # noqa: E402


class EncoderMissing(RuntimeError):
    """The installed PyAV has no H.264 encoder."""


@dataclass
class ClipResult:
    mp4: bytes
    poster_png: bytes  # the first frame, full size (matches render_frame at t = 0)
    thumbnail_png: bytes  # the first frame, 320 px wide
    frame_count: int
    fps: float
    fps_rational: Fraction
    duration_s: float  # frame_count / fps: what the file plays for
    width: int
    height: int


# --- The clip ------------------------------------------------------------------------------


def _encoder_check() -> None:
    import av

    if CODEC not in av.codecs_available:
        raise EncoderMissing(f"This PyAV build ({av.__version__}) has no {CODEC} encoder; install the PyPI wheel of av, which bundles it.")


def render_clip(spec: JsonObject, width: int, height: int, progress: Progress | None = None, should_cancel: ShouldCancel | None = None) -> ClipResult:
    """Render and encode the shot's move: H.264 MP4 plus a poster and a thumbnail of the first frame.

    progress(frames_done, frame_count) is called after each frame is encoded; should_cancel() is
    checked before each frame and RenderCancelled is raised when it returns true.
    """
    spec = normalize_spec(spec)
    width, height = int(width) // 2 * 2, int(height) // 2 * 2  # 4:2:0 chroma needs even sizes
    if width < 2 or height < 2:
        raise ValueError("A clip needs at least 2×2 pixels.")
    rate = frame_rate(spec["fps"])

    def frames() -> Iterator[Image.Image]:
        for index in range(frame_count(spec)):
            t = float(index / rate)
            colour, _depth = draw_frame(spec, camera_at(spec, t), width, height, t, with_depth=False)
            yield colour

    return encode_clip(frames(), frame_count(spec), rate, progress=progress, should_cancel=should_cancel)


def grey_box_frames(spec: JsonObject, width: int, height: int) -> Iterator[tuple[Image.Image, Image.Image]]:
    """Every frame of the shot's move as (colour, depth), for backends that restyle them."""
    spec = normalize_spec(spec)
    rate = frame_rate(spec["fps"])
    for index in range(frame_count(spec)):
        t = float(index / rate)
        yield draw_frame(spec, camera_at(spec, t), width, height, t, with_depth=True)


def encode_clip(
    frames: Iterable[Image.Image], count: int, rate: Fraction, progress: Progress | None = None, should_cancel: ShouldCancel | None = None
) -> ClipResult:
    """Encode RGB frames (an iterable of `count` PIL images of one size) as H.264 MP4 with dense
    keyframes, plus the first frame as poster and thumbnail."""
    _encoder_check()
    import av

    poster: Image.Image | None = None
    width = height = 0
    handle, path = tempfile.mkstemp(suffix=".mp4", prefix="previs-clip-")
    os.close(handle)
    try:
        with av.open(path, mode="w", format="mp4", options={"movflags": "+faststart"}) as container:
            stream: VideoStream | None = None
            for index, colour in enumerate(frames):
                if should_cancel is not None and should_cancel():
                    raise RenderCancelled(f"Cancelled at frame {index} of {count}.")
                if stream is None:
                    width, height = colour.width // 2 * 2, colour.height // 2 * 2
                    stream = _video_stream(container, rate, width, height)
                    poster = colour
                if colour.size != (width, height):
                    colour = colour.crop((0, 0, width, height))
                rgb = np.asarray(colour if colour.mode == "RGB" else colour.convert("RGB"))
                frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
                frame.pts = index
                frame.time_base = 1 / rate
                for packet in stream.encode(frame):
                    container.mux(packet)
                if progress is not None:
                    progress(index + 1, count)
            if stream is None:
                raise ValueError("A clip needs at least one frame.")
            for packet in stream.encode(None):
                container.mux(packet)
        with open(path, "rb") as handle_in:
            mp4 = handle_in.read()
    finally:
        os.unlink(path)

    if poster is None:  # the first frame sets it, and no frame raised above
        raise ValueError("A clip needs at least one frame.")
    thumb_height = max(2, round(poster.height * THUMBNAIL_WIDTH / poster.width))
    thumbnail = poster.resize((THUMBNAIL_WIDTH, thumb_height), Image.Resampling.BILINEAR)
    return ClipResult(
        mp4=mp4,
        poster_png=png_bytes(poster),
        thumbnail_png=png_bytes(thumbnail),
        frame_count=count,
        fps=float(rate),
        fps_rational=rate,
        duration_s=float(count / rate),
        width=width,
        height=height,
    )


def _video_stream(container: OutputContainer, rate: Fraction, width: int, height: int) -> VideoStream:
    stream = container.add_stream(CODEC, rate=rate)
    stream.width = width
    stream.height = height
    stream.pix_fmt = "yuv420p"
    stream.time_base = 1 / rate
    stream.codec_context.time_base = 1 / rate
    stream.codec_context.gop_size = KEYFRAME_INTERVAL
    stream.codec_context.max_b_frames = 0
    stream.codec_context.thread_count = 1  # one core per render worker; parallelism is across jobs
    stream.options = {
        "preset": "superfast",  # ~3× faster than veryfast on grey boxes; previews, not masters
        "crf": "20",
        "x264-params": f"keyint={KEYFRAME_INTERVAL}:min-keyint=1:scenecut=0:bframes=0",
    }
    return stream
