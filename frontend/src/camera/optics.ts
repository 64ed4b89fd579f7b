// Angle of view and timecode: the numbers the camera panel shows.
import type { Shot } from "../api/types";

export type FieldOfView = Shot["field_of_view"];

/** The shot's angle of view of the delivery frame, as the server computed it from the spec's
 *  camera (lens, sensor, aspect): the client never recomputes the optics. */
export function fieldOfView(shot: Shot): FieldOfView | null {
  const fov = shot.field_of_view as FieldOfView | undefined;
  return fov && typeof fov.horizontal_deg === "number" ? fov : null;
}

// --- Frame rates and timecode ------------------------------------------------------------------

/** The exact rate of a frame-rate label: 23.976 is 24000/1001, 29.97 is 30000/1001. */
export function exactFps(fps: string | number): number {
  const value = Number(fps);
  for (const nominal of [24, 30, 48, 60]) {
    const ntsc = (nominal * 1000) / 1001;
    if (Math.abs(value - ntsc) < 0.005) return ntsc;
  }
  return value;
}

/** Frames per timecode second: 23.976 counts as 24, 29.97 as 30 (non-drop-frame). */
export function timecodeBase(fps: string | number): number {
  return Math.round(Number(fps));
}

export function isFractional(fps: string | number): boolean {
  return Math.abs(exactFps(fps) - timecodeBase(fps)) > 1e-6;
}

/** SMPTE HH:MM:SS:FF of an integer frame number (non-drop-frame counting). */
export function timecode(frame: number, fps: string | number): string {
  const base = timecodeBase(fps);
  const f = Math.max(0, Math.floor(frame));
  const ff = f % base;
  const totalSeconds = Math.floor(f / base);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(Math.floor(totalSeconds / 3600))}:${pad(Math.floor(totalSeconds / 60) % 60)}:${pad(totalSeconds % 60)}:${pad(ff)}`;
}

export function timecodeTitle(fps: string | number): string {
  const base = timecodeBase(fps);
  return isFractional(fps)
    ? `SMPTE timecode, non-drop-frame: ${base} frames per timecode second while the media runs at ${fps} fps, so timecode drifts from wall-clock time by 0.1 %.`
    : `SMPTE timecode at ${base} fps.`;
}
