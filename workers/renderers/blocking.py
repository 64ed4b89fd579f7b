"""Grey-box "blocking" renderer: the optically honest previs frame, its depth map and the camera plot.

No Django. Reads a camera-and-blocking spec (previs/spec.py), places the camera with
previs/camera.py (and previs.move.camera_at for moves), and draws with Pillow:

* colour  RGB: sky and ground (banded by distance into haze), the 1 m floor grid, grey set-piece
          boxes, characters as capsule bodies with the head in their colour, contact shadows,
          name labels, optional thirds and safe-area guides, and a monitor-style matte outside
          the delivery frame lines when the image is not the delivery aspect.
* depth   mode "I;16", aligned pixel for pixel with colour: distance along the lens axis (planar
          z-depth, not distance along the ray) in millimetres. 0 = sky / nothing (infinity);
          anything at or beyond 65.535 m reads 65535. The matte is not applied to depth.
* plan    a top-down camera plot (Storyboarder style): grid, scale bar, set pieces, characters
          with their facing and walks, the camera with its real horizontal field of view and
          its move. Drawn on first access (it is not part of the frame-time budget).

How it is fast enough (1280×720 colour + depth in well under 30 ms on one core): geometry is
meshes (boxes, lathed capsules for bodies) transformed with numpy, back-face culled, sorted far
to near and filled as polygons by Pillow (painter's algorithm). The ground and sky are bands
between lines of equal depth (on a flat floor those are straight lines parallel to the horizon).
Depth is not rasterised per pixel in Python: every polygon is planar, so its inverse depth is an
affine function of the pixel position, 1/z = a·col + b·row + c. Each polygon is also filled with
its face number into a 16-bit id image (same coordinates, so the same pixels as the colour), and
one numpy expression looks up (a, b, c) per pixel and turns them into depth. The floor is face 0,
so it is exact too.

Known limit of painter's sorting: boxes sort by their centre, figures face by face, so a figure
standing on or inside a big box (a stage, a rug) can be drawn behind it.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from functools import lru_cache
from typing import Literal, overload

import numpy as np
import numpy.typing as npt
from numba import njit
from PIL import Image, ImageDraw, ImageFont

from previs.camera import NEAR_CLIP_M, Camera, bearing_vector
from previs.light import SceneLight, scene_light
from previs.move import camera_at
from previs.spec import BUILDS, body_landmarks, character_at, head_bearing, normalize_spec
from previs.types import FloatArray, JsonObject

IntArray = npt.NDArray[np.int64]
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont
# (x, y, z) in the world; a figure on the floor is (x, y, height).
Vec3 = tuple[float, float, float]
# A name drawn over the frame at a world point.
Label = tuple[str, Vec3]
Rect = tuple[float, float, float, float]

PLAN_SIZE = 512
DEPTH_MAX_MM = 65535


class _Light(SceneLight):
    ground_lit: tuple[int, ...]  # the floor's colour under this key
    ground_shadow: tuple[int, ...]  # the floor's colour where the key is blocked (ambient only)


LABEL_COLOUR = (255, 255, 255)
GUIDE_COLOUR = (255, 255, 255)
MATTE_LEVEL = 0.3  # outside the frame lines the picture is darkened like a monitor's shading
GROUND_BAND_DEPTHS = (1.0, 1.5, 2.2, 3.0, 4.0, 5.5, 7.5, 10, 13, 17, 22, 28, 36, 46, 60, 80, 105, 140, 190, 260, 360, 500, 700, 1000, 1500, 2500, 5000)
SKY_BANDS = 24


class FrameResult:
    """A rendered frame: `colour` (RGB), `depth` (I;16 mm) and `plan` (RGB, drawn when first used)."""

    def __init__(self, colour: Image.Image, depth: Image.Image, spec: JsonObject, t: float) -> None:
        self.colour = colour
        self.depth = depth
        self.spec = spec
        self.t = t
        self._plan: Image.Image | None = None

    @property
    def plan(self) -> Image.Image:
        if self._plan is None:
            self._plan = render_plan(self.spec, PLAN_SIZE, t=self.t)
        return self._plan


def png_bytes(image: Image.Image) -> bytes:
    """PNG with fixed encoder settings and no metadata: the same image always gives the same bytes."""
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=6, optimize=False)
    return buffer.getvalue()


def render_frame(spec: JsonObject, width: int, height: int, t: float = 0.0) -> FrameResult:
    """The blocking frame of a spec at time t (seconds into the shot, camera moves applied)."""
    spec = normalize_spec(spec)
    colour, depth = draw_frame(spec, camera_at(spec, t), width, height, t, with_depth=True)
    return FrameResult(colour, depth, spec, t)


# --- Meshes --------------------------------------------------------------------------------


def _lathe(p0: Sequence[float], p1: Sequence[float], profile: Sequence[tuple[float, float, float]], segments: int) -> tuple[FloatArray, IntArray]:
    """A closed tube from p0 to p1: `profile` is [(u along the axis 0…1, radius across, radius deep)].

    Returns (vertices, quads); quads run counter-clockwise seen from outside, so the normal
    (v2 - v0) × (v3 - v1) points out. A radius of 0 at an end closes the tube (degenerate quads).
    """
    start = np.asarray(p0, dtype=np.float64)
    axis = np.asarray(p1, dtype=np.float64) - start
    axis_unit = axis / np.linalg.norm(axis)
    across = np.array([1.0, 0.0, 0.0]) if abs(axis_unit[0]) < 0.9 else np.array([0.0, 1.0, 0.0])
    across = across - axis_unit * (across @ axis_unit)
    across /= np.linalg.norm(across)
    deep = np.cross(axis_unit, across)  # across × deep = axis keeps the winding outward
    angles = np.linspace(0.0, 2 * math.pi, segments, endpoint=False)
    cos, sin = np.cos(angles), np.sin(angles)
    rings: list[FloatArray] = []
    for u, radius_across, radius_deep in profile:
        centre = start + axis * u
        rings.append(centre + np.outer(cos * radius_across, across) + np.outer(sin * radius_deep, deep))
    vertices = np.concatenate(rings)
    quads: list[tuple[int, int, int, int]] = []
    for ring in range(len(profile) - 1):
        low, high = ring * segments, (ring + 1) * segments
        for j in range(segments):
            k = (j + 1) % segments
            quads.append((low + j, low + k, high + k, high + j))
    return vertices, np.array(quads, dtype=np.int64)


def _box(size: Sequence[float]) -> tuple[FloatArray, IntArray]:
    """A box on the floor centred on the origin: (vertices, quads) with outward winding."""
    w, d, h = size[0] / 2, size[1] / 2, size[2]
    vertices = np.array([[-w, -d, 0], [w, -d, 0], [w, d, 0], [-w, d, 0], [-w, -d, h], [w, -d, h], [w, d, h], [-w, d, h]], dtype=np.float64)
    quads = np.array([[0, 3, 2, 1], [4, 5, 6, 7], [0, 1, 5, 4], [1, 2, 6, 5], [2, 3, 7, 6], [3, 0, 4, 7]], dtype=np.int64)
    return vertices, quads


def _round_profile(rings: int, z0: float, z1: float, radius_across: float, radius_deep: float) -> list[tuple[float, float, float]]:
    """An ellipsoid-ish profile between two ends (head) as (u, r_across, r_deep) rings."""
    profile: list[tuple[float, float, float]] = []
    for i in range(rings + 1):
        angle = math.pi * i / rings
        profile.append(((1 - math.cos(angle)) / 2, radius_across * math.sin(angle), radius_deep * math.sin(angle)))
    return profile


Joint = tuple[float, float, float]


def _limbs(pose: str, h: float, marks: dict[str, float], broad: float) -> tuple[list[list[Joint]], list[list[Joint]]]:
    """(arms, legs) of a pose as joint chains in the figure's frame (facing +y, x to its right):
    each arm shoulder → (elbow →) hand, each leg hip → (knee →) foot; left side first."""
    shoulder_z, hips, knees = marks["shoulders"], marks["hips"], marks["knees"]
    arms: list[list[Joint]] = []
    legs: list[list[Joint]] = []
    for side in (-1, 1):
        x = side * 0.135 * h * broad
        shoulder = (x, 0.0, shoulder_z + 0.01 * h)
        arm: list[Joint] = [shoulder, (x, 0.01 * h, shoulder_z - 0.37 * h)]  # hanging
        if pose == "walking":  # the arm swings against the leg on its side
            arm = [shoulder, (x, -side * 0.12 * h, shoulder_z - 0.355 * h)]
        elif pose == "running":  # elbows bent, forearms pumping
            arm = [shoulder, (x * 1.05, side * 0.1 * h, shoulder_z - 0.17 * h), (x * 0.8, -side * 0.02 * h + 0.06 * h, shoulder_z - 0.08 * h)]
        elif pose == "pointing" and side == 1:  # the right arm straight out at shoulder height
            arm = [shoulder, (x * 0.85, 0.37 * h, shoulder_z - 0.01 * h)]
        elif pose == "reaching":  # both arms forward and a little down, toward something held out
            arm = [shoulder, (x * 0.75, 0.33 * h, shoulder_z - 0.13 * h)]
        elif pose == "arms_crossed":  # forearms folded across the chest, each hand at the other elbow
            arm = [shoulder, (x * 1.05, 0.04 * h, shoulder_z - 0.2 * h), (-x * 0.8, 0.1 * h, shoulder_z - 0.14 * h)]
        arms.append(arm)

        x = side * 0.05 * h * broad
        hip: Joint = (x, 0.0, hips + 0.01 * h)
        if pose == "sitting":
            knee: Joint = (x, 0.26 * h, knees)
            legs.append([(x, 0.0, hips), knee, (x, 0.27 * h, 0.0)])
        elif pose == "kneeling":  # thighs upright over the knees, shins back along the floor
            knee = (x, 0.02 * h, knees)
            legs.append([hip, knee, (x, -0.24 * h, 0.02 * h)])
        elif pose == "walking":  # mid-stride: the right foot forward
            legs.append([hip, (x, side * 0.15 * h, 0.0)])
        elif pose == "running":  # the right leg reaching forward, the left pushing off behind
            if side == 1:
                legs.append([hip, (x, 0.17 * h, knees + 0.04 * h), (x, 0.2 * h, 0.0)])
            else:
                legs.append([hip, (x, -0.06 * h, knees), (x, -0.28 * h, 0.12 * h)])
        else:
            legs.append([hip, (x, 0.0, 0.0)])
    return arms, legs


@lru_cache(maxsize=64)
def figure_template(height_m: float, pose: str, build: str = "average") -> tuple[FloatArray, IntArray, IntArray]:
    """The grey-box figure in its own frame (facing +y, feet at the origin).

    Returns (vertices, quads, part) where part per quad is 0 body, 1 head, 2 chair. Proportions
    follow previs.spec.body_landmarks so the frame cuts the body where the shot size says; the
    build widens or narrows the body (not the head).
    """
    h = height_m
    b = BUILDS[build]
    marks = body_landmarks(h, pose)
    sitting = pose == "sitting"
    parts: list[tuple[FloatArray, IntArray, int]] = []

    def add(mesh: tuple[FloatArray, IntArray], part: int) -> None:
        parts.append((mesh[0], mesh[1], part))

    # Head: an egg a little deeper than wide, chin to crown.
    head_profile = _round_profile(7, 0, 1, 0.05 * h, 0.058 * h)
    add(_lathe((0, 0.005 * h, marks["chin"] - 0.012 * h), (0, 0.005 * h, marks["head_top"]), head_profile, 12), 1)
    # Nose: a small wedge on the face, so which way the figure faces reads in the frame.
    nose_z = (marks["eyes"] + marks["mouth"]) / 2
    add(_lathe((0, 0.045 * h, nose_z), (0, 0.075 * h, nose_z), [(0, 0.012 * h, 0.016 * h), (1, 0.0, 0.0)], 4), 1)
    # Neck.
    add(_lathe((0, 0, marks["shoulders"] - 0.02 * h), (0, 0, marks["chin"] + 0.01 * h), [(0, 0.03 * h, 0.03 * h), (1, 0.028 * h, 0.028 * h)], 8), 0)
    # Torso: hips to shoulders, wider across than deep, rounded at the shoulders.
    torso = [
        (0.0, 0.0, 0.0),
        (0.0001, 0.095 * h * b, 0.06 * h * b),
        (0.35, 0.088 * h * b, 0.058 * h * b),
        (0.7, 0.11 * h * b, 0.065 * h * b),
        (0.93, 0.115 * h * b, 0.06 * h * b),
        (1.0, 0.06 * h * b, 0.04 * h * b),
    ]
    add(_lathe((0, 0, marks["hips"] - 0.02 * h), (0, 0, marks["shoulders"] + 0.02 * h), torso, 10), 0)

    def limb(r0: float, r1: float) -> list[tuple[float, float, float]]:  # a tapered capsule with rounded ends
        return [(0.0, 0.0, 0.0), (0.04, r0 * 0.75, r0 * 0.75), (0.12, r0, r0), (0.9, r1, r1), (0.97, r1 * 0.75, r1 * 0.75), (1.0, 0.0, 0.0)]

    arms, legs = _limbs(pose, h, marks, b)
    for arm in arms:
        if len(arm) == 2:
            add(_lathe(arm[0], arm[1], limb(0.032 * h * b, 0.025 * h * b), 6), 0)
        else:  # upper arm and forearm
            add(_lathe(arm[0], arm[1], limb(0.032 * h * b, 0.029 * h * b), 6), 0)
            add(_lathe(arm[1], arm[2], limb(0.029 * h * b, 0.025 * h * b), 6), 0)
    for leg in legs:
        if len(leg) == 2:
            add(_lathe(leg[0], leg[1], limb(0.047 * h * b, 0.03 * h * b), 6), 0)
        else:  # thigh and shin
            add(_lathe(leg[0], leg[1], limb(0.045 * h * b, 0.038 * h * b), 6), 0)
            add(_lathe(leg[1], leg[2], limb(0.036 * h * b, 0.03 * h * b), 6), 0)
    if sitting:
        seat_v, seat_q = _box((0.26 * h, 0.26 * h, marks["hips"] - 0.01 * h))
        add((seat_v + np.array([0.0, 0.04 * h, 0.0]), seat_q), 2)
        back_v, back_q = _box((0.26 * h, 0.03 * h, 0.52 * h))
        add((back_v + np.array([0.0, -0.1 * h, 0.0]), back_q), 2)

    vertices: list[FloatArray] = []
    quads: list[IntArray] = []
    part: list[IntArray] = []
    offset = 0
    for v, q, p in parts:
        vertices.append(v)
        quads.append(q + offset)
        part.append(np.full(len(q), p))
        offset += len(v)
    return np.concatenate(vertices), np.concatenate(quads), np.concatenate(part)


def _hex_rgb(colour: str) -> FloatArray:
    return np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)], dtype=np.float64) / 255.0


def _turn(vertices: FloatArray, bearing_deg: float, x: float, y: float, z: float = 0.0) -> FloatArray:
    """Rotate local coordinates (facing +y) to face a bearing, then move them to (x, y, z)."""
    rad = math.radians(bearing_deg)
    c, s = math.cos(rad), math.sin(rad)
    out = np.empty_like(vertices)
    out[:, 0] = vertices[:, 0] * c + vertices[:, 1] * s + x
    out[:, 1] = -vertices[:, 0] * s + vertices[:, 1] * c + y
    out[:, 2] = vertices[:, 2] + z
    return out


CHAIR_RGB = np.array([0.45, 0.42, 0.40])
BODY_GREY = np.array([0.58, 0.58, 0.6])


def scene_meshes(spec: JsonObject, t: float) -> tuple[FloatArray, IntArray, FloatArray, IntArray, FloatArray, list[Label], list[Vec3], IntArray]:
    """Every mesh in the shot at time t, concatenated.

    Returns (vertices, quads, base_rgb per quad, box index per quad or -1 for figure faces,
    box centres, labels [(name, (x, y, z))], figures [(x, y, height)], the first vertex of each
    figure and set piece).
    """
    starts: list[int] = []
    vertices: list[FloatArray] = []
    quads: list[IntArray] = []
    colours: list[FloatArray] = []
    boxes: list[IntArray] = []
    centres: list[Vec3] = []
    labels: list[Label] = []
    figures: list[Vec3] = []
    offset = 0
    for character in spec["characters"]:
        x, y, facing = character_at(character, t)
        template_v, template_q, part = figure_template(round(character["height_m"], 3), character["pose"], character["build"])
        head = _hex_rgb(character["colour"])
        body = head * 0.35 + BODY_GREY * 0.65  # a grey body tinted by the character's colour
        palette = np.stack([body, head, CHAIR_RGB])
        starts.append(offset)
        placed = _turn(template_v, facing, x, y)
        turned = head_bearing(character, spec["characters"], t)
        if turned != facing:  # the eyeline: the head (part 1) turns about the neck, the body stays
            head_vertices = np.unique(template_q[part == 1])
            placed[head_vertices] = _turn(template_v[head_vertices], turned, x, y)
        vertices.append(placed)
        quads.append(template_q + offset)
        colours.append(palette[part])
        boxes.append(np.full(len(template_q), -1))
        offset += len(template_v)
        marks = body_landmarks(character["height_m"], character["pose"])
        labels.append((character["name"], (x, y, marks["head_top"] + 0.08)))
        figures.append((x, y, character["height_m"]))
    for piece in spec["set_pieces"]:
        box_v, box_q = _box(piece["size"])
        px, py, pz = piece["position"]
        starts.append(offset)
        vertices.append(_turn(box_v, piece["rotation_deg"], px, py, pz))
        quads.append(box_q + offset)
        colours.append(np.tile(_hex_rgb(piece["colour"]), (6, 1)))
        boxes.append(np.full(6, len(centres)))
        centres.append((px, py, pz + piece["size"][2] / 2))
        offset += 8
    if not quads:
        empty = np.zeros((0, 3))
        return empty, np.zeros((0, 4), dtype=np.int64), empty, np.zeros(0, dtype=np.int64), empty, labels, figures, np.zeros(0, dtype=np.int64)
    return (
        np.concatenate(vertices),
        np.concatenate(quads),
        np.concatenate(colours),
        np.concatenate(boxes),
        np.array(centres, dtype=np.float64).reshape(-1, 3),
        labels,
        figures,
        np.array(starts, dtype=np.int64),
    )


# --- Drawing helpers -----------------------------------------------------------------------


def _clip_halfplane(polygon: Sequence[tuple[float, float]], a: float, b: float, c: float) -> list[tuple[float, float]]:
    """Keep the part of a 2-D polygon where a·x + b·y + c ≥ 0 (Sutherland–Hodgman, one edge)."""
    out: list[tuple[float, float]] = []
    count = len(polygon)
    for i in range(count):
        x0, y0 = polygon[i]
        x1, y1 = polygon[(i + 1) % count]
        s0 = a * x0 + b * y0 + c
        s1 = a * x1 + b * y1 + c
        if s0 >= 0:
            out.append((x0, y0))
        if (s0 >= 0) != (s1 >= 0):
            u = s0 / (s0 - s1)
            out.append((x0 + (x1 - x0) * u, y0 + (y1 - y0) * u))
    return out


def _clip_near(points_cam: Sequence[Sequence[float]]) -> list[Sequence[float]]:
    """Clip a camera-space polygon (list of (x, depth, z)) to depth ≥ the near plane."""
    out: list[Sequence[float]] = []
    count = len(points_cam)
    for i in range(count):
        p0 = points_cam[i]
        p1 = points_cam[(i + 1) % count]
        in0 = p0[1] >= NEAR_CLIP_M
        in1 = p1[1] >= NEAR_CLIP_M
        if in0:
            out.append(p0)
        if in0 != in1:
            u = (NEAR_CLIP_M - p0[1]) / (p1[1] - p0[1])
            out.append(tuple(p0[k] + (p1[k] - p0[k]) * u for k in range(3)))
    return out


def _mix(colour_a: Sequence[float], colour_b: Sequence[float], amount: float) -> tuple[int, ...]:
    return tuple(int(round(a + (b - a) * amount)) for a, b in zip(colour_a, colour_b))


@lru_cache(maxsize=16)
def _font(size: int) -> Font:
    return ImageFont.load_default(size=size)


def _shade_lut(level: float) -> list[int]:
    return [min(255, int(v * level)) for v in range(256)] * 3


class _View:
    """The camera's projection for one image: pixel maths shared by the drawing steps."""

    def __init__(self, camera: Camera, width: int, height: int) -> None:
        self.camera = camera
        self.width = width
        self.height = height
        self.focal = camera.focal_px(width, height)
        self.right, self.forward, self.up = camera.basis()
        self.origin = np.asarray(camera.position, dtype=np.float64)
        self.matrix = np.stack([self.right, self.forward, self.up])  # world -> camera rows
        self.cx = width / 2 - 0.5  # the principal point in Pillow drawing coordinates
        self.cy = height / 2 - 0.5

    def to_camera(self, points: FloatArray) -> FloatArray:
        return (points - self.origin) @ self.matrix.T

    def to_pixels(self, cam: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Camera-space points (depth ≥ near) -> Pillow drawing coordinates.

        Pillow puts pixel i's centre at coordinate i and fills every pixel whose index lies
        between floor(min) and floor(max), so the continuous image position (pixel i covers
        [i, i + 1)) is shifted by half a pixel: edges then land within a pixel of the optics.
        """
        depth = cam[..., 1]
        return self.cx + self.focal * cam[..., 0] / depth, self.cy - self.focal * cam[..., 2] / depth

    def ground_line(self) -> tuple[float, float, float]:
        """(α, β, γ): the world-up component of the ray through pixel (x, y) is α·x + β·y + γ.

        The ray is scaled to unit depth, so on the floor depth = -camera_z / (α·x + β·y + γ).
        """
        f = self.focal
        rz, fz, uz = self.right[2], self.forward[2], self.up[2]
        return rz / f, -uz / f, fz - rz * self.width / (2 * f) + uz * self.height / (2 * f)


def _draw_background(draw: ImageDraw.ImageDraw, view: _View, light: _Light, image_rect: list[tuple[float, float]]) -> None:
    """Sky and floor as bands between straight lines of equal depth / equal elevation."""
    alpha, beta, gamma = view.ground_line()
    camera_z = view.origin[2]
    ground = np.array(light["ground_lit"], dtype=np.float64)
    horizon = np.array(light["horizon"], dtype=np.float64)
    zenith = np.array(light["zenith"], dtype=np.float64)
    bands: list[tuple[float, float, FloatArray]] = []  # (low g, high g, colour)
    # Floor: band i spans depths [d_i, d_i+1], i.e. g in [-z/d_i, -z/d_i+1].
    edges = [-1e9] + [-camera_z / d for d in GROUND_BAND_DEPTHS] + [0.0]
    depths = [GROUND_BAND_DEPTHS[0] * 0.6] + [math.sqrt(a * b) for a, b in zip(GROUND_BAND_DEPTHS, GROUND_BAND_DEPTHS[1:])] + [GROUND_BAND_DEPTHS[-1] * 2]
    for (low, high), depth in zip(zip(edges, edges[1:]), depths):
        haze = 1.0 - math.exp(-depth / light["haze_m"])
        bands.append((low, high, ground + (horizon - ground) * haze))
    # Sky: g ≥ 0, graded by elevation from the horizon colour up to the zenith.
    steps = [math.tan(math.radians(90.0 * (i / SKY_BANDS) ** 1.6)) if i < SKY_BANDS else 1e9 for i in range(SKY_BANDS + 1)]
    for i, (low, high) in enumerate(zip(steps, steps[1:])):
        amount = ((i + 0.5) / SKY_BANDS) ** 0.7
        bands.append((low, high, horizon + (zenith - horizon) * amount))
    # Most bands miss the picture: g is affine, so its range over the picture is its range over the corners.
    corners = [alpha * x + beta * y + gamma for x, y in image_rect]
    lowest, highest = min(corners), max(corners)
    for low, high, colour in bands:
        if high < lowest or low > highest:
            continue
        band = _clip_halfplane(image_rect, alpha, beta, gamma - low)
        band = _clip_halfplane(band, -alpha, -beta, high - gamma) if band else band
        if len(band) >= 3:
            draw.polygon(band, fill=tuple(int(v) for v in np.round(colour)))


def _grid_area(spec: JsonObject, view: _View, figures: list[Vec3]) -> Rect:
    """Square patch of floor worth gridding: around the camera, what it looks at and the cast."""
    xs: list[float] = [view.origin[0]]
    ys: list[float] = [view.origin[1]]
    forward = view.forward
    reach = 30.0
    if forward[2] < -1e-3:
        reach = min(150.0, view.origin[2] / -forward[2])
    horizontal = math.hypot(forward[0], forward[1]) or 1.0
    xs.append(view.origin[0] + forward[0] / horizontal * reach)
    ys.append(view.origin[1] + forward[1] / horizontal * reach)
    for x, y, _h in figures:
        xs.append(x)
        ys.append(y)
    for piece in spec["set_pieces"]:
        xs.append(piece["position"][0])
        ys.append(piece["position"][1])
    pad = 8.0
    return min(xs) - pad, max(xs) + pad, min(ys) - pad, max(ys) + pad


def _draw_grid(draw: ImageDraw.ImageDraw, spec: JsonObject, view: _View, light: _Light, figures: list[Vec3]) -> None:
    x0, x1, y0, y1 = _grid_area(spec, view, figures)
    spacing = 1.0 if max(x1 - x0, y1 - y0) <= 80 else 5.0
    x0, x1 = math.floor(x0 / spacing) * spacing, math.ceil(x1 / spacing) * spacing
    y0, y1 = math.floor(y0 / spacing) * spacing, math.ceil(y1 / spacing) * spacing
    # Each line is cut into pieces a few metres long, so distant pieces can fade into the haze.
    piece = max(2.0, spacing * 4)

    def pieces(lines: FloatArray, along_from: float, along_to: float) -> tuple[FloatArray, FloatArray, FloatArray]:
        """(line, start, stop) of every piece, line by line."""
        line, start = (a.ravel() for a in np.meshgrid(lines, np.arange(along_from, along_to, piece), indexing="ij"))
        return line, start, np.minimum(start + piece, along_to)

    xs, y_start, y_stop = pieces(np.arange(x0, x1 + spacing / 2, spacing), y0, y1)  # lines running north
    ys, x_start, x_stop = pieces(np.arange(y0, y1 + spacing / 2, spacing), x0, x1)  # lines running east
    if not len(xs) + len(ys):
        return
    ends = np.zeros((len(xs) + len(ys), 2, 3))  # on the floor, z = 0
    ends[:, 0, 0] = np.concatenate([xs, x_start])
    ends[:, 0, 1] = np.concatenate([y_start, ys])
    ends[:, 1, 0] = np.concatenate([xs, x_stop])
    ends[:, 1, 1] = np.concatenate([y_stop, ys])
    major = np.round(np.concatenate([xs, ys]) / spacing) % 5 == 0
    cam = view.to_camera(ends.reshape(-1, 3)).reshape(-1, 2, 3)
    d0, d1 = cam[:, 0, 1], cam[:, 1, 1]
    keep = (d0 > NEAR_CLIP_M) | (d1 > NEAR_CLIP_M)
    cam, major = cam[keep], major[keep]
    d0, d1 = cam[:, 0, 1], cam[:, 1, 1]
    # Clip each segment to the near plane.
    for end, depth, other in ((0, d0, d1), (1, d1, d0)):
        behind = depth < NEAR_CLIP_M
        if behind.any():
            u = (NEAR_CLIP_M - depth[behind]) / (other[behind] - depth[behind])
            start = cam[behind, end]
            cam[behind, end] = start + (cam[behind, 1 - end] - start) * u[:, None]
    px, py = view.to_pixels(cam)
    w, h = view.width, view.height
    inside = ~(((px < 0).all(1)) | ((px > w).all(1)) | ((py < 0).all(1)) | ((py > h).all(1)))
    mid_depth = cam[:, :, 1].mean(1)
    ground = np.array(light["ground_lit"], dtype=np.float64)
    horizon = np.array(light["horizon"], dtype=np.float64)
    line_minor = ground * 0.78
    line_major = ground * 0.62
    haze = 1.0 - np.exp(-mid_depth / light["haze_m"])
    # Lines thin out toward the horizon: fade them by how far apart they are on screen.
    density = np.clip(view.focal * spacing * view.origin[2] / np.maximum(mid_depth, 1e-3) ** 2 / 6.0, 0.0, 1.0)
    shown = np.nonzero(inside)[0]
    base = np.where(major[shown, None], line_major, line_minor)
    tone = ground + (base - ground) * density[shown, None]
    tone = (tone + (horizon - tone) * haze[shown, None]).astype(int)
    lines = np.stack([px[shown, 0], py[shown, 0], px[shown, 1], py[shown, 1]], 1)
    line = draw.line
    for xy, fill in zip(lines.tolist(), tone.tolist()):
        line(xy, fill=tuple(fill), width=1)


def _draw_shadows(draw: ImageDraw.ImageDraw, view: _View, light: _Light, figures: list[Vec3], key_direction: FloatArray) -> None:
    """Soft-edged blob under each figure, pushed away from the key light."""
    if not figures:
        return
    dark = tuple(int(v * 0.62) for v in light["ground_lit"])
    elevation = max(math.radians(8.0), math.asin(max(-1.0, min(1.0, key_direction[2]))))
    stretch = min(3.0, 1.0 / math.tan(elevation) * 0.35 + 1.0)
    away = -np.array(key_direction[:2])
    norm = np.linalg.norm(away)
    away = away / norm if norm > 1e-6 else np.array([0.0, 1.0])
    angles = np.linspace(0, 2 * math.pi, 16, endpoint=False)
    for x, y, height in figures:
        radius = 0.16 * height
        local = np.stack([np.cos(angles) * radius, np.sin(angles) * radius], 1)
        along = local @ away
        local = local + np.outer(along.clip(0) * (stretch - 1), away)
        ring = np.column_stack([local[:, 0] + x, local[:, 1] + y, np.full(len(angles), 0.002)])
        cam = view.to_camera(ring)
        if (cam[:, 1] < NEAR_CLIP_M).any():
            points = _clip_near([tuple(p) for p in cam.tolist()])
            if len(points) < 3:
                continue
            cam = np.array(points)
        px, py = view.to_pixels(cam)
        draw.polygon(list(zip(px.tolist(), py.tolist())), fill=dark)


SHADOW_MIN_ELEVATION_DEG = 3.0  # a sun on the horizon casts no usable shadow (it would be endless)
SHADOW_MAX_LENGTH = 12.0  # × the caster's height: the low sun of a dawn still ends somewhere
_HULL_ANGLES = np.linspace(0.0, 2 * math.pi, 48, endpoint=False)
HULL_DIRECTIONS = np.stack([np.cos(_HULL_ANGLES), np.sin(_HULL_ANGLES)])  # (2, 48)


def _hull(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Convex hull (Andrew's monotone chain), counter-clockwise."""
    points = sorted(set(points))
    if len(points) < 3:
        return points

    def half(sequence: list[tuple[float, float]]) -> list[tuple[float, float]]:
        chain: list[tuple[float, float]] = []
        for p in sequence:
            while len(chain) >= 2 and (chain[-1][0] - chain[-2][0]) * (p[1] - chain[-2][1]) - (chain[-1][1] - chain[-2][1]) * (p[0] - chain[-2][0]) <= 0:
                chain.pop()
            chain.append(p)
        return chain

    lower, upper = half(points), half(points[::-1])
    return lower[:-1] + upper[:-1]


def _draw_cast_shadows(draw: ImageDraw.ImageDraw, view: _View, light: _Light, key_direction: FloatArray, vertices: FloatArray, object_starts: IntArray) -> None:
    """The shadows figures and set pieces cast on the floor: each object's vertices pushed along
    the key's rays down to the floor (a planar projected shadow, exact for a convex caster on a
    flat floor), filled as their convex hull in the floor's unlit colour, hazed by distance.

    Drawn on the floor before the meshes, so whatever stands in front still covers them; they are
    not cast onto other objects (a known limit, like the painter's sorting).
    """
    if not len(vertices) or math.degrees(math.asin(max(-1.0, min(1.0, float(key_direction[2]))))) < SHADOW_MIN_ELEVATION_DEG:
        return
    run = key_direction[:2] / key_direction[2]  # horizontal travel per metre of height, away from the light
    shadow = np.array(light["ground_shadow"], dtype=np.float64)
    horizon = np.array(light["horizon"], dtype=np.float64)
    # One caster per figure and per set piece: scene_meshes lays each object's vertices out in one run.
    casters = np.split(vertices, object_starts[1:]) if len(object_starts) else []
    for points in casters:
        height = float(points[:, 2].max())
        if height <= 0.0:
            continue
        lift = np.minimum(points[:, 2], height * SHADOW_MAX_LENGTH / max(1e-6, float(np.hypot(*run))))
        floor = points[:, :2] - np.outer(lift, run)
        # The outline's corners are the points furthest out along a ring of directions (a
        # figure has hundreds of vertices; this keeps the Python hull to a few dozen).
        extreme = np.unique(np.argmax(floor @ HULL_DIRECTIONS, axis=0))
        outline = _hull([(float(x), float(y)) for x, y in np.round(floor[extreme], 3).tolist()])
        if len(outline) < 3:
            continue
        ring = np.column_stack([np.array(outline), np.full(len(outline), 0.001)])
        cam = view.to_camera(ring)
        if (cam[:, 1] < NEAR_CLIP_M).all():
            continue
        if (cam[:, 1] < NEAR_CLIP_M).any():
            clipped = _clip_near([tuple(p) for p in cam.tolist()])
            if len(clipped) < 3:
                continue
            cam = np.array(clipped)
        haze = 1.0 - math.exp(-max(0.0, float(cam[:, 1].mean())) / light["haze_m"])
        fill = tuple(int(v) for v in np.round(shadow + (horizon - shadow) * haze))
        px, py = view.to_pixels(cam)
        draw.polygon(list(zip(px.tolist(), py.tolist())), fill=fill)


def _light(spec: JsonObject) -> tuple[_Light, FloatArray, FloatArray]:
    """The scene's light (previs.light) with the floor's own shading, lit and in shadow."""
    environment = spec["environment"]
    key = environment["key_light"]
    scene = scene_light(environment["time_of_day"], environment["setting"], key["azimuth_deg"], key["elevation_deg"])
    direction = np.array(scene["direction"])
    key_colour = np.array(scene["key"])
    ground = np.array(scene["ground"])
    floor_light = scene["ambient"] + scene["key_strength"] * max(0.0, direction[2])
    lit = np.clip(ground * floor_light * key_colour / 0.85, 0, 255)
    shadow = np.clip(ground * scene["ambient"] / 0.85, 0, 255)
    light: _Light = {**scene, "ground_lit": tuple(int(v) for v in lit), "ground_shadow": tuple(int(v) for v in shadow)}
    return light, direction, key_colour


# --- The frame ----------------------------------------------------------------------------


@overload
def draw_frame(
    spec: JsonObject, camera: JsonObject, width: int, height: int, t: float = 0.0, *, with_depth: Literal[True] = True
) -> tuple[Image.Image, Image.Image]: ...
@overload
def draw_frame(spec: JsonObject, camera: JsonObject, width: int, height: int, t: float = 0.0, *, with_depth: Literal[False]) -> tuple[Image.Image, None]: ...
def draw_frame(
    spec: JsonObject, camera: JsonObject, width: int, height: int, t: float = 0.0, *, with_depth: bool = True
) -> tuple[Image.Image, Image.Image | None]:
    """Draw a normalized spec through a camera dict: (colour RGB image, depth I;16 image or None)."""
    if width < 2 or height < 2:
        raise ValueError("A frame needs at least 2×2 pixels.")
    camera = dict(camera)
    position = list(camera["position"])
    position[2] = max(position[2], 0.01)  # the lens never goes through the floor
    camera["position"] = position
    view = _View(Camera.from_spec(camera), width, height)
    light, key_direction, key_colour = _light(spec)

    colour = Image.new("RGB", (width, height), light["horizon"])
    draw = ImageDraw.Draw(colour)
    image_rect = [(0.0, 0.0), (float(width), 0.0), (float(width), float(height)), (0.0, float(height))]
    _draw_background(draw, view, light, image_rect)
    vertices, quads, base_rgb, box_of, box_centres, labels, figures, object_starts = scene_meshes(spec, t)
    if spec["environment"]["ground_grid"]:
        _draw_grid(draw, spec, view, light, figures)
    _draw_shadows(draw, view, light, figures, key_direction)
    _draw_cast_shadows(draw, view, light, key_direction, vertices, object_starts)

    # Depth buffer: every drawn face writes its number into an id image with the same polygon as
    # the colour; the floor is face 0. The inverse depth of face k is a[k]·col + b[k]·row + c[k].
    alpha, beta, gamma = view.ground_line()
    camera_z = view.origin[2]
    floor_abc = (-alpha / camera_z, -beta / camera_z, -(gamma + (alpha + beta) * 0.5) / camera_z)
    ids = Image.new("I;16", (width, height), 0) if with_depth else None
    coefficients: list[Sequence[float]] = [floor_abc]
    if len(quads):
        _draw_meshes(
            draw,
            ImageDraw.Draw(ids) if ids is not None else None,
            coefficients,
            view,
            light,
            key_direction,
            key_colour,
            vertices,
            quads,
            base_rgb,
            box_of,
            box_centres,
        )
    _draw_labels(draw, view, labels)
    frame_rect = view.camera.frame_rect(width, height)
    _draw_guides(draw, spec, frame_rect)
    _matte(colour, frame_rect)

    depth = None
    if ids is not None:
        depth_mm = np.empty((height, width), dtype=np.uint16)
        _depth_from_faces(np.asarray(ids), np.array(coefficients, dtype=np.float64), depth_mm)
        depth = Image.fromarray(depth_mm)
    return colour, depth


MAX_DEPTH_FACES = 65535  # face numbers live in a 16-bit id image


@njit(cache=True, nogil=True)
def _depth_from_faces(face: npt.NDArray[np.uint16], planes: FloatArray, out: npt.NDArray[np.uint16]) -> None:
    """Depth in millimetres per pixel from the face-number image: 1000 / (a·col + b·row + c) of its face.

    Compiled, because in numpy this one step was half the frame: three gathers and a handful of
    full-frame temporaries. Here it is one pass. 0 where the ray meets nothing (the sky);
    saturates at DEPTH_MAX_MM.
    """
    rows, cols = face.shape
    for row in range(rows):
        for col in range(cols):
            k = face[row, col]
            inverse = planes[k, 0] * col + planes[k, 1] * row + planes[k, 2]
            if inverse <= 0.0:
                out[row, col] = 0
            else:
                millimetres = 1000.0 / inverse
                out[row, col] = DEPTH_MAX_MM if millimetres >= DEPTH_MAX_MM else int(millimetres)


def _draw_meshes(
    draw: ImageDraw.ImageDraw,
    id_draw: ImageDraw.ImageDraw | None,
    coefficients: list[Sequence[float]],
    view: _View,
    light: _Light,
    key_direction: FloatArray,
    key_colour: FloatArray,
    vertices: FloatArray,
    quads: IntArray,
    base_rgb: FloatArray,
    box_of: IntArray,
    box_centres: FloatArray,
) -> None:
    world = vertices[quads]  # (faces, 4, 3)
    normals = np.cross(world[:, 2] - world[:, 0], world[:, 3] - world[:, 1])
    length = np.linalg.norm(normals, axis=1)
    valid = length > 1e-12
    normals = normals / np.where(valid, length, 1.0)[:, None]
    cam = view.to_camera(world.reshape(-1, 3)).reshape(-1, 4, 3)
    cam_normals = normals @ view.matrix.T
    centroid = cam.mean(axis=1)
    # Back faces look away from the lens: dot(normal, point - lens) ≥ 0.
    front = (cam_normals * centroid).sum(1) < 0
    depth = cam[:, :, 1]
    in_front = depth.max(1) > NEAR_CLIP_M
    keep = valid & front & in_front
    idx = np.nonzero(keep)[0]
    if not len(idx):
        return
    cam, cam_normals, centroid, depth = cam[idx], cam_normals[idx], centroid[idx], depth[idx]
    normals, base_rgb, box_of = normals[idx], base_rgb[idx], box_of[idx]
    needs_clip = depth.min(1) < NEAR_CLIP_M
    safe = np.where(needs_clip[:, None, None], np.maximum(cam, [[[-1e9, NEAR_CLIP_M, -1e9]]]), cam)
    px, py = view.to_pixels(safe)
    w, h = view.width, view.height
    on_screen = needs_clip | ~(((px < 0).all(1)) | ((px > w).all(1)) | ((py < 0).all(1)) | ((py > h).all(1)))
    sel = np.nonzero(on_screen)[0]
    cam, cam_normals, centroid, normals, base_rgb, box_of, needs_clip = (
        cam[sel],
        cam_normals[sel],
        centroid[sel],
        normals[sel],
        base_rgb[sel],
        box_of[sel],
        needs_clip[sel],
    )
    px, py = px[sel], py[sel]

    # Lambert key + sky fill, then haze with distance like the floor.
    lambert = np.clip(normals @ key_direction, 0.0, None)
    sky_fill = 0.8 + 0.2 * normals[:, 2]  # sky from above, bounce from the floor below
    shade = light["ambient"] * sky_fill[:, None] + light["key_strength"] * lambert[:, None] * key_colour[None, :]
    rgb = np.clip(base_rgb * shade, 0.0, 1.0) * 255.0
    haze = 1.0 - np.exp(-np.maximum(centroid[:, 1], 0.0) / light["haze_m"])
    rgb = rgb + (np.array(light["horizon"], dtype=np.float64) - rgb) * haze[:, None]
    fills = [tuple(c) for c in np.round(rgb).astype(int).tolist()]

    # Plane of each face in camera space: n·p = k. Along the pixel ray (u, 1, v) scaled to depth s,
    # 1/s = (n_x·u + n_y + n_z·v) / k, affine in the pixel column and row.
    f = view.focal
    k = (cam_normals * cam[:, 0]).sum(1)
    k = np.where(np.abs(k) < 1e-12, -1e-12, k)
    nx, ny, nz = cam_normals[:, 0], cam_normals[:, 1], cam_normals[:, 2]
    coef_a = nx / (k * f)
    coef_b = -nz / (k * f)
    coef_c = (nx * (0.5 - w / 2) / f + ny - nz * (0.5 - h / 2) / f) / k

    # Painter's order, far to near: boxes by their centre (all their faces together), figure faces one by one.
    sort_depth = centroid[:, 1].copy()
    is_box = box_of >= 0
    if is_box.any():
        centres_cam = view.to_camera(box_centres)
        sort_depth[is_box] = centres_cam[box_of[is_box], 1]
    order = np.lexsort((np.arange(len(sort_depth)), -sort_depth))
    flat = np.stack([px, py], axis=-1).reshape(len(px), 8).tolist()
    planes = np.stack([coef_a, coef_b, coef_c], axis=1).tolist()
    clip_flags = needs_clip.tolist()
    polygon = draw.polygon
    id_polygon = id_draw.polygon if id_draw is not None else None
    for i in order.tolist():
        if clip_flags[i]:
            points = _clip_near([tuple(p) for p in cam[i].tolist()])
            if len(points) < 3:
                continue
            qx, qy = view.to_pixels(np.array(points))
            xy = list(zip(qx.tolist(), qy.tolist()))
        else:
            xy = flat[i]
        polygon(xy, fill=fills[i])
        if id_polygon is not None and len(coefficients) < MAX_DEPTH_FACES:
            id_polygon(xy, fill=len(coefficients))
            coefficients.append(planes[i])


def _draw_labels(draw: ImageDraw.ImageDraw, view: _View, labels: list[Label]) -> None:
    if not labels:
        return
    size = max(10, int(round(view.height / 42)))
    font = _font(size)
    points = np.array([p for _name, p in labels], dtype=np.float64)
    cam = view.to_camera(points)
    for (name, _p), point in zip(labels, cam.tolist()):
        if point[1] < max(NEAR_CLIP_M, 0.3) or not name:
            continue
        x = view.cx + view.focal * point[0] / point[1]
        y = view.cy - view.focal * point[2] / point[1]
        if -200 < x < view.width + 200 and -50 < y < view.height + 50:
            draw.text((x, y), name, fill=LABEL_COLOUR, font=font, anchor="md", stroke_width=max(1, size // 8), stroke_fill=(20, 20, 20))


def _draw_guides(draw: ImageDraw.ImageDraw, spec: JsonObject, frame_rect: Rect) -> None:
    x0, y0, x1, y1 = frame_rect
    w, h = x1 - x0, y1 - y0
    if spec["guides"]["thirds"]:
        for k in (1, 2):
            draw.line((x0 + w * k / 3, y0, x0 + w * k / 3, y1), fill=GUIDE_COLOUR, width=1)
            draw.line((x0, y0 + h * k / 3, x1, y0 + h * k / 3), fill=GUIDE_COLOUR, width=1)
    if spec["guides"]["safe_area"]:
        # Action safe 93 %, title safe 90 % of the frame (SMPTE RP 2046-1 / EBU R 95).
        for fraction in (0.93, 0.90):
            mx, my = w * (1 - fraction) / 2, h * (1 - fraction) / 2
            draw.rectangle((x0 + mx, y0 + my, x1 - mx, y1 - my), outline=GUIDE_COLOUR, width=1)


def _matte(image: Image.Image, frame_rect: Rect) -> None:
    """Darken what lies outside the delivery frame lines and draw the frame line."""
    width, height = image.size
    x0, y0, x1, y1 = (int(round(v)) for v in frame_rect)
    strips: list[tuple[int, int, int, int]] = []
    if y0 > 0:
        strips += [(0, 0, width, y0), (0, y1, width, height)]
    if x0 > 0:
        strips += [(0, 0, x0, height), (x1, 0, width, height)]
    if not strips:
        return
    lut = _shade_lut(MATTE_LEVEL)
    for box in strips:
        if box[2] > box[0] and box[3] > box[1]:
            image.paste(image.crop(box).point(lut), box)
    ImageDraw.Draw(image).rectangle((x0, y0, x1 - 1, y1 - 1), outline=(90, 90, 90), width=1)


# --- The camera plot -----------------------------------------------------------------------

PLAN_BACKGROUND = (244, 243, 238)
PLAN_GRID = (222, 221, 214)
PLAN_GRID_MAJOR = (200, 199, 190)
PLAN_INK = (40, 40, 44)
PLAN_CAMERA = (200, 40, 40)


def render_plan(spec: JsonObject, size: int | tuple[int, int] = PLAN_SIZE, t: float = 0.0) -> Image.Image:
    """Top-down camera plot: north up, 1 m grid, scale bar, set pieces, characters, camera and FOV.

    `size` is an int (square) or (width, height).
    """
    spec = normalize_spec(spec)
    width, height = (size, size) if isinstance(size, int) else (int(size[0]), int(size[1]))
    camera = camera_at(spec, t)
    cam = Camera.from_spec(camera)
    hfov, _vfov = cam.field_of_view()
    cx, cy = camera["position"][0], camera["position"][1]

    # Fit the camera, its move, the cast, their walks and the set.
    xs, ys = [cx], [cy]
    duration = spec["duration_s"]
    camera_track = [camera_at(spec, duration * i / 16)["position"][:2] for i in range(17)] if spec["move"]["type"] != "static" and duration > 0 else []
    for px, py in camera_track:
        xs.append(px)
        ys.append(py)
    subject_distance = 4.0
    for character in spec["characters"]:
        x, y, _f = character_at(character, t)
        xs.append(x)
        ys.append(y)
        for _t, kx, ky in character["path"] or ():
            xs.append(kx)
            ys.append(ky)
        subject_distance = max(subject_distance, math.dist((x, y), (cx, cy)) + 1.0)
    for piece in spec["set_pieces"]:
        half = math.hypot(piece["size"][0], piece["size"][1]) / 2
        xs += [piece["position"][0] - half, piece["position"][0] + half]
        ys += [piece["position"][1] - half, piece["position"][1] + half]
    subject_distance = min(subject_distance, 60.0)
    span_x = max(xs) - min(xs)
    span_y = max(ys) - min(ys)
    span = max(span_x, span_y, 4.0) * 1.25 + 1.0
    scale = min(width, height) / span  # pixels per metre
    mid_x, mid_y = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2

    def to_px(x: float, y: float) -> tuple[float, float]:
        return width / 2 + (x - mid_x) * scale, height / 2 - (y - mid_y) * scale

    image = Image.new("RGB", (width, height), PLAN_BACKGROUND)
    draw = ImageDraw.Draw(image)
    font = _font(max(9, min(width, height) // 40))

    # Grid: 1 m, or 5 m when 1 m lines would crowd.
    spacing = 1.0 if scale >= 6 else (5.0 if scale >= 1.2 else 25.0)
    left, top = mid_x - width / 2 / scale, mid_y + height / 2 / scale
    right, bottom = mid_x + width / 2 / scale, mid_y - height / 2 / scale
    x = math.floor(left / spacing) * spacing
    while x <= right:
        colour = PLAN_GRID_MAJOR if round(x / spacing) % 5 == 0 else PLAN_GRID
        draw.line((*to_px(x, top), *to_px(x, bottom)), fill=colour)
        x += spacing
    y = math.floor(bottom / spacing) * spacing
    while y <= top:
        colour = PLAN_GRID_MAJOR if round(y / spacing) % 5 == 0 else PLAN_GRID
        draw.line((*to_px(left, y), *to_px(right, y)), fill=colour)
        y += spacing

    # Set pieces: rotated footprints.
    for piece in spec["set_pieces"]:
        w, d, _h = piece["size"]
        corners = _turn(
            np.array([[-w / 2, -d / 2, 0], [w / 2, -d / 2, 0], [w / 2, d / 2, 0], [-w / 2, d / 2, 0]]),
            piece["rotation_deg"],
            piece["position"][0],
            piece["position"][1],
        )
        rgb = tuple(int(v * 255 * 0.85 + 0.15 * 244) for v in _hex_rgb(piece["colour"]))
        draw.polygon([to_px(px, py) for px, py, _z in corners.tolist()], fill=rgb, outline=PLAN_INK)
        label_x, label_y = to_px(piece["position"][0], piece["position"][1])
        draw.text((label_x, label_y), piece["name"], fill=PLAN_INK, font=font, anchor="mm")

    # Camera: frustum wedge from the real horizontal field of view, then the body.
    yaw = camera["yaw_deg"]
    reach = subject_distance
    left_edge = bearing_vector(yaw - hfov / 2)
    right_edge = bearing_vector(yaw + hfov / 2)
    wedge = [to_px(cx, cy), to_px(cx + left_edge[0] * reach, cy + left_edge[1] * reach), to_px(cx + right_edge[0] * reach, cy + right_edge[1] * reach)]
    overlay = Image.new("RGB", (width, height), PLAN_BACKGROUND)
    ImageDraw.Draw(overlay).polygon(wedge, fill=(255, 214, 190))
    mask = Image.new("L", (width, height), 0)
    ImageDraw.Draw(mask).polygon(wedge, fill=110)
    image.paste(overlay, (0, 0), mask)
    draw = ImageDraw.Draw(image)
    draw.line(wedge[:2], fill=PLAN_CAMERA, width=1)
    draw.line((wedge[0], wedge[2]), fill=PLAN_CAMERA, width=1)
    if len(camera_track) > 1:
        draw.line([to_px(px, py) for px, py in camera_track], fill=PLAN_CAMERA, width=2)

    # Characters: a disc in their colour, a tick for where they face, their walk, their name.
    radius_m = 0.25
    for character in spec["characters"]:
        if character["path"]:
            draw.line([to_px(kx, ky) for _t, kx, ky in character["path"]], fill=(120, 120, 130), width=1)
        x, y, facing = character_at(character, t)
        px, py = to_px(x, y)
        r = max(4.0, radius_m * scale)
        draw.ellipse((px - r, py - r, px + r, py + r), fill=character["colour"], outline=PLAN_INK)
        fx, fy = bearing_vector(facing)
        draw.line((px, py, px + fx * r * 1.8, py - fy * r * 1.8), fill=PLAN_INK, width=2)
        draw.text((px, py + r + 2), character["name"], fill=PLAN_INK, font=font, anchor="mt")

    # Camera body: a small rectangle turned to the yaw, lens toward the wedge.
    body = max(5.0, 0.3 * scale)
    fx, fy = bearing_vector(yaw)
    rx, ry = bearing_vector(yaw + 90)
    ccx, ccy = to_px(cx, cy)
    body_corners: list[tuple[float, float]] = []
    for along, across in ((-1.4, -1), (0.4, -1), (0.4, 1), (-1.4, 1)):
        body_corners.append((ccx + (fx * along + rx * across) * body, ccy - (fy * along + ry * across) * body))
    draw.polygon(body_corners, fill=PLAN_CAMERA, outline=PLAN_INK)
    caption = f"{camera['lens_mm']:g} mm  {hfov:.1f}° H  z {camera['position'][2]:.2f} m"
    draw.text((8, 8), caption, fill=PLAN_INK, font=font)

    # Scale bar: a round length about a fifth of the plot wide.
    target = width / 5 / scale
    bar_m = next((v for v in (0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000) if v >= target * 0.6), 1000)
    bar_px = bar_m * scale
    x0, y0 = 12, height - 16
    draw.rectangle((x0, y0 - 4, x0 + bar_px, y0), fill=PLAN_INK)
    draw.text((x0 + bar_px + 6, y0 + 2), f"{bar_m:g} m", fill=PLAN_INK, font=font, anchor="ls")
    # North arrow.
    nx0, ny0 = width - 18, 30
    draw.polygon([(nx0, ny0 - 14), (nx0 - 6, ny0), (nx0 + 6, ny0)], fill=PLAN_INK)
    draw.text((nx0, ny0 + 2), "N", fill=PLAN_INK, font=font, anchor="mt")
    return image
