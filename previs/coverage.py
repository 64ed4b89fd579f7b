"""The coverage planner: from a scene's script lines and cast, the shots a director would plan to
cover it, each with its size, framing, angle, move, rig, lens, cast, the lines it covers and how
long it runs. Plain Python, deterministic (same scene in, same proposals out), no Django.

The grammar (shared/script-and-editorial.md, "Breakdown and coverage"):
- an establishing wide on a new location or an exterior;
- a master: a wide holding everyone present, through the whole scene;
- for the dialogue between two people: a two-shot, over-the-shoulders both ways and a single of
  each, the overs and the singles matched (same size, same lens, mirrored), a close-up where a
  speaker's lines carry an emotional beat (a parenthetical, an exclamation, a short line), and a
  reaction of the one listening to a long speech; a single of every other speaker;
- an insert of each prop the action handles (the props the breakdown found: capitals in action);
- a tracking shot (dolly, steadicam or handheld) where the action moves (enters, runs, follows…).

Lenses fit the size and the sensor (`lens_range`: vocabulary.SIZE_LENSES_S35_MM scaled by the
frame width of previs.camera). Cameras are laid out by previs.spec.layout_for_shot from one
blocking for the whole scene (every shot sees the same marks), so the 180-degree rule the layout
keeps for an exchange holds across all of its coverage.

Durations come from the lines: dialogue at 2.5 words a second, a parenthetical a one-second beat,
action at a page a minute (an eighth of a page 7.5 s), counted in the printed lines eighths are
counted in (previs.screenplay).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

from previs import camera as optics
from previs import screenplay
from previs import vocabulary as v
from previs.spec import default_marks, layout_for_shot
from previs.types import JsonObject

if TYPE_CHECKING:
    ShotSize = str
    Framing = str
    Angle = str
    Move = str
    Rig = str
    CoverageKind = str
else:
    ShotSize = Literal[v.values(v.SHOT_SIZES)]
    Framing = Literal[v.values(v.FRAMINGS)]
    Angle = Literal[v.values(v.CAMERA_ANGLES)]
    Move = Literal[v.values(v.CAMERA_MOVES)]
    Rig = Literal[v.values(v.RIGS)]

# What a proposal is for, in the order coverage is planned (and shown).
COVERAGE_KINDS = ("establishing", "master", "two_shot", "ots", "single", "close_up", "reaction", "insert", "tracking", "extra")
if not TYPE_CHECKING:
    CoverageKind = Literal[COVERAGE_KINDS]

WORDS_PER_SECOND = 2.5  # dialogue pace (150 words a minute)
PARENTHETICAL_BEAT_S = 1.0
PAGE_SECONDS = 60.0  # a page a minute: an eighth of a page is 7.5 s
INSERT_S = 2.0
MIN_SHOT_S = 1.5
MAX_SHOT_S = 600.0
SHORT_LINE_WORDS = 3  # "No." "Get out." "Why?": a line this short is a beat
LONG_SPEECH_WORDS = 20  # a speech this long is worth a listener's reaction
MAX_INSERTS = 4
MAX_TRACKING = 2

# The rig a move is made on.
RIG_FOR_MOVE = {
    "static": "sticks",
    "pan": "sticks",
    "tilt": "sticks",
    "rack_focus": "sticks",
    "zoom": "sticks",
    "pedestal": "dolly",
    "dolly_in": "dolly",
    "dolly_out": "dolly",
    "truck": "dolly",
    "arc": "dolly",
    "dolly_zoom": "dolly",
    "crane": "crane",
    "handheld": "handheld",
    "steadicam": "steadicam",
}

# Action that moves, and how the camera goes with it: running is handheld, walking and following
# a steadicam, an entrance or approach a dolly in, a car a truck alongside.
MOVING_ACTION = (
    (re.compile(r"\b(run|runs|running|ran|chase[sd]?|chasing|rush(es|ed)?|flees?|fled|sprints?|bolts?|races?|dash(es)?|storms?)\b", re.I), "handheld", "MFS"),
    (
        re.compile(r"\b(walks?|walking|follows?|following|cross(es)?|crossing|paces?|pacing|strides?|climbs?|hurr(y|ies)|leaves|exits?)\b", re.I),
        "steadicam",
        "MFS",
    ),
    (re.compile(r"\b(enters?|entering|approach(es)?|approaching|steps in|comes in)\b", re.I), "dolly_in", "FS"),
    (re.compile(r"\b(drives?|driving)\b", re.I), "truck", "MS"),
)

TRACKING_WORDS = {"handheld": "Handheld with", "steadicam": "Steadicam with", "dolly_in": "Dolly in on", "truck": "Tracking alongside"}


class ShotProposal(BaseModel):
    """One proposed shot: the shot-list columns a shot is created with, plus what it covers.
    The planner's answer and the assistant's are both held to this model."""

    model_config = ConfigDict(extra="forbid")

    key: str = Field(
        min_length=1, max_length=80, pattern=r"^[a-z_]+(:[^\s:]+)*$", description="Stable within the scene: the same coverage keeps its key when planned again."
    )
    coverage: CoverageKind = Field(description="What the shot is for.")
    description: str = Field(max_length=2000, description="The shot as the shot list says it.")
    shot_size: ShotSize
    framing: Framing
    angle: Angle
    movement: Move
    rig: Rig
    lens_mm: float = Field(ge=v.LENS_MM_RANGE[0], le=v.LENS_MM_RANGE[1])
    characters: list[str] = Field(default_factory=list, max_length=32, description="Who is in the shot (names from the scene's cast).")
    subject: str | None = Field(default=None, description="Who the camera is on (a name from `characters`), if anyone.")
    elements: list[int] = Field(default_factory=list, max_length=2000, description="The script elements (ids) the shot covers, in order.")
    dialogue: str = Field(default="", max_length=v.LONG_TEXT_MAX_CHARS, description="The dialogue it covers, as the shot list carries it.")
    duration_s: float = Field(ge=0.04, le=MAX_SHOT_S, description="Estimated from the lines it covers.")


# --- What the planner reads ---------------------------------------------------------------------


@dataclass(frozen=True)
class ScriptLine:
    """One element of the scene: kind as previs.screenplay names them; `character` is the
    speaker of a cue, dialogue or parenthetical."""

    id: int
    kind: str
    text: str
    character: str = ""


@dataclass(frozen=True)
class CastMember:
    id: str
    name: str
    height_m: float = 1.75
    colour: str | None = None


@dataclass(frozen=True)
class SceneToCover:
    lines: Sequence[ScriptLine]
    cast: Sequence[CastMember]  # everyone present, in the order the blocking places them
    setting: str = "INT"
    location: str = ""
    time_of_day: str = "DAY"
    new_location: bool = False
    props: Sequence[str] = ()
    sensor: str = "super35"
    aspect: str = "2.39"
    fps: str | float = 24


@dataclass(frozen=True)
class PlannedShot:
    proposal: ShotProposal
    camera_spec: JsonObject


# --- Lenses and durations ---------------------------------------------------------------------------


def lens_range(shot_size: str, sensor: str, aspect: optics.Aspect) -> tuple[float, float]:
    """(low, high) focal lengths for a size on this sensor: the Super 35 range scaled by the
    delivery frame's width, so the same size gives the same picture on any camera."""
    low, high = v.SIZE_LENSES_S35_MM[shot_size]
    scale = optics.frame_size_mm(sensor, aspect)[0] / optics.frame_size_mm("super35", aspect)[0]
    return low * scale, high * scale


