"""The lined script: a draft laid out on pages as a typist would (12-pt Courier, screenplay
margins, ~55 lines a page), and the script supervisor's coverage lines over it, one vertical
line per shot through the lines it covers. Plain Python, no Django: the REST read, the browser
view (which gets the pages from it) and the PDF writer all use the same pages.

Why our own pagination: the import keeps the writer's explicit page breaks (`===` in Fountain)
but no page numbers, and a draft's page count is what everyone quotes ("page 37"), so the
rule is stated once, here: an element is never split; a heading or a character cue never ends
a page (it moves over with what follows it); a speech (cue, parentheticals, dialogue) moves
over whole unless it is longer than a page; the blank line before an element is dropped at the
top of a page.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from . import screenplay

LINES_PER_PAGE = screenplay.LINES_PER_PAGE
# Kinds the typist does not print (structure and notes for the writer).
NOT_PRINTED = frozenset({screenplay.SECTION, screenplay.SYNOPSIS, screenplay.NOTE, screenplay.PAGE_BREAK})
SPEECH = frozenset({screenplay.DIALOGUE, screenplay.PARENTHETICAL})
# Margins in inches from the page's left edge (US letter, 8.5" x 11"), as screenplays are typed.
MARGINS = {
    screenplay.HEADING: (1.5, 7.5),
    screenplay.ACTION: (1.5, 7.5),
    screenplay.SHOT: (1.5, 7.5),
    screenplay.CENTERED: (1.5, 7.5),
    screenplay.LYRIC: (2.5, 6.0),
    screenplay.CHARACTER: (3.7, 7.5),
    screenplay.PARENTHETICAL: (3.1, 5.6),
    screenplay.DIALOGUE: (2.5, 6.0),
    screenplay.TRANSITION: (5.5, 7.5),
}
CHARS_PER_INCH = 10  # 12-pt Courier
PAGE_WIDTH_IN, PAGE_HEIGHT_IN = 8.5, 11.0  # US letter, as screenplays are printed
TOP_IN = 1.0  # where page line 1 is printed
LINE_HEIGHT_IN = 1 / 6  # 12-pt Courier: six lines to the inch


class Printable(Protocol):
    """What pagination reads of an element (a previs.screenplay.Element or a stored row)."""

    kind: str
    text: str


@dataclass(frozen=True)
class Placed:
    """Where one printed element sits: its page, the page line its first text line is on
    (1-based, after the blank line before it) and its text as wrapped into lines."""

    index: int
    page: int
    line: int
    wrapped: tuple[str, ...]

    @property
    def last_line(self) -> int:
        return self.line + len(self.wrapped) - 1


@dataclass(frozen=True)
class Page:
    number: int
    elements: tuple[Placed, ...]

    @property
    def first(self) -> int:
        return self.elements[0].index

    @property
    def last(self) -> int:
        return self.elements[-1].index


def width_of(kind: str) -> int:
    """Characters per printed line for an element of this kind."""
    left, right = MARGINS.get(kind, MARGINS[screenplay.ACTION])
    return round((right - left) * CHARS_PER_INCH)


def wrap(text: str, width: int) -> tuple[str, ...]:
    """The text as the typewriter breaks it: at spaces, a word longer than the line cut."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        words, line = paragraph.split(), ""
        if not words:
            lines.append("")
            continue
        for word in words:
            while len(word) > width:
                if line:
                    lines.append(line)
                    line = ""
                lines.append(word[:width])
                word = word[width:]
            if not word:
                continue
            if not line:
                line = word
            elif len(line) + 1 + len(word) <= width:
                line = f"{line} {word}"
            else:
                lines.append(line)
                line = word
        if line:
            lines.append(line)
    return tuple(lines) or ("",)


def printed_text(kind: str, text: str) -> str:
    """What the page shows: headings and transitions in capitals, as typed."""
    return text.upper() if kind in (screenplay.HEADING, screenplay.TRANSITION, screenplay.CHARACTER) else text


def _groups(elements: Sequence[Printable]) -> list[list[int]]:
    """Indices of printed elements in runs that must not be split across a page: a heading with
    what follows it, a cue with its speech. Explicit page breaks are runs of their own (-1 - i)."""
    groups: list[list[int]] = []
    pending: list[int] = []  # a heading waiting for the element it must stay with
    i = 0
    while i < len(elements):
        kind = elements[i].kind
        if kind == screenplay.PAGE_BREAK:
            if pending:
                groups.append(pending)
                pending = []
            groups.append([-1 - i])
            i += 1
            continue
        if kind in NOT_PRINTED:
            i += 1
            continue
        run = [i]
        if kind == screenplay.CHARACTER:
            while i + 1 < len(elements) and (
                elements[i + 1].kind in SPEECH or (elements[i + 1].kind in NOT_PRINTED and elements[i + 1].kind != screenplay.PAGE_BREAK)
            ):
                i += 1
                if elements[i].kind in SPEECH:
                    run.append(i)
        if kind == screenplay.HEADING:
            pending.extend(run)
            i += 1
            continue
        groups.append(pending + run)
        pending = []
        i += 1
    if pending:
        groups.append(pending)
    return groups


