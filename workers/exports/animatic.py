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
from fractions import Fraction

import av
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from previs.timecode import frame_rate, frames_in, timecode
from previs.types import JsonObject

from . import ExportError, Load, Progress

RESOLUTIONS = {"720p": (1280, 720), "1080p": (1920, 1080)}
SOURCES = ("panels", "clips")
SAMPLE_RATE = 48000
AAC_FRAME = 1024
BACKGROUND = (0, 0, 0)


def timeline_items(board: JsonObject) -> list[JsonObject]:
    """Story order (scenes → shots → panels), each panel its duration in whole frames at the
    project's rate; a shot without panels is one item of the shot's duration."""
    fps = board["project"]["fps"]
    items, start = [], 0
    for s, scene in enumerate(board["scenes"]):
        for k, shot in enumerate(scene["shots"]):
            spans = [(p, frames_in(panel["duration_s"], fps)) for p, panel in enumerate(shot["panels"])] or [(None, frames_in(shot["duration_s"], fps))]
            for p, count in spans:
                items.append({"scene_index": s, "shot_index": k, "panel_index": p, "start": start, "frames": count})
                start += count
    return items


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
        self.box_w, self.box_h = (right + self.pad) // 2 * 2 + 2, (bottom + self.pad // 2) // 4 * 4 + 4
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
        planes[self.box_y:self.box_y + bh, self.box_x:self.box_x + bw] = luma
        for plane in range(2):
            chroma = planes[height + plane * height // 4:height + (plane + 1) * height // 4].reshape(height // 2, width // 2)
            chroma[self.box_y // 2:(self.box_y + bh) // 2, self.box_x // 2:(self.box_x + bw) // 2] = 128


def _clip_pictures(data: bytes, rate: Fraction, count: int, size: tuple[int, int]):
    """The clip's pictures at the movie's frames 0..count-1 (the last one held if it runs short)."""
    with av.open(io.BytesIO(data)) as container:
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


def _scratch_sound(board: JsonObject, items: list[JsonObject], rate: Fraction, total_frames: int, load: Load) -> np.ndarray | None:
    """One 48 kHz stereo buffer of the film's length with each scene's and shot's scratch audio
    at its first frame's time; None when there is none."""
    starts: dict[tuple[int, int | None], int] = {}
    for item in items:
        starts.setdefault((item["scene_index"], None), item["start"])
        starts.setdefault((item["scene_index"], item["shot_index"]), item["start"])
    placed = []
    for s, scene in enumerate(board["scenes"]):
        if scene.get("audio") and (s, None) in starts:
            placed.append((scene["audio"], starts[(s, None)]))
        for k, shot in enumerate(scene["shots"]):
            if shot.get("audio") and (s, k) in starts:
                placed.append((shot["audio"], starts[(s, k)]))
    if not placed:
        return None
    length = int(total_frames / rate * SAMPLE_RATE)
    mix = np.zeros((2, length), dtype=np.float32)
    for audio, start_frame in placed:
        offset = int(start_frame / rate * SAMPLE_RATE)
        resampler = av.AudioResampler(format="fltp", layout="stereo", rate=SAMPLE_RATE)
        try:
            with av.open(io.BytesIO(load(audio["key"]))) as container:
                if not container.streams.audio:
                    raise ExportError([f"audio: {audio.get('name') or audio['key']} has no sound in it."])
                for frame in container.decode(container.streams.audio[0]):
                    for out in resampler.resample(frame):
                        offset = _lay(mix, out.to_ndarray(), offset)
                for out in resampler.resample(None):
                    offset = _lay(mix, out.to_ndarray(), offset)
        except av.FFmpegError as error:
            raise ExportError([f"audio: {audio.get('name') or audio['key']} could not be read ({error})."]) from error
    np.clip(mix, -1.0, 1.0, out=mix)
    return mix


def _lay(mix: np.ndarray, samples: np.ndarray, offset: int) -> int:
    room = max(0, min(samples.shape[1], mix.shape[1] - offset))
    mix[:, offset:offset + room] += samples[:, :room]
    return offset + samples.shape[1]


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
    items = timeline_items(board)
    if not items:
        raise ExportError(["There are no shots to play."])
    size = RESOLUTIONS[resolution]
    rate = frame_rate(board["project"]["fps"])
    total = items[-1]["start"] + items[-1]["frames"]
    sound = _scratch_sound(board, items, rate, total, load)
    burn = BurnIns(size, board["project"]["name"], watermark) if burn_ins else None

    output = io.BytesIO()
    with av.open(output, "w", format="mp4") as container:
        video = container.add_stream("libx264", rate=rate)
        video.width, video.height, video.pix_fmt = size[0], size[1], "yuv420p"
        video.time_base = 1 / rate
        video.options = {"preset": "ultrafast", "crf": "23"}
        audio = container.add_stream("aac", rate=SAMPLE_RATE, layout="stereo") if sound is not None else None

        done = 0
        clips_drawn: set[tuple[int, int]] = set()
        for item in items:
            scene, shot = board["scenes"][item["scene_index"]], board["scenes"][item["scene_index"]]["shots"][item["shot_index"]]
            clip = shot.get("clip") if source == "clips" else None
            if clip:
                # The clip covers the whole shot: drawn once, from the shot's first item.
                key = (item["scene_index"], item["shot_index"])
                if key in clips_drawn:
                    continue
                clips_drawn.add(key)
                frames = sum(i["frames"] for i in items if (i["scene_index"], i["shot_index"]) == key)
                pictures = _clip_pictures(load(clip["key"]), rate, frames, size)
            else:
                image = shot["panels"][item["panel_index"]].get("image") if item["panel_index"] is not None else None
                still = _fit(Image.open(io.BytesIO(load(image["key"]))), size) if image else _slate(shot, scene, size)
                frames = item["frames"]
                pictures = iter([still])
            base = None
            for offset in range(frames):
                picture = next(pictures, None)
                if picture is not None:
                    fitted = picture if picture.size == size else _fit(picture, size)
                    base = _yuv(burn.still(fitted, scene, shot) if burn else fitted)
                frame_number = item["start"] + offset
                planes = base
                if burn:
                    planes = base.copy()
                    burn.stamp(planes, burn.timecode_box(timecode(frame_number, board["project"]["fps"])))
                frame = av.VideoFrame.from_ndarray(planes, format="yuv420p")
                frame.pts = frame_number
                for packet in video.encode(frame):
                    container.mux(packet)
                done += 1
                progress(done, total)
        for packet in video.encode():
            container.mux(packet)

        if audio is not None and sound is not None:
            for start in range(0, sound.shape[1], AAC_FRAME):
                chunk = np.ascontiguousarray(sound[:, start:start + AAC_FRAME])
                frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="stereo")
                frame.sample_rate, frame.pts = SAMPLE_RATE, start
                for packet in audio.encode(frame):
                    container.mux(packet)
            for packet in audio.encode():
                container.mux(packet)
    return output.getvalue()