def lens_for(shot_size: str, sensor: str, aspect: optics.Aspect) -> float:
    """The prime nearest the middle (geometric) of the size's range on this sensor; a focal length
    in the range (a zoom's) when no common prime falls in it."""
    low, high = lens_range(shot_size, sensor, aspect)
    middle = math.sqrt(low * high)
    primes = [p for p in v.PRIME_LENSES_MM if low <= p <= high]
    if primes:
        return float(min(primes, key=lambda p: (abs(p - middle), p)))
    return float(round(middle))


def words(text: str) -> int:
    return len(re.findall(r"[\w'’-]+", text))


def line_seconds(line: ScriptLine) -> float:
    """How long a line plays: dialogue at WORDS_PER_SECOND, a parenthetical a beat, action at a
    page a minute in printed lines. Headings, cues and transitions take no screen time."""
    if line.kind == screenplay.DIALOGUE:
        return words(line.text) / WORDS_PER_SECOND
    if line.kind == screenplay.PARENTHETICAL:
        return PARENTHETICAL_BEAT_S
    if line.kind in (screenplay.ACTION, screenplay.SHOT, screenplay.CENTERED, screenplay.LYRIC):
        printed = screenplay.printed_lines(screenplay.Element(screenplay.ACTION, line.text))
        return printed * PAGE_SECONDS / screenplay.LINES_PER_PAGE
    return 0.0


