// Angle of view: the numbers the camera panel shows (timecode is ../timecode.ts).
import type { Shot } from "../api/types";

export type FieldOfView = Shot["field_of_view"];

/** The shot's angle of view of the delivery frame, as the server computed it from the spec's
 *  camera (lens, sensor, aspect): the client never recomputes the optics. */
export function fieldOfView(shot: Shot): FieldOfView | null {
  const fov = shot.field_of_view as FieldOfView | undefined;
  return fov && typeof fov.horizontal_deg === "number" ? fov : null;
}
