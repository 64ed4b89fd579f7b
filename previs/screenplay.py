"""Screenplays in, scenes out: Fountain and Final Draft (.fdx) parsed into one list of elements,
and the breakdown an AD makes from it (scenes with setting, location, time of day, eighths, cast,
props). Plain Python, no Django.

Why our own Fountain parser: of the registry's parsers, jouvence failed on the spec's cases
(a TypeError, and scenes lost their paragraphs), screenplain is a renderer that keeps neither
scene numbers nor cue extensions as data, and screenplay-tools, the closest, leaves a stray
"/*" action behind a multi-line boneyard, takes a capital line with no blank line after it as a
heading, and reads .fdx with xml.etree (no guard against entity expansion). What a breakdown
needs from Fountain is small enough to own: the line rules of fountain.io, below.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

MAX_BYTES = 10 * 1024 * 1024  # the largest script file accepted (a feature is ~200 KB)

# The kinds of element, in both formats' words.
HEADING, ACTION, CHARACTER, DIALOGUE, PARENTHETICAL, TRANSITION, CENTERED, LYRIC, SECTION, SYNOPSIS, NOTE, PAGE_BREAK, SHOT = (
    "heading",
    "action",
    "character",
    "dialogue",
    "parenthetical",
    "transition",
    "centered",
    "lyric",
    "section",
    "synopsis",
    "note",
    "page_break",
    "shot",
)
ELEMENT_KINDS = (HEADING, ACTION, CHARACTER, DIALOGUE, PARENTHETICAL, TRANSITION, CENTERED, LYRIC, SECTION, SYNOPSIS, NOTE, PAGE_BREAK, SHOT)

# A draft's revision colour, in the order productions issue them.
REVISION_COLOURS = (
    "white",
    "blue",
    "pink",
    "yellow",
    "green",
    "goldenrod",
    "buff",
    "salmon",
    "cherry",
    "double_white",
    "double_blue",
    "double_pink",
    "double_yellow",
    "double_green",
)

HEADING_START = re.compile(r"^(INT\.?/EXT|INT/EXT|I/E|INT|EXT|EST)[. ]", re.IGNORECASE)
SCENE_NUMBER = re.compile(r"\s*#([0-9A-Za-z.\-]+)#\s*$")
CUE_EXTENSION = re.compile(r"\s*\(([^)]*)\)")
TRANSITION_LINE = re.compile(r"^[A-Z0-9 .'\-]+TO:$")
# Control characters no text file carries (tab, newlines and form feed apart): a binary file.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
LINES_PER_PAGE = 55
# Characters per printed line: action runs 6" of 12-pt Courier (10 per inch), dialogue 3.5".
ACTION_WIDTH, DIALOGUE_WIDTH, PARENTHETICAL_WIDTH = 60, 35, 25
TIMES_OF_DAY = ("DAY", "NIGHT", "DAWN", "DUSK", "MAGIC HOUR", "CONTINUOUS", "MOMENTS LATER", "LATER")
# Capitalised words in action that are the writer's emphasis or the trade's words, not props.
NOT_PROPS = {
    "CONTINUOUS",
    "LATER",
    "DAY",
    "NIGHT",
    "V.O.",
    "O.S.",
    "O.C.",
    "CONT'D",
    "POV",
    "CLOSE",
    "ON",
    "INSERT",
    "ANGLE",
    "BACK",
    "TO",
    "SCENE",
    "SUPER",
    "TITLE",
    "THE",
    "A",
    "AN",
    "AND",
    "OF",
    "I",
    "OK",
    "OKAY",
    "TV",
}


class ScreenplayError(ValueError):
    """The file is not a screenplay we can read; the message says why, for the person who sent it."""


@dataclass
class Element:
    kind: str
    text: str
    scene_number: str = ""  # headings: the number written in the script (#12A#), if any
    character: str = ""  # cues: the name without extensions; dialogue/parentheticals: the speaker
    extension: str = ""  # cues: V.O., O.S. (CONT'D is dropped: it only says the speech goes on)
    dual: bool = False  # cues: the second speaker of dual dialogue (^)


@dataclass
class Screenplay:
    title_page: dict[str, str] = field(default_factory=dict)
    elements: list[Element] = field(default_factory=list)


@dataclass
class SceneBreakdown:
    """One scene as a 1st AD's breakdown lists it."""

    number: str  # from the script, or "" when the script does not number its scenes
    heading: str
    setting: str  # INT, EXT or INT/EXT
    location: str
    time_of_day: str
    eighths: int  # page count in eighths of a page
    synopsis: str
    speaking: list[str]  # names, in order of first line
    present: list[str]  # speaking, and anyone the action names in capitals
    props: list[str]
    text: str  # the scene as plain text, for matching and diffs between drafts
    first: int  # index of the heading in the screenplay's elements
    last: int  # index after the scene's last element