def duration_of(lines: Sequence[ScriptLine], least: float = MIN_SHOT_S) -> float:
    total = sum(line_seconds(line) for line in lines)
    return round(min(MAX_SHOT_S, max(least, total)), 1)


def is_beat(line: ScriptLine, previous: ScriptLine | None) -> bool:
    """An emotional beat: a line under a parenthetical, an exclamation, or a short line."""
    if line.kind != screenplay.DIALOGUE:
        return False
    if previous is not None and previous.kind == screenplay.PARENTHETICAL and previous.character == line.character:
        return True
    return "!" in line.text or words(line.text) <= SHORT_LINE_WORDS


def _named_in(text: str, cast: Sequence[CastMember]) -> list[CastMember]:
    """The cast an action line names in capitals (the screenplay convention)."""
    return [member for member in cast if re.search(r"(?<![A-Z])" + re.escape(member.name.upper()) + r"(?![A-Z])", text)]


# --- The planner -----------------------------------------------------------------------------------


class _Scene:
    """The scene read once: who speaks which lines, the blocking every shot shares."""

    def __init__(self, scene: SceneToCover):
        self.scene = scene
        self.lines = [line for line in scene.lines if line.kind != screenplay.HEADING]
        self.heading = [line for line in scene.lines if line.kind == screenplay.HEADING]
        by_name = {member.name.upper(): member for member in scene.cast}
        self.cast = list(scene.cast)
        self.by_name = by_name
        spoken: dict[str, int] = {}
        for line in self.lines:
            if line.kind == screenplay.DIALOGUE and line.character.upper() in by_name:
                name = by_name[line.character.upper()].name
                spoken[name] = spoken.get(name, 0) + words(line.text)
        # Speakers, most words first (ties: first to speak), then the main exchange: the top two.
        order = {name: i for i, name in enumerate(spoken)}
        self.speakers = sorted(spoken, key=lambda name: (-spoken[name], order[name]))
        marks = default_marks(len(self.cast))
        self.blocking: dict[str, JsonObject] = {
            member.name: {
                "id": member.id,
                "name": member.name,
                "height_m": member.height_m,
                **({"colour": member.colour} if member.colour else {}),
                "position": [mark[0], mark[1]],
                "facing_deg": mark[2],
            }
            for member, mark in zip(self.cast, marks)
        }

    def speech_of(self, name: str) -> list[ScriptLine]:
        return [line for line in self.lines if line.kind in (screenplay.DIALOGUE, screenplay.PARENTHETICAL) and line.character.upper() == name.upper()]


