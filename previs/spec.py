"""The shot's camera-and-blocking spec: what the grey-box renderer, the camera plot and the
clip renderer read, stored as JSON on each shot (Shot.camera_spec).

Pure Python, no Django. Vocabularies come from previs/vocabulary.py; optics from previs/camera.py
(coordinates and angle conventions are documented there: metres, x east, y north, z up, ground
z = 0; yaw/bearing 0 = north, positive toward east; pitch positive = up).

Schema (version 1). `normalize_spec` accepts a partial dict, fills every default below and returns
a complete dict with exactly these keys; `layout_for_shot` builds one from shot-list fields.

    version          1.
    camera           the camera at the first frame (moves start from here):
      position         [x, y, z] m; z > 0 (the lens is above the floor). Default [0, -5, 1.6].
      yaw_deg          pan bearing, 0 = looking north (+y), positive toward east. Stored in (-180, 180].
      pitch_deg        tilt, -90 (straight down) … 90 (straight up), positive looks up.
      roll_deg         dutch angle, -180 … 180, positive rolls clockwise seen from behind the camera.
      look_at          input only: [x, y, z] to aim at; replaces yaw_deg/pitch_deg and is not stored.
      lens_mm          focal length, 4 … 1200 mm. Default 35.
      sensor           a SENSOR_FORMATS key ("super35", "full_frame", …). Default "super35".
      aspect           delivery aspect, an ASPECT_RATIOS key ("2.39", "1.78", …; a number matching
                       one is accepted). Default "2.39".
    characters       up to 32 of:
      id               unique string (numbers are turned into strings). Default "char<n>".
      name             label shown in the frame and plan. Default "Character <n>".
      position         [x, y] of the mark on the floor. Default: marks facing each other (1 person
                       at the origin facing the camera, 2 people 1.2 m apart, more in a half circle).
      facing_deg       bearing the character faces (same convention as yaw). Default from the mark.
      height_m         standing height, 0.3 … 3 m. Default 1.75.
      colour           "#rrggbb"; the head and the plan marker use it. Default from a palette.
      pose             a POSES value: "standing", "sitting", "walking", "running", "kneeling",
                       "pointing", "arms_crossed", "reaching". Default "standing". The body's
                       landmarks (eyes, shoulders, hips, knees…) follow the pose, so shot sizes frame by it.
      build            "slim" | "average" | "heavy": how broad the figure is. Default "average".
      look_at          null, another character's id, or a point [x, y] / [x, y, z]: the head turns
                       toward it (the eyeline), at most 80° from where the body faces. Default null.
      path             optional [[t_s, x, y], …] with strictly increasing t_s in 0 … 600: the
                       character walks between the keys (linearly), holding the first key before
                       it and the last after it, facing the way they walk. Overrides position.
    set_pieces       up to 200 grey boxes (walls, tables, cars…):
      name             label. Default "box <n>".
      position         [x, y] or [x, y, z]: centre of the box's base (z = height of the base). Stored as [x, y, z].
      size             [width (local x), depth (local y), height] m, each 0.01 … 1000.
      rotation_deg     turn about the vertical, same convention as yaw. Default 0.
      colour           "#rrggbb". Default "#9a9a9a".
      piece            the id of the location's set piece the box was made from (previs/sets.py), or
                       null for a box added to this shot alone. Default null.
    set_overrides    {piece_id: {"hidden": bool, "position": [x, y], "rotation_deg": number}}: this
                     shot's cheats of its location's set (a piece hidden or moved for this shot
                     only; the set itself is unchanged). Default {}.
    environment
      setting          "EXT" | "INT" | "INT/EXT" (the scene heading's): indoors the fill and the
                       fog are weaker (previs/light.py). Default "EXT".
      time_of_day      a TIMES_OF_DAY value ("DAY", "NIGHT", "DAWN", "DUSK", "MAGIC HOUR"; story times such as
                       "CONTINUOUS" are lit as DAY). Default "DAY".
      key_light        {"azimuth_deg": 0 … 360 bearing the light comes from,
                        "elevation_deg": -10 … 90 above the horizon}. Default per time of day.
      ground_grid      bool, draw the 1 m floor grid. Default true.
    move             the camera move over the shot (workers/renderers/clip.py keys it):
      type             a CAMERA_MOVES value. Default "static".
      distance_m       0 … 1000: dolly in/out, truck (+ = to camera right), pedestal and crane
                       (+ = up, - = down), steadicam push.
      degrees          -360 … 360: pan (+ = right), tilt (+ = up), arc/orbit (+ = camera travels to its right).
      end_lens_mm      4 … 1200: focal length at the end of a zoom or dolly zoom.
      amplitude_deg    0 … 10: handheld shake / steadicam float.
      seed             integer ≥ 0: the handheld noise (same seed, same shake).
      Only the parameters a move uses are filled with defaults; others given are kept.
    duration_s       0 … 600. Default 3.0.
    fps              frames per second, > 0 (a number or a FRAME_RATES string like "23.976"). Default 24.
    subject_id       the character the camera is framed on and moves around (arc, dolly zoom,
                     crane); null = the first character.
    guides           {"safe_area": bool (action safe 93 % and title safe 90 %), "thirds": bool}. Default both false.

Errors: `SpecError.errors` maps dotted paths ("camera.lens_mm", "characters.1.colour") to lists
of messages; normalize_spec reports every problem it finds, not just the first.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import NamedTuple, TypedDict, TypeGuard, overload

from pydantic import ValidationError as PydanticError

from previs import camera as optics
from previs.light import SETTINGS, key_light_default
from previs.sets import SetOverride, camera_clear_of
from previs.timecode import frames_in
from previs.types import JsonObject
from previs.vocabulary import ASPECT_RATIOS, CAMERA_MOVES, LENS_MM_RANGE, SENSOR_FORMATS, TIMES_OF_DAY, values

SPEC_VERSION = 1
MAX_CHARACTERS = 32
MAX_SET_PIECES = 200
MAX_PATH_KEYS = 1000
MAX_COORD_M = 10000.0
POSES = ("standing", "sitting", "walking", "running", "kneeling", "pointing", "arms_crossed", "reaching")
# How broad a figure is: its width and depth across the body as a multiple of the average's.
BUILDS = {"slim": 0.85, "average": 1.0, "heavy": 1.22}
MOVE_TYPES = values(CAMERA_MOVES)
TIME_OF_DAY_VALUES = values(TIMES_OF_DAY)
HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
CHARACTER_PALETTE = ("#d9822b", "#3a7bd5", "#5aa469", "#c0392b", "#8e44ad", "#16a085", "#d4ac0d", "#7f8c8d")
SET_PIECE_COLOUR = "#9a9a9a"


class MoveParameter(NamedTuple):
    label: str
    unit: str
    low: float
    high: float
    step: float  # what one press of a number field's arrow adds
    meaning: str


# The parameters of a camera move, as the camera panel shows them and normalize_spec bounds them.
MOVE_PARAMETER_INFO = {
    "distance_m": MoveParameter("Distance", "m", -1000.0, 1000.0, 0.1, "Dolly/steadicam travel; truck + = camera right; pedestal and crane + = up"),
    "degrees": MoveParameter("Angle", "°", -360.0, 360.0, 1.0, "Pan + = right, tilt + = up, arc + = camera travels to its right"),
    "end_lens_mm": MoveParameter("End lens", "mm", *LENS_MM_RANGE, 1.0, "Focal length at the end of the zoom"),
    "amplitude_deg": MoveParameter("Shake", "°", 0.0, 10.0, 0.1, "Handheld shake / steadicam float amplitude (0–10°)"),
    "seed": MoveParameter("Seed", "", 0, 2**31 - 1, 1.0, "Same seed, same shake"),
}
MOVE_PARAMETERS = tuple(MOVE_PARAMETER_INFO)
# The parameters each move type uses, and their defaults when the spec leaves them out.
MOVE_DEFAULTS: dict[str, dict[str, float | None]] = {
    "static": {},
    "pan": {"degrees": 30.0},
    "tilt": {"degrees": 10.0},
    "pedestal": {"distance_m": 0.5},
    "dolly_in": {"distance_m": 1.0},
    "dolly_out": {"distance_m": 1.0},
    "truck": {"distance_m": 1.0},
    "arc": {"degrees": 30.0},
    "crane": {"distance_m": 1.5},
    "zoom": {"end_lens_mm": None},  # None: twice the start lens (capped at 1200)
    "dolly_zoom": {"end_lens_mm": None},
    "handheld": {"amplitude_deg": 0.6, "seed": 0},
    "steadicam": {"distance_m": 0.5, "amplitude_deg": 0.2, "seed": 0},
    "rack_focus": {},
}


class _Camera(TypedDict):
    position: list[float]
    yaw_deg: float
    pitch_deg: float
    roll_deg: float
    lens_mm: float
    sensor: str
    aspect: str


DEFAULT_CAMERA: _Camera = {
    "position": [0.0, -5.0, 1.6],
    "yaw_deg": 0.0,
    "pitch_deg": 0.0,
    "roll_deg": 0.0,
    "lens_mm": 35.0,
    "sensor": "super35",
    "aspect": "2.39",
}


class SpecError(ValueError):
    """A spec that cannot be rendered; `errors` maps dotted field paths to messages."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        summary = "; ".join(f"{path}: {', '.join(messages)}" for path, messages in errors.items())
        super().__init__(f"Invalid camera spec: {summary}")


