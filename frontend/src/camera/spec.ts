// The shot's camera-and-blocking spec (Shot.camera_spec) as the browser reads and edits it.
//
// Its shape is generated from previs/spec_models.py (what the server's normalize_spec returns;
// previs/spec.py documents every key). normalize_spec rejects unknown keys, so edits start from
// the stored (normalised) spec and change documented keys only.
// Coordinates: metres, x east, y north, z up; bearings 0 = north, positive toward east.
import type { components } from "../api/schema";
import type { Shot } from "../api/types";

type S = components["schemas"];
export type CameraSpec = S["CameraSpec"];
export type SpecCamera = S["SpecCamera"];
export type SpecCharacter = S["SpecCharacter"];
export type SetPiece = S["SetPiece"];
export type SpecMove = S["SpecMove"];
export type Vec2 = SpecCharacter["position"];
export type Vec3 = SpecCamera["position"];

/** The shot's stored spec (null before the server has laid one out). */
export function specOf(shot: Shot): CameraSpec | null {
  const spec = shot.camera_spec as Partial<CameraSpec> | null | undefined;
  if (!spec || typeof spec !== "object" || !spec.camera || !Array.isArray(spec.characters)) return null;
  return spec as CameraSpec;
}

// --- Geometry --------------------------------------------------------------------------------

const RAD = Math.PI / 180;

/** Unit floor vector of a bearing (0 = north/+y, 90 = east/+x). */
export function bearingVector(deg: number): Vec2 {
  return [Math.sin(deg * RAD), Math.cos(deg * RAD)];
}

/** Bearing from one floor point toward another, in (-180, 180]. */
export function bearingTo(from: Vec2, to: Vec2): number {
  return wrapDeg(Math.atan2(to[0] - from[0], to[1] - from[1]) / RAD);
}

export function wrapDeg(deg: number): number {
  let out = ((deg % 360) + 360) % 360;
  if (out > 180) out -= 360;
  return out === -180 ? 180 : out;
}

export const round = (value: number, places = 2) => Math.round(value * 10 ** places) / 10 ** places;

/** The character the camera is framed on (subject_id, else the first). */
export function subjectOf(spec: CameraSpec): SpecCharacter | undefined {
  return spec.characters.find((c) => c.id === spec.subject_id) ?? spec.characters[0];
}

/** Where a character stands at the start of the shot (first path key, else the mark). */
export function markOf(character: SpecCharacter): Vec2 {
  const first = character.path?.[0];
  return first ? [first[1], first[2]] : character.position;
}

/** The spec with one character's mark moved (a walking path moves with it). */
export function withCharacterAt(spec: CameraSpec, id: string, to: Vec2): CameraSpec {
  return {
    ...spec,
    characters: spec.characters.map((c) => {
      if (c.id !== id) return c;
      const from = markOf(c);
      const dx = to[0] - from[0];
      const dy = to[1] - from[1];
      const path = c.path ? c.path.map(([t, x, y]) => [t, round(x + dx), round(y + dy)] as Vec3) : null;
      return { ...c, position: [round(to[0]), round(to[1])], path };
    }),
  };
}

/** The spec with the camera moved on the floor; `aim` turns it to keep looking at the subject. */
export function withCameraAt(spec: CameraSpec, to: Vec2, aim: boolean): CameraSpec {
  const subject = subjectOf(spec);
  const position: Vec3 = [round(to[0]), round(to[1]), spec.camera.position[2]];
  const yaw = aim && subject ? round(bearingTo(to, markOf(subject)), 1) : spec.camera.yaw_deg;
  return { ...spec, camera: { ...spec.camera, position, yaw_deg: yaw } };
}

export function withCamera(spec: CameraSpec, patch: Partial<SpecCamera>): CameraSpec {
  return { ...spec, camera: { ...spec.camera, ...patch } };
}
