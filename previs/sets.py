"""A location's set: the pieces a scene is blocked in (walls, furniture, cars, trees…), from a
built-in parametric library, and how each piece breaks down into the grey boxes the spec and the
blocking renderer draw (previs/spec.py `set_pieces`).

Pure Python, no Django. Coordinates as in previs/camera.py: metres, x east, y north, z up; a
piece's position is the centre of its footprint on the plan, rotation_deg turns it about the
vertical (0 = its front faces north, positive toward east, like yaw).

A shot uses its location's set; it may hide or move a piece for itself (a cheat) through the
spec's `set_overrides` ({piece_id: {hidden, position, rotation_deg}}), which never changes the set.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from previs.types import JsonObject

MAX_LOCATION_PIECES = 120  # each piece makes up to 8 boxes; the spec holds 200 (MAX_SET_PIECES)


class Kind(NamedTuple):
    label: str
    size: tuple[float, float, float]  # default width (local x), depth (local y), height, m
    colour: str


# The library: default sizes are what a piece of that kind usually measures.
LIBRARY: dict[str, Kind] = {
    "floor": Kind("Floor / terrain", (10.0, 10.0, 0.02), "#8a8577"),
    "wall": Kind("Wall", (4.0, 0.15, 2.7), "#b8b2a7"),
    "wall_door": Kind("Wall with door", (4.0, 0.15, 2.7), "#b8b2a7"),
    "wall_window": Kind("Wall with window", (4.0, 0.15, 2.7), "#b8b2a7"),
    "stairs": Kind("Stairs", (1.0, 3.0, 2.7), "#9c8f7a"),
    "table": Kind("Table", (1.6, 0.9, 0.75), "#8b5a2b"),
    "chair": Kind("Chair", (0.45, 0.5, 0.9), "#7a5230"),
    "sofa": Kind("Sofa", (2.0, 0.9, 0.85), "#6b7a8f"),
    "bed": Kind("Bed", (1.6, 2.1, 1.0), "#c9c0b0"),
    "desk": Kind("Desk", (1.4, 0.7, 0.75), "#6e4b2a"),
    "door": Kind("Door", (0.9, 0.05, 2.1), "#7d5a3c"),
    "window": Kind("Window", (1.2, 0.05, 1.2), "#a7c7d9"),
    "car": Kind("Car", (1.8, 4.5, 1.45), "#4a5a6a"),
    "boat": Kind("Boat", (2.0, 6.0, 1.2), "#e0ddd5"),
    "jetty": Kind("Jetty / dock", (2.0, 10.0, 0.6), "#8b7355"),
    "tree": Kind("Tree", (3.0, 3.0, 6.0), "#3f6b35"),
    "rock": Kind("Rock", (1.2, 1.0, 0.8), "#7b7b73"),
    "lamp_post": Kind("Lamp post", (0.3, 0.3, 4.0), "#3b3b3b"),
    "tower": Kind("Lighthouse / tower", (4.0, 4.0, 20.0), "#e8e4dc"),
    "box": Kind("Box", (1.0, 1.0, 1.0), "#9a9a9a"),
    "cylinder": Kind("Cylinder", (1.0, 1.0, 1.0), "#9a9a9a"),
    "sphere": Kind("Sphere", (1.0, 1.0, 1.0), "#9a9a9a"),
    "prop": Kind("Prop", (0.3, 0.3, 0.3), "#b07d48"),
}

if TYPE_CHECKING:
    KindKey = str
else:
    KindKey = Literal[tuple(LIBRARY)]

Coordinate = float
Colour = str


class _Shape(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)  # JSON (and Postgres) has no NaN


class LocationPiece(_Shape):
    """One piece of a location's set, as stored on the location and edited on the plan."""

    id: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$", description="Unique in the set; shots' cheats name it.")
    kind: KindKey
    name: str = Field(max_length=120)
    size: tuple[float, float, float] = Field(description="[width (local x), depth (local y), height] m, each 0.01 … 1000.")
    position: tuple[float, float] = Field(description="[x, y] m: centre of the footprint on the plan.")
    rotation_deg: float = Field(default=0.0, ge=-360, le=360)
    colour: Colour = Field(pattern=r"^#[0-9a-fA-F]{6}$")
    elevation_m: float = Field(default=0.0, ge=-100, le=1000, description="Height of the piece's base above the floor (a prop on a table).")


