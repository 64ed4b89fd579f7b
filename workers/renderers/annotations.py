"""Drawing review marks with Pillow: annotated frames (PNG) and guest watermarks (the notes PDF
is vector text: workers.exports.pdf.notes_pdf). Pure functions of their inputs (no Django), like every renderer.

Shapes are the stored form (apps.review.protocol.AnnotationShape): points in 0..1 of the
picture, widths in pixels of a 1000-pixel-wide picture.
"""

import io
import math
from fractions import Fraction

import av
from PIL import Image, ImageDraw, ImageFont

from previs.types import JsonObject

REFERENCE_WIDTH = 1000


def _font(size: float) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _rgb(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    red, green, blue = (int(colour[i : i + 2], 16) for i in (0, 2, 4))
    return red, green, blue


def draw_shapes(picture: Image.Image, shapes: list[JsonObject]) -> Image.Image:
    """The picture with the marks drawn over it (a new RGB image)."""
    image = picture.convert("RGB")
    width, height = image.size
    scale = width / REFERENCE_WIDTH
    draw = ImageDraw.Draw(image)

    def at(point: list[float]) -> tuple[float, float]:
        return (point[0] * width, point[1] * height)

    for shape in shapes:
        colour = _rgb(shape["colour"])
        line_width = max(1, round(shape["width"] * scale))
        points = [at(point) for point in shape["points"]]
        tool = shape["tool"]
        if tool == "pen":
            if len(points) == 1:
                x, y = points[0]
                r = line_width / 2
                draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)
            else:
                # Pressure thins the line where the stylus was light.
                for a, b, point in zip(points, points[1:], shape["points"][1:]):
                    pressure = point[2] if len(point) > 2 else 1.0
                    draw.line((a, b), fill=colour, width=max(1, round(line_width * (0.35 + 0.65 * pressure))), joint="curve")
        elif tool in ("line", "arrow"):
            draw.line(points, fill=colour, width=line_width)
            if tool == "arrow":
                (x0, y0), (x1, y1) = points
                angle = math.atan2(y1 - y0, x1 - x0)
                head = max(8, line_width * 4)
                for side in (-1, 1):
                    barb = angle + math.pi - side * math.radians(28)
                    draw.line(((x1, y1), (x1 + head * math.cos(barb), y1 + head * math.sin(barb))), fill=colour, width=line_width)
        elif tool in ("rect", "ellipse"):
            (x0, y0), (x1, y1) = points
            box = (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
            (draw.rectangle if tool == "rect" else draw.ellipse)(box, outline=colour, width=line_width)
        elif tool == "text":
            size = max(10, round(shape["width"] * 4 * scale))
            draw.text(points[0], shape.get("text", ""), fill=colour, font=_font(size), stroke_width=max(1, size // 10), stroke_fill=(0, 0, 0))
    return image


def watermark(picture: Image.Image, text: str) -> Image.Image:
    """The picture with `text` across it, faint enough to watch through, visible enough to
    show on any copy that leaks."""
    image = picture.convert("RGBA")
    width, height = image.size
    layer = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    size = max(12, width // 40)
    font = _font(size)
    band = size * 2
    # Stamps a row apart by their own measured length plus a gap, so a long name and date never
    # run into the next stamp (a fixed half-width step printed them over each other), and rows
    # stop above the bottom band, whose clear stamp nothing prints over.
    step_x = math.ceil(draw.textlength(text, font=font)) + size * 3
    step_y = size * 6
    for row, y in enumerate(range(size, height - band - size * 2, step_y)):
        offset = (row % 2) * step_x // 2
        for x in range(-offset, width, step_x):
            draw.text((x, y), text, fill=(255, 255, 255, 70), font=font, stroke_width=1, stroke_fill=(0, 0, 0, 70))
    # And once, clearly, along the bottom edge.
    draw.rectangle((0, height - band, width, height), fill=(0, 0, 0, 120))
    draw.text((size // 2, height - size * 1.6), text, fill=(255, 255, 255, 220), font=font)
    return Image.alpha_composite(image, layer).convert("RGB")


def png_bytes(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()


def clip_frame(data: bytes, index: int) -> Image.Image:
    """Frame `index` (0-based) of an encoded clip, decoded exactly (not the nearest keyframe)."""
    with av.open(io.BytesIO(data), mode="r") as container:
        stream = container.streams.video[0]
        rate = stream.average_rate or Fraction(24)
        time_base = stream.time_base
        if time_base is None:
            raise ValueError("The clip's video has no time base.")
        target = Fraction(index) / rate
        # Seek to the keyframe at or before the frame, then decode forward to it.
        container.seek(int(target / time_base), stream=stream, backward=True, any_frame=False)
        last: av.VideoFrame | None = None
        for frame in container.decode(stream):
            if frame.pts is None:
                continue
            last = frame
            if frame.pts * time_base >= target - Fraction(1, 2) / rate:
                image: Image.Image = frame.to_image()
                return image
        if last is None:
            raise ValueError("The clip has no frames.")
        image = last.to_image()  # past the end: its last frame
        return image