# --- The grey-box figure -------------------------------------------------------------------

# Heights of body landmarks as fractions of standing height (an adult is ~7.5 heads tall).
# The shot sizes are defined by where the frame cuts these, so layout and renderer share them.
STANDING_LANDMARKS = {
    "head_top": 1.0,
    "eyes": 0.933,
    "mouth": 0.895,
    "chin": 0.867,
    "shoulders": 0.82,
    "chest": 0.72,
    "waist": 0.60,
    "hips": 0.48,
    "knees": 0.28,
    "feet": 0.0,
}
# Sitting on a chair: seat at 0.25 H, everything above the hips drops by (0.48 - 0.25) H.
SEAT_HEIGHT = 0.25
SITTING_DROP = STANDING_LANDMARKS["hips"] - SEAT_HEIGHT
# Kneeling on both knees, upright from the knee: the knees on the floor (their cap's radius up)
# and the thighs (hips - knees of a standing figure) vertical above them.
KNEE_ON_FLOOR = 0.03
KNEELING_DROP = STANDING_LANDMARKS["hips"] - (KNEE_ON_FLOOR + STANDING_LANDMARKS["hips"] - STANDING_LANDMARKS["knees"])
# Running leans the body into the stride and bends the knees: a little lower overall.
RUNNING_DROP = 0.03
# How each pose moves the landmarks of a standing figure: (drop of everything from the hips
# up, the knees' height or None to keep them). Poses not listed stand (walking, pointing,
# arms crossed and reaching move the arms and legs, not the head's height).
POSE_LANDMARKS: dict[str, tuple[float, float | None]] = {
    "sitting": (SITTING_DROP, SEAT_HEIGHT + 0.01),  # thighs run forward level with the seat
    "kneeling": (KNEELING_DROP, KNEE_ON_FLOOR),
    "running": (RUNNING_DROP, STANDING_LANDMARKS["knees"] - RUNNING_DROP),
}


def body_landmarks(height_m: float, pose: str = "standing") -> dict[str, float]:
    """Heights above the floor (m) of eyes, chin, shoulders… for a figure of this height and pose."""
    drop, knees = POSE_LANDMARKS.get(pose, (0.0, None))
    marks = {}
    for name, fraction in STANDING_LANDMARKS.items():
        if fraction >= STANDING_LANDMARKS["hips"]:
            fraction -= drop
        elif name == "knees" and knees is not None:
            fraction = knees
        marks[name] = fraction * height_m
    return marks


# --- Small helpers -------------------------------------------------------------------------


def frame_count(spec: JsonObject) -> int:
    """Frames in the shot: duration × the exact fps, rounded, at least one."""
    return frames_in(spec["duration_s"], spec["fps"])


