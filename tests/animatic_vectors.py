"""Golden vectors of previs/animatic.py, which frontend/src/animatic/timeline.test.ts checks the
TypeScript twin against (tests/test_animatic.py fails when the checked-in file drifts), so the
browser's player and the animatic movie put every shot on the same frame.

Regenerate after changing previs/animatic.py:  .venv/bin/python -m tests.animatic_vectors
"""

import json
from pathlib import Path

from previs.animatic import MODES, build, item_at

PATH = Path(__file__).resolve().parent.parent / "frontend" / "src" / "animatic" / "timeline.vectors.json"


def _shot(duration_s, panels, locked=False, clip=False, audio=False):
    return {
        "duration_s": duration_s,
        "duration_locked": locked,
        "clip": {"version": 1} if clip else None,
        "audio": {"id": 1} if audio else None,
        "panels": [{"duration_s": d} for d in panels],
    }


# Boards that reach every branch of the rule: durations that are not whole frames at NTSC and
# PAL rates, locked shots longer and shorter than their panels, shots without panels, clips,
# scene and shot audio, an empty scene.
BOARDS = [
    {
        "name": "two scenes at 24",
        "fps": "24",
        "scenes": [
            {"audio": None, "shots": [_shot(4.0, [2.0, 2.0]), _shot(3.0, [1.5], clip=True)]},
            {"audio": {"id": 2}, "shots": [_shot(2.5, []), _shot(1.0, [0.5, 0.5], audio=True)]},
        ],
    },
    {
        "name": "rounding at 23.976",
        "fps": "23.976",
        "scenes": [
            {"audio": None, "shots": [_shot(1.0, [0.5, 0.25, 1.37]), _shot(2.002, [2.002], clip=True), _shot(0.04, [0.01])]},
        ],
    },
    {
        "name": "drop-frame 29.97",
        "fps": "29.97",
        "scenes": [
            {"audio": {"id": 3}, "shots": [_shot(61.0, [30.0, 31.0], clip=True), _shot(0.5, [0.51, 0.49], audio=True)]},
        ],
    },
    {
        "name": "locked shots at 25",
        "fps": "25",
        "scenes": [
            {"audio": None, "shots": [_shot(5.0, [1.0, 1.0], locked=True), _shot(1.5, [1.0, 1.0, 1.0], locked=True), _shot(0.02, [2.0], locked=True)]},
            {"audio": {"id": 4}, "shots": []},
            {"audio": None, "shots": [_shot(2.0, [0.3333, 0.6667, 1.0], clip=True, audio=True)]},
        ],
    },
    {"name": "empty film", "fps": "24", "scenes": []},
]


def _lookups(timeline):
    end = timeline["length"]
    frames = sorted({-1, 0, end - 1, end, end + 10} | {i["start"] for i in timeline["items"]} | {i["start"] + i["length"] - 1 for i in timeline["items"]})
    return [{"frame": f, "item": item_at(timeline, f)} for f in frames]


def vectors():
    cases = []
    for board in BOARDS:
        for mode in MODES:
            timeline = build(board, mode)
            cases.append({"name": board["name"], "mode": mode, "board": board, "timeline": timeline, "lookups": _lookups(timeline)})
    return {"cases": cases}


def encoded():
    return json.dumps(vectors(), indent=1) + "\n"


if __name__ == "__main__":
    PATH.parent.mkdir(parents=True, exist_ok=True)
    PATH.write_text(encoded())
    print(f"wrote {PATH}")
