"""The shot list as CSV, out and back in: one column per shot-list field, one row per shot.

Spreadsheet-friendly: UTF-8 with a byte-order mark (so Excel reads accents), CRLF rows, the
labels a 1st AD reads ("Close-Up", "Eye level"), and a cell that a spreadsheet would run as a
formula (= + - @ first) starts with an apostrophe, which spreadsheets hide and `parse` removes,
so an exported list reads back to the same values. Reading accepts a label or a stored value in
any case, "," or ";" between cells, and only the columns present (a missing column leaves that
field alone).
"""

import csv
import io
import re
from collections.abc import Iterable

from previs import vocabulary
from previs.types import JsonObject

from . import ExportError, Progress

# (header, field, vocabulary or None). The one definition of the CSV's columns.
COLUMNS: tuple[tuple[str, str, tuple[tuple[str, str], ...] | None], ...] = (
    ("Scene", "scene", None),
    ("Shot", "number", None),
    ("Size", "shot_size", vocabulary.SHOT_SIZES),
    ("Framing", "framing", vocabulary.FRAMINGS),
    ("Angle", "angle", vocabulary.CAMERA_ANGLES),
    ("Move", "movement", vocabulary.CAMERA_MOVES),
    ("Rig", "rig", vocabulary.RIGS),
    ("Lens (mm)", "lens_mm", None),
    ("Sensor", "sensor", vocabulary.SENSOR_FORMAT_CHOICES),
    ("Aspect", "aspect_ratio", vocabulary.ASPECT_RATIO_CHOICES),
    ("FPS", "fps", vocabulary.FRAME_RATE_CHOICES),
    ("Duration (s)", "duration_s", None),
    ("Characters", "characters", None),
    ("Location", "location", None),
    ("Action", "description", None),
    ("Dialogue", "dialogue", None),
    ("Props", "props", None),
    ("Notes", "notes", None),
    ("Status", "status", vocabulary.SHOT_STATUSES),
)
# Written for the reader, ignored when read back (they follow from the rows above).
INFORMATION_COLUMNS = ("Slugline", "Panels")
NUMBER_FIELDS = {"lens_mm", "duration_s"}
CHARACTER_SEPARATOR = "; "
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_ROWS = 5000
NUMBER = re.compile(r"^[0-9]{1,4}[A-Z]{0,2}$")  # as apps.boards.models.SCENE_OR_SHOT_NUMBER


