// The browser's timecode against golden vectors written by previs/timecode.py
// (tests/timecode_vectors.py), so every view shows the frame numbers the server and its PDFs do.
import { describe, expect, test } from "vitest";
import { frameRate, framesIn, timecode } from "./timecode";
import vectors from "./timecode.vectors.json";

describe("timecode agrees with previs/timecode.py", () => {
  test.each(vectors.timecodes)("frame $frame at $fps fps is $timecode", ({ fps, frame, timecode: expected }) => {
    expect(timecode(frame, fps)).toBe(expected);
  });

  test.each(vectors.frame_rates)("$fps fps runs at its exact rate", ({ fps, exact }) => {
    expect(frameRate(fps)).toBeCloseTo(exact[0] / exact[1], 12);
  });

  test.each(vectors.frames_in)("$duration_s s at $fps fps is $frames frames", ({ fps, duration_s, frames }) => {
    expect(framesIn(duration_s, fps)).toBe(frames);
  });

  test("the camera drawer's clip player and the review player read the same timecode", () => {
    expect(timecode(1800, "29.97")).toBe("00:01:00;02");
  });
});
