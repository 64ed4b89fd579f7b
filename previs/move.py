"""Where the camera is over the shot: the camera move keyed in time, the one definition the clip
renderer, the still renderer and the camera plan share (workers/renderers/clip.py lists the moves).

Plain Python and numpy, no Django.
"""

from __future__ import annotations

import math
import random

import numpy as np

from previs.camera import Point, look_at_angles
from previs.spec import body_landmarks, character_at
from previs.types import FloatArray, JsonObject


def _ease(u: float) -> float:
    """Smoothstep: the move starts and stops gently."""
    u = min(1.0, max(0.0, u))
    return u * u * (3 - 2 * u)


def subject_point(spec: JsonObject) -> tuple[float, float, float]:
    """The subject's eyes at the start of the shot (or a point 3 m down the lens with no cast)."""
    characters = spec["characters"]
    subject = next((c for c in characters if c["id"] == spec.get("subject_id")), characters[0] if characters else None)
    if subject is None:
        return _point_ahead(spec["camera"], 3.0)
    x, y, _facing = character_at(subject, 0.0)
    return x, y, body_landmarks(subject["height_m"], subject["pose"])["eyes"]


def _forward(camera: JsonObject) -> FloatArray:
    yaw, pitch = math.radians(camera["yaw_deg"]), math.radians(camera["pitch_deg"])
    return np.array([math.sin(yaw) * math.cos(pitch), math.cos(yaw) * math.cos(pitch), math.sin(pitch)])


def _point_ahead(camera: JsonObject, distance: float) -> tuple[float, float, float]:
    x, y, z = (float(v) for v in np.asarray(camera["position"]) + _forward(camera) * distance)
    return x, y, z


def _subject_depth(camera: JsonObject, point: Point) -> float:
    """Distance from the lens to the subject measured along the lens axis (at least 0.3 m)."""
    offset = np.asarray(point) - np.asarray(camera["position"])
    return max(0.3, float(offset @ _forward(camera)))


def _noise(seed: int, t: float, channel: int) -> float:
    """Deterministic smooth noise in about [-1, 1]: three sines with seeded frequencies and phases."""
    rng = random.Random(seed * 7919 + channel * 104729)
    total = 0.0
    for octave, weight in ((0.0, 0.55), (1.0, 0.3), (2.0, 0.15)):
        frequency = rng.uniform(0.6, 1.4) * (1.3 * 2.1**octave)
        total += weight * math.sin(2 * math.pi * frequency * t + rng.uniform(0, 2 * math.pi))
    return total


def camera_at(spec: JsonObject, t: float) -> JsonObject:
    """The camera dict (same keys as spec["camera"]) at t seconds into the shot, with the move applied."""
    start = spec["camera"]
    move = spec["move"]
    kind = move["type"]
    duration = spec["duration_s"]
    u = _ease(t / duration) if duration > 0 else 0.0
    camera = {**start, "position": [float(v) for v in start["position"]]}
    position = np.array(camera["position"], dtype=np.float64)
    yaw_rad = math.radians(start["yaw_deg"])
    along_floor = np.array([math.sin(yaw_rad), math.cos(yaw_rad), 0.0])
    right_floor = np.array([math.cos(yaw_rad), -math.sin(yaw_rad), 0.0])

    if kind == "pan":
        camera["yaw_deg"] = start["yaw_deg"] + move["degrees"] * u
    elif kind == "tilt":
        camera["pitch_deg"] = max(-90.0, min(90.0, start["pitch_deg"] + move["degrees"] * u))
    elif kind == "pedestal":
        position[2] += move["distance_m"] * u
    elif kind in ("dolly_in", "dolly_out"):
        sign = 1.0 if kind == "dolly_in" else -1.0
        distance = move["distance_m"]
        if kind == "dolly_in":
            # Stop short of the subject rather than drive through them.
            sx, sy, _sz = subject_point(spec)
            room = float(np.array([sx, sy, 0.0]) @ along_floor - position[:2] @ along_floor[:2]) - 0.3
            if room > 0:
                distance = min(distance, room)
        position += along_floor * sign * distance * u
    elif kind == "truck":
        position += right_floor * move["distance_m"] * u
    elif kind == "arc":
        sx, sy, _sz = subject_point(spec)
        angle = -math.radians(move["degrees"] * u)  # travelling right = bearing from the subject decreases
        dx, dy = position[0] - sx, position[1] - sy
        # Rotating a bearing by `angle` (compass sense) about the subject.
        position[0] = sx + dx * math.cos(angle) + dy * math.sin(angle)
        position[1] = sy - dx * math.sin(angle) + dy * math.cos(angle)
        camera["yaw_deg"] = start["yaw_deg"] + math.degrees(angle)
    elif kind == "crane":
        target = _point_ahead(start, _subject_depth(start, subject_point(spec)))
        position[2] += move["distance_m"] * u
        position[2] = max(position[2], 0.05)
        camera["yaw_deg"], camera["pitch_deg"] = look_at_angles(position, target)
        if abs(camera["pitch_deg"]) > 89.9:
            camera["yaw_deg"] = start["yaw_deg"]
    elif kind == "zoom":
        camera["lens_mm"] = start["lens_mm"] * (move["end_lens_mm"] / start["lens_mm"]) ** u
    elif kind == "dolly_zoom":
        lens = start["lens_mm"] * (move["end_lens_mm"] / start["lens_mm"]) ** u
        depth0 = _subject_depth(start, subject_point(spec))
        depth = depth0 * lens / start["lens_mm"]  # size on screen ∝ f / d stays constant
        position -= _forward(start) * (depth - depth0)
        camera["lens_mm"] = lens
    elif kind == "handheld":
        amplitude = move["amplitude_deg"]
        seed = move.get("seed", 0)
        camera["yaw_deg"] = start["yaw_deg"] + amplitude * _noise(seed, t, 0)
        camera["pitch_deg"] = max(-90.0, min(90.0, start["pitch_deg"] + amplitude * _noise(seed, t, 1)))
        camera["roll_deg"] = start["roll_deg"] + amplitude * 0.5 * _noise(seed, t, 2)
        position += 0.01 * amplitude * np.array([_noise(seed, t, 3), _noise(seed, t, 4), _noise(seed, t, 5)])
    elif kind == "steadicam":
        amplitude = move["amplitude_deg"]
        seed = move.get("seed", 0)
        slow = t * 0.25  # a float, not a shake
        position += along_floor * move["distance_m"] * u
        position[2] += 0.02 * amplitude * _noise(seed, slow, 3)
        camera["yaw_deg"] = start["yaw_deg"] + amplitude * _noise(seed, slow, 0)
        camera["pitch_deg"] = max(-90.0, min(90.0, start["pitch_deg"] + amplitude * 0.5 * _noise(seed, slow, 1)))
        camera["roll_deg"] = start["roll_deg"] + amplitude * 0.5 * _noise(seed, slow, 2)
    # static and rack_focus hold the frame.

    position[2] = max(position[2], 0.01)
    camera["position"] = [float(v) for v in position]
    camera["yaw_deg"] = math.remainder(camera["yaw_deg"], 360.0)
    return camera


def move_end(spec: JsonObject) -> JsonObject:
    """Where the move leaves the camera: the camera at the last moment of the shot."""
    return camera_at(spec, spec["duration_s"])
