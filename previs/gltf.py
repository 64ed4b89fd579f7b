"""A location's set in and out as glTF 2.0 (binary .glb or .gltf JSON with embedded buffers).

Export: each set piece is one node (named as the piece, its library kind and size in `extras`)
whose children are the boxes previs/sets.py breaks it into, each a scaled unit cube with the
piece's colour. glTF is y-up and metres; the plan's (x east, y north, z up) becomes glTF
(x, z up, -y), as Blender and every viewer expect.

Import: each top-level node becomes one piece, sized by the bounding box of its meshes (POSITION
accessors' min/max, which glTF requires, through the node transforms), turned by its yaw. A node
this module exported keeps its kind, name, size and colour. Pure Python (pygltflib), no Django.
"""

from __future__ import annotations

import json
import math
import struct
from collections.abc import Iterable, Mapping, Sequence

import pygltflib  # type: ignore[import-untyped]

from previs import sets
from previs.types import JsonObject

MAX_GLTF_BYTES = 20 * 1024 * 1024
Matrix = list[list[float]]


class GltfError(ValueError):
    """A file that is not a glTF this importer can read; the message says why."""


# --- Export ----------------------------------------------------------------------------------

# A unit cube centred on its base: x and z from -0.5 to 0.5, y (up) from 0 to 1; 24 vertices so
# each face has its own normal (flat shading).
_FACES = [
    ((1, 0, 0), [(0.5, 0, -0.5), (0.5, 1, -0.5), (0.5, 1, 0.5), (0.5, 0, 0.5)]),
    ((-1, 0, 0), [(-0.5, 0, 0.5), (-0.5, 1, 0.5), (-0.5, 1, -0.5), (-0.5, 0, -0.5)]),
    ((0, 1, 0), [(-0.5, 1, -0.5), (-0.5, 1, 0.5), (0.5, 1, 0.5), (0.5, 1, -0.5)]),
    ((0, -1, 0), [(-0.5, 0, 0.5), (-0.5, 0, -0.5), (0.5, 0, -0.5), (0.5, 0, 0.5)]),
    ((0, 0, 1), [(0.5, 0, 0.5), (0.5, 1, 0.5), (-0.5, 1, 0.5), (-0.5, 0, 0.5)]),
    ((0, 0, -1), [(-0.5, 0, -0.5), (-0.5, 1, -0.5), (0.5, 1, -0.5), (0.5, 0, -0.5)]),
]


def _cube_buffer() -> tuple[bytes, int, int]:
    positions = b"".join(struct.pack("<3f", *corner) for _normal, corners in _FACES for corner in corners)
    normals = b"".join(struct.pack("<3f", *normal) for normal, corners in _FACES for _ in corners)
    indices = b"".join(struct.pack("<6H", 4 * f, 4 * f + 1, 4 * f + 2, 4 * f, 4 * f + 2, 4 * f + 3) for f in range(6))
    return positions + normals + indices, len(positions), len(normals)


def _yaw_quaternion(bearing_deg: float) -> list[float]:
    """glTF rotation (x, y, z, w) of a plan bearing: clockwise seen from above is negative about +y."""
    half = -math.radians(bearing_deg) / 2
    return [0.0, math.sin(half), 0.0, math.cos(half)]


def _hex_rgba(colour: str) -> list[float]:
    return [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)] + [1.0]


def export_set(pieces: Iterable[Mapping[str, object]], name: str = "set") -> bytes:
    """The set as a binary glTF (.glb)."""
    blob, positions_len, normals_len = _cube_buffer()
    gltf = pygltflib.GLTF2(
        asset=pygltflib.Asset(generator="Previs Studio", version="2.0"),
        scene=0,
        buffers=[pygltflib.Buffer(byteLength=len(blob))],
        bufferViews=[
            pygltflib.BufferView(buffer=0, byteOffset=0, byteLength=positions_len, target=pygltflib.ARRAY_BUFFER),
            pygltflib.BufferView(buffer=0, byteOffset=positions_len, byteLength=normals_len, target=pygltflib.ARRAY_BUFFER),
            pygltflib.BufferView(
                buffer=0, byteOffset=positions_len + normals_len, byteLength=len(blob) - positions_len - normals_len, target=pygltflib.ELEMENT_ARRAY_BUFFER
            ),
        ],
        accessors=[
            pygltflib.Accessor(bufferView=0, componentType=pygltflib.FLOAT, count=24, type=pygltflib.VEC3, min=[-0.5, 0.0, -0.5], max=[0.5, 1.0, 0.5]),
            pygltflib.Accessor(bufferView=1, componentType=pygltflib.FLOAT, count=24, type=pygltflib.VEC3),
            pygltflib.Accessor(bufferView=2, componentType=pygltflib.UNSIGNED_SHORT, count=36, type=pygltflib.SCALAR),
        ],
    )
    materials: dict[str, int] = {}
    roots: list[int] = []
    for piece in pieces:
        colour = str(piece["colour"])
        if colour not in materials:
            materials[colour] = len(gltf.materials)
            gltf.materials.append(
                pygltflib.Material(
                    name=colour, pbrMetallicRoughness=pygltflib.PbrMetallicRoughness(baseColorFactor=_hex_rgba(colour), metallicFactor=0.0, roughnessFactor=0.9)
                )
            )
            gltf.meshes.append(
                pygltflib.Mesh(primitives=[pygltflib.Primitive(attributes=pygltflib.Attributes(POSITION=0, NORMAL=1), indices=2, material=materials[colour])])
            )
        x, y = (float(v) for v in piece["position"])  # type: ignore[attr-defined]
        base = float(piece.get("elevation_m") or 0.0)  # type: ignore[arg-type]
        rotation = float(piece.get("rotation_deg") or 0.0)  # type: ignore[arg-type]
        children = []
        # The boxes in the piece's own frame: the same decomposition, with the piece at the origin.
        local = {**piece, "position": [0.0, 0.0], "rotation_deg": 0.0, "elevation_m": 0.0}
        for box in sets.piece_boxes(local):
            bx, by, bz = box["position"]
            w, d, h = box["size"]
            children.append(len(gltf.nodes))
            gltf.nodes.append(pygltflib.Node(mesh=materials[colour], translation=[bx, bz, -by], scale=[w, h, d]))
        roots.append(len(gltf.nodes))
        gltf.nodes.append(
            pygltflib.Node(
                name=str(piece["name"]),
                children=children,
                translation=[x, base, -y],
                rotation=_yaw_quaternion(rotation),
                extras={"previs_piece": {k: piece[k] for k in ("id", "kind", "size", "colour") if k in piece}},
            )
        )
    gltf.scenes = [pygltflib.Scene(name=name, nodes=roots)]
    gltf.set_binary_blob(blob)
    result: bytes = b"".join(gltf.save_to_bytes())
    return result


