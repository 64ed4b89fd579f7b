"""The animatic movie: the board played as a film, an H.264 MP4 (with AAC when there is scratch
sound), built with PyAV from a board snapshot (workers/exports documents its shape).

Timing comes from the one timing rule (previs.animatic): every panel starts on the frame the
timeline says, so the movie, the browser's player and the editor's timeline agree to the frame.
A shot whose latest clip is chosen (source "clips") plays its clip over the shot's frames,
holding the clip's last frame if the clip is shorter.

Speed: a panel held for N frames is drawn once (fitted, burn-ins on it) and converted to the
encoder's YUV once; each of its frames is a copy of that picture with only the small timecode
box redrawn, and x264 (preset ultrafast) codes the unchanged picture as skipped blocks. Sound:
each shot's or scene's scratch audio is decoded, resampled to 48 kHz stereo and laid at its
start frame's time in one buffer, then coded as AAC.
"""

import io
from collections.abc import Iterator
from fractions import Fraction

import av
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from previs import animatic as animatic_timeline
from previs.animatic import MODES as SOURCES
from previs.animatic import Item, Timeline
from previs.timecode import frame_rate, timecode
from previs.types import JsonObject

from . import ExportError, Load, Progress

RESOLUTIONS = {"720p": (1280, 720), "1080p": (1920, 1080)}
SAMPLE_RATE = 48000
AAC_FRAME = 1024
# x264's fastest preset: an animatic is mostly held stills, which code as skipped blocks anyway.
VIDEO_OPTIONS = {"preset": "ultrafast", "crf": "23"}
BACKGROUND = (0, 0, 0)


def timeline(board: JsonObject, source: str = "panels") -> Timeline:
    """The one timing rule (previs.animatic) applied to the export's snapshot."""
    return animatic_timeline.build({"fps": board["project"]["fps"], "scenes": board["scenes"]}, source)  # type: ignore[arg-type]


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.truetype("DejaVuSans-Bold.ttf", size)
    except OSError:
        return ImageFont.load_default(size)


def _yuv(picture: Image.Image) -> np.ndarray:
    """The picture as the encoder's yuv420p planes, one array of height × 3/2 rows."""
    frame = av.VideoFrame.from_ndarray(np.asarray(picture.convert("RGB")), format="rgb24")
    return frame.reformat(format="yuv420p").to_ndarray()