def _number(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _label(choices: Iterable[tuple[str, str]], value: str) -> str:
    return dict(choices).get(value, value)


def _cell(text: object) -> str:
    text = "" if text is None else str(text)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def shot_list_csv(board: JsonObject, progress: Progress = lambda done, total: None) -> bytes:
    """The board's shots as CSV bytes (UTF-8 with BOM)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    headers = [header for header, _, _ in COLUMNS]
    writer.writerow(headers[:1] + ["Slugline"] + headers[1:] + ["Panels"])
    shots = [(scene, shot) for scene in board["scenes"] for shot in scene["shots"]]
    for done, (scene, shot) in enumerate(shots, 1):
        row: list[object] = []
        for header, field, choices in COLUMNS:
            if field == "scene":
                row += [scene["number"], scene["heading"]]
                continue
            value = shot[field]
            if choices:
                value = _label(choices, value)
            elif field in NUMBER_FIELDS:
                value = _number(value)
            elif field == "characters":
                value = CHARACTER_SEPARATOR.join(value)
            row.append(_cell(value))
        row.append(len(shot["panels"]))
        writer.writerow(row)
        progress(done, len(shots))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _choice_lookup(choices: Iterable[tuple[str, str]]) -> dict[str, str]:
    lookup = {}
    for value, label in choices:
        lookup[value.casefold()] = value
        lookup[label.casefold()] = value
    return lookup


LOOKUPS = {field: _choice_lookup(choices) for _, field, choices in COLUMNS if choices}


def parse_shot_list(data: bytes) -> tuple[list[JsonObject], list[str]]:
    """(rows, errors) of a shot-list CSV: rows [{"line", "scene", "number", "fields"}] with fields
    as stored values (characters and location still as names), and every bad cell as "Line N,
    Column: message" (its row left out), so a caller can report them all and write nothing.
    A file that cannot be read as a shot list at all raises ExportError."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ExportError(['The file is not UTF-8 text: save it from the spreadsheet as "CSV UTF-8".'])
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        headers = [h.strip() for h in next(reader)]
    except StopIteration:
        raise ExportError(["The file is empty: the first line names the columns (Scene, Shot, …)."])
    except csv.Error as error:
        raise ExportError([f"Line 1: {error}."])
    known = {header.casefold(): (header, field) for header, field, _ in COLUMNS}
    ignored = {header.casefold() for header in INFORMATION_COLUMNS}
    columns: list[tuple[str, str] | None] = []
    errors: list[str] = []
    for header in headers:
        if header.casefold() in known:
            columns.append(known[header.casefold()])
        elif header.casefold() in ignored or header == "":
            columns.append(None)
        else:
            columns.append(None)
            errors.append(f'Line 1: unknown column "{header}" (the columns are {", ".join(h for h, _, _ in COLUMNS)}).')
    present = {column[1] for column in columns if column}
    for required, field in (("Scene", "scene"), ("Shot", "number")):
        if field not in present:
            errors.append(f'Line 1: the column "{required}" is missing; rows are matched by scene and shot number.')
    if errors:
        raise ExportError(errors)

    rows: list[JsonObject] = []
    seen: dict[tuple[str, str], int] = {}
    line = 1
    try:
        for cells in reader:
            start, line = line + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) >= MAX_ROWS:
                raise ExportError([f"Line {start}: a shot list has at most {MAX_ROWS} rows."])
            if len(cells) > len(columns):
                errors.append(f"Line {start}: {len(cells)} cells, but the first line names {len(columns)} columns.")
                continue
            row: JsonObject = {"line": start, "fields": {}}
            bad = len(errors)
            for column, cell in zip(columns, cells):
                if column is None:
                    continue
                header, field = column
                if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS):
                    cell = cell[1:]
                value, problem = _read_cell(field, cell)
                if problem:
                    errors.append(f"Line {start}, {header}: {problem}")
                elif field in ("scene", "number"):
                    row[field] = value
                elif value is not None:
                    row["fields"][field] = value
            if len(errors) == bad:
                key = (row["scene"], row["number"])
                if key in seen:
                    errors.append(f"Line {start}: scene {key[0]} shot {key[1]} is also on line {seen[key]}.")
                seen[key] = start
                rows.append(row)
    except csv.Error as error:
        errors.append(f"Line {line + 1}: {error}.")
    return rows, errors


def _read_cell(field: str, cell: str) -> tuple[str | float | list[str] | None, str | None]:
    """(value, None) or (None, message). An empty choice or number cell leaves the field alone."""
    text = cell.strip()
    if field in ("scene", "number"):
        text = text.upper()
        if not text:
            return None, "empty; every row needs a scene and a shot number."
        if not NUMBER.match(text):
            return None, f'"{cell}" is not a number like 12 or 12A.'
        return text, None
    if field in LOOKUPS:
        if not text:
            return None, None
        value = LOOKUPS[field].get(text.casefold())
        if value is None:
            return None, f'"{cell}" is not one of {", ".join(label for _, label in COLUMN_CHOICES[field])}.'
        return value, None
    if field in NUMBER_FIELDS:
        if not text:
            return None, None
        try:
            return float(text.replace(",", ".")), None
        except ValueError:
            return None, f'"{cell}" is not a number.'
    if field == "characters":
        return [name.strip() for name in text.split(CHARACTER_SEPARATOR.strip()) if name.strip()], None
    if field == "location":
        return text, None
    return cell, None


COLUMN_CHOICES = {field: choices for _, field, choices in COLUMNS if choices}
