// The browser's animatic timing against golden vectors written by previs/animatic.py
// (tests/animatic_vectors.py), so the player and the animatic movie cut on the same frames.
import { describe, expect, test } from "vitest";
import { advance, build, clampRange, durationForFrames, itemAt, retimedFrames, type Mode, type TimingBoard } from "./timeline";
import { framesIn } from "../timecode";
import vectors from "./timeline.vectors.json";

describe("timeline agrees with previs/animatic.py", () => {
  test.each(vectors.cases)("$name in $mode mode", ({ board, mode, timeline, lookups }) => {
    const ours = build(board as TimingBoard, mode as Mode);
    expect(ours).toEqual(timeline);
    for (const { frame, item } of lookups) expect(itemAt(ours, frame)).toBe(item);
  });
});

const shot = (duration_s: number, panels: number[], extra: object = {}) => ({ duration_s, panels: panels.map((d) => ({ duration_s: d })), ...extra });

describe("timing", () => {
  test("each panel rounds to frames on its own; the shot follows its panels", () => {
    const t = build({ fps: "24", scenes: [{ shots: [shot(9, [0.52, 0.52, 0.52])] }] });
    expect(t.items.map((i) => [i.start, i.length])).toEqual([[0, 12], [12, 12], [24, 12]]);
    expect(t.length).toBe(36);
  });

  test("23.976: half frames round up, and a retimed duration gives its frames back", () => {
    const t = build({ fps: "23.976", scenes: [{ shots: [shot(1, [1.0, 0.0625])] }] });
    expect(t.items.map((i) => i.length)).toEqual([24, 1]); // 23.976 frames rounds to 24; 1.4985 to 1
    for (const fps of ["23.976", "29.97", "25", "24", "59.94"]) for (const frames of [1, 7, 48, 1799]) expect(framesIn(durationForFrames(frames, fps), fps)).toBe(frames);
  });

  test("clips mode keeps every shot on the same frames as panels mode", () => {
    const board = { fps: "25", scenes: [{ shots: [shot(3, [1, 1.5], { clip: { id: 1 } }), shot(2, [])] }] };
    const panels = build(board, "panels");
    const clips = build(board, "clips");
    expect(clips.shots).toEqual(panels.shots);
    expect(clips.items.map((i) => [i.kind, i.start, i.length])).toEqual([["clip", 0, 63], ["shot", 63, 50]]);
    expect(panels.items.map((i) => i.kind)).toEqual(["panel", "panel", "shot"]);
  });

  test("frame lookup finds the item on screen, none outside", () => {
    const t = build({ fps: "24", scenes: [{ shots: [shot(1, [0.5, 0.5])] }, { shots: [shot(2, [])] }] });
    expect([-1, 0, 11, 12, 23, 24, 71, 72].map((f) => itemAt(t, f))).toEqual([null, 0, 0, 1, 1, 2, 2, null]);
  });

  test("a loop range wraps playback and stays inside the film", () => {
    expect(advance(20, 1, 100, { in: 10, out: 21 })).toEqual({ frame: 10, ended: false });
    expect(advance(19, 1, 100, { in: 10, out: 21 })).toEqual({ frame: 20, ended: false });
    expect(advance(50, 1, 100, { in: 10, out: 21 })).toEqual({ frame: 10, ended: false });
    expect(advance(10, -1, 100, { in: 10, out: 21 })).toEqual({ frame: 20, ended: false });
    expect(advance(98, 5, 100, null)).toEqual({ frame: 99, ended: true });
    expect(clampRange({ in: 120, out: 90 }, 100)).toEqual({ in: 99, out: 100 });
  });

  test("dragging an edge snaps to whole frames, never under one", () => {
    expect(retimedFrames(48, 37, 4)).toBe(57);
    expect(retimedFrames(48, -1000, 4)).toBe(1);
  });
});
