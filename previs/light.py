"""The light of a scene: where the sun (or the key through a window) comes from, its colour and
strength, the ambient fill, the sky and the distance fog, from the scene heading's INT/EXT and
time of day. Pure Python, no Django, no numpy: the spec (previs/spec.py) takes its default key
direction from here and the blocking renderer (workers/renderers/blocking.py) shades with it.

Directions follow previs/camera.py: azimuth is the bearing the light comes FROM (0 = north,
positive toward east), elevation is degrees above the horizon; `direction` is the unit vector
from the scene toward the light (x east, y north, z up).
"""

from __future__ import annotations

import math
from typing import TypedDict

RGB = tuple[int, int, int]


class Condition(TypedDict):
    """One lighting condition as the trade lights it: the sky, the ground, the key and the fill."""

    azimuth_deg: float  # default bearing of the sun / key
    elevation_deg: float  # default height of the sun / key above the horizon
    zenith: RGB
    horizon: RGB
    ground: RGB
    key: tuple[float, float, float]  # the key's colour, 0..1 per channel
    key_strength: float
    ambient: float
    haze_m: float  # distance over which the fog takes 63 % of a colour


# DAY: high sun from the south-east, neutral. DAWN/DUSK: sun just over the horizon (east/west),
# warm and low so shadows run long. MAGIC HOUR: the last sun before dusk, lower still and golden,
# the sky still bright. NIGHT: a cool, weak moon key with little fill.
CONDITIONS: dict[str, Condition] = {
    "DAY": {
        "azimuth_deg": 135.0,
        "elevation_deg": 50.0,
        "zenith": (112, 152, 204),
        "horizon": (204, 214, 226),
        "ground": (142, 142, 136),
        "key": (1.0, 0.97, 0.9),
        "key_strength": 0.75,
        "ambient": 0.38,
        "haze_m": 160.0,
    },
    "DAWN": {
        "azimuth_deg": 80.0,
        "elevation_deg": 8.0,
        "zenith": (92, 112, 160),
        "horizon": (236, 184, 146),
        "ground": (124, 116, 108),
        "key": (1.0, 0.78, 0.58),
        "key_strength": 0.8,
        "ambient": 0.3,
        "haze_m": 120.0,
    },
    "DUSK": {
        "azimuth_deg": 280.0,
        "elevation_deg": 8.0,
        "zenith": (62, 62, 112),
        "horizon": (226, 142, 104),
        "ground": (112, 102, 100),
        "key": (1.0, 0.66, 0.46),
        "key_strength": 0.75,
        "ambient": 0.28,
        "haze_m": 110.0,
    },
    "MAGIC HOUR": {
        "azimuth_deg": 265.0,
        "elevation_deg": 5.0,
        "zenith": (96, 120, 170),
        "horizon": (244, 190, 122),
        "ground": (132, 118, 100),
        "key": (1.0, 0.8, 0.5),
        "key_strength": 0.85,
        "ambient": 0.32,
        "haze_m": 130.0,
    },
    "NIGHT": {
        "azimuth_deg": 200.0,
        "elevation_deg": 35.0,
        "zenith": (10, 14, 30),
        "horizon": (36, 46, 72),
        "ground": (50, 53, 62),
        "key": (0.62, 0.72, 1.0),
        "key_strength": 0.4,
        "ambient": 0.14,
        "haze_m": 60.0,
    },
}

# Indoors the sky is not seen and the key comes through windows: less fill, a softer key, and
# no atmospheric fog worth the name (a room is a few metres deep).
INTERIOR_AMBIENT = 0.75
INTERIOR_KEY = 0.8
INTERIOR_HAZE_M = 400.0
SETTINGS = ("EXT", "INT", "INT/EXT")


class SceneLight(Condition):
    """A condition with the spec's key direction applied and INT/EXT taken into account."""

    condition: str
    setting: str
    direction: tuple[float, float, float]  # unit vector toward the light


def lighting_time(time_of_day: str) -> str:
    """DAY / NIGHT / DAWN / DUSK / MAGIC HOUR: the condition a time of day is lit as (story times such as
    CONTINUOUS or LATER carry no light of their own and are lit as DAY)."""
    return time_of_day if time_of_day in CONDITIONS else "DAY"


def key_light_default(time_of_day: str) -> tuple[float, float]:
    """(azimuth_deg, elevation_deg) of the key for a time of day, before any per-scene override."""
    condition = CONDITIONS[lighting_time(time_of_day)]
    return condition["azimuth_deg"], condition["elevation_deg"]


def light_direction(azimuth_deg: float, elevation_deg: float) -> tuple[float, float, float]:
    """Unit vector from the scene toward a light at this bearing and elevation."""
    azimuth, elevation = math.radians(azimuth_deg), math.radians(elevation_deg)
    return (math.sin(azimuth) * math.cos(elevation), math.cos(azimuth) * math.cos(elevation), math.sin(elevation))


def scene_light(time_of_day: str, setting: str = "EXT", azimuth_deg: float | None = None, elevation_deg: float | None = None) -> SceneLight:
    """The light of a scene from its heading (INT/EXT, time of day) and an optional override of
    the sun's azimuth/elevation (the spec's environment.key_light)."""
    name = lighting_time(time_of_day)
    condition = CONDITIONS[name]
    azimuth = condition["azimuth_deg"] if azimuth_deg is None else azimuth_deg
    elevation = condition["elevation_deg"] if elevation_deg is None else elevation_deg
    light: SceneLight = {
        **condition,
        "azimuth_deg": azimuth,
        "elevation_deg": elevation,
        "condition": name,
        "setting": setting,
        "direction": light_direction(azimuth, elevation),
    }
    if setting == "INT":
        light["ambient"] = condition["ambient"] * INTERIOR_AMBIENT
        light["key_strength"] = condition["key_strength"] * INTERIOR_KEY
        light["haze_m"] = INTERIOR_HAZE_M
    return light