def plan_coverage(scene: SceneToCover) -> list[PlannedShot]:
    """The proposals for one scene, in the order they are planned, each with its camera laid out."""
    read = _Scene(scene)
    proposals = _proposals(read)
    pair = read.speakers[:2]
    return [PlannedShot(p, lay_out(p, _people(p, read, pair), scene.sensor, scene.aspect, scene.fps, scene.time_of_day)) for p in proposals]


def _proposal(
    read: _Scene,
    *,
    key: str,
    coverage: str,
    description: str,
    size: str,
    framing: str,
    lines: Sequence[ScriptLine],
    characters: Sequence[str] = (),
    subject: str | None = None,
    angle: str = "eye",
    movement: str = "static",
    least: float = MIN_SHOT_S,
    duration: float | None = None,
) -> ShotProposal:
    spoken = [line for line in lines if line.kind == screenplay.DIALOGUE]
    return ShotProposal(
        key=key,
        coverage=coverage,
        description=description,
        shot_size=size,
        framing=framing,
        angle=angle,
        movement=movement,
        rig=RIG_FOR_MOVE[movement],
        lens_mm=lens_for(size, read.scene.sensor, read.scene.aspect),
        characters=list(characters),
        subject=subject,
        elements=[line.id for line in lines],
        dialogue="\n".join(f"{line.character.upper()}: {line.text}" for line in spoken)[: v.LONG_TEXT_MAX_CHARS],
        duration_s=duration if duration is not None else duration_of(lines, least),
    )


def _key_name(name: str) -> str:
    return re.sub(r"\s+", "_", name.strip().lower()) or "x"


