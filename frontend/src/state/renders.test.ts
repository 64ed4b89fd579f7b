// Render jobs from the room's events (state/renders.ts): progress ticks, the final event with its
// outputs, and each shot's latest job.
import { describe, expect, test } from "vitest";
import type { Asset } from "../api/types";
import type { JobEvent } from "./protocol";
import { mergeJob, RenderJobs } from "./renders";

function event(id: number, shot: number, status: JobEvent["status"], extra: Partial<JobEvent> = {}): JobEvent {
  return {
    id, shot, status, progress: 0, error: "", outputs: null, kind: "frame", backend: "blocking", seed: 1, created_at: "2026-12-02T12:00:00Z",
    reused_from: null, ...extra,
  } as JobEvent;
}

const frame = { id: 9, url: "/media/frame.png", kind: "image" } as unknown as Asset;

describe("a job's events", () => {
  test("progress ticks carry their counts while the job runs; the end drops them", () => {
    let job = mergeJob(undefined, event(3, 101, "running", { progress: 10, done: 2, total: 20, preview: "p.jpg" }));
    job = mergeJob(job, event(3, 101, "running", { progress: 50 })); // a change without counts keeps the last ones
    expect(job).toMatchObject({ progress: 50, done: 2, total: 20, preview: "p.jpg" });
    job = mergeJob(job, event(3, 101, "succeeded", { progress: 100, outputs: [frame] }));
    expect(job).toMatchObject({ status: "succeeded", outputs: [frame], done: undefined, total: undefined, preview: undefined });
  });

  test("only the success event's outputs are taken; a later event without them keeps them", () => {
    const done = mergeJob(undefined, event(3, 101, "succeeded", { outputs: [frame] }));
    expect(mergeJob(done, event(3, 101, "failed", { error: "late" })).outputs).toEqual([frame]);
    // What is known of another job is not mixed in.
    expect(mergeJob(done, event(4, 101, "running")).outputs).toBeNull();
  });

  test("a shot's latest job is the newest; news of an older job does not replace it", () => {
    let draws = 0;
    const jobs = new RenderJobs(1, () => draws++, () => {});
    jobs.apply(event(4, 101, "running"));
    jobs.apply(event(3, 101, "succeeded", { outputs: [frame] }));
    expect(jobs.latest.get(101)!.id).toBe(4);
    expect(jobs.of(101).map((j) => j.id)).toEqual([4, 3]);
    jobs.apply(event(4, 101, "succeeded", { outputs: [frame] }));
    expect(jobs.latest.get(101)!.status).toBe("succeeded");
    expect(draws).toBe(3);
    jobs.apply(event(5, null as unknown as number, "running")); // a job of no shot is not the board's
    expect(jobs.of(101).map((j) => j.id)).toEqual([4, 3]);
  });
});