# --- Import ----------------------------------------------------------------------------------


def _load(data: bytes) -> pygltflib.GLTF2:
    if len(data) > MAX_GLTF_BYTES:
        raise GltfError(f"The file is larger than {MAX_GLTF_BYTES // (1024 * 1024)} MB.")
    try:
        if data[:4] == b"glTF":
            return pygltflib.GLTF2.load_from_bytes(data)
        document = json.loads(data.decode("utf-8"))
        if not isinstance(document, dict) or not isinstance(document.get("asset"), dict):
            raise GltfError("This is not a glTF file (no glTF header, no asset).")
        return pygltflib.GLTF2.from_dict(document)
    except GltfError:
        raise
    except Exception as error:  # pygltflib raises whatever its parser meets
        raise GltfError("This is not a glTF file this importer can read (a .glb or a .gltf with its data inside).") from error


def _matrix(node: pygltflib.Node) -> Matrix:
    if node.matrix:
        m = [float(v) for v in node.matrix]
        return [[m[col * 4 + row] for col in range(4)] for row in range(4)]  # column-major
    tx, ty, tz = node.translation or (0.0, 0.0, 0.0)
    qx, qy, qz, qw = node.rotation or (0.0, 0.0, 0.0, 1.0)
    sx, sy, sz = node.scale or (1.0, 1.0, 1.0)
    rot = [
        [1 - 2 * (qy * qy + qz * qz), 2 * (qx * qy - qz * qw), 2 * (qx * qz + qy * qw)],
        [2 * (qx * qy + qz * qw), 1 - 2 * (qx * qx + qz * qz), 2 * (qy * qz - qx * qw)],
        [2 * (qx * qz - qy * qw), 2 * (qy * qz + qx * qw), 1 - 2 * (qx * qx + qy * qy)],
    ]
    return [[rot[r][0] * sx, rot[r][1] * sy, rot[r][2] * sz, [tx, ty, tz][r]] for r in range(3)] + [[0.0, 0.0, 0.0, 1.0]]


def _times(a: Matrix, b: Matrix) -> Matrix:
    return [[sum(a[r][k] * b[k][c] for k in range(4)) for c in range(4)] for r in range(4)]


def _apply(m: Matrix, p: Sequence[float]) -> tuple[float, float, float]:
    return (
        m[0][0] * p[0] + m[0][1] * p[1] + m[0][2] * p[2] + m[0][3],
        m[1][0] * p[0] + m[1][1] * p[1] + m[1][2] * p[2] + m[1][3],
        m[2][0] * p[0] + m[2][1] * p[1] + m[2][2] * p[2] + m[2][3],
    )


def _mesh_points(gltf: pygltflib.GLTF2, mesh: int, frame: Matrix) -> list[tuple[float, float, float]]:
    if not 0 <= mesh < len(gltf.meshes):
        raise GltfError("A node names a mesh the file does not have.")
    points = []
    for primitive in gltf.meshes[mesh].primitives:
        accessor_index = primitive.attributes.POSITION
        if accessor_index is None or not 0 <= accessor_index < len(gltf.accessors):
            continue
        accessor = gltf.accessors[accessor_index]
        if not accessor.min or not accessor.max:
            raise GltfError("A mesh's POSITION has no min/max (glTF requires them).")
        lo, hi = accessor.min, accessor.max
        points += [_apply(frame, (x, y, z)) for x in (lo[0], hi[0]) for y in (lo[1], hi[1]) for z in (lo[2], hi[2])]
    return points