def _proposals(read: _Scene) -> list[ShotProposal]:
    scene = read.scene
    lines = read.lines
    names = [member.name for member in read.cast]
    place = scene.location or "the location"
    out: list[ShotProposal] = []

    # Establishing: a new place, or any exterior, is seen whole before we go in close.
    if scene.new_location or scene.setting in ("EXT", "INT/EXT"):
        opening = lines[:1] if lines and lines[0].kind == screenplay.ACTION else []
        exterior = scene.setting != "INT"
        out.append(
            _proposal(
                read,
                key="establishing",
                coverage="establishing",
                description=f"Establishing: {place}, {scene.time_of_day.lower()}.",
                size="EWS" if exterior else "WS",
                framing="group" if len(names) > 1 else "single",
                angle="high" if exterior else "eye",
                lines=read.heading + opening,
                characters=names,
                least=3.0,
            )
        )

    # Master: everyone present, the whole scene, held wide.
    framing = {0: "single", 1: "single", 2: "two_shot", 3: "three_shot"}.get(len(names), "group")
    out.append(
        _proposal(
            read,
            key="master",
            coverage="master",
            description=f"Master: {', '.join(names) or place}, the whole scene.",
            size="WS" if len(names) != 1 else "FS",
            framing=framing,
            lines=lines,
            characters=names,
            subject=names[0] if names else None,
            least=3.0,
        )
    )

    pair = read.speakers[:2]
    if len(pair) == 2:
        a, b = pair
        span = _exchange(read, a, b)
        out.append(
            _proposal(
                read,
                key="two_shot",
                coverage="two_shot",
                description=f"Two-shot: {a} and {b}.",
                size="MS",
                framing="two_shot",
                lines=span,
                characters=[a, b],
                subject=a,
            )
        )
        # The overs both ways: same size, same lens, each over the other's shoulder (mirrored);
        # a size wider than the singles, so cutting from an over to a single is a clear change
        # (the 30-degree rule's other half).
        for on, over in ((a, b), (b, a)):
            out.append(
                _proposal(
                    read,
                    key=f"ots:{_key_name(on)}",
                    coverage="ots",
                    description=f"Over {over}'s shoulder on {on}.",
                    size="MS",  # a size wider than the singles (MCU): a clear change from the over to the single
                    framing="ots",
                    lines=span,
                    characters=[on, over],
                    subject=on,
                )
            )
    # A single of every speaker (matched for the pair: same size and lens), then the closer sizes
    # for their beats.
    for name in read.speakers:
        speech = read.speech_of(name)
        out.append(
            _proposal(
                read,
                key=f"single:{_key_name(name)}",
                coverage="single",
                description=f"Single on {name}.",
                size="MCU",
                framing="clean_single",
                lines=speech,
                characters=[name],
                subject=name,
            )
        )
    for name in read.speakers:
        beats = _beats(read, name)
        if beats:
            out.append(
                _proposal(
                    read,
                    key=f"close_up:{_key_name(name)}",
                    coverage="close_up",
                    description=f"Close-up on {name} for the beat: “{_excerpt(beats[-1].text)}”",
                    size="CU",
                    framing="clean_single",
                    lines=beats,
                    characters=[name],
                    subject=name,
                )
            )

    # Reactions: who listens to a long speech.
    for listener, heard in _reactions(read, pair, names):
        out.append(
            _proposal(
                read,
                key=f"reaction:{_key_name(listener)}",
                coverage="reaction",
                description=f"{listener} reacts, listening.",
                size="MCU",
                framing="clean_single",
                lines=heard,
                characters=[listener],
                subject=listener,
            )
        )

    # Inserts: each prop the action handles, on the action line that handles it.
    taken: set[str] = set()
    for prop in scene.props:
        if len(taken) >= MAX_INSERTS:
            break
        line = next(
            (line for line in lines if line.kind == screenplay.ACTION and re.search(r"(?<![A-Z])" + re.escape(prop.upper()) + r"(?![A-Z])", line.text)), None
        )
        if line is None or prop.upper() in taken:
            continue
        taken.add(prop.upper())
        hands = [member.name for member in _named_in(line.text, read.cast)]
        out.append(
            _proposal(
                read,
                key=f"insert:{_key_name(prop)}",
                coverage="insert",
                description=f"Insert: the {prop.lower()}.",
                size="INSERT",
                framing="single",
                lines=[line],
                characters=hands[:1],
                subject=hands[0] if hands else None,
                duration=INSERT_S,
            )
        )

    # The action moves: the camera goes with it.
    tracking = 0
    for line in lines:
        if tracking >= MAX_TRACKING or line.kind != screenplay.ACTION:
            continue
        found = next(((move, size) for pattern, move, size in MOVING_ACTION if pattern.search(line.text)), None)
        if found is None:
            continue
        move, size = found
        movers = [member.name for member in _named_in(line.text, read.cast)] or names[:1]
        tracking += 1
        out.append(
            _proposal(
                read,
                key=f"tracking:{tracking}",
                coverage="tracking",
                description=f"{TRACKING_WORDS[move]} {', '.join(movers) or place}: {_excerpt(line.text)}",
                size=size,
                framing="single" if len(movers) <= 1 else ("two_shot" if len(movers) == 2 else "group"),
                lines=[line],
                characters=movers,
                subject=movers[0] if movers else None,
                movement=move,
                least=2.0,
            )
        )
    return out


def _exchange(read: _Scene, a: str, b: str) -> list[ScriptLine]:
    """The lines from the pair's first cue to their last line, everything between included."""
    mine = {a.upper(), b.upper()}
    indexes = [
        i
        for i, line in enumerate(read.lines)
        if line.kind in (screenplay.CHARACTER, screenplay.DIALOGUE, screenplay.PARENTHETICAL) and line.character.upper() in mine
    ]
    return read.lines[indexes[0] : indexes[-1] + 1] if indexes else []


def _beats(read: _Scene, name: str) -> list[ScriptLine]:
    beats: list[ScriptLine] = []
    previous: ScriptLine | None = None
    for line in read.lines:
        if line.character.upper() == name.upper() and is_beat(line, previous):
            if previous is not None and previous.kind == screenplay.PARENTHETICAL and previous.character.upper() == name.upper():
                beats.append(previous)
            beats.append(line)
        previous = line
    return beats


