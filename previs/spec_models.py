"""The camera-and-blocking spec's shape, as pydantic models: what `previs.spec.normalize_spec`
returns (its docstring says what each key means). The OpenAPI schema carries their JSON Schema
(apps/web/openapi.py), so the browser's CameraSpec type is generated from here, and
tests/test_spec_models.py holds normalize_spec's results to them.

normalize_spec stays the door a spec comes in by: it reads partial input, fills the defaults
(marks, key light, move parameters, which depend on the rest of the spec), turns look_at into
angles and reports every problem by dotted path.
"""

from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from previs import vocabulary as v
from previs.light import SETTINGS
from previs.sets import SetOverride
from previs.spec import (
    BUILDS,
    MAX_CHARACTERS,
    MAX_SET_PIECES,
    MOVE_PARAMETER_INFO,
    POSES,
    SPEC_VERSION,
)

Colour = str  # "#rrggbb"
Vec2 = tuple[float, float]
Vec3 = tuple[float, float, float]

# The enums come from the vocabulary at import time (one definition); a type checker cannot
# evaluate Literal[tuple(...)], so to it they are the strings they are made of.
if TYPE_CHECKING:
    SensorKey = str
    AspectKey = str
    Pose = str
    Build = str
    Setting = str
    TimeOfDay = str
    MoveType = str
    Version = int
else:
    SensorKey = Literal[tuple(v.SENSOR_FORMATS)]
    AspectKey = Literal[tuple(v.ASPECT_RATIOS)]
    Pose = Literal[POSES]
    Build = Literal[tuple(BUILDS)]
    Setting = Literal[SETTINGS]
    TimeOfDay = Literal[v.values(v.TIMES_OF_DAY)]
    MoveType = Literal[v.values(v.CAMERA_MOVES)]
    Version = Literal[SPEC_VERSION]


class Shape(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SpecCamera(Shape):
    position: Vec3 = Field(description="[x, y, z] m; z > 0.")
    yaw_deg: float = Field(gt=-180, le=180, description="Pan bearing, 0 = north (+y), positive toward east.")
    pitch_deg: float = Field(ge=-90, le=90)
    roll_deg: float = Field(ge=-180, le=180)
    lens_mm: float = Field(ge=v.LENS_MM_RANGE[0], le=v.LENS_MM_RANGE[1])
    sensor: SensorKey
    aspect: AspectKey


class SpecCharacter(Shape):
    id: str
    name: str
    position: Vec2
    facing_deg: float
    height_m: float = Field(ge=0.3, le=3)
    colour: Colour
    pose: Pose
    build: Build = Field(description="How broad the figure is (slim, average, heavy).")
    look_at: str | Vec3 | None = Field(description="Another character's id or a point [x, y, z] the head turns to (the eyeline); null = ahead.")
    path: list[Vec3] | None = Field(description="[[t_s, x, y], …]: the character walks between the keys; overrides position.")


class SetPiece(Shape):
    name: str
    position: Vec3
    size: Vec3 = Field(description="[width (local x), depth (local y), height] m.")
    rotation_deg: float
    colour: Colour
    piece: str | None = Field(description="The location's set piece (previs/sets.py) this box was made from; null = this shot's own box.")


class KeyLight(Shape):
    azimuth_deg: float = Field(ge=0, lt=360)
    elevation_deg: float = Field(ge=-10, le=90)


class Environment(Shape):
    setting: Setting = Field(description="The scene heading's INT/EXT: indoors the fill and the fog are weaker.")
    time_of_day: TimeOfDay
    key_light: KeyLight
    ground_grid: bool


def _no_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)  # left out, not null: generated types make it optional


def _move_parameter(name: str) -> Any:
    info = MOVE_PARAMETER_INFO[name]
    description = f"{info.label} ({info.unit}): {info.meaning}" if info.unit else info.meaning
    return Field(default=None, ge=info.low, le=info.high, description=description, json_schema_extra=_no_default)


class SpecMove(Shape):
    """A move type and the parameters it uses (previs.spec.MOVE_DEFAULTS); others are left out."""

    type: MoveType
    distance_m: float | None = _move_parameter("distance_m")
    degrees: float | None = _move_parameter("degrees")
    end_lens_mm: float | None = _move_parameter("end_lens_mm")
    amplitude_deg: float | None = _move_parameter("amplitude_deg")
    seed: int | None = _move_parameter("seed")


class Guides(Shape):
    safe_area: bool
    thirds: bool


class CameraSpec(Shape):
    version: Version
    camera: SpecCamera
    characters: list[SpecCharacter] = Field(max_length=MAX_CHARACTERS)
    set_pieces: list[SetPiece] = Field(max_length=MAX_SET_PIECES)
    set_overrides: dict[str, SetOverride] = Field(description="This shot's cheats of its location's set, by set piece id.")
    environment: Environment
    move: SpecMove
    duration_s: float = Field(ge=0, le=600)
    fps: float = Field(gt=0, le=1000)
    subject_id: str | None = Field(description="The character the camera is framed on and moves around; null = the first.")
    guides: Guides
