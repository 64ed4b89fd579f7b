"""What the browser learns from previs, published in one piece: every vocabulary with its labels
and short labels, the prime lenses and the lens range, sensor sizes, aspect values, frame rates
and the camera moves' parameters. `Vocabulary` is its shape (in the OpenAPI schema, so the
browser's type is generated); `VOCABULARY` is its one value, which the app's page carries and
GET /api/vocabulary/ answers. Nothing here is restated in the browser.
"""

from collections.abc import Iterable

from pydantic import BaseModel, Field

from previs import sets, spec
from previs import vocabulary as v


class Term(BaseModel):
    value: str
    label: str = Field(description="What a 1st AD reads on a shot list.")
    short: str = Field(description="The form a narrow cell shows.")


class SensorTerm(Term):
    width_mm: float
    height_mm: float


class AspectTerm(Term):
    ratio: float = Field(description="Width / height (16:9 is exactly 1.777…, not its code 1.78).")


class MoveParameterInfo(BaseModel):
    name: str
    label: str
    unit: str
    min: float
    max: float
    step: float
    meaning: str


class SetKindInfo(BaseModel):
    kind: str
    label: str
    size: tuple[float, float, float] = Field(description="Default [width, depth, height] m.")
    colour: str


class Vocabulary(BaseModel):
    shot_sizes: list[Term]
    framings: list[Term]
    camera_angles: list[Term]
    camera_moves: list[Term]
    rigs: list[Term]
    shot_statuses: list[Term]
    scene_settings: list[Term]
    times_of_day: list[Term]
    frame_rates: list[Term]
    sensors: list[SensorTerm]
    aspect_ratios: list[AspectTerm]
    prime_lenses_mm: list[float]
    lens_mm_min: float
    lens_mm_max: float
    move_parameters: list[MoveParameterInfo]
    move_uses: dict[str, list[str]] = Field(description="Camera move → the parameters it uses, in order.")
    long_text_max_chars: int
    text_fields: dict[str, list[str]] = Field(description="Entity → its long-text fields, merged character by character (CRDT).")
    set_kinds: list[SetKindInfo] = Field(description="The set-piece library (previs/sets.py), in the order the plan's Add menu lists it.")


def _terms(name: str, pairs: Iterable[tuple[str, str]]) -> list[Term]:
    shorts = v.SHORT_LABELS.get(name, {})
    return [Term(value=value, label=label, short=shorts.get(value, label)) for value, label in pairs]


def vocabulary() -> Vocabulary:
    sensor_shorts, aspect_shorts = v.SHORT_LABELS["sensors"], v.SHORT_LABELS["aspect_ratios"]
    return Vocabulary(
        shot_sizes=_terms("shot_sizes", v.SHOT_SIZES),
        framings=_terms("framings", v.FRAMINGS),
        camera_angles=_terms("camera_angles", v.CAMERA_ANGLES),
        camera_moves=_terms("camera_moves", v.CAMERA_MOVES),
        rigs=_terms("rigs", v.RIGS),
        shot_statuses=_terms("shot_statuses", v.SHOT_STATUSES),
        scene_settings=_terms("scene_settings", v.SCENE_SETTINGS),
        times_of_day=_terms("times_of_day", v.TIMES_OF_DAY),
        frame_rates=_terms("frame_rates", v.FRAME_RATE_CHOICES),
        sensors=[
            SensorTerm(value=key, label=f"{label} ({width:g} × {height:g})", short=sensor_shorts.get(key, label), width_mm=width, height_mm=height)
            for key, (label, width, height) in v.SENSOR_FORMATS.items()
        ],
        aspect_ratios=[
            AspectTerm(value=key, label=label, short=aspect_shorts.get(key, label), ratio=v.ASPECT_RATIOS[key]) for key, label in v.ASPECT_RATIO_CHOICES
        ],
        prime_lenses_mm=list(v.PRIME_LENSES_MM),
        lens_mm_min=v.LENS_MM_RANGE[0],
        lens_mm_max=v.LENS_MM_RANGE[1],
        move_parameters=[
            MoveParameterInfo(name=name, label=p.label, unit=p.unit, min=p.low, max=p.high, step=p.step, meaning=p.meaning)
            for name, p in spec.MOVE_PARAMETER_INFO.items()
        ],
        move_uses={move: [name for name in spec.MOVE_PARAMETERS if name in defaults] for move, defaults in spec.MOVE_DEFAULTS.items()},
        long_text_max_chars=v.LONG_TEXT_MAX_CHARS,
        text_fields={entity: list(fields) for entity, fields in v.TEXT_FIELDS.items()},
        set_kinds=[SetKindInfo(kind=kind, label=entry.label, size=entry.size, colour=entry.colour) for kind, entry in sets.LIBRARY.items()],
    )


VOCABULARY = vocabulary()
