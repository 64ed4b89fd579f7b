"""Printed storyboards and the printable shot list, drawn with fpdf2.

Vector pages with real (selectable, searchable) text in DejaVu Sans, which covers the accents,
dashes and quotes of any script; pictures are scaled down to the print resolution of the box
they fill and embedded as JPEG, each once however often it appears.
"""

import io
import logging
import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import date

from fpdf import FPDF
from PIL import Image

from previs import vocabulary
from previs.types import JsonObject

from . import ExportError, Load, Progress

# fpdf2 subsets the font with fontTools, which logs every step at INFO: a worker's log drowns.
logging.getLogger("fontTools").setLevel(logging.WARNING)

FONT_DIR = os.environ.get("STUDIO_PDF_FONT_DIR", "/usr/share/fonts/truetype/dejavu")
FONT = "DejaVu"
PRINT_DPI = 200  # pictures are printed no finer than this; more would only make the file bigger
JPEG_QUALITY = 82

# Panels a page → (columns, rows) in portrait; landscape swaps them.
LAYOUTS = {1: (1, 1), 2: (1, 2), 3: (1, 3), 6: (2, 3), 9: (3, 3)}
PAPERS = {"a4": "A4", "letter": "Letter"}
ORIENTATIONS = {"portrait": "P", "landscape": "L"}
MARGIN = 12.0
GAP = 5.0
HEADER = 14.0
FOOTER = 10.0