def default_marks(count: int) -> list[tuple[float, float, float]]:
    """(x, y, facing_deg) marks for `count` characters, blocked for a camera to the south.

    One faces the camera at the origin; two face each other 1.2 m apart across the camera's
    view; more stand in a half circle opening toward the camera, all facing its centre.
    """
    if count <= 0:
        return []
    if count == 1:
        return [(0.0, 0.0, 180.0)]
    if count == 2:
        return [(-0.6, 0.0, 90.0), (0.6, 0.0, 270.0)]
    radius = max(0.8, 0.9 * (count - 1) / math.pi)
    marks: list[tuple[float, float, float]] = []
    for index in range(count):
        bearing = -90.0 + 180.0 * index / (count - 1)  # west, through north, to east
        bx, by = optics.bearing_vector(bearing)
        marks.append((round(radius * bx, 4), round(radius * by, 4), _wrap_deg(bearing + 180.0)))
    return marks


def character_at(character: JsonObject, t: float) -> tuple[float, float, float]:
    """(x, y, facing_deg) of a normalized character at time t (walking its path if it has one)."""
    path = character.get("path")
    if not path:
        x, y = character["position"]
        return float(x), float(y), float(character["facing_deg"])
    if t <= path[0][0]:
        return float(path[0][1]), float(path[0][2]), float(character["facing_deg"])
    facing = float(character["facing_deg"])
    for (t0, x0, y0), (t1, x1, y1) in zip(path, path[1:]):
        if math.hypot(x1 - x0, y1 - y0) > 1e-6:
            facing = math.degrees(math.atan2(x1 - x0, y1 - y0))  # face the way they walk
        if t <= t1:
            u = (t - t0) / (t1 - t0)
            return x0 + (x1 - x0) * u, y0 + (y1 - y0) * u, facing
    return float(path[-1][1]), float(path[-1][2]), facing


def _wrap_deg(angle: float) -> float:
    """An angle in (-180, 180]."""
    wrapped = math.fmod(angle, 360.0)
    if wrapped > 180.0:
        wrapped -= 360.0
    elif wrapped <= -180.0:
        wrapped += 360.0
    return wrapped + 0.0  # no -0.0 in stored JSON


def _is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


