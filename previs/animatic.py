"""The animatic's timeline: which picture is on screen at every frame of a scene or the film.

One definition, read by the browser's player (frontend/src/animatic/timeline.ts is its
TypeScript twin, held to it by golden vectors: tests/animatic_vectors.py) and by the animatic
movie export, so a shot starts on the same frame in the browser, in the MP4 and in the cut.

The input is a board as plain data, the shape of apps.editorial's snapshot: `fps` (the
project's rate), `scenes` in story order, each with `shots` in order, each with `duration_s`,
optional `duration_locked`, optional `clip` (its latest clip render, or None), optional `audio`
(scratch sound, or None; scenes may carry one too) and `panels` in order, each with `duration_s`.

The rule, in whole frames at the project's rate (previs.timecode.frames_in: halves round up,
at least one frame):
- A panel lasts its own duration, rounded to frames on its own, so retiming one panel never
  moves another panel's cut by a rounding.
- A shot lasts the sum of its panels' frames (the boards keep its duration_s equal to it), or
  its own duration when it is locked or has no panels. A locked shot longer than its panels
  holds its last panel; shorter, it cuts the panel that crosses its end and drops the rest.
- "clips" mode shows a shot's latest clip, for the shot's length, in place of its panels (a shot
  without a clip still shows its panels): both modes put every shot on the same frames.
- A shot without panels (and no clip shown) is one item of kind "shot": the player shows the
  shot's newest frame render or its card.
- Scratch audio starts on the first frame of its scene or shot and is cut at its end.

Items name their place by index (scene, shot within the scene, panel within the shot), not by
id, so the same function serves the browser's board (which has ids) and the export's snapshot.
"""

from collections.abc import Mapping, Sequence
from typing import Any, Literal, TypedDict

from previs.timecode import Rate, frame_rate, frames_in

Mode = Literal["panels", "clips"]
MODES: tuple[Mode, ...] = ("panels", "clips")


class Item(TypedDict):
    kind: Literal["panel", "clip", "shot"]
    scene: int
    shot: int
    panel: int | None
    start: int
    length: int


class Span(TypedDict):
    scene: int
    shot: int | None
    start: int
    length: int


class Timeline(TypedDict):
    fps: str
    mode: Mode
    length: int
    items: list[Item]
    shots: list[Span]
    scenes: list[Span]
    audio: list[Span]


Board = Mapping[str, Any]


def shot_frames(shot: Mapping[str, Any], fps: Rate) -> int:
    """A shot's length in frames: its panels' frames, or its own duration when locked or bare."""
    panels: Sequence[Mapping[str, Any]] = shot.get("panels") or []
    if shot.get("duration_locked") or not panels:
        return frames_in(float(shot["duration_s"]), fps)
    return sum(frames_in(float(panel["duration_s"]), fps) for panel in panels)


def build(board: Board, mode: Mode = "panels") -> Timeline:
    """The animatic of `board` (a scene or the film): items in story order with start frames."""
    if mode not in MODES:
        raise ValueError(f"mode: {mode!r} is not one of {', '.join(MODES)}.")
    fps = str(board["fps"])
    items: list[Item] = []
    shots: list[Span] = []
    scenes: list[Span] = []
    audio: list[Span] = []
    frame = 0
    for scene_index, scene in enumerate(board["scenes"]):
        scene_start = frame
        for shot_index, shot in enumerate(scene["shots"]):
            length = shot_frames(shot, fps)
            panels: Sequence[Mapping[str, Any]] = shot.get("panels") or []
            if mode == "clips" and shot.get("clip"):
                items.append({"kind": "clip", "scene": scene_index, "shot": shot_index, "panel": None, "start": frame, "length": length})
            elif not panels:
                items.append({"kind": "shot", "scene": scene_index, "shot": shot_index, "panel": None, "start": frame, "length": length})
            else:
                left = length
                for panel_index, panel in enumerate(panels):
                    if left <= 0:
                        break
                    last = panel_index == len(panels) - 1
                    own = frames_in(float(panel["duration_s"]), fps)
                    take = left if last else min(own, left)  # the last panel holds to the shot's end
                    items.append(
                        {"kind": "panel", "scene": scene_index, "shot": shot_index, "panel": panel_index, "start": frame + length - left, "length": take}
                    )
                    left -= take
            shots.append({"scene": scene_index, "shot": shot_index, "start": frame, "length": length})
            if shot.get("audio"):
                audio.append({"scene": scene_index, "shot": shot_index, "start": frame, "length": length})
            frame += length
        scenes.append({"scene": scene_index, "shot": None, "start": scene_start, "length": frame - scene_start})
        if scene.get("audio") and frame > scene_start:
            audio.append({"scene": scene_index, "shot": None, "start": scene_start, "length": frame - scene_start})
    audio.sort(key=lambda span: (span["start"], span["shot"] is not None))
    return {"fps": fps, "mode": mode, "length": frame, "items": items, "shots": shots, "scenes": scenes, "audio": audio}


def item_at(timeline: Timeline, frame: int) -> int | None:
    """The index of the item on screen at `frame` (None past the end or before the start)."""
    items = timeline["items"]
    low, high = 0, len(items) - 1
    while low <= high:
        middle = (low + high) // 2
        item = items[middle]
        if frame < item["start"]:
            high = middle - 1
        elif frame >= item["start"] + item["length"]:
            low = middle + 1
        else:
            return middle
    return None


def duration_for_frames(frames: int, fps: Rate) -> float:
    """The duration in seconds of a whole number of frames: what a retimed panel stores, so
    frames_in gives the same frames back."""
    if frames < 1:
        raise ValueError("A panel lasts at least one frame.")
    return float(frames / frame_rate(fps))