class Document(FPDF):
    def __init__(self, title: str, subtitle: str, orientation: str, paper: str) -> None:
        super().__init__(orientation=ORIENTATIONS[orientation], unit="mm", format=PAPERS[paper])
        self.title_text, self.subtitle = title, subtitle
        self.set_title(title)
        self.set_creator("Previs Studio")
        self.set_auto_page_break(False)
        self.set_margins(MARGIN, MARGIN, MARGIN)
        for style, name in (("", "DejaVuSans.ttf"), ("B", "DejaVuSans-Bold.ttf"), ("I", "DejaVuSans-Oblique.ttf")):
            path = os.path.join(FONT_DIR, name)
            if not os.path.exists(path):
                raise ExportError([f"The PDF font {path} is missing on this worker (install fonts-dejavu-core)."])
            self.add_font(FONT, style, path)
        self.pictures: dict[tuple[str, int, int], bytes] = {}  # (key, width px, height px) -> JPEG
        self.widths: dict[tuple[str, str, float], float] = {}  # (word, style, size) -> mm

    def header(self) -> None:
        self.set_xy(MARGIN, MARGIN - 4)
        self.set_font(FONT, "B", 12)
        self.cell(self.w - 2 * MARGIN - 60, 6, self.title_text)
        self.set_font(FONT, "", 9)
        self.cell(60, 6, self.subtitle, align="R")
        self.set_draw_color(160)
        self.line(MARGIN, MARGIN + 3, self.w - MARGIN, MARGIN + 3)

    def footer(self) -> None:
        self.set_xy(MARGIN, self.h - MARGIN + 2)
        self.set_font(FONT, "", 8)
        self.set_text_color(90)
        self.cell(self.w - 2 * MARGIN, 4, f"Page {self.page_no()} of {{nb}}", align="C")
        self.set_text_color(0)

    def prepare_pictures(self, load: Load, boxes: Iterable[tuple[JsonObject, float, float]]) -> None:
        """Scale every (image, width mm, height mm) to its box, side by side: Pillow decodes and
        resamples outside the GIL, so threads use every core."""
        wanted: dict[tuple[str, int, int], tuple[int, int]] = {}
        for image, width_mm, height_mm in boxes:
            size = (max(1, round(width_mm / 25.4 * PRINT_DPI)), max(1, round(height_mm / 25.4 * PRINT_DPI)))
            wanted[(image["key"], *size)] = size
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            done = pool.map(lambda item: print_jpeg(load(item[0][0]), item[1]), wanted.items())
            self.pictures.update(zip(wanted, done))

    def picture(self, image: JsonObject, width_mm: float, height_mm: float) -> io.BytesIO:
        size = (max(1, round(width_mm / 25.4 * PRINT_DPI)), max(1, round(height_mm / 25.4 * PRINT_DPI)))
        return io.BytesIO(self.pictures[(image["key"], *size)])

    def wrap(self, text: str, style: str, size: float, width: float) -> list[str]:
        """The lines `text` takes in `width` mm, broken between words. Widths are summed from
        each word's, measured once per document: fpdf2's own line breaking measures every
        character of every line again, which made 120 panels take seconds."""
        space = self.word_width(" ", style, size)
        lines: list[str] = []
        for paragraph in text.split("\n"):
            line, line_width = "", 0.0
            for word in paragraph.split(" "):
                word_width = self.word_width(word, style, size)
                while word_width > width and len(word) > 1:  # a word longer than the line: cut it
                    cut = len(word) - 1
                    while cut > 1 and self.word_width(word[:cut], style, size) > width:
                        cut -= 1
                    if line:
                        lines.append(line)
                    lines.append(word[:cut])
                    line, line_width = "", 0.0
                    word = word[cut:]
                    word_width = self.word_width(word, style, size)
                if line and line_width + space + word_width <= width:
                    line, line_width = f"{line} {word}", line_width + space + word_width
                elif line:
                    lines.append(line)
                    line, line_width = word, word_width
                else:
                    line, line_width = word, word_width
            lines.append(line)
        return lines

    def word_width(self, word: str, style: str, size: float) -> float:
        key = (word, style, size)
        if key not in self.widths:
            self.set_font(FONT, style, size)
            self.widths[key] = self.get_string_width(word)
        return self.widths[key]

    def text_block(self, x: float, y: float, width: float, bottom: float, pieces: Iterable[tuple[str, float, str]]) -> float:
        """Write (style, size, text) pieces top-down from y, cutting what does not fit above
        `bottom` with an ellipsis. Returns the y where it stopped."""
        for style, size, text in pieces:
            if not text:
                continue
            self.set_font(FONT, style, size)
            line_height = size * 0.42
            lines = self.wrap(text, style, size, width)
            room = int((bottom - y) // line_height)
            if room <= 0:
                break
            if len(lines) > room:
                lines = lines[:room]
                lines[-1] = lines[-1].rstrip()[: max(0, len(lines[-1]) - 2)] + "…"
            for line in lines:
                self.set_xy(x, y)
                self.cell(width, line_height, line)
                y += line_height
            y += 0.6
        return y


def print_jpeg(data: bytes, size: tuple[int, int]) -> bytes:
    """A picture as JPEG bytes no bigger than `size` pixels (its box at PRINT_DPI)."""
    picture: Image.Image = Image.open(io.BytesIO(data))
    picture.draft("RGB", size)  # JPEG sources decode at a fraction of their size
    if picture.mode != "RGB":
        picture = picture.convert("RGB")
    picture.thumbnail(size, Image.Resampling.BICUBIC)
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return buffer.getvalue()


def _label(choices: Iterable[tuple[str, str]], value: str) -> str:
    return dict(choices).get(value, value)


def camera_line(shot: JsonObject) -> str:
    """Size, angle, lens and move as a shot list says them."""
    return " · ".join(
        (
            _label(vocabulary.SHOT_SIZES, shot["shot_size"]),
            _label(vocabulary.CAMERA_ANGLES, shot["angle"]),
            f"{shot['lens_mm']:g} mm",
            _label(vocabulary.CAMERA_MOVES, shot["movement"]),
        )
    )


def _aspect(shot: JsonObject, image: JsonObject | None) -> float:
    if image and image.get("width") and image.get("height"):
        ratio: float = image["width"] / image["height"]
        return ratio
    return vocabulary.ASPECT_RATIOS.get(shot["aspect_ratio"], 16 / 9)


def _check(layout: int, orientation: str, paper: str) -> None:
    errors = []
    if layout not in LAYOUTS:
        errors.append(f"layout: {layout} panels a page is not a layout; use one of {', '.join(map(str, LAYOUTS))}.")
    if orientation not in ORIENTATIONS:
        errors.append(f"orientation: use {' or '.join(ORIENTATIONS)}.")
    if paper not in PAPERS:
        errors.append(f"paper: use {' or '.join(PAPERS)}.")
    if errors:
        raise ExportError(errors)


def boards_pdf(
    board: JsonObject, load: Load, *, layout: int = 6, orientation: str = "portrait", paper: str = "a4", progress: Progress = lambda done, total: None
) -> bytes:
    """Storyboards: `layout` panels a page, each with its picture, shot number, camera (size,
    angle, lens, move), action, dialogue and notes; title, date and page numbers on every page."""
    _check(layout, orientation, paper)
    cells = [
        (scene, shot, panel, index, len(shot["panels"]))
        for scene in board["scenes"]
        for shot in scene["shots"]
        for index, panel in enumerate(shot["panels"] or [None], 1)
    ]
    if not cells:
        raise ExportError(["There are no shots to board."])
    pdf = Document(board["title"], f"Storyboards · {board.get('made_on') or date.today().isoformat()}", orientation, paper)
    columns, rows = LAYOUTS[layout]
    if orientation == "landscape":
        columns, rows = rows, columns
    cell_w = (pdf.w - 2 * MARGIN - (columns - 1) * GAP) / columns
    cell_h = (pdf.h - 2 * MARGIN - HEADER - FOOTER + 4 - (rows - 1) * GAP) / rows

    def box(shot: JsonObject, image: JsonObject | None) -> tuple[float, float]:
        """The picture's box: the cell's width at the picture's aspect, leaving room for the
        words (at least 35 % of the cell, 45 % in the small cells of 6 and 9 a page)."""
        height = min(cell_w / _aspect(shot, image), cell_h * (0.65 if layout <= 3 else 0.55))
        return min(cell_w, height * _aspect(shot, image)), height

    pdf.prepare_pictures(load, [(panel["image"], *box(shot, panel["image"])) for _, shot, panel, _, _ in cells if panel and panel["image"]])
    for done, (scene, shot, panel, index, count) in enumerate(cells):
        slot = done % layout
        if slot == 0:
            pdf.add_page()
        column, row = slot % columns, slot // columns
        x = MARGIN + column * (cell_w + GAP)
        y = MARGIN + HEADER - 4 + row * (cell_h + GAP)
        image = panel["image"] if panel else None
        box_w, box_h = box(shot, image)
        box_x = x + (cell_w - box_w) / 2
        pdf.set_draw_color(60)
        if image:
            pdf.image(pdf.picture(image, box_w, box_h), x=box_x, y=y, w=box_w, h=box_h)
            pdf.rect(box_x, y, box_w, box_h)
        else:
            pdf.set_fill_color(235)
            pdf.rect(box_x, y, box_w, box_h, style="DF")
        heading = f"{shot['number']}"
        if count > 1:
            heading += f" · panel {index} of {count}"
        duration = panel["duration_s"] if panel else shot["duration_s"]
        small = 7 if layout >= 6 else 9
        pieces = [
            ("B", small + 2, f"{heading}   {duration:g} s"),
            ("", small, camera_line(shot)),
            ("", small, shot["description"]),
            ("I", small, f"“{shot['dialogue']}”" if shot["dialogue"] else ""),
            ("", small, (panel or {}).get("caption") or ""),
            (
                "",
                small - 1,
                "Notes: " + " / ".join(n for n in ((panel or {}).get("notes"), shot["notes"]) if n) if (panel or {}).get("notes") or shot["notes"] else "",
            ),
        ]
        pdf.text_block(x, y + box_h + 1.5, cell_w, y + cell_h, pieces)
        progress(done + 1, len(cells))
    return bytes(pdf.output())


def shot_list_pdf(board: JsonObject, *, orientation: str = "landscape", paper: str = "a4", progress: Progress = lambda done, total: None) -> bytes:
    """The shot list to print: a table per scene (shot, size, angle, lens, move, duration,
    characters, action) with the scene's totals, and the whole list's totals at the end."""
    _check(1, orientation, paper)
    scenes = [scene for scene in board["scenes"] if scene["shots"]]
    if not scenes:
        raise ExportError(["There are no shots to list."])
    pdf = Document(board["title"], f"Shot list · {board.get('made_on') or date.today().isoformat()}", orientation, paper)
    pdf.add_page()
    widths = (14, 24, 22, 14, 22, 14, 36)
    headers = ("Shot", "Size", "Angle", "Lens", "Move", "Secs", "Characters")
    action_w = pdf.w - 2 * MARGIN - sum(widths)
    bottom = pdf.h - MARGIN - FOOTER
    y = MARGIN + HEADER - 2
    total_shots, total_seconds = 0, 0.0

    def room_for(height: float) -> None:
        nonlocal y
        if y + height > bottom:
            pdf.add_page()
            y = MARGIN + HEADER - 2

    for done, scene in enumerate(scenes, 1):
        room_for(18)
        pdf.set_xy(MARGIN, y)
        pdf.set_font(FONT, "B", 10)
        pdf.cell(0, 6, f"Scene {scene['number']}  {scene['heading']}")
        y += 7
        pdf.set_font(FONT, "B", 8)
        pdf.set_fill_color(230)
        pdf.set_xy(MARGIN, y)
        for width, header in zip(widths + (action_w,), headers + ("Action / dialogue",)):
            pdf.cell(width, 5, header, border=1, fill=True)
        y += 5
        pdf.set_font(FONT, "", 8)
        seconds = 0.0
        for shot in scene["shots"]:
            action = shot["description"] + (f"\n“{shot['dialogue']}”" if shot["dialogue"] else "")
            lines = pdf.wrap(action, "", 8, action_w - 2)[:6]
            height = max(5.0, 3.8 * len(lines) + 1.2)
            room_for(height)
            cells = (
                shot["number"],
                _label(vocabulary.SHOT_SIZES, shot["shot_size"]),
                _label(vocabulary.CAMERA_ANGLES, shot["angle"]),
                f"{shot['lens_mm']:g} mm",
                _label(vocabulary.CAMERA_MOVES, shot["movement"]),
                f"{shot['duration_s']:g}",
                ", ".join(shot["characters"]),
            )
            pdf.set_xy(MARGIN, y)
            for width, text in zip(widths, cells):
                pdf.cell(width, height, text, border=1)
            pdf.rect(MARGIN + sum(widths), y, action_w, height)
            for n, line in enumerate(lines):
                pdf.set_xy(MARGIN + sum(widths), y + 0.6 + n * 3.8)
                pdf.cell(action_w, 3.8, line)
            y += height
            seconds += shot["duration_s"]
        total_shots += len(scene["shots"])
        total_seconds += seconds
        room_for(6)
        pdf.set_xy(MARGIN, y + 1)
        pdf.set_font(FONT, "I", 8)
        pdf.cell(0, 5, f"Scene {scene['number']}: {len(scene['shots'])} shots, {screen_time(seconds)} screen time")
        y += 9
        progress(done, len(scenes))
    room_for(8)
    pdf.set_xy(MARGIN, y)
    pdf.set_font(FONT, "B", 9)
    pdf.cell(0, 6, f"Total: {len(scenes)} scenes, {total_shots} shots, {screen_time(total_seconds)} screen time")
    return bytes(pdf.output())


def screen_time(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}:{rest:02d}"


def notes_pdf(title: str, subtitle: str, entries: list[JsonObject]) -> bytes:
    """Review notes (apps.review): per entry a heading, optionally the annotated frame (a Pillow
    image, printed at PRINT_DPI of its box), and the notes as selectable text; A4 portrait."""
    document = Document(title, subtitle, "portrait", "a4")
    document.alias_nb_pages()
    width = document.w - 2 * MARGIN
    bottom = document.h - MARGIN - FOOTER
    document.add_page()
    y = MARGIN + HEADER
    for entry in entries:
        image = entry.get("image")
        picture_h = min(90.0, width * image.height / image.width) if image is not None else 0.0
        lines = [line for text in entry["lines"] for line in document.wrap(text, "", 10, width)]
        if y + 8 + picture_h + 4.5 * min(len(lines), 3) > bottom:  # a heading keeps its picture and first lines
            document.add_page()
            y = MARGIN + HEADER
        document.set_font(FONT, "B", 13)
        document.set_xy(MARGIN, y)
        document.cell(width, 7, entry["heading"])
        y += 9
        if image is not None:
            picture_w = picture_h * image.width / image.height
            size = (max(1, round(picture_w / 25.4 * PRINT_DPI)), max(1, round(picture_h / 25.4 * PRINT_DPI)))
            buffer = io.BytesIO()
            image.save(buffer, format="PNG")
            document.image(io.BytesIO(print_jpeg(buffer.getvalue(), size)), x=MARGIN, y=y, w=picture_w, h=picture_h)
            y += picture_h + 3
        document.set_font(FONT, "", 10)
        for line in lines:
            if y + 4.5 > bottom:
                document.add_page()
                y = MARGIN + HEADER
                document.set_font(FONT, "", 10)
            document.set_xy(MARGIN, y)
            document.cell(width, 4.5, line)
            y += 4.5
        y += 5
    return bytes(document.output())