class SetOverride(_Shape):
    """A shot's cheat of one piece: hidden, or moved/turned for this shot only."""

    hidden: bool = False
    position: tuple[float, float] | None = None
    rotation_deg: float | None = Field(default=None, ge=-360, le=360)


class SetError(ValueError):
    """Pieces that cannot be stored; `errors` maps dotted paths ("3.size") to messages."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__("; ".join(f"{path}: {', '.join(m)}" for path, m in errors.items()))


def validate_set(data: object) -> list[JsonObject]:
    """The pieces as stored (defaults filled), or SetError listing every problem by path."""
    if not isinstance(data, list):
        raise SetError({"": ["Must be a list of set pieces."]})
    if len(data) > MAX_LOCATION_PIECES:
        raise SetError({"": [f"At most {MAX_LOCATION_PIECES} pieces in a set."]})
    errors: dict[str, list[str]] = {}
    pieces: list[JsonObject] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(data):
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            if item["id"] in seen:
                errors.setdefault(f"{index}.id", []).append(f"Piece {seen[item['id']]} of the set has this id.")
            seen.setdefault(item["id"], index)
        try:
            piece = LocationPiece.model_validate(item)
        except ValidationError as error:
            for problem in error.errors():
                path = ".".join(str(p) for p in (index, *problem["loc"]))
                errors.setdefault(path, []).append(problem["msg"])
            continue
        if any(not 0.01 <= side <= 1000 for side in piece.size):
            errors.setdefault(f"{index}.size", []).append("Each side must be within 0.01 … 1000 m.")
        if any(abs(c) > 10000 for c in piece.position):
            errors.setdefault(f"{index}.position", []).append("Within 10 km of the origin.")
        pieces.append(piece.model_dump(mode="json"))
    if errors:
        raise SetError(errors)
    return pieces


def new_piece(kind: str, piece_id: str, position: Sequence[float] = (0.0, 0.0), name: str | None = None) -> JsonObject:
    """A piece of `kind` at its library size and colour."""
    entry = LIBRARY[kind]
    return {
        "id": piece_id,
        "kind": kind,
        "name": name or entry.label,
        "size": list(entry.size),
        "position": [float(position[0]), float(position[1])],
        "rotation_deg": 0.0,
        "colour": entry.colour,
        "elevation_m": 0.0,
    }


# --- Decomposition into the spec's boxes -----------------------------------------------------

# A part of a piece in its own frame, as fractions of its size: (x0, x1, y0, y1, z0, z1) with
# x and y from -0.5 to 0.5 across the footprint and z from 0 (base) to 1 (top).
Part = tuple[float, float, float, float, float, float]
WHOLE: Part = (-0.5, 0.5, -0.5, 0.5, 0.0, 1.0)


def _legs(top: float) -> list[Part]:
    inset = 0.45
    return [(x - 0.04, x + 0.04, y - 0.04, y + 0.04, 0.0, top) for x in (-inset, inset) for y in (-inset, inset)]


def _wall_with_opening(left: float, right: float, bottom: float, top: float) -> list[Part]:
    """A wall with a hole from `left` to `right` (fractions across) and `bottom` to `top` (up)."""
    parts: list[Part] = [(-0.5, left, -0.5, 0.5, 0.0, 1.0), (right, 0.5, -0.5, 0.5, 0.0, 1.0), (left, right, -0.5, 0.5, top, 1.0)]
    if bottom > 0:
        parts.append((left, right, -0.5, 0.5, 0.0, bottom))
    return parts


def _stairs(steps: int = 8) -> list[Part]:
    return [(-0.5, 0.5, -0.5 + i / steps, 0.5, 0.0, (i + 1) / steps) for i in range(steps)]


def _round(rings: int, low: float, high: float, widths: Sequence[float]) -> list[Part]:
    """A round thing as stacked square slabs, each narrower toward the ends (a sphere, a canopy)."""
    step = (high - low) / rings
    return [(-w / 2, w / 2, -w / 2, w / 2, low + i * step, low + (i + 1) * step) for i, w in enumerate(widths)]


PARTS: dict[str, list[Part]] = {
    "floor": [WHOLE],
    "wall": [WHOLE],
    "wall_door": _wall_with_opening(-0.12, 0.12, 0.0, 0.78),
    "wall_window": _wall_with_opening(-0.2, 0.2, 0.33, 0.78),
    "stairs": _stairs(),
    "table": [(-0.5, 0.5, -0.5, 0.5, 0.93, 1.0), *_legs(0.93)],
    "desk": [(-0.5, 0.5, -0.5, 0.5, 0.93, 1.0), (0.1, 0.5, -0.5, 0.5, 0.0, 0.93), (-0.5, -0.42, -0.5, 0.5, 0.0, 0.93)],
    "chair": [(-0.5, 0.5, -0.5, 0.5, 0.45, 0.5), (-0.5, 0.5, 0.4, 0.5, 0.5, 1.0), *_legs(0.45)],
    "sofa": [(-0.5, 0.5, -0.5, 0.5, 0.0, 0.5), (-0.5, 0.5, 0.25, 0.5, 0.5, 1.0), (-0.5, -0.4, -0.5, 0.25, 0.5, 0.7), (0.4, 0.5, -0.5, 0.25, 0.5, 0.7)],
    "bed": [(-0.5, 0.5, -0.5, 0.45, 0.0, 0.55), (-0.5, 0.5, 0.45, 0.5, 0.0, 1.0)],  # mattress, headboard
    "door": [WHOLE],
    "window": [WHOLE],
    "car": [(-0.5, 0.5, -0.5, 0.5, 0.15, 0.55), (-0.45, 0.45, -0.25, 0.2, 0.55, 1.0)],
    "boat": [(-0.5, 0.5, -0.35, 0.35, 0.0, 0.6), (-0.3, 0.3, -0.5, -0.35, 0.2, 0.6), (-0.3, 0.3, -0.1, 0.2, 0.6, 1.0)],
    "jetty": [(-0.5, 0.5, -0.5, 0.5, 0.85, 1.0), *[(x - 0.05, x + 0.05, y - 0.01, y + 0.01, 0.0, 0.85) for x in (-0.45, 0.45) for y in (-0.45, 0.0, 0.45)]],
    "tree": [(-0.05, 0.05, -0.05, 0.05, 0.0, 0.4), *_round(4, 0.35, 1.0, (0.7, 1.0, 0.85, 0.5))],
    "rock": _round(3, 0.0, 1.0, (1.0, 0.85, 0.55)),
    "lamp_post": [(-0.2, 0.2, -0.2, 0.2, 0.0, 0.96), (-0.5, 0.5, -0.5, 0.5, 0.96, 1.0)],
    "tower": [(-0.5, 0.5, -0.5, 0.5, 0.0, 0.85), (-0.35, 0.35, -0.35, 0.35, 0.85, 0.95), (-0.45, 0.45, -0.45, 0.45, 0.95, 1.0)],
    "box": [WHOLE],
    "cylinder": [(-0.35, 0.35, -0.5, 0.5, 0.0, 1.0), (-0.5, 0.5, -0.35, 0.35, 0.0, 1.0)],
    "sphere": _round(5, 0.0, 1.0, (0.6, 0.9, 1.0, 0.9, 0.6)),
    "prop": [WHOLE],
}


def placed(piece: Mapping[str, object], override: Mapping[str, object] | None) -> JsonObject | None:
    """The piece as a shot sees it: None when the shot hides it, else moved/turned by the cheat."""
    result = dict(piece)
    if override:
        if override.get("hidden"):
            return None
        if override.get("position") is not None:
            result["position"] = list(override["position"])  # type: ignore[call-overload]
        if override.get("rotation_deg") is not None:
            result["rotation_deg"] = override["rotation_deg"]
    return result


def piece_boxes(piece: Mapping[str, object]) -> list[JsonObject]:
    """The spec's boxes (previs/spec.py set_pieces, tagged with the piece's id) a piece is drawn as."""
    w, d, h = (float(v) for v in piece["size"])  # type: ignore[attr-defined]
    px, py = (float(v) for v in piece["position"])  # type: ignore[attr-defined]
    base = float(piece.get("elevation_m") or 0.0)  # type: ignore[arg-type]
    rotation = float(piece.get("rotation_deg") or 0.0)  # type: ignore[arg-type]
    theta = math.radians(rotation)
    # Local x (across) points east when rotation is 0, local y (depth) north; turning is clockwise seen from above.
    cos, sin = math.cos(theta), math.sin(theta)
    boxes = []
    for x0, x1, y0, y1, z0, z1 in PARTS[str(piece["kind"])]:
        lx, ly = (x0 + x1) / 2 * w, (y0 + y1) / 2 * d
        boxes.append(
            {
                "name": str(piece["name"]),
                "piece": str(piece["id"]),
                "position": [round(px + lx * cos + ly * sin, 4), round(py - lx * sin + ly * cos, 4), round(base + z0 * h, 4)],
                "size": [max(0.01, round((x1 - x0) * w, 4)), max(0.01, round((y1 - y0) * d, 4)), max(0.01, round((z1 - z0) * h, 4))],
                "rotation_deg": rotation,
                "colour": piece["colour"],
            }
        )
    return boxes


def set_boxes(pieces: Iterable[Mapping[str, object]], overrides: Mapping[str, Mapping[str, object]] | None = None) -> list[JsonObject]:
    """Every box of a set as one shot sees it (its cheats applied)."""
    boxes: list[JsonObject] = []
    for piece in pieces:
        seen = placed(piece, (overrides or {}).get(str(piece["id"])))
        if seen is not None:
            boxes += piece_boxes(seen)
    return boxes


# --- The camera and the set ------------------------------------------------------------------


def _inside(point: Sequence[float], box: Mapping[str, object], margin: float = 0.0) -> bool:
    bx, by, bz = (float(v) for v in box["position"])  # type: ignore[attr-defined]
    w, d, h = (float(v) for v in box["size"])  # type: ignore[attr-defined]
    theta = math.radians(float(box["rotation_deg"]))  # type: ignore[arg-type]
    dx, dy = point[0] - bx, point[1] - by
    lx = dx * math.cos(theta) - dy * math.sin(theta)
    ly = dx * math.sin(theta) + dy * math.cos(theta)
    return abs(lx) < w / 2 + margin and abs(ly) < d / 2 + margin and bz - margin < point[2] < bz + h + margin


def camera_clear_of(position: Sequence[float], target: Sequence[float], boxes: Sequence[Mapping[str, object]], margin: float = 0.1) -> list[float]:
    """The camera position moved forward along its line to `target` until the lens is out of
    every box (a camera placed inside a wall is pushed through to the room side). It stops
    short of the target: a camera cannot be pushed past what it frames."""
    distance = math.dist(position, target)
    if distance < 1e-6 or not any(_inside(position, b, margin) for b in boxes):
        return list(position)
    step = 0.02
    travel = 0.0
    while travel < distance - 0.3:
        travel += step
        point = [p + (t - p) * travel / distance for p, t in zip(position, target, strict=True)]
        if not any(_inside(point, b, margin) for b in boxes):
            return [round(v, 4) for v in point]
    return list(position)