def _points(gltf: pygltflib.GLTF2, index: int, frame: Matrix, depth: int = 0) -> list[tuple[float, float, float]]:
    """Corners of the meshes' bounds under node `index`, in `frame` (the piece's own frame)."""
    if depth > 32 or not 0 <= index < len(gltf.nodes):
        raise GltfError("The file's node tree is broken (a child that does not exist, or a loop).")
    node = gltf.nodes[index]
    here = _times(frame, _matrix(node))
    points = _mesh_points(gltf, node.mesh, here) if node.mesh is not None else []
    for child in node.children or ():
        points += _points(gltf, child, here, depth + 1)
    return points


def import_set(data: bytes, existing_ids: Iterable[str] = ()) -> list[JsonObject]:
    """The pieces a glTF's top-level nodes make (validated as a set; GltfError when unreadable)."""
    gltf = _load(data)
    try:
        return _pieces_of(gltf, existing_ids)
    except GltfError:
        raise
    except (TypeError, ValueError, AttributeError, IndexError, KeyError, OverflowError) as error:
        # A file that parses but whose parts have the wrong shapes (a node list of strings…).
        raise GltfError("This glTF's nodes, meshes or accessors are not what glTF 2.0 says they are.") from error


def _pieces_of(gltf: pygltflib.GLTF2, existing_ids: Iterable[str]) -> list[JsonObject]:
    scene_index = gltf.scene or 0
    if gltf.scenes and 0 <= scene_index < len(gltf.scenes):
        roots = list(gltf.scenes[scene_index].nodes or ())
    else:
        children = {c for node in gltf.nodes for c in node.children or ()}
        roots = [i for i in range(len(gltf.nodes)) if i not in children]
    taken = set(existing_ids)
    pieces: list[JsonObject] = []
    for index in roots:
        if not 0 <= index < len(gltf.nodes):
            raise GltfError("The scene names a node the file does not have.")
        node = gltf.nodes[index]
        extras = node.extras.get("previs_piece") if isinstance(node.extras, dict) else None
        qx, qy, qz, qw = node.rotation or (0.0, 0.0, 0.0, 1.0)
        if node.matrix or abs(qx) > 1e-6 or abs(qz) > 1e-6:
            # Tilted or given as a matrix: measured as it stands, upright and unturned.
            frame, (tx, ty, tz), rotation = _matrix(node), (0.0, 0.0, 0.0), 0.0
        else:
            # Measured in its own frame (scaled, not turned), then placed by its translation and yaw.
            sx, sy, sz = node.scale or (1.0, 1.0, 1.0)
            frame = [[sx, 0.0, 0.0, 0.0], [0.0, sy, 0.0, 0.0], [0.0, 0.0, sz, 0.0], [0.0, 0.0, 0.0, 1.0]]
            tx, ty, tz = node.translation or (0.0, 0.0, 0.0)
            rotation = round(math.degrees(-2 * math.atan2(qy, qw)), 3)
            rotation = rotation - 360 if rotation > 180 else rotation + 360 if rotation <= -180 else rotation
        points = _mesh_points(gltf, node.mesh, frame) if node.mesh is not None else []
        for child in node.children or ():
            points += _points(gltf, child, frame)
        if not points:
            continue
        xs, ys, zs = zip(*points, strict=True)
        # glTF (x, y up, z) -> plan (x, -z, up); the piece's base is at its lowest point.
        lx, ly = (min(xs) + max(xs)) / 2, -(min(zs) + max(zs)) / 2
        piece_id = str((extras or {}).get("id") or f"gltf{len(pieces) + 1}")
        while piece_id in taken:
            piece_id = f"{piece_id}x"
        taken.add(piece_id)
        kind = str((extras or {}).get("kind") or "box")
        size = [round(max(0.01, max(xs) - min(xs)), 4), round(max(0.01, max(zs) - min(zs)), 4), round(max(0.01, max(ys) - min(ys)), 4)]
        if extras and kind in sets.LIBRARY and isinstance(extras.get("size"), list):
            size = [float(v) for v in extras["size"]]
        colour = str((extras or {}).get("colour") or sets.LIBRARY["box"].colour)
        # The footprint's centre, turned by the piece's yaw, then moved to where the node stands.
        rot = math.radians(rotation)
        cx = tx + lx * math.cos(rot) + ly * math.sin(rot)
        cy = -tz - lx * math.sin(rot) + ly * math.cos(rot)
        pieces.append(
            {
                "id": piece_id,
                "kind": kind if kind in sets.LIBRARY else "box",
                "name": (node.name or f"Imported {len(pieces) + 1}")[:120],
                "size": size,
                "position": [round(cx, 4), round(cy, 4)],
                "rotation_deg": rotation,
                "colour": colour,
                "elevation_m": round(ty + min(ys), 4),
            }
        )
    if not pieces:
        raise GltfError("The file has no meshes to make set pieces from.")
    try:
        return sets.validate_set(pieces)
    except sets.SetError as error:
        raise GltfError(f"The file's pieces do not fit a set: {error}") from error