def _reactions(read: _Scene, pair: Sequence[str], names: Sequence[str]) -> list[tuple[str, list[ScriptLine]]]:
    """(listener, the long speeches they hear): in an exchange, each of the two hears the other;
    anyone present who does not speak hears the longest speech."""
    long_by: dict[str, list[ScriptLine]] = {}
    for line in read.lines:
        if line.kind == screenplay.DIALOGUE and words(line.text) >= LONG_SPEECH_WORDS:
            long_by.setdefault(line.character.upper(), []).append(line)
    out: list[tuple[str, list[ScriptLine]]] = []
    if len(pair) == 2:
        for listener, speaker in ((pair[1], pair[0]), (pair[0], pair[1])):
            if long_by.get(speaker.upper()):
                out.append((listener, long_by[speaker.upper()]))
    every = [line for lines in long_by.values() for line in lines]
    if every:
        longest = max(every, key=lambda line: (words(line.text), -line.id))
        for name in names:
            if name not in read.speakers:
                out.append((name, [longest]))
    return out


def _excerpt(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


# --- Cameras ----------------------------------------------------------------------------------------


def _people(proposal: ShotProposal, read: _Scene, pair: Sequence[str]) -> list[JsonObject]:
    """Who a shot's layout places, on the scene's marks, in the blocking's order. A single, a
    close-up or a reaction keeps the person it plays against on their mark (off frame: their
    partner in the exchange, else the nearest), so the camera stays on that line's side."""
    blocking = read.blocking
    people = [name for name in proposal.characters if name in blocking]
    if len(people) == 1 and proposal.coverage in ("single", "close_up", "reaction", "insert", "tracking") and len(blocking) > 1:
        subject = people[0]
        if subject in pair and len(pair) == 2:
            people.append(pair[1] if subject == pair[0] else pair[0])
        else:
            others = [name for name in blocking if name != subject]
            people.append(min(others, key=lambda name: math.dist(blocking[name]["position"], blocking[subject]["position"])))
    return [dict(blocking[name]) for name in blocking if name in people]


def lay_out(proposal: ShotProposal, people: Sequence[JsonObject], sensor: str, aspect: str, fps: str | float, time_of_day: str = "DAY") -> JsonObject:
    """The proposal's camera-and-blocking spec by previs.spec.layout_for_shot, with `people` on
    their marks (the same marks in every shot of the scene, so the 180-degree rule the layout
    keeps for an exchange holds across all of its coverage)."""
    ids = {str(person["name"]): str(person["id"]) for person in people}
    subject = proposal.subject if proposal.subject in ids else (str(people[0]["name"]) if people else None)
    return layout_for_shot(
        shot_size=proposal.shot_size,
        angle=proposal.angle,
        lens_mm=proposal.lens_mm,
        sensor=sensor,
        aspect=aspect,
        fps=fps,
        duration_s=proposal.duration_s,
        movement=proposal.movement,
        characters=[dict(person) for person in people],
        subject_id=ids[subject] if subject else None,
        framing=proposal.framing,
        environment={"time_of_day": time_of_day if time_of_day in v.values(v.TIMES_OF_DAY) else "DAY"},
    )


def camera_for(proposal: ShotProposal, scene: SceneToCover) -> JsonObject:
    """The camera of a proposal made outside the planner (the assistant's), on the scene's blocking."""
    read = _Scene(scene)
    return lay_out(proposal, _people(proposal, read, read.speakers[:2]), scene.sensor, scene.aspect, scene.fps, scene.time_of_day)


def lay_out_again(proposal: ShotProposal, spec: JsonObject) -> JsonObject:
    """After the director edits a proposal's fields: its camera laid out anew with the people and
    marks, sensor, aspect, frame rate and light its spec already has."""
    return lay_out(proposal, spec["characters"], spec["camera"]["sensor"], spec["camera"]["aspect"], spec["fps"], spec["environment"]["time_of_day"])