def _fit(picture: Image.Image, size: tuple[int, int]) -> Image.Image:
    """The picture letterboxed (or pillarboxed) into the movie's frame."""
    width, height = size
    scale = min(width / picture.width, height / picture.height)
    fitted = picture.convert("RGB").resize((max(1, round(picture.width * scale)), max(1, round(picture.height * scale))), Image.Resampling.BILINEAR)
    canvas = Image.new("RGB", size, BACKGROUND)
    canvas.paste(fitted, ((width - fitted.width) // 2, (height - fitted.height) // 2))
    return canvas


def _slate(shot: JsonObject, scene: JsonObject, size: tuple[int, int]) -> Image.Image:
    """A shot with nothing to show yet: its number and action on black."""
    canvas = Image.new("RGB", size, (24, 24, 24))
    draw = ImageDraw.Draw(canvas)
    font = _font(size[1] // 18)
    draw.text((size[0] // 2, size[1] // 2), f"Sc {scene['number']} · Shot {shot['number']}", font=font, fill=(230, 230, 230), anchor="mm")
    text = (shot.get("description") or "")[:90]
    if text:
        draw.text((size[0] // 2, size[1] // 2 + size[1] // 12), text, font=_font(size[1] // 36), fill=(170, 170, 170), anchor="mm")
    return canvas


class BurnIns:
    """Scene/shot number and project name drawn once per picture; the timecode box per frame."""

    def __init__(self, size: tuple[int, int], project: str, watermark: str) -> None:
        self.size, self.project, self.watermark = size, project, watermark
        self.pad = size[1] // 40
        self.font = _font(size[1] // 30)
        left, top, right, bottom = self.font.getbbox("00:00:00;00")
        # Even offsets and a height of whole fours: the box lands on whole chroma samples of
        # yuv420p, whose chroma planes are stored as rows of the full width.
        self.box_w, self.box_h = int(right + self.pad) // 2 * 2 + 2, int(bottom + self.pad // 2) // 4 * 4 + 4
        self.box_x = (size[0] - self.box_w - self.pad) // 2 * 2
        self.box_y = (size[1] - self.box_h - self.pad) // 2 * 2

    def still(self, picture: Image.Image, scene: JsonObject, shot: JsonObject) -> Image.Image:
        picture = picture.copy()
        draw = ImageDraw.Draw(picture, "RGBA")
        width, height = self.size
        label = f"Sc {scene['number']}  Shot {shot['number']}"
        for text, anchor, at in ((label, "la", (self.pad, self.pad)), (self.project, "ra", (width - self.pad, self.pad))):
            if text:
                box = draw.textbbox(at, text, font=self.font, anchor=anchor)
                draw.rectangle((box[0] - 8, box[1] - 6, box[2] + 8, box[3] + 6), fill=(0, 0, 0, 150))
                draw.text(at, text, font=self.font, fill=(255, 255, 255), anchor=anchor)
        if self.watermark:
            mark = _font(height // 14)
            draw.text((width // 2, height // 2), self.watermark, font=mark, fill=(255, 255, 255, 70), anchor="mm")
        return picture

    def timecode_box(self, text: str) -> np.ndarray:
        """The box's luma: white text on black needs no colour, so its chroma stays neutral
        (128) and the studio-range luma is worked out directly, without a scaler per frame."""
        box = Image.new("L", (self.box_w, self.box_h), 0)
        ImageDraw.Draw(box).text((self.box_w // 2, self.box_h // 2), text, font=self.font, fill=255, anchor="mm")
        return (np.asarray(box, dtype=np.uint16) * 219 // 255 + 16).astype(np.uint8)

    def stamp(self, planes: np.ndarray, luma: np.ndarray) -> None:
        """Write the timecode box into the frame's planes, in place (yuv420p stores each chroma
        plane as height/4 rows of the full width)."""
        width, height = self.size
        bw, bh = self.box_w, self.box_h
        planes[self.box_y : self.box_y + bh, self.box_x : self.box_x + bw] = luma
        for plane in range(2):
            chroma = planes[height + plane * height // 4 : height + (plane + 1) * height // 4].reshape(height // 2, width // 2)
            chroma[self.box_y // 2 : (self.box_y + bh) // 2, self.box_x // 2 : (self.box_x + bw) // 2] = 128


def _clip_pictures(data: bytes, rate: Fraction, count: int, size: tuple[int, int]) -> Iterator[Image.Image]:
    """The clip's pictures at the movie's frames 0..count-1 (the last one held if it runs short)."""
    with av.open(io.BytesIO(data), "r") as container:
        stream = container.streams.video[0]
        decoded = (frame for frame in container.decode(stream))
        current, upcoming = None, next(decoded, None)
        for index in range(count):
            at = index / rate
            while upcoming is not None and (current is None or (upcoming.time or 0) <= at):
                current, upcoming = upcoming, next(decoded, None)
            if current is None:
                return
            yield current.to_image()


def _scratch_sound(board: JsonObject, plan: Timeline, rate: Fraction, load: Load) -> np.ndarray | None:
    """One 48 kHz stereo buffer of the film's length with each scene's and shot's scratch audio
    laid from its first frame and cut at its last (the timeline's audio spans); None without."""
    if not plan["audio"]:
        return None
    mix = np.zeros((2, int(plan["length"] / rate * SAMPLE_RATE)), dtype=np.float32)
    for span in plan["audio"]:
        scene = board["scenes"][span["scene"]]
        audio = scene["audio"] if span["shot"] is None else scene["shots"][span["shot"]]["audio"]
        name = audio.get("name") or audio["key"]
        offset = int(span["start"] / rate * SAMPLE_RATE)
        end = min(mix.shape[1], int((span["start"] + span["length"]) / rate * SAMPLE_RATE))
        resampler = av.AudioResampler(format="fltp", layout="stereo", rate=SAMPLE_RATE)
        try:
            with av.open(io.BytesIO(load(audio["key"])), "r") as container:
                if not container.streams.audio:
                    raise ExportError([f"audio: {name} has no sound in it."])
                for frame in container.decode(container.streams.audio[0]):
                    for out in resampler.resample(frame):
                        offset = _lay(mix, out.to_ndarray(), offset, end)
                for out in resampler.resample(None):
                    offset = _lay(mix, out.to_ndarray(), offset, end)
        except av.FFmpegError as error:
            raise ExportError([f"audio: {name} could not be read ({error})."]) from error
    np.clip(mix, -1.0, 1.0, out=mix)
    return mix


def _lay(mix: np.ndarray, samples: np.ndarray, offset: int, end: int) -> int:
    room = max(0, min(samples.shape[1], end - offset))
    mix[:, offset : offset + room] += samples[:, :room]
    return offset + int(samples.shape[1])


def _pictures(item: Item, scene: JsonObject, shot: JsonObject, rate: Fraction, size: tuple[int, int], load: Load) -> Iterator[Image.Image]:
    """The item's pictures: a clip's frames, or once the panel's picture (or the shot's card),
    held for the rest of the item."""
    if item["kind"] == "clip":
        return _clip_pictures(load(shot["clip"]["key"]), rate, item["length"], size)
    image = shot["panels"][item["panel"]].get("image") if item["panel"] is not None else None
    still: Image.Image = _fit(Image.open(io.BytesIO(load(image["key"]))), size) if image else _slate(shot, scene, size)
    return iter([still])


def animatic_mp4(
    board: JsonObject,
    load: Load,
    *,
    resolution: str = "1080p",
    burn_ins: bool = True,
    watermark: str = "",
    source: str = "panels",
    progress: Progress = lambda done, total: None,
) -> bytes:
    """The board as an H.264 MP4 at the project's frame rate."""
    if resolution not in RESOLUTIONS:
        raise ExportError([f"resolution: {resolution} is not one of {', '.join(RESOLUTIONS)}."])
    if source not in SOURCES:
        raise ExportError([f"source: {source} is not one of {', '.join(SOURCES)}."])
    plan = timeline(board, source)
    if not plan["items"]:
        raise ExportError(["There are no shots to play."])
    size = RESOLUTIONS[resolution]
    rate = frame_rate(board["project"]["fps"])
    total = plan["length"]
    sound = _scratch_sound(board, plan, rate, load)
    burn = BurnIns(size, board["project"]["name"], watermark) if burn_ins else None

    output = io.BytesIO()
    with av.open(output, "w", format="mp4") as container:
        video = container.add_stream("libx264", rate=rate)
        video.width, video.height, video.pix_fmt = size[0], size[1], "yuv420p"
        video.time_base = 1 / rate
        video.options = dict(VIDEO_OPTIONS)
        audio = container.add_stream("aac", rate=SAMPLE_RATE, layout="stereo") if sound is not None else None

        done = 0
        for item in plan["items"]:
            scene = board["scenes"][item["scene"]]
            shot = scene["shots"][item["shot"]]
            frames = item["length"]
            pictures = _pictures(item, scene, shot, rate, size, load)
            base: np.ndarray | None = None
            frame: av.VideoFrame | None = None
            for offset in range(frames):
                picture = next(pictures, None)
                if picture is not None:
                    fitted = picture if picture.size == size else _fit(picture, size)
                    base = _yuv(burn.still(fitted, scene, shot) if burn else fitted)
                    frame = None
                if base is None:
                    raise ExportError([f"clip: shot {shot['number']}'s clip has no pictures that can be read."])
                frame_number = item["start"] + offset
                if burn:
                    planes = base.copy()
                    burn.stamp(planes, burn.timecode_box(timecode(frame_number, board["project"]["fps"])))
                    frame = av.VideoFrame.from_ndarray(planes, format="yuv420p")
                elif frame is None:  # a held picture without burn-ins is one frame, sent N times
                    frame = av.VideoFrame.from_ndarray(base, format="yuv420p")
                frame.pts = frame_number
                for packet in video.encode(frame):
                    container.mux(packet)
                done += 1
                progress(done, total)
        for packet in video.encode():
            container.mux(packet)

        if audio is not None and sound is not None:
            for start in range(0, sound.shape[1], AAC_FRAME):
                chunk = np.ascontiguousarray(sound[:, start : start + AAC_FRAME])
                sound_frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="stereo")
                sound_frame.sample_rate, sound_frame.pts = SAMPLE_RATE, start
                for packet in audio.encode(sound_frame):
                    container.mux(packet)
            for packet in audio.encode():
                container.mux(packet)
    return output.getvalue()
