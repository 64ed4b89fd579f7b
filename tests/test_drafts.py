"""Matching a revised draft's scenes to the last draft's (previs/drafts.py), without Django."""

from dataclasses import dataclass

from previs import drafts


@dataclass
class New:
    number: str
    heading: str
    text: str


def old(id_, number, heading, text):
    return drafts.OldScene(id=id_, number=number, heading=heading, text=text)


KITCHEN = "action: Mara fills the kettle and waits for the boats to come home.\ncharacter: MARA\ndialogue: He should be back."
WALL = "action: Jonah walks the harbour wall with a lantern in the storm.\ncharacter: JONAH\ndialogue: The boat is gone."
BEACH = "action: A broken oar lies on the sand at dawn."


def test_unchanged_changed_added_omitted_and_story_order():
    last = [old(1, "1", "INT. KITCHEN - NIGHT", KITCHEN), old(2, "2", "EXT. WALL - NIGHT", WALL), old(3, "3", "EXT. BEACH - DAWN", BEACH)]
    new = [
        New("", "EXT. WALL - NIGHT", WALL.replace("The boat is gone.", "The boat is gone for good.")),
        New("", "INT. KITCHEN - NIGHT", KITCHEN),
        New("", "INT. CHAPEL - DAY", "action: Candles. Mara lights one."),
    ]
    plan = drafts.plan_revision(last, new)
    assert plan.counts() == {"unchanged": 1, "changed": 1, "added": 1, "omitted": 1}
    # The omitted beach scene stays right after the scene it followed in the last draft (the wall).
    assert [(s.action, s.scene_id) for s in plan.order] == [("changed", 2), ("omitted", 3), ("unchanged", 1), ("added", None)]
    changed = plan.order[0]
    assert "-dialogue: The boat is gone." in changed.diff and "+dialogue: The boat is gone for good." in changed.diff


def test_a_locked_number_wins_over_similarity():
    last = [old(1, "10", "INT. HOUSE - DAY", "action: Anna waits."), old(2, "11", "INT. HOUSE - DAY", "action: Anna waits again.")]
    new = [New("11", "INT. HOUSE - DAY", "action: Anna waits."), New("10", "INT. BARN - NIGHT", "action: Someone else entirely.")]
    plan = drafts.plan_revision(last, new)
    assert [(s.action, s.scene_id) for s in plan.order] == [("changed", 2), ("changed", 1)]


def test_a_different_scene_is_not_matched_to_a_dropped_one():
    last = [old(1, "", "INT. KITCHEN - NIGHT", KITCHEN)]
    plan = drafts.plan_revision(last, [New("", "EXT. MOUNTAIN - DAY", "action: Snow falls on the pass; climbers rope up.")])
    assert plan.counts() == {"unchanged": 0, "changed": 0, "added": 1, "omitted": 1}


def test_only_rows_out_of_order_move():
    assert drafts.kept_in_place(["a", "c", "b", "d"]) in ({0, 1, 3}, {0, 2, 3})
    assert drafts.kept_in_place(["a", None, "b"]) == {0, 2}
    assert drafts.kept_in_place([]) == set()
