"""A revised draft against the last one: which scenes are unchanged, changed, new or gone, and the
story order after the merge. Plain Python, no Django.

Scenes are matched first by their locked scene number (once a script is locked its numbers never
change), then, for scenes without one, by heading and text similarity (rapidfuzz). A scene of the
last draft nobody matched is OMITTED, never deleted: its shots stay.
"""

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from rapidfuzz import fuzz

# Below this similarity (0-100) two scenes are different scenes, not one scene rewritten.
MATCH_THRESHOLD = 55.0
UNCHANGED, CHANGED, ADDED, OMITTED = "unchanged", "changed", "added", "omitted"


@dataclass
class OldScene:
    """A scene of the last draft, as the studio has it."""

    id: int
    number: str
    heading: str
    text: str


class DraftScene(Protocol):
    """A scene of the new draft (e.g. previs.screenplay.SceneBreakdown)."""

    @property
    def number(self) -> str: ...
    @property
    def heading(self) -> str: ...
    @property
    def text(self) -> str: ...


@dataclass
class Step:
    action: str  # unchanged, changed, added, omitted
    heading: str
    number: str
    scene_id: int | None = None  # the studio's scene (None for an added one)
    new_index: int | None = None  # the scene's place in the new draft (None for an omitted one)
    diff: str = ""


@dataclass
class Plan:
    steps: list[Step] = field(default_factory=list)
    order: list[Step] = field(default_factory=list)  # steps in story order after the merge, omitted ones where they were

    def counts(self) -> dict[str, int]:
        counts = {UNCHANGED: 0, CHANGED: 0, ADDED: 0, OMITTED: 0}
        for step in self.steps:
            counts[step.action] += 1
        return counts


def similarity(old: OldScene, heading: str, text: str) -> float:
    return 0.3 * fuzz.ratio(old.heading.upper(), heading.upper()) + 0.7 * fuzz.token_sort_ratio(old.text, text)


def scene_diff(old_text: str, new_text: str, label: str) -> str:
    lines = difflib.unified_diff(
        old_text.splitlines(), new_text.splitlines(), fromfile=f"{label} (last draft)", tofile=f"{label} (this draft)", lineterm="", n=1
    )
    return "\n".join(lines)


def plan_revision(old: Sequence[OldScene], new: Sequence[DraftScene]) -> Plan:
    """old: OldScene of the last draft, in story order; new: the new draft's scenes (objects with
    number, heading and text, e.g. previs.screenplay.SceneBreakdown), in story order."""
    matched: dict[int, OldScene] = {}  # new index -> old scene
    by_number = {o.number: o for o in old if o.number}
    used: set[int] = set()
    for index, scene in enumerate(new):
        candidate = by_number.get(scene.number) if scene.number else None
        if candidate is not None and candidate.id not in used:
            matched[index] = candidate
            used.add(candidate.id)
    # Then scenes whose text did not change at all (most of a revision), in story order.
    same_text: dict[str, list[OldScene]] = {}
    for candidate in old:
        if candidate.id not in used:
            same_text.setdefault(candidate.text, []).append(candidate)
    for index, scene in enumerate(new):
        if index in matched:
            continue
        candidates = [c for c in same_text.get(scene.text, []) if c.id not in used]
        if candidates:
            matched[index] = candidates[0]
            used.add(candidates[0].id)
    # The rest by similarity, best pairs first (greedy on the score: good enough for a draft,
    # where most scenes are near-identical to one old scene and unlike every other).
    pairs: list[tuple[float, int, int, int, OldScene]] = []
    for index, scene in enumerate(new):
        if index in matched:
            continue
        for candidate in old:
            if candidate.id in used:
                continue
            score = similarity(candidate, scene.heading, scene.text)
            if score >= MATCH_THRESHOLD:
                pairs.append((score, -index, candidate.id, index, candidate))
    for _score, _tie, _id, index, candidate in sorted(pairs, key=lambda p: (p[0], p[1], -p[2]), reverse=True):
        if index in matched or candidate.id in used:
            continue
        matched[index] = candidate
        used.add(candidate.id)

    plan = Plan()
    new_steps = []
    for index, scene in enumerate(new):
        candidate = matched.get(index)
        if candidate is None:
            step = Step(ADDED, scene.heading, scene.number, new_index=index)
        elif candidate.text == scene.text:
            step = Step(UNCHANGED, scene.heading, candidate.number or scene.number, scene_id=candidate.id, new_index=index)
        else:
            label = f"Scene {candidate.number}" if candidate.number else scene.heading
            step = Step(
                CHANGED,
                scene.heading,
                candidate.number or scene.number,
                scene_id=candidate.id,
                new_index=index,
                diff=scene_diff(candidate.text, scene.text, label),
            )
        new_steps.append(step)
    omitted = [Step(OMITTED, o.heading, o.number, scene_id=o.id) for o in old if o.id not in used]
    plan.steps = new_steps + omitted

    # Story order: the new draft's, with each omitted scene right after the scene it followed
    # in the last draft (or first, if it opened the script).
    order = list(new_steps)
    step_of_old = {s.scene_id: s for s in plan.steps if s.scene_id is not None}
    for position, scene in enumerate(old):
        if scene.id in used:
            continue
        step = step_of_old[scene.id]
        if position == 0:
            order.insert(0, step)
        else:
            before = step_of_old[old[position - 1].id]
            order.insert(order.index(before) + 1, step)
    plan.order = order
    return plan


def kept_in_place(ranks: Sequence[str | None]) -> set[int]:
    """Indexes of the longest run of `ranks` (None = no rank yet) already in increasing order:
    those rows stay where they are; only the others are moved, so a merge writes few rows."""
    items = [(i, r) for i, r in enumerate(ranks) if r is not None]
    # Longest increasing subsequence, O(n log n), with back-pointers.
    import bisect

    tails: list[str] = []
    tails_at: list[int] = []
    previous: dict[int, int | None] = {}
    for i, rank in items:
        position = bisect.bisect_left(tails, rank)
        previous[i] = tails_at[position - 1] if position else None
        if position == len(tails):
            tails.append(rank)
            tails_at.append(i)
        else:
            tails[position] = rank
            tails_at[position] = i
    kept: set[int] = set()
    cursor = tails_at[-1] if tails_at else None
    while cursor is not None:
        kept.add(cursor)
        cursor = previous[cursor]
    return kept