class _Checker:
    """Collects every problem under its dotted path instead of stopping at the first."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def error(self, path: str, message: str) -> None:
        self.errors.setdefault(path, []).append(message)

    def section(self, data: JsonObject, key: str, path: str) -> JsonObject:
        value = data.get(key)
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.error(path, "Must be an object.")
            return {}
        return value

    def unknown_keys(self, data: JsonObject, known: Collection[str], path: str) -> None:
        for key in data:
            if key not in known:
                self.error(f"{path}.{key}" if path else str(key), "Unknown field.")

    @overload
    def number(
        self, data: JsonObject, key: str, path: str, default: float, low: float | None = None, high: float | None = None, low_open: bool = False
    ) -> float: ...
    @overload
    def number(
        self, data: JsonObject, key: str, path: str, default: None, low: float | None = None, high: float | None = None, low_open: bool = False
    ) -> float | None: ...
    def number(
        self, data: JsonObject, key: str, path: str, default: float | None, low: float | None = None, high: float | None = None, low_open: bool = False
    ) -> float | None:
        value = data.get(key)
        if value is None:
            return default
        if not _is_number(value):
            self.error(path, "Must be a number.")
            return default
        value = float(value)
        if low is not None and (value < low or (low_open and value <= low)):
            self.error(path, f"Must be {'greater than' if low_open else 'at least'} {low:g}.")
        if high is not None and value > high:
            self.error(path, f"Must be at most {high:g}.")
        return value

    def boolean(self, data: JsonObject, key: str, path: str, default: bool) -> bool:
        value = data.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.error(path, "Must be true or false.")
            return default
        return value

    def choice(self, data: JsonObject, key: str, path: str, default: str, allowed: Sequence[str]) -> str:
        value = data.get(key)
        if value is None:
            return default
        if not isinstance(value, str) or value not in allowed:
            self.error(path, f"Must be one of: {', '.join(allowed)}.")
            return default
        return value

    def colour(self, data: JsonObject, key: str, path: str, default: str) -> str:
        value = data.get(key)
        if value is None:
            return default
        if not isinstance(value, str) or not HEX_COLOUR.match(value):
            self.error(path, "Use a colour like #3a7bd5.")
            return default
        return value.lower()

    def text(self, data: JsonObject, key: str, path: str, default: str, max_length: int = 120) -> str:
        value = data.get(key)
        if value is None:
            return default
        if not isinstance(value, str):
            self.error(path, "Must be a string.")
            return default
        if len(value) > max_length:
            self.error(path, f"At most {max_length} characters.")
        return value

    def vector(self, value: object, path: str, lengths: Collection[int], limit: float = MAX_COORD_M) -> list[float] | None:
        """A list of finite numbers of one of the allowed lengths, or None after reporting."""
        if not isinstance(value, (list, tuple)) or len(value) not in lengths:
            self.error(path, f"Must be a list of {' or '.join(str(n) for n in lengths)} numbers.")
            return None
        if not all(_is_number(v) for v in value):
            self.error(path, "Must contain only numbers.")
            return None
        if any(abs(v) > limit for v in value):
            self.error(path, f"Coordinates must be within ±{limit:g} m.")
            return None
        return [float(v) for v in value]


# --- Validation ----------------------------------------------------------------------------

TOP_LEVEL_KEYS = ("version", "camera", "characters", "set_pieces", "set_overrides", "environment", "move", "duration_s", "fps", "subject_id", "guides")


def normalize_spec(data: JsonObject) -> JsonObject:
    """Validate a camera-and-blocking spec and fill its defaults (see the module docstring).

    Raises SpecError listing every problem by dotted path. The result is JSON-serialisable and
    normalize_spec(normalize_spec(x)) == normalize_spec(x).
    """
    check = _Checker()
    if not isinstance(data, dict):
        raise SpecError({"spec": ["Must be an object."]})
    check.unknown_keys(data, TOP_LEVEL_KEYS, "")
    version = data.get("version", SPEC_VERSION)
    if version != SPEC_VERSION:
        check.error("version", f"Only version {SPEC_VERSION} is understood.")

    camera = _normalize_camera(check, check.section(data, "camera", "camera"))
    duration = check.number(data, "duration_s", "duration_s", 3.0, 0.0, 600.0)
    fps = _normalize_fps(check, data.get("fps"))
    characters = _normalize_characters(check, data.get("characters"))
    set_pieces = _normalize_set_pieces(check, data.get("set_pieces"))
    set_overrides = _normalize_set_overrides(check, data.get("set_overrides"))
    environment = _normalize_environment(check, check.section(data, "environment", "environment"))
    move = _normalize_move(check, data.get("move"), camera["lens_mm"])
    guides_in = check.section(data, "guides", "guides")
    check.unknown_keys(guides_in, ("safe_area", "thirds"), "guides")
    guides = {
        "safe_area": check.boolean(guides_in, "safe_area", "guides.safe_area", False),
        "thirds": check.boolean(guides_in, "thirds", "guides.thirds", False),
    }

    subject_id = data.get("subject_id")
    if subject_id is not None:
        if _is_number(subject_id) and float(subject_id).is_integer():
            subject_id = str(int(subject_id))
        if not isinstance(subject_id, str):
            check.error("subject_id", "Must be a character id (string) or null.")
            subject_id = None
        elif subject_id not in {c["id"] for c in characters}:
            check.error("subject_id", "No character in the spec has this id.")

    if check.errors:
        raise SpecError(check.errors)
    return {
        "version": SPEC_VERSION,
        "camera": camera,
        "characters": characters,
        "set_pieces": set_pieces,
        "set_overrides": set_overrides,
        "environment": environment,
        "move": move,
        "duration_s": duration,
        "fps": fps,
        "subject_id": subject_id,
        "guides": guides,
    }


def _normalize_fps(check: _Checker, value: object) -> float:
    if value is None:
        return 24.0
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            check.error("fps", "Must be a number of frames per second.")
            return 24.0
    if not _is_number(value):
        check.error("fps", "Must be a number of frames per second.")
        return 24.0
    if value <= 0:
        check.error("fps", "Must be greater than 0.")
        return 24.0
    if value > 1000:
        check.error("fps", "Must be at most 1000.")
    return float(value)


def _normalize_camera(check: _Checker, data: JsonObject) -> JsonObject:
    check.unknown_keys(data, tuple(DEFAULT_CAMERA) + ("look_at",), "camera")
    position = DEFAULT_CAMERA["position"]
    if data.get("position") is not None:
        position = check.vector(data["position"], "camera.position", (3,)) or position
        if position[2] <= 0:
            check.error("camera.position", "The camera must be above the floor (z > 0).")
    yaw = check.number(data, "yaw_deg", "camera.yaw_deg", 0.0)
    pitch = check.number(data, "pitch_deg", "camera.pitch_deg", 0.0, -90.0, 90.0)
    roll = check.number(data, "roll_deg", "camera.roll_deg", 0.0, -180.0, 180.0)
    if data.get("look_at") is not None:
        target = check.vector(data["look_at"], "camera.look_at", (3,))
        if target is not None:
            if math.dist(target, position) < 1e-6:
                check.error("camera.look_at", "Must differ from the camera position.")
            else:
                yaw, pitch = optics.look_at_angles(position, target)
    lens = check.number(data, "lens_mm", "camera.lens_mm", DEFAULT_CAMERA["lens_mm"], *LENS_MM_RANGE)
    sensor = check.choice(data, "sensor", "camera.sensor", DEFAULT_CAMERA["sensor"], tuple(SENSOR_FORMATS))
    aspect = data.get("aspect", DEFAULT_CAMERA["aspect"])
    if _is_number(aspect):
        matches = [key for key, ratio in ASPECT_RATIOS.items() if abs(ratio - aspect) < 0.006]
        aspect = matches[0] if matches else aspect
    if aspect not in ASPECT_RATIOS:
        check.error("camera.aspect", f"Must be one of: {', '.join(ASPECT_RATIOS)}.")
        aspect = DEFAULT_CAMERA["aspect"]
    return {
        "position": [float(v) for v in position],
        "yaw_deg": _wrap_deg(yaw),
        "pitch_deg": pitch + 0.0,
        "roll_deg": roll + 0.0,
        "lens_mm": lens,
        "sensor": sensor,
        "aspect": aspect,
    }


CHARACTER_KEYS = ("id", "name", "position", "facing_deg", "height_m", "colour", "pose", "build", "look_at", "path")
HEAD_TURN_MAX_DEG = 80.0  # how far a head turns from the shoulders' line before the body would follow


def _normalize_characters(check: _Checker, data: object) -> list[JsonObject]:
    if data is None:
        return []
    if not isinstance(data, (list, tuple)):
        check.error("characters", "Must be a list.")
        return []
    if len(data) > MAX_CHARACTERS:
        check.error("characters", f"At most {MAX_CHARACTERS} characters.")
        data = data[:MAX_CHARACTERS]
    missing_marks = [i for i, c in enumerate(data) if isinstance(c, dict) and c.get("position") is None and not c.get("path")]
    marks = dict(zip(missing_marks, default_marks(len(missing_marks))))
    characters, seen = [], set()
    for index, item in enumerate(data):
        path = f"characters.{index}"
        if not isinstance(item, dict):
            check.error(path, "Must be an object.")
            continue
        check.unknown_keys(item, CHARACTER_KEYS, path)
        ident = item.get("id", f"char{index + 1}")
        if _is_number(ident) and float(ident).is_integer():
            ident = str(int(ident))
        if not isinstance(ident, str) or not ident:
            check.error(f"{path}.id", "Must be a non-empty string.")
            ident = f"char{index + 1}"
        if ident in seen:
            check.error(f"{path}.id", "Another character already has this id.")
        seen.add(ident)
        mark = marks.get(index)
        position = [mark[0], mark[1]] if mark else [0.0, 0.0]
        if item.get("position") is not None:
            position = check.vector(item["position"], f"{path}.position", (2,)) or position
        walk = _normalize_path(check, item.get("path"), f"{path}.path")
        if walk and item.get("position") is None:
            position = [walk[0][1], walk[0][2]]
        facing = check.number(item, "facing_deg", f"{path}.facing_deg", mark[2] if mark else 180.0)
        characters.append(
            {
                "id": ident,
                "name": check.text(item, "name", f"{path}.name", f"Character {index + 1}"),
                "position": position,
                "facing_deg": _wrap_deg(facing),
                "height_m": check.number(item, "height_m", f"{path}.height_m", 1.75, 0.3, 3.0),
                "colour": check.colour(item, "colour", f"{path}.colour", CHARACTER_PALETTE[index % len(CHARACTER_PALETTE)]),
                "pose": check.choice(item, "pose", f"{path}.pose", "standing", POSES),
                "build": check.choice(item, "build", f"{path}.build", "average", tuple(BUILDS)),
                "look_at": _normalize_look_at(check, item.get("look_at"), f"{path}.look_at"),
                "path": walk,
            }
        )
    for index, character in enumerate(characters):
        target = character["look_at"]
        if isinstance(target, str) and (target not in seen or target == character["id"]):
            check.error(f"characters.{index}.look_at", "Must be another character's id or a point [x, y] / [x, y, z].")
    return characters


def _normalize_look_at(check: _Checker, data: object, path: str) -> str | list[float] | None:
    if data is None or data == "":
        return None
    if _is_number(data) and float(data).is_integer():
        return str(int(data))  # character ids given as numbers, as normalize_spec takes them
    if isinstance(data, str):
        return data
    point = check.vector(data, path, (2, 3))
    if point is None:
        return None
    return point if len(point) == 3 else [point[0], point[1], STANDING_LANDMARKS["eyes"] * 1.75]


def head_bearing(character: JsonObject, characters: Sequence[JsonObject], t: float) -> float:
    """The bearing a normalized character's head faces at time t: toward its look_at (another
    character at time t, or a point), turned at most HEAD_TURN_MAX_DEG from the body."""
    x, y, facing = character_at(character, t)
    target = character.get("look_at")
    if target is None:
        return facing
    if isinstance(target, str):
        other = next((c for c in characters if c["id"] == target), None)
        if other is None:
            return facing
        tx, ty, _ = character_at(other, t)
    else:
        tx, ty = target[0], target[1]
    if math.hypot(tx - x, ty - y) < 1e-6:
        return facing
    turn = _wrap_deg(math.degrees(math.atan2(tx - x, ty - y)) - facing)
    return _wrap_deg(facing + max(-HEAD_TURN_MAX_DEG, min(HEAD_TURN_MAX_DEG, turn)))


def _normalize_path(check: _Checker, data: object, path: str) -> list[list[float]] | None:
    if data is None or data == []:
        return None
    if not isinstance(data, (list, tuple)):
        check.error(path, "Must be a list of [t_s, x, y] keys.")
        return None
    if len(data) > MAX_PATH_KEYS:
        check.error(path, f"At most {MAX_PATH_KEYS} keys.")
        return None
    keys: list[list[float]] = []
    for index, key in enumerate(data):
        value = check.vector(key, f"{path}.{index}", (3,))
        if value is None:
            return None
        if not 0 <= value[0] <= 600:
            check.error(f"{path}.{index}", "The time must be within 0 … 600 s.")
            return None
        if keys and value[0] <= keys[-1][0]:
            check.error(f"{path}.{index}", "Times must increase from key to key.")
            return None
        keys.append(value)
    return keys


SET_PIECE_KEYS = ("name", "position", "size", "rotation_deg", "colour", "piece")


def _normalize_set_pieces(check: _Checker, data: object) -> list[JsonObject]:
    if data is None:
        return []
    if not isinstance(data, (list, tuple)):
        check.error("set_pieces", "Must be a list.")
        return []
    if len(data) > MAX_SET_PIECES:
        check.error("set_pieces", f"At most {MAX_SET_PIECES} set pieces.")
        data = data[:MAX_SET_PIECES]
    pieces = []
    for index, item in enumerate(data):
        path = f"set_pieces.{index}"
        if not isinstance(item, dict):
            check.error(path, "Must be an object.")
            continue
        check.unknown_keys(item, SET_PIECE_KEYS, path)
        position = [0.0, 0.0, 0.0]
        if item.get("position") is None:
            check.error(f"{path}.position", "Required.")
        else:
            value = check.vector(item["position"], f"{path}.position", (2, 3))
            if value is not None:
                position = value + [0.0] * (3 - len(value))
        size = [1.0, 1.0, 1.0]
        if item.get("size") is None:
            check.error(f"{path}.size", "Required.")
        else:
            value = check.vector(item["size"], f"{path}.size", (3,))
            if value is not None:
                if any(not 0.01 <= v <= 1000 for v in value):
                    check.error(f"{path}.size", "Each side must be within 0.01 … 1000 m.")
                size = value
        pieces.append(
            {
                "name": check.text(item, "name", f"{path}.name", f"box {index + 1}"),
                "position": position,
                "size": size,
                "rotation_deg": _wrap_deg(check.number(item, "rotation_deg", f"{path}.rotation_deg", 0.0)),
                "colour": check.colour(item, "colour", f"{path}.colour", SET_PIECE_COLOUR),
                "piece": _piece_id(check, item.get("piece"), f"{path}.piece"),
            }
        )
    return pieces


def _piece_id(check: _Checker, value: object, path: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not 1 <= len(value) <= 40:
        check.error(path, "Must be a set piece's id or null.")
        return None
    return value


def _normalize_set_overrides(check: _Checker, data: object) -> dict[str, JsonObject]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        check.error("set_overrides", "Must be an object of set piece id -> cheat.")
        return {}
    if len(data) > MAX_SET_PIECES:
        check.error("set_overrides", f"At most {MAX_SET_PIECES} cheats.")
        return {}
    overrides: dict[str, JsonObject] = {}
    for piece_id, value in data.items():
        path = f"set_overrides.{piece_id}"
        try:
            override = SetOverride.model_validate(value)
        except PydanticError as error:
            for problem in error.errors():
                check.error(".".join([path, *(str(p) for p in problem["loc"])]), problem["msg"])
            continue
        if override.position is not None and any(abs(c) > MAX_COORD_M for c in override.position):
            check.error(f"{path}.position", f"Each coordinate within ±{MAX_COORD_M:g} m.")
        overrides[str(piece_id)] = override.model_dump(mode="json", exclude_none=True)
    return overrides


def _normalize_environment(check: _Checker, data: JsonObject) -> JsonObject:
    check.unknown_keys(data, ("setting", "time_of_day", "key_light", "ground_grid"), "environment")
    setting = check.choice(data, "setting", "environment.setting", "EXT", SETTINGS)
    time_of_day = check.choice(data, "time_of_day", "environment.time_of_day", "DAY", TIME_OF_DAY_VALUES)
    azimuth, elevation = key_light_default(time_of_day)
    light = check.section(data, "key_light", "environment.key_light")
    check.unknown_keys(light, ("azimuth_deg", "elevation_deg"), "environment.key_light")
    azimuth = check.number(light, "azimuth_deg", "environment.key_light.azimuth_deg", azimuth)
    elevation = check.number(light, "elevation_deg", "environment.key_light.elevation_deg", elevation, -10.0, 90.0)
    return {
        "setting": setting,
        "time_of_day": time_of_day,
        "key_light": {"azimuth_deg": math.fmod(math.fmod(azimuth, 360.0) + 360.0, 360.0) + 0.0, "elevation_deg": elevation},
        "ground_grid": check.boolean(data, "ground_grid", "environment.ground_grid", True),
    }


def _normalize_move(check: _Checker, data: object, lens_mm: float) -> JsonObject:
    if data is None:
        data = {}
    if isinstance(data, str):
        data = {"type": data}  # "dolly_in" is shorthand for {"type": "dolly_in"}
    if not isinstance(data, dict):
        check.error("move", "Must be an object.")
        data = {}
    check.unknown_keys(data, ("type",) + MOVE_PARAMETERS, "move")
    kind = check.choice(data, "type", "move.type", "static", MOVE_TYPES)
    move: JsonObject = {"type": kind}
    limits = {name: (info.low, info.high) for name, info in MOVE_PARAMETER_INFO.items() if name != "seed"}
    for name, (low, high) in limits.items():
        value = check.number(data, name, f"move.{name}", None, low, high)
        if value is not None:
            move[name] = value
    if data.get("seed") is not None:
        seed = data["seed"]
        if not _is_number(seed) or not float(seed).is_integer() or seed < 0:
            check.error("move.seed", "Must be a whole number ≥ 0.")
        else:
            move["seed"] = int(seed)
    if kind in ("dolly_in", "dolly_out") and move.get("distance_m", 0) < 0:
        check.error("move.distance_m", "Use dolly_in or dolly_out for the direction; the distance must be ≥ 0.")
    for name, default in MOVE_DEFAULTS[kind].items():
        if name not in move:
            move[name] = min(1200.0, lens_mm * 2) if default is None else default
    return move


# --- Automatic layout ----------------------------------------------------------------------


# Framing box per shot size: which landmark the bottom of frame cuts (or a multiple of the
# height for the wides), and the most headroom allowed above the head (fraction of height).
# Close sizes sit the eyes on the upper third line; wider ones keep the head near the top.
class _FramingRule(TypedDict, total=False):
    bottom: str | tuple[str, float]  # the landmark the bottom of frame cuts, with an offset (x height)
    max_headroom: float | None
    span: float  # wide sizes: the frame's height as a multiple of the figure's
    bottom_fraction: float
    bottom_landmark: str
    bottom_offset: float


SIZE_FRAMING: dict[str, _FramingRule] = {
    "ECU": {"bottom": "chin", "max_headroom": None},
    "CU": {"bottom": ("shoulders", -0.02), "max_headroom": None},
    "MCU": {"bottom": "chest", "max_headroom": None},
    "MS": {"bottom": "waist", "max_headroom": 0.05},
    "MFS": {"bottom": "knees", "max_headroom": 0.06},
    "FS": {"span": 1.10, "bottom_fraction": -0.04},  # whole body, little headroom
    "WS": {"span": 3.0, "bottom_fraction": -0.6},  # the person a third of the frame tall
    "EWS": {"span": 8.0, "bottom_fraction": -2.4},  # the person tiny in the landscape
    "INSERT": {"span": 0.20, "bottom_landmark": "waist", "bottom_offset": -0.10},  # hands at waist height
}


# Camera angle presets: a fixed tilt (the camera height follows from the framing) or a fixed
# camera height (the tilt follows). Angles are degrees, heights are body landmarks.
class _AnglePreset(TypedDict, total=False):
    height: str  # a body landmark
    height_m: float
    pitch: float
    roll: float


ANGLE_PRESETS: dict[str, _AnglePreset] = {
    "eye": {"height": "eyes"},
    "dutch": {"height": "eyes", "roll": 15.0},
    "shoulder": {"height": "shoulders"},
    "hip": {"height": "hips"},
    "knee": {"height": "knees"},
    "worms_eye": {"height_m": 0.12},
    "high": {"pitch": -25.0},
    "low": {"pitch": 20.0},
    "overhead": {"pitch": -90.0},
}
MIN_CAMERA_Z = 0.1
BODY_WIDTH_M = 0.5
SINGLE_OFF_AXIS_DEG = 30.0  # singles in a dialogue are shot from ~30° off the eyeline


def framing_box(shot_size: str, height_m: float, pose: str = "standing") -> tuple[float, float]:
    """(bottom, top) heights in m of the slice of a figure a shot size fills the frame with."""
    marks = body_landmarks(height_m, pose)
    rule = SIZE_FRAMING.get(shot_size, SIZE_FRAMING["MS"])
    if "span" in rule:
        span = rule["span"] * height_m
        if "bottom_landmark" in rule:
            bottom = marks[rule["bottom_landmark"]] + rule["bottom_offset"] * height_m
        else:
            bottom = marks["feet"] + rule["bottom_fraction"] * height_m
        return bottom, bottom + span
    landmark = rule["bottom"]
    offset = 0.0
    if isinstance(landmark, tuple):
        landmark, offset = landmark
    bottom = marks[landmark] + offset * height_m
    span = (marks["eyes"] - bottom) * 1.5  # eyes on the upper third line
    top = bottom + span
    if rule["max_headroom"] is not None:
        top = min(top, marks["head_top"] + rule["max_headroom"] * height_m)
    return bottom, top


def _solve_fixed_height(top: float, bottom: float, camera_z: float, vfov: float) -> float:
    """Horizontal distance at which [bottom, top] seen from height camera_z subtends the vertical FOV."""

    def subtended(distance: float) -> float:
        return math.atan2(top - camera_z, distance) - math.atan2(bottom - camera_z, distance)

    low, high = 1e-3, 1e5
    if not bottom <= camera_z <= top:
        # Seen from outside the slice the angle peaks at sqrt(a·b); take the far solution.
        low = math.sqrt(abs(top - camera_z) * abs(bottom - camera_z))
        if subtended(low) <= vfov:
            return low
    for _ in range(80):
        middle = math.sqrt(low * high)
        if subtended(middle) > vfov:
            low = middle
        else:
            high = middle
    return math.sqrt(low * high)


def _place_vertically(
    preset: _AnglePreset, marks: Mapping[str, float], top: float, bottom: float, vfov: float, min_distance: float
) -> tuple[float, float, float]:
    """(horizontal distance, camera z, pitch_deg) for the framing box with this angle preset.

    The box's top is anchored at the top of frame; when a group or an OTS forces the camera
    further back than the box needs, the extra shows below the box.
    """
    half = vfov / 2
    if "pitch" in preset and abs(preset["pitch"]) < 89.0:
        pitch = math.radians(preset["pitch"])
        if abs(pitch) + half < math.radians(88):
            distance = max(min_distance, (top - bottom) / (math.tan(pitch + half) - math.tan(pitch - half)))
            camera_z = top - distance * math.tan(pitch + half)
            if camera_z >= MIN_CAMERA_Z:
                return distance, camera_z, preset["pitch"]
        preset = {"height_m": MIN_CAMERA_Z}  # a low angle that would sink through the floor: lens on the floor
    camera_z = preset.get("height_m") or marks[preset.get("height", "eyes")]
    camera_z = max(MIN_CAMERA_Z, camera_z)
    distance = max(min_distance, _solve_fixed_height(top, bottom, camera_z, vfov))
    pitch = math.degrees(math.atan2(top - camera_z, distance) - half)
    return distance, camera_z, pitch


def _camera_side_normal(ax: float, ay: float, bx: float, by: float, hint: tuple[float, float] = (0.0, 0.0)) -> tuple[float, float]:
    """Unit normal of the line A–B on the side the camera works from (the 180° rule).

    The hint (e.g. where the characters face on average) decides; without one the camera stays
    on the south side of the line (west when the line runs north–south), so every single and
    two-shot of the same pair is taken from the same side.
    """
    dx, dy = bx - ax, by - ay
    length = math.hypot(dx, dy) or 1.0
    nx, ny = -dy / length, dx / length
    dot = nx * hint[0] + ny * hint[1]
    if abs(dot) < 1e-6:
        dot = -ny if abs(ny) > 1e-6 else -nx
    return (nx, ny) if dot > 0 else (-nx, -ny)


def layout_for_shot(
    *,
    shot_size: str,
    angle: str,
    lens_mm: float,
    sensor: str,
    aspect: optics.Aspect,
    fps: str | float,
    duration_s: float,
    movement: str | None,
    characters: Iterable[JsonObject] | None,
    subject_id: str | None = None,
    framing: str | None = None,
    set_pieces: Iterable[JsonObject] | None = (),
    set_overrides: JsonObject | None = None,
    environment: JsonObject | None = None,
) -> JsonObject:
    """A sensible camera-and-blocking spec from the shot-list columns.

    Characters without marks are blocked facing each other; the camera is placed so the subject
    (subject_id, default the first character) fills the frame as the shot size says, from the
    height/tilt the angle says, with the eyes near the upper third line for close sizes; two-,
    three- and group shots fit everyone across the frame; OTS looks past the nearest other
    character's shoulder; POV looks from their eyes. A camera that would
    stand inside a wall or set piece is pushed forward along its line of view until it is clear.
    The result passes normalize_spec.
    """
    base = normalize_spec(
        {
            "camera": {"lens_mm": lens_mm, "sensor": sensor, "aspect": aspect},
            "characters": [dict(c) for c in characters or ()],
            "set_pieces": list(set_pieces or ()),
            "set_overrides": set_overrides or {},
            "environment": environment or {},
            "fps": fps,
            "duration_s": duration_s,
            "move": {"type": movement or "static"},
        }
    )
    people = base["characters"]
    subject = next((c for c in people if c["id"] == subject_id), people[0] if people else None)
    if subject is None:
        # An empty set still gets the framing a person would: a 1.75 m stand-in at the origin.
        subject = {"id": None, "position": [0.0, 0.0], "facing_deg": 180.0, "height_m": 1.75, "pose": "standing", "path": None}
    sx, sy, s_facing = character_at(subject, 0.0)
    others = sorted((c for c in people if c["id"] != subject["id"]), key=lambda c: math.dist(character_at(c, 0.0)[:2], (sx, sy)))
    framing = framing or "single"

    frame_w_mm, frame_h_mm = optics.frame_size_mm(base["camera"]["sensor"], base["camera"]["aspect"])
    lens = base["camera"]["lens_mm"]
    vfov = 2 * math.atan(frame_h_mm / (2 * lens))
    preset = ANGLE_PRESETS.get(angle, ANGLE_PRESETS["eye"])
    marks = body_landmarks(subject["height_m"], subject["pose"])

    group = [subject]
    if framing == "two_shot":
        group += others[:1]
    elif framing == "three_shot":
        group += others[:2]
    elif framing == "group":
        group += others
    foreground = others[0] if framing in ("ots", "pov", "dirty_single") and others else None

    # Where the framing box stands and which way the camera looks at it.
    spots = [character_at(c, 0.0) for c in group]
    cx = sum(s[0] for s in spots) / len(spots)
    cy = sum(s[1] for s in spots) / len(spots)
    facing_hint = (sum(optics.bearing_vector(s[2])[0] for s in spots), sum(optics.bearing_vector(s[2])[1] for s in spots))
    if len(group) > 1:
        far = max(spots, key=lambda s: math.dist(s[:2], spots[0][:2]))
        nx, ny = _camera_side_normal(spots[0][0], spots[0][1], far[0], far[1], facing_hint)
    elif others:
        # A single in a scene with others: off the subject's eyeline toward the camera side of the line.
        ox, oy, _ = character_at(others[0], 0.0)
        side = _camera_side_normal(sx, sy, ox, oy)
        candidates = [optics.bearing_vector(s_facing + SINGLE_OFF_AXIS_DEG), optics.bearing_vector(s_facing - SINGLE_OFF_AXIS_DEG)]
        nx, ny = max(candidates, key=lambda v: v[0] * side[0] + v[1] * side[1])
    else:
        nx, ny = optics.bearing_vector(s_facing)  # a lone character is seen from the front

    boxes = [framing_box(shot_size, c["height_m"], c["pose"]) for c in group]
    bottom = min(b for b, _t in boxes)
    top = max(t for _b, t in boxes)
    # Fit everyone across the frame: their spread perpendicular to the view plus a body width each side.
    across = [(s[0] - cx) * -ny + (s[1] - cy) * nx for s in spots]
    spread = max(across) - min(across) + BODY_WIDTH_M
    min_distance = 0.0
    if len(group) > 1:
        min_distance = spread * 1.2 * lens / frame_w_mm
    look_x, look_y = cx, cy
    lateral = 0.0

    if foreground is not None and framing in ("ots", "dirty_single"):
        fx, fy, _ = character_at(foreground, 0.0)
        gap = math.dist((fx, fy), (sx, sy))
        if gap > 1e-6:
            nx, ny = (fx - sx) / gap, (fy - sy) / gap  # the camera sits behind the foreground character
            min_distance = gap + 0.8
            fg_marks = body_landmarks(foreground["height_m"], foreground["pose"])
            if preset.get("height") == "eyes":
                preset = {"height_m": max(marks["eyes"], fg_marks["eyes"])}
            # Step sideways until the foreground head sits near the frame edge (OTS) or just off it
            # (dirty single) while the subject holds the opposite third.
            edge = 0.36 if framing == "ots" else 0.5
            subject_angle = math.atan(frame_w_mm / (6 * lens))
            target = subject_angle + math.atan(edge * frame_w_mm / lens)
            distance_guess = max(
                min_distance,
                (framing_box(shot_size, subject["height_m"], subject["pose"])[1] - framing_box(shot_size, subject["height_m"], subject["pose"])[0])
                * lens
                / frame_h_mm,
            )
            low, high = 0.0, 5.0
            for _ in range(50):
                lateral = (low + high) / 2
                separation = math.atan(lateral / (distance_guess - gap)) - math.atan(lateral / distance_guess)
                low, high = (lateral, high) if separation < target else (low, lateral)
            lateral = min(lateral, 0.4 * distance_guess)
            # Sideways toward the camera side of the line of action (the 180° rule), so both
            # overs of an exchange are taken from the side its two-shot and singles are.
            side = _camera_side_normal(sx, sy, fx, fy)
            if -ny * side[0] + nx * side[1] < 0:
                lateral = -lateral

    if foreground is not None and framing == "pov":
        # The other character's eyes are the lens.
        fx, fy, _ = character_at(foreground, 0.0)
        fg_marks = body_landmarks(foreground["height_m"], foreground["pose"])
        gap = math.dist((fx, fy), (sx, sy)) or 1.0
        ux, uy = (sx - fx) / gap, (sy - fy) / gap
        position = [fx + ux * 0.12, fy + uy * 0.12, fg_marks["eyes"]]
        yaw, pitch = optics.look_at_angles(position, (sx, sy, marks["eyes"]))
        roll = preset.get("roll", 0.0)
    elif preset.get("pitch") == -90.0:
        # Overhead: straight down over the subject, top of frame toward where the camera would look.
        span = top - bottom
        height = max(t for _b, t in boxes) + max(span * lens / frame_h_mm, min_distance)
        position = [cx, cy, height]
        yaw, pitch, roll = _wrap_deg(math.degrees(math.atan2(nx, ny)) + 180.0), -90.0, 0.0
    else:
        distance, camera_z, pitch = _place_vertically(preset, marks, top, bottom, vfov, min_distance)
        lx, ly = -ny, nx  # across the line of view
        position = [look_x + nx * distance + lx * lateral, look_y + ny * distance + ly * lateral, camera_z]
        yaw = math.degrees(math.atan2(look_x - position[0], look_y - position[1]))
        roll = preset.get("roll", 0.0)
        # Looking room: a character looking across frame sits on the far third line.
        right = optics.bearing_vector(yaw + 90.0)
        if len(group) == 1:
            fvx, fvy = optics.bearing_vector(s_facing)
            looking = fvx * right[0] + fvy * right[1]  # +1 = looking screen right
            offset = -looking / 6.0
            if foreground is not None and framing in ("ots", "dirty_single"):
                # The subject takes the third away from the foreground shoulder.
                fx, fy, _ = character_at(foreground, 0.0)
                fg_side = (fx - position[0]) * right[0] + (fy - position[1]) * right[1]
                offset = -1.0 / 6.0 if fg_side > 0 else 1.0 / 6.0
            yaw += math.degrees(math.atan(-offset * frame_w_mm / lens))

    # Not inside a wall: forward along the line of view toward the subject's eyes until clear.
    position = camera_clear_of(position, (sx, sy, marks["eyes"]), base["set_pieces"])
    spec = dict(base)
    spec["camera"] = {
        **base["camera"],
        "position": [round(v, 4) for v in position],
        "yaw_deg": round(_wrap_deg(yaw), 3),
        "pitch_deg": round(max(-90.0, min(90.0, pitch)), 3),
        "roll_deg": roll,
    }
    spec["subject_id"] = subject["id"]
    spec["move"] = _default_move(base["move"]["type"], position, (sx, sy, marks["eyes"]), lens)
    return normalize_spec(spec)


def _default_move(kind: str, position: Sequence[float], target: Sequence[float], lens: float) -> JsonObject:
    """Move parameters scaled to the layout (a dolly in covers a third of the way to the subject)."""
    distance = math.dist(position, target)
    move: JsonObject = {"type": kind}
    if kind in ("dolly_in", "dolly_out"):
        move["distance_m"] = round(max(0.1, distance * 0.3), 3)
    elif kind == "truck":
        move["distance_m"] = round(max(0.3, distance * 0.25), 3)
    elif kind == "steadicam":
        move["distance_m"] = round(max(0.2, distance * 0.15), 3)
    elif kind in ("zoom", "dolly_zoom"):
        move["end_lens_mm"] = min(1200.0, lens * 2)
    return move
