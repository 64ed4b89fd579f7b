"""Pinhole camera optics for previs: what a given lens on a given sensor actually sees.

Pure Python + numpy, no Django: used by the shot layout (previs/spec.py), the grey-box renderer
(workers/renderers) and anything that needs to answer "how big is the actor at 3 m on an 85?".

World coordinates
    Metres, right-handed: x to the right (east), y forward (north), z up; the ground is z = 0.

Camera orientation
    yaw_deg    0 looks along +y (north); positive turns toward +x (east), i.e. clockwise seen
               from above, like a compass bearing.
    pitch_deg  positive tilts up, negative tilts down (-90 looks straight down).
    roll_deg   dutch angle: positive rolls the camera clockwise as the operator sees it from
               behind, so the picture turns the other way: the horizon rises to the right.

The delivery frame on the sensor (the choice this module makes)
    A delivery aspect ratio is extracted from the sensor the way a camera department frames it:
    when the delivery frame is wider than the sensor (2.39:1 on a 4-perf Super 35 or on full
    frame), it uses the full sensor *width* and is letterboxed inside it, so its height is
    sensor_width / aspect. When the delivery frame is narrower than the sensor (4:3, 1:1, 9:16 on
    a 3:2 sensor) the width would not fit, so it uses the full sensor *height* and its width is
    sensor_height * aspect. `frame_size_mm` returns that extraction; every field of view,
    fill fraction and projection here uses it, so "sensor height" in the pinhole formula
    H·f / (d·h) is the height of the extracted delivery frame.

Images
    A render of width × height pixels shows the delivery frame as the largest rectangle of the
    delivery aspect that fits the image, centred (`Camera.frame_rect`); anything outside it is
    the part of the scene a monitor shows beyond the frame lines (the renderer mattes it).
    Pixel coordinates are continuous: pixel column i covers [i, i + 1), the principal point is
    the image centre, rows grow downwards.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from previs.types import FloatArray, JsonObject
from previs.vocabulary import ASPECT_RATIOS, SENSOR_FORMATS

# Below this distance from the lens (m) geometry is clipped away: the renderer's near plane.
NEAR_CLIP_M = 0.05

# A delivery aspect: a vocabulary key ("2.39") or a number.
Aspect = str | float
# A point in the world: [x, y, z] as a list, a tuple or an array.
Point = Sequence[float] | FloatArray


def aspect_value(aspect: Aspect) -> float:
    """Width / height of a delivery aspect given as a vocabulary key ("2.39") or a number."""
    if isinstance(aspect, str):
        if aspect in ASPECT_RATIOS:
            return float(ASPECT_RATIOS[aspect])
        return float(aspect)
    return float(aspect)


def sensor_size_mm(sensor: str) -> tuple[float, float]:
    """(width, height) of a sensor format from the vocabulary, in millimetres."""
    _label, width, height = SENSOR_FORMATS[sensor]
    return float(width), float(height)


def frame_size_mm(sensor: str, aspect: Aspect) -> tuple[float, float]:
    """(width, height) in mm of the delivery frame extracted from the sensor (see module notes)."""
    sensor_w, sensor_h = sensor_size_mm(sensor)
    ratio = aspect_value(aspect)
    if sensor_w / sensor_h <= ratio:
        return sensor_w, sensor_w / ratio  # letterboxed inside the full sensor width
    return sensor_h * ratio, sensor_h  # pillarboxed inside the full sensor height


def field_of_view(lens_mm: float, sensor: str, aspect: Aspect) -> tuple[float, float]:
    """(horizontal, vertical) angle of view in degrees of the delivery frame: 2·atan(size / 2f)."""
    frame_w, frame_h = frame_size_mm(sensor, aspect)
    return (
        math.degrees(2 * math.atan(frame_w / (2 * lens_mm))),
        math.degrees(2 * math.atan(frame_h / (2 * lens_mm))),
    )


def fill_fraction(subject_height_m: float, distance_m: float, lens_mm: float, sensor: str, aspect: Aspect) -> float:
    """Fraction of the frame height a subject of height H fills at distance d: H·f / (d·h)."""
    _frame_w, frame_h = frame_size_mm(sensor, aspect)
    return subject_height_m * lens_mm / (distance_m * frame_h)


def distance_to_fill(subject_height_m: float, fraction: float, lens_mm: float, sensor: str, aspect: Aspect) -> float:
    """Distance (m, along the lens axis) at which a subject of height H fills `fraction` of the frame height."""
    _frame_w, frame_h = frame_size_mm(sensor, aspect)
    return subject_height_m * lens_mm / (fraction * frame_h)


def look_at_angles(position: Point, target: Point) -> tuple[float, float]:
    """(yaw_deg, pitch_deg) that aim a camera at `position` at the point `target`."""
    dx, dy, dz = (float(target[i]) - float(position[i]) for i in range(3))
    ground = math.hypot(dx, dy)
    if ground < 1e-9 and abs(dz) < 1e-9:
        return 0.0, 0.0
    yaw = math.degrees(math.atan2(dx, dy)) if ground >= 1e-9 else 0.0
    pitch = math.degrees(math.atan2(dz, ground))
    return yaw, pitch


def bearing_vector(bearing_deg: float) -> tuple[float, float]:
    """Unit ground vector for a compass bearing (0 = +y north, 90 = +x east)."""
    rad = math.radians(bearing_deg)
    return math.sin(rad), math.cos(rad)


@dataclass
class Camera:
    """A camera body, lens and delivery frame placed in the world (see module notes for axes)."""

    position: tuple[float, ...] = (0.0, -5.0, 1.6)
    yaw_deg: float = 0.0
    pitch_deg: float = 0.0
    roll_deg: float = 0.0
    lens_mm: float = 35.0
    sensor: str = "super35"
    aspect: str = "2.39"
    _basis: tuple[FloatArray, FloatArray, FloatArray] | None = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def from_spec(cls, camera: JsonObject) -> Camera:
        """From the `camera` section of a normalized spec (previs/spec.py)."""
        return cls(
            position=tuple(float(v) for v in camera["position"]),
            yaw_deg=float(camera.get("yaw_deg", 0.0)),
            pitch_deg=float(camera.get("pitch_deg", 0.0)),
            roll_deg=float(camera.get("roll_deg", 0.0)),
            lens_mm=float(camera["lens_mm"]),
            sensor=camera["sensor"],
            aspect=camera["aspect"],
        )

    # --- orientation ------------------------------------------------------------------------

    def basis(self) -> tuple[FloatArray, FloatArray, FloatArray]:
        """World-space unit vectors (right, forward, up) of the camera."""
        if self._basis is None:
            yaw, pitch, roll = (math.radians(a) for a in (self.yaw_deg, self.pitch_deg, self.roll_deg))
            forward = np.array([math.sin(yaw) * math.cos(pitch), math.cos(yaw) * math.cos(pitch), math.sin(pitch)])
            right0 = np.array([math.cos(yaw), -math.sin(yaw), 0.0])
            up0 = np.cross(right0, forward)  # right × forward = up in a right-handed frame
            # Rolling clockwise (seen from behind) dips the camera's right side.
            right = right0 * math.cos(roll) - up0 * math.sin(roll)
            up = up0 * math.cos(roll) + right0 * math.sin(roll)
            self._basis = (right, forward, up)
        return self._basis

    def world_to_camera(self, points: npt.ArrayLike) -> FloatArray:
        """N×3 world points -> N×3 camera coordinates (x right, y depth along the lens axis, z up)."""
        pts = np.asarray(points, dtype=np.float64).reshape(-1, 3) - np.asarray(self.position, dtype=np.float64)
        right, forward, up = self.basis()
        return np.stack([pts @ right, pts @ forward, pts @ up], axis=1)

    # --- image geometry ---------------------------------------------------------------------

    @property
    def aspect_ratio(self) -> float:
        return aspect_value(self.aspect)

    def field_of_view(self) -> tuple[float, float]:
        return field_of_view(self.lens_mm, self.sensor, self.aspect)

    def frame_rect(self, width: int, height: int) -> tuple[float, float, float, float]:
        """(x0, y0, x1, y1) of the delivery frame inside a width × height image, centred."""
        ratio = self.aspect_ratio
        frame_w = min(float(width), height * ratio)
        frame_h = frame_w / ratio
        x0 = (width - frame_w) / 2
        y0 = (height - frame_h) / 2
        return x0, y0, x0 + frame_w, y0 + frame_h

    def focal_px(self, width: int, height: int) -> float:
        """Focal length in pixels: the delivery frame's width in pixels spans the frame's width in mm."""
        x0, _y0, x1, _y1 = self.frame_rect(width, height)
        frame_w_mm, _frame_h_mm = frame_size_mm(self.sensor, self.aspect)
        return (x1 - x0) * self.lens_mm / frame_w_mm

    def project(self, points: npt.ArrayLike, width: int, height: int) -> tuple[FloatArray, FloatArray, FloatArray]:
        """World points -> (px, py, depth) arrays; depth is the distance along the lens axis (m).

        Points at or behind the lens get NaN pixel coordinates (their depth is still returned).
        """
        cam = self.world_to_camera(points)
        focal = self.focal_px(width, height)
        depth = cam[:, 1]
        with np.errstate(divide="ignore", invalid="ignore"):
            safe = np.where(depth > 1e-9, depth, np.nan)
            px = width / 2 + focal * cam[:, 0] / safe
            py = height / 2 - focal * cam[:, 2] / safe
        return px, py, depth

    def project_point(self, point: Point, width: int, height: int) -> tuple[float, float, float]:
        px, py, depth = self.project(np.asarray(point, dtype=np.float64), width, height)  # one row
        return float(px[0]), float(py[0]), float(depth[0])

    def pixel_ray(self, px: float, py: float, width: int, height: int) -> FloatArray:
        """World direction of the ray through image point (px, py), scaled so its depth component is 1."""
        focal = self.focal_px(width, height)
        right, forward, up = self.basis()
        return forward + right * ((px - width / 2) / focal) - up * ((py - height / 2) / focal)