# --- Reading bytes -----------------------------------------------------------------------------


def decode(data: bytes) -> str:
    """The file's text: UTF-8 (with or without BOM) or UTF-16 with a BOM. Anything else, and any
    binary file (an image renamed .fountain), is refused with a message saying so."""
    if not data or not data.strip():
        raise ScreenplayError("The file is empty.")
    if len(data) > MAX_BYTES:
        raise ScreenplayError(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise ScreenplayError("The file says it is UTF-16 but is not; save it as UTF-8.")
    else:
        if b"\x00" in data[:8192]:
            raise ScreenplayError("This is a binary file, not a screenplay (Fountain text or Final Draft .fdx).")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ScreenplayError("The file is not UTF-8 text; save it as UTF-8 (Fountain) or as Final Draft .fdx.")
    if CONTROL_CHARACTERS.search(text):
        raise ScreenplayError("This is a binary file, not a screenplay (Fountain text or Final Draft .fdx).")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse(data: bytes, filename: str = "") -> tuple[str, Screenplay]:
    """(format, Screenplay) of an uploaded file: .fdx by its name or its XML, else Fountain.
    Refuses a file with no scene heading: it would give no scenes."""
    text = decode(data)
    if filename.lower().endswith(".fdx") or text.lstrip().startswith("<?xml") or "<FinalDraft" in text[:2000]:
        fmt, screenplay = "fdx", parse_fdx(data)
    else:
        fmt, screenplay = "fountain", parse_fountain(text)
    if not any(e.kind == HEADING for e in screenplay.elements):
        raise ScreenplayError("The script has no scene heading (a line like INT. KITCHEN - NIGHT), so it has no scenes.")
    return fmt, screenplay


# --- Fountain ----------------------------------------------------------------------------------


def _strip_boneyard_and_notes(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.DOTALL)
    return text


def _title_page(lines: list[str]) -> tuple[dict[str, str], int]:
    """Key: value lines at the top, up to the first blank line; values may continue indented."""
    if not lines or not re.match(r"^[A-Za-z][A-Za-z ]*:", lines[0]):
        return {}, 0
    title: dict[str, str] = {}
    key, index = None, 0
    for index, line in enumerate(lines):
        if not line.strip():
            return title, index + 1
        match = re.match(r"^([A-Za-z][A-Za-z ]*):\s*(.*)$", line)
        if match and not line.startswith((" ", "\t")):
            key = match.group(1).strip().lower()
            title[key] = match.group(2).strip()
        elif key:
            title[key] = (title[key] + "\n" + line.strip()).strip()
    return title, len(lines)


def split_cue(cue: str) -> tuple[str, str, bool]:
    """(name, extension, dual) of a character cue: 'ANNA (V.O.) (CONT'D) ^' → ('ANNA', 'V.O.', True)."""
    cue = cue.strip()
    dual = cue.endswith("^")
    cue = cue.rstrip("^ ").lstrip("@")
    extensions = [
        e.strip() for e in CUE_EXTENSION.findall(cue) if e.strip().upper().replace("’", "'") not in ("CONT'D", "CONT’D", "CONTD", "CONTINUED", "MORE")
    ]
    name = CUE_EXTENSION.sub("", cue).strip()
    return name, " ".join(extensions), dual


def _is_cue(line: str) -> bool:
    stripped = line.strip()
    if stripped.startswith("@"):
        return True
    name = CUE_EXTENSION.sub("", stripped.rstrip("^ ")).strip()
    return bool(name) and name == name.upper() and any(c.isalpha() for c in name) and not stripped.endswith("TO:")


def parse_fountain(text: str) -> Screenplay:
    text = _strip_boneyard_and_notes(text)
    lines = text.split("\n")
    title, start = _title_page(lines)
    elements = []
    lines = lines[start:] + [""]
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        before_blank = i == 0 or not lines[i - 1].strip()
        after_blank = not lines[i + 1].strip() if i + 1 < len(lines) else True
        if not stripped:
            i += 1
            continue
        # Notes, [[ ]], may span lines; a note alone is kept as an element, inline ones are dropped.
        if stripped.startswith("[[") and "]]" not in stripped:
            note = [stripped]
            while "]]" not in lines[i] and i + 1 < len(lines):
                i += 1
                note.append(lines[i].strip())
            elements.append(Element(NOTE, " ".join(note)[2:].split("]]")[0].strip()))
            i += 1
            continue
        if stripped.startswith("[[") and stripped.endswith("]]") and stripped.count("[[") == 1:
            elements.append(Element(NOTE, stripped[2:-2].strip()))
            i += 1
            continue
        line = re.sub(r"\[\[.*?\]\]", "", line).rstrip()
        stripped = line.strip()
        if not stripped:
            i += 1
            continue
        if re.fullmatch(r"={3,}", stripped):
            elements.append(Element(PAGE_BREAK, ""))
        elif stripped.startswith("#"):
            elements.append(Element(SECTION, stripped.lstrip("#").strip()))
        elif stripped.startswith("=") and not stripped.startswith("=="):
            elements.append(Element(SYNOPSIS, stripped[1:].strip()))
        elif stripped.startswith("~"):
            elements.append(Element(LYRIC, stripped[1:].strip()))
        elif stripped.startswith(">") and stripped.endswith("<"):
            elements.append(Element(CENTERED, stripped[1:-1].strip()))
        elif stripped.startswith(">"):
            elements.append(Element(TRANSITION, stripped[1:].strip()))
        elif stripped.startswith("!"):
            i = _action(lines, i, elements, forced=True)
            continue
        elif before_blank and ((stripped.startswith(".") and not stripped.startswith("..") and after_blank) or HEADING_START.match(stripped)):
            # The spec wants a blank line after a heading too; writers often leave it out, and no
            # cue or action starts with INT./EXT., so only a forced heading needs it.
            heading = stripped[1:] if stripped.startswith(".") and not HEADING_START.match(stripped) else stripped
            number = ""
            match = SCENE_NUMBER.search(heading)
            if match:
                number, heading = match.group(1), heading[: match.start()].rstrip()
            elements.append(Element(HEADING, heading.strip(), scene_number=number))
        elif before_blank and after_blank and TRANSITION_LINE.match(stripped):
            elements.append(Element(TRANSITION, stripped))
        elif before_blank and not after_blank and _is_cue(stripped):
            name, extension, dual = split_cue(stripped)
            elements.append(Element(CHARACTER, stripped.lstrip("@"), character=name, extension=extension, dual=dual))
            i += 1
            speech: list[str] = []
            while i < len(lines) and lines[i].strip():
                part = lines[i].strip()
                if part.startswith("(") and part.endswith(")"):
                    if speech:
                        elements.append(Element(DIALOGUE, "\n".join(speech), character=name))
                        speech = []
                    elements.append(Element(PARENTHETICAL, part, character=name))
                else:
                    speech.append(part)
                i += 1
            if speech:
                elements.append(Element(DIALOGUE, "\n".join(speech), character=name))
            continue
        else:
            i = _action(lines, i, elements)
            continue
        i += 1
    return Screenplay(title_page=title, elements=elements)


def _action(lines: list[str], i: int, elements: list[Element], forced: bool = False) -> int:
    """A paragraph of action: consecutive non-blank lines (a forced one starts with !)."""
    block: list[str] = []
    while i < len(lines) and lines[i].strip():
        block.append(lines[i].rstrip().lstrip("!") if not block else lines[i].rstrip())
        i += 1
    elements.append(Element(ACTION, "\n".join(part.strip() for part in block)))
    return i


# --- Final Draft ---------------------------------------------------------------------------------

FDX_KINDS = {
    "Scene Heading": HEADING,
    "Action": ACTION,
    "General": ACTION,
    "Character": CHARACTER,
    "Dialogue": DIALOGUE,
    "Parenthetical": PARENTHETICAL,
    "Transition": TRANSITION,
    "Shot": SHOT,
    "Lyrics": LYRIC,
}


def parse_fdx(data: bytes) -> Screenplay:
    """A Final Draft file, read with defusedxml: a DTD with entities (the billion laughs) or an
    external entity is refused, not expanded or fetched."""
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml import ElementTree as SafeTree

    try:
        root = SafeTree.fromstring(data, forbid_dtd=True)
    except DefusedXmlException:
        raise ScreenplayError("The .fdx file declares XML entities or a DTD, which a Final Draft file never needs; it was not read.")
    except ParseError as error:
        raise ScreenplayError(f"The .fdx file is not well-formed XML ({error}).")
    if root.tag != "FinalDraft":
        raise ScreenplayError("The XML file is not a Final Draft script (no FinalDraft element).")
    content = root.find("Content")
    if content is None:
        raise ScreenplayError("The .fdx file has no Content element, so no script.")
    elements, speaker = [], ""
    for paragraph in content.iter("Paragraph"):
        kind = FDX_KINDS.get(paragraph.get("Type", "Action"), ACTION)
        text = "".join("".join(t.itertext()) for t in paragraph.iter("Text")).strip()
        if not text and kind != HEADING:
            continue
        if kind == CHARACTER:
            name, extension, dual = split_cue(text)
            speaker = name
            elements.append(Element(CHARACTER, text, character=name, extension=extension, dual=dual or paragraph.find("DualDialogue") is not None))
        elif kind in (DIALOGUE, PARENTHETICAL):
            elements.append(Element(kind, text, character=speaker))
        else:
            speaker = ""
            elements.append(Element(kind, text, scene_number=(paragraph.get("Number") or "").strip() if kind == HEADING else ""))
    title = {}
    title_page = root.find("TitlePage")
    if title_page is not None:
        lines = ["".join(p.itertext()).strip() for p in title_page.iter("Paragraph")]
        lines = [line for line in lines if line]
        if lines:
            title["title"] = lines[0]
        for line in lines[1:]:
            if line.lower().startswith(("written by", "by")):
                continue
            match = re.match(r"^([A-Za-z][A-Za-z ]*):\s*(.+)$", line)
            if match:
                title[match.group(1).strip().lower()] = match.group(2).strip()
            elif "author" not in title:
                title["author"] = line
    return Screenplay(title_page=title, elements=elements)


# --- Breakdown ---------------------------------------------------------------------------------


def parse_heading(heading: str) -> tuple[str, str, str]:
    """(setting, location, time of day) of a slugline: 'INT./EXT. CAR - NIGHT' → ('INT/EXT', 'CAR', 'NIGHT').
    A time the vocabulary does not know ('LATER THAT NIGHT') is read for the one it names."""
    text = heading.strip()
    match = HEADING_START.match(text)
    setting = "INT"
    if match:
        word = match.group(1).upper()
        setting = "INT/EXT" if "/" in word else ("EXT" if word in ("EXT", "EST") else "INT")
        text = text[match.end() :].strip(" .")
    parts = re.split(r"\s+-+\s+|\s+—\s+", text)
    time = "DAY"
    if len(parts) > 1:
        said = parts[-1].strip().upper()
        time = next((t for t in TIMES_OF_DAY if t == said), None) or next((t for t in TIMES_OF_DAY if t in said), "DAY")
        location = " - ".join(parts[:-1]).strip()
    else:
        location = text
    return setting, location.upper() or "UNKNOWN", time


def printed_lines(element: Element) -> int:
    """Lines the element takes on the page, with the blank line before it."""
    width = {DIALOGUE: DIALOGUE_WIDTH, PARENTHETICAL: PARENTHETICAL_WIDTH, CHARACTER: DIALOGUE_WIDTH}.get(element.kind, ACTION_WIDTH)
    if element.kind in (SECTION, SYNOPSIS, NOTE, PAGE_BREAK):
        return 0
    lines = sum(max(1, -(-len(part) // width)) for part in element.text.split("\n"))
    return lines + (0 if element.kind in (DIALOGUE, PARENTHETICAL) else 1)


def eighths(lines: int) -> int:
    """A scene's length in eighths of a page, as ADs count it: at least 1/8."""
    return max(1, round(lines * 8 / LINES_PER_PAGE))


def format_eighths(value: int) -> str:
    """2 3/8, 7/8, 1."""
    pages, rest = divmod(value, 8)
    if not rest:
        return str(pages)
    return f"{pages} {rest}/8" if pages else f"{rest}/8"


def _caps_runs(text: str) -> list[str]:
    return re.findall(r"\b[A-Z][A-Z0-9'\-]*(?:\s+[A-Z][A-Z0-9'\-]*)*\b", text)


class _Printed(Protocol):
    @property
    def kind(self) -> str: ...
    @property
    def text(self) -> str: ...


def scene_text(elements: Iterable[_Printed]) -> str:
    """A scene's printed words, one element a line, for comparing drafts (notes and page breaks
    do not change a scene). Takes anything with .kind and .text (an Element, a stored row)."""
    return "\n".join(f"{e.kind}: {e.text}" for e in elements if e.kind not in (NOTE, PAGE_BREAK))


def breakdown(screenplay: Screenplay) -> list[SceneBreakdown]:
    """The screenplay's scenes, in story order, with what a breakdown sheet lists."""
    elements = screenplay.elements
    starts = [i for i, e in enumerate(elements) if e.kind == HEADING]
    cast = {e.character.upper() for e in elements if e.kind == CHARACTER and e.character}
    scenes = []
    for position, first in enumerate(starts):
        last = starts[position + 1] if position + 1 < len(starts) else len(elements)
        body = elements[first + 1 : last]
        heading = elements[first]
        setting, location, time = parse_heading(heading.text)
        speaking: list[str] = []
        present: list[str] = []
        props: list[str] = []
        synopsis: list[str] = []
        for element in body:
            if element.kind == CHARACTER and element.character and element.character.upper() not in [s.upper() for s in speaking]:
                speaking.append(element.character)
            elif element.kind == SYNOPSIS:
                synopsis.append(element.text)
            elif element.kind == ACTION:
                for run in _caps_runs(element.text):
                    words = run.split()
                    if run in cast or (len(words) == 1 and run.rstrip("'S") in cast):
                        name = run if run in cast else run.rstrip("'S")
                        if name not in [p.upper() for p in present]:
                            present.append(name)
                    elif len(run) > 2 and run not in NOT_PROPS and not any(w in cast for w in words) and run not in [p.upper() for p in props]:
                        props.append(run)
        for name in speaking:
            if name.upper() not in [p.upper() for p in present]:
                present.append(name)
        lines = sum(printed_lines(e) for e in elements[first:last])
        text = scene_text(elements[first:last])
        scenes.append(
            SceneBreakdown(
                number=heading.scene_number,
                heading=heading.text,
                setting=setting,
                location=location,
                time_of_day=time,
                eighths=eighths(lines),
                synopsis="\n".join(synopsis),
                speaking=speaking,
                present=present,
                props=props,
                text=text,
                first=first,
                last=last,
            )
        )
    return scenes
