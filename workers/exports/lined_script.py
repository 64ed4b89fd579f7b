"""The lined script as a PDF: the draft's pages as typed (12-pt Courier, screenplay margins,
scene numbers on both sides, page numbers top right) with the script supervisor's coverage
lines, one per shot, labelled with the shot number. Vector pages with real text (fpdf2), so the
script stays searchable and the shot numbers selectable.

A pure function of plain data, laid out by previs.lining (the same pages the browser shows):

    {"title", "subtitle",
     "pages": [{"number", "elements": [{"kind", "line", "wrapped": [text lines], "scene_number"}]}],
     "segments": [{"number", "page", "x_in", "top_line", "bottom_line", "starts", "ends"}]}
"""

import os
from collections.abc import Sequence

from fpdf import FPDF

from previs import lining
from previs.types import JsonObject

from . import ExportError

MONO_FONTS = (  # Liberation Mono has Courier New's metrics; DejaVu Sans Mono is the fallback
    ("/usr/share/fonts/truetype/liberation", "LiberationMono-Regular.ttf", "LiberationMono-Bold.ttf"),
    ("/usr/share/fonts/truetype/dejavu", "DejaVuSansMono.ttf", "DejaVuSansMono-Bold.ttf"),
)
FONT = "ScriptMono"
TOP, LINE_H = lining.TOP_IN, lining.LINE_HEIGHT_IN
POINT = 1 / 72
LEFT_SCENE_NUMBER, RIGHT_SCENE_NUMBER = 1.0, 7.6
LINE_COLOUR = (200, 30, 45)  # supervisors line in red


def _font_files() -> tuple[str, str]:
    folder = os.environ.get("STUDIO_PDF_MONO_FONT_DIR")
    candidates = [(folder, "LiberationMono-Regular.ttf", "LiberationMono-Bold.ttf")] if folder else []
    for directory, regular, bold in [*candidates, *MONO_FONTS]:
        if directory and os.path.exists(os.path.join(directory, regular)) and os.path.exists(os.path.join(directory, bold)):
            return os.path.join(directory, regular), os.path.join(directory, bold)
    raise ExportError(["No monospaced font for the script on this worker (install fonts-liberation or fonts-dejavu-core)."])


def _y(line: float) -> float:
    """The baseline-box top of page line `line` (1-based), in inches from the top."""
    return TOP + (line - 1) * LINE_H


def lined_script_pdf(document: JsonObject) -> bytes:
    regular, bold = _font_files()
    pdf = FPDF(orientation="P", unit="in", format="Letter")
    pdf.set_title(str(document.get("title") or "Lined script"))
    pdf.set_creator("Previs Studio")
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.add_font(FONT, "", regular)
    pdf.add_font(FONT, "B", bold)
    pages: Sequence[JsonObject] = document.get("pages") or []
    segments: Sequence[JsonObject] = document.get("segments") or []
    by_page: dict[int, list[JsonObject]] = {}
    for segment in segments:
        by_page.setdefault(int(segment["page"]), []).append(segment)
    if not pages:
        raise ExportError(["The script has no printed lines."])
    for page in pages:
        number = int(page["number"])
        pdf.add_page()
        pdf.set_text_color(0, 0, 0)
        if number == 1:
            _running_head(pdf, str(document.get("title") or ""), str(document.get("subtitle") or ""))
        else:
            pdf.set_font(FONT, "", 12)
            pdf.set_xy(7.0, 0.5)
            pdf.cell(0.5, LINE_H, f"{number}.", align="R")
        for element in page["elements"]:
            _element(pdf, element)
        for segment in by_page.get(number, []):
            _coverage_line(pdf, segment)
    return bytes(pdf.output())


def _running_head(pdf: FPDF, title: str, subtitle: str) -> None:
    pdf.set_font(FONT, "", 9)
    pdf.set_text_color(110, 110, 110)
    pdf.set_xy(1.5, 0.45)
    pdf.cell(6.0, 0.2, " · ".join(part for part in (title, subtitle) if part)[:90])
    pdf.set_text_color(0, 0, 0)


def _element(pdf: FPDF, element: JsonObject) -> None:
    kind = str(element["kind"])
    left, right = lining.MARGINS.get(kind, lining.MARGINS["action"])
    line = int(element["line"])
    wrapped: Sequence[str] = element["wrapped"]
    pdf.set_font(FONT, "B" if kind == "heading" else "", 12)
    for offset, text in enumerate(wrapped):
        y = _y(line + offset)
        if kind == "transition":
            pdf.set_xy(left, y)
            pdf.cell(right - left, LINE_H, text, align="R")
        elif kind == "centered":
            pdf.set_xy(left, y)
            pdf.cell(right - left, LINE_H, text, align="C")
        else:
            pdf.set_xy(left, y)
            pdf.cell(right - left, LINE_H, text)
    scene_number = str(element.get("scene_number") or "")
    if kind == "heading" and scene_number:
        y = _y(line)
        pdf.set_xy(LEFT_SCENE_NUMBER - 0.6, y)
        pdf.cell(0.6, LINE_H, scene_number, align="R")
        pdf.set_xy(RIGHT_SCENE_NUMBER, y)
        pdf.cell(0.6, LINE_H, scene_number)


def _coverage_line(pdf: FPDF, segment: JsonObject) -> None:
    """One shot's line on one page: a bar and the shot number where the shot starts, a bar where
    it ends, an arrow where it runs on over the page."""
    x = float(segment["x_in"])
    top = _y(int(segment["top_line"]))
    bottom = _y(int(segment["bottom_line"])) + LINE_H
    pdf.set_draw_color(*LINE_COLOUR)
    pdf.set_text_color(*LINE_COLOUR)
    pdf.set_line_width(1.2 * POINT)
    y = top
    for first, last in segment.get("wavy") or []:
        wave_top, wave_bottom = max(top, _y(int(first))), min(bottom, _y(int(last)) + LINE_H)
        if wave_top > y:
            pdf.line(x, y, x, wave_top)
        _wave(pdf, x, wave_top, wave_bottom)
        y = max(y, wave_bottom)
    if bottom > y:
        pdf.line(x, y, x, bottom)
    if segment.get("starts"):
        pdf.line(x - 0.06, top, x + 0.06, top)
        pdf.set_font(FONT, "B", 8)
        label = str(segment["number"])
        pdf.set_xy(x - 0.3, top - 0.17)
        pdf.cell(0.6, 0.15, label, align="C")
    if segment.get("ends"):
        pdf.line(x - 0.06, bottom, x + 0.06, bottom)
    else:
        pdf.line(x - 0.05, bottom - 0.07, x, bottom)
        pdf.line(x + 0.05, bottom - 0.07, x, bottom)
    pdf.set_text_color(0, 0, 0)


def _wave(pdf: FPDF, x: float, top: float, bottom: float) -> None:
    """A wavy stretch (a zigzag a line-height apart): the speaker is off camera here."""
    step, amplitude = LINE_H / 2, 0.04
    points, y, side = [(x, top)], top, 1
    while y + step < bottom:
        y += step
        points.append((x + side * amplitude, y))
        side = -side
    points.append((x, bottom))
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        pdf.line(x0, y0, x1, y1)