def paginate(elements: Sequence[Printable], lines_per_page: int = LINES_PER_PAGE) -> list[Page]:
    """The draft's pages, each with its printed elements placed on it (see the module's rule)."""
    pages: list[list[Placed]] = [[]]
    used = 0  # lines used on the current page

    def new_page() -> None:
        nonlocal used
        if pages[-1]:
            pages.append([])
        used = 0

    def blank_before(index: int) -> int:
        return 0 if elements[index].kind in SPEECH else 1

    def height(run: list[int], at_top: bool) -> int:
        total = 0
        for position, index in enumerate(run):
            wrapped = wrap(printed_text(elements[index].kind, elements[index].text), width_of(elements[index].kind))
            total += len(wrapped) + (0 if (position == 0 and at_top) else blank_before(index))
        return total

    def place(index: int) -> None:
        nonlocal used
        element = elements[index]
        wrapped = wrap(printed_text(element.kind, element.text), width_of(element.kind))
        gap = 0 if used == 0 else blank_before(index)
        if used and used + gap + len(wrapped) > lines_per_page:
            new_page()
            gap = 0
        pages[-1].append(Placed(index=index, page=len(pages), line=used + gap + 1, wrapped=wrapped))
        used += gap + len(wrapped)

    for run in _groups(elements):
        if run[0] < 0:  # the writer's page break
            new_page()
            continue
        if used and used + height(run, at_top=False) > lines_per_page and height(run, at_top=True) <= lines_per_page:
            new_page()
        for index in run:
            place(index)
    return [Page(number=n, elements=tuple(placed)) for n, placed in enumerate(pages, start=1) if placed]


def page_of(pages: Iterable[Page]) -> dict[int, Placed]:
    """Element index → where it is printed."""
    return {placed.index: placed for page in pages for placed in page.elements}


# --- Coverage lines ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Coverage:
    """A shot's line: the shot and the first and last element (indices in the draft) it covers;
    `off_camera`, the covered elements spoken by someone the shot does not show."""

    shot: int
    number: str
    first: int
    last: int
    off_camera: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Segment:
    """The part of a shot's line on one page, from the top of its first covered line there to
    the bottom of its last; `starts` / `ends` say whether the shot begins / ends on this page
    (a line that runs on over the page ends in an arrow, as supervisors draw it)."""

    shot: int
    number: str
    page: int
    lane: int
    x_in: float
    top_line: int
    bottom_line: int
    starts: bool
    ends: bool
    # Page lines (first, last) where the line is drawn wavy: the speaker is off camera there, as
    # supervisors mark it (straight where who speaks is in the shot).
    wavy: tuple[tuple[int, int], ...] = ()


# Where coverage lines stand, in inches from the page's left edge: right of the dialogue column
# (which ends at 6"), then, when a scene has more setups than fit there, back across the text.
FIRST_LANE_X, LANE_STEP, LANES_RIGHT = 6.2, 0.22, 6


def lane_x(lane: int) -> float:
    if lane < LANES_RIGHT:
        return round(FIRST_LANE_X + lane * LANE_STEP, 3)
    return round(FIRST_LANE_X - (lane - LANES_RIGHT + 1) * LANE_STEP, 3)


def lanes(coverage: Sequence[Coverage]) -> dict[int, int]:
    """A lane (0, 1, 2…: left to right) per shot, so lines that overlap in the script stand side
    by side and a lane is reused once its line has ended (interval colouring, by first line)."""
    ends: list[int] = []  # last element covered by the line in each lane
    lane_of: dict[int, int] = {}
    for line in sorted(coverage, key=lambda c: (c.first, -c.last, c.number, c.shot)):
        for lane, end in enumerate(ends):
            if end < line.first:
                ends[lane] = line.last
                lane_of[line.shot] = lane
                break
        else:
            ends.append(line.last)
            lane_of[line.shot] = len(ends) - 1
    return lane_of


def segments(pages: Sequence[Page], coverage: Sequence[Coverage]) -> list[Segment]:
    """Every shot's line cut into its pages. Covered elements that are not printed (a note inside
    the range) do not count; a shot whose range prints nothing has no line."""
    placed = page_of(pages)
    lane_of = lanes(coverage)
    out: list[Segment] = []
    for line in coverage:
        printed = [placed[i] for i in range(line.first, line.last + 1) if i in placed]
        if not printed:
            continue
        by_page: dict[int, list[Placed]] = {}
        for element in printed:
            by_page.setdefault(element.page, []).append(element)
        numbers = sorted(by_page)
        for page in numbers:
            on_page = by_page[page]
            out.append(
                Segment(
                    shot=line.shot,
                    number=line.number,
                    page=page,
                    lane=lane_of[line.shot],
                    x_in=lane_x(lane_of[line.shot]),
                    top_line=on_page[0].line,
                    bottom_line=on_page[-1].last_line,
                    starts=page == numbers[0],
                    ends=page == numbers[-1],
                    wavy=_runs([element for element in on_page if element.index in line.off_camera]),
                )
            )
    return out


def _runs(elements: Sequence[Placed]) -> tuple[tuple[int, int], ...]:
    """Page-line runs of these elements, neighbours (only a blank line between) joined."""
    runs: list[tuple[int, int]] = []
    for element in elements:
        if runs and element.line - runs[-1][1] <= 2:
            runs[-1] = (runs[-1][0], element.last_line)
        else:
            runs.append((element.line, element.last_line))
    return tuple(runs)


def off_camera(elements: Sequence["Spoken"], shown: Iterable[str]) -> frozenset[int]:
    """Indices of the cues, parentheticals and dialogue whose speaker is not among `shown` (the
    names of the characters in the shot)."""
    names = {name.upper() for name in shown}
    return frozenset(e.index for e in elements if e.kind in SPOKEN and e.character and e.character.upper() not in names)


SPOKEN = frozenset({screenplay.CHARACTER, screenplay.PARENTHETICAL, screenplay.DIALOGUE})


class Spoken(Protocol):
    index: int
    kind: str
    character: str


def printed_lines(pages: Sequence[Page], first: int, last: int) -> int:
    """Lines of text (blank lines apart) a range of elements takes on the page."""
    return sum(len(p.wrapped) for p in page_of(pages).values() if first <= p.index <= last)
