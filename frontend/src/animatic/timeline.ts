// The animatic's timeline: the TypeScript twin of previs/animatic.py (read its notes for the
// rule), held to it by golden vectors (timeline.vectors.json, written by tests/animatic_vectors.py
// and checked by timeline.test.ts), so the player and the animatic movie cut on the same frames.
// Frames and timecode come from ../timecode, the one timecode module.
import { frameRate, framesIn } from "../timecode";

export type Mode = "panels" | "clips";

/** A board as the rule reads it: scenes in story order, shots and panels in order. */
export interface TimingPanel { duration_s: number }
export interface TimingShot { duration_s: number; duration_locked?: boolean | null; clip?: unknown; audio?: unknown; panels: readonly TimingPanel[] }
export interface TimingScene { audio?: unknown; shots: readonly TimingShot[] }
export interface TimingBoard { fps: string | number; scenes: readonly TimingScene[] }

export interface Item { kind: "panel" | "clip" | "shot"; scene: number; shot: number; panel: number | null; start: number; length: number }
export interface Span { scene: number; shot: number | null; start: number; length: number }
export interface Timeline { fps: string; mode: Mode; length: number; items: Item[]; shots: Span[]; scenes: Span[]; audio: Span[] }

/** A shot's length in frames: its panels' frames, or its own duration when locked or bare. */
export function shotFrames(shot: TimingShot, fps: string | number): number {
  if (shot.duration_locked || !shot.panels.length) return framesIn(shot.duration_s, fps);
  return shot.panels.reduce((sum, panel) => sum + framesIn(panel.duration_s, fps), 0);
}

/** The animatic of `board` (a scene or the film): items in story order with start frames. */
export function build(board: TimingBoard, mode: Mode = "panels"): Timeline {
  const fps = String(board.fps);
  const items: Item[] = [];
  const shots: Span[] = [];
  const scenes: Span[] = [];
  const audio: Span[] = [];
  let frame = 0;
  board.scenes.forEach((scene, sceneIndex) => {
    const sceneStart = frame;
    scene.shots.forEach((shot, shotIndex) => {
      const length = shotFrames(shot, fps);
      if (mode === "clips" && shot.clip) items.push({ kind: "clip", scene: sceneIndex, shot: shotIndex, panel: null, start: frame, length });
      else if (!shot.panels.length) items.push({ kind: "shot", scene: sceneIndex, shot: shotIndex, panel: null, start: frame, length });
      else {
        let left = length;
        for (let panelIndex = 0; panelIndex < shot.panels.length && left > 0; panelIndex++) {
          const last = panelIndex === shot.panels.length - 1;
          const take = last ? left : Math.min(framesIn(shot.panels[panelIndex].duration_s, fps), left); // the last panel holds to the shot's end
          items.push({ kind: "panel", scene: sceneIndex, shot: shotIndex, panel: panelIndex, start: frame + length - left, length: take });
          left -= take;
        }
      }
      shots.push({ scene: sceneIndex, shot: shotIndex, start: frame, length });
      if (shot.audio) audio.push({ scene: sceneIndex, shot: shotIndex, start: frame, length });
      frame += length;
    });
    scenes.push({ scene: sceneIndex, shot: null, start: sceneStart, length: frame - sceneStart });
    if (scene.audio && frame > sceneStart) audio.push({ scene: sceneIndex, shot: null, start: sceneStart, length: frame - sceneStart });
  });
  audio.sort((a, b) => a.start - b.start || Number(a.shot !== null) - Number(b.shot !== null));
  return { fps, mode, length: frame, items, shots, scenes, audio };
}

/** The index of the item on screen at `frame` (null past the end or before the start). */
export function itemAt(timeline: Timeline, frame: number): number | null {
  let low = 0;
  let high = timeline.items.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const item = timeline.items[middle];
    if (frame < item.start) high = middle - 1;
    else if (frame >= item.start + item.length) low = middle + 1;
    else return middle;
  }
  return null;
}

/** The duration in seconds of whole frames: what a retimed panel stores (framesIn gives them back). */
export function durationForFrames(frames: number, fps: string | number): number {
  return Math.max(1, Math.round(frames)) / frameRate(fps);
}

/** A loop range [in, out) in frames, kept inside the timeline and at least one frame long. */
export interface Range { in: number; out: number }

export function clampRange(range: Range, length: number): Range {
  const start = Math.max(0, Math.min(Math.round(range.in), Math.max(0, length - 1)));
  const end = Math.max(start + 1, Math.min(Math.round(range.out), length));
  return { in: start, out: end };
}

/** The frame after `frame` when playing `by` frames on: wraps inside the loop range if there is
 * one (a frame outside it jumps to its start), else stops at the last frame (`ended`). */
export function advance(frame: number, by: number, length: number, loop: Range | null): { frame: number; ended: boolean } {
  if (length <= 0) return { frame: 0, ended: true };
  if (loop) {
    const range = clampRange(loop, length);
    if (frame < range.in || frame >= range.out) return { frame: range.in, ended: false };
    const span = range.out - range.in;
    return { frame: range.in + ((frame - range.in + by) % span + span) % span, ended: false };
  }
  const next = frame + by;
  if (next >= length) return { frame: length - 1, ended: true };
  return { frame: Math.max(0, next), ended: false };
}

/** Retiming: the frames a panel lasts when its out edge is dragged by `deltaPx` at `pxPerFrame`,
 * snapped to whole frames, at least one. */
export function retimedFrames(frames: number, deltaPx: number, pxPerFrame: number): number {
  return Math.max(1, frames + Math.round(deltaPx / pxPerFrame));
}
