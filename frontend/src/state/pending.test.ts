// This tab's pending ops over the confirmed board (state/pending.ts): shown at once, laid again
// over remote changes, finished by ack + change, rolled back when refused; undo and redo.
import { board, change, shotOrder } from "./testing";
import { afterEach, describe, expect, test, vi } from "vitest";
import { applyOp, confirmChange, findShot, type BoardData, type Confirmed } from "./board";
import { explain, finish, History, PendingOps, type OpResult } from "./pending";
import type { Op } from "./protocol";

const at5 = (): Confirmed => ({ board: board(), seq: 5 });
const ack = (opId: string, seq: number, id: number | null = null) => ({ type: "ack" as const, op_id: opId, seq, id, duplicate: false });

describe("pending ops over the confirmed board", () => {
  test("a pending edit stays on screen over a remote change to the same row", () => {
    const ops = new PendingOps("tab");
    ops.add({ kind: "set", entity: "shot", id: 101, fields: { description: "mine" } });
    // Someone else's change to the same shot (another field and the same one) arrives first.
    const remote = change(6, "update", "shot", 101, { version: 2, fields: { description: "theirs", notes: "rain" } });
    const confirmed = confirmChange(at5(), remote).state;
    const shown = ops.show(confirmed.board)!;
    expect(findShot(shown, 101)!.description).toBe("mine");
    expect(findShot(shown, 101)!.notes).toBe("rain");
    expect(findShot(confirmed.board, 101)!.description).toBe("theirs");
  });

  test("an acked op stays until its change is on the confirmed board, then finishes", async () => {
    const ops = new PendingOps("tab");
    const pending = ops.add({ kind: "set", entity: "shot", id: 102, fields: { notes: "crane up" } });
    const result = ops.outcome(pending);
    expect(pending.message.op_id).toBe("tab.1");
    expect(ops.ack(ack("tab.1", 7))).toBe(true);
    expect(ops.ack(ack("tab.1", 7))).toBe(false); // a repeated ack
    expect(ops.ack(ack("other.1", 8))).toBe(false); // not ours
    expect(ops.settle(6)).toEqual([]);
    expect(ops.size).toBe(1);
    const finished = ops.settle(7);
    expect(finished).toEqual([pending]);
    expect(ops.size).toBe(0);
    finished.forEach((p) => finish(p, { ok: true, id: p.ackId }));
    await expect(result).resolves.toEqual({ ok: true, id: null });
  });

  test("a refused op is rolled back and its waiter told why", async () => {
    const ops = new PendingOps("tab");
    const pending = ops.add({ kind: "delete", entity: "shot", id: 102 });
    ops.add({ kind: "set", entity: "shot", id: 103, fields: { notes: "kept" } });
    const result = ops.outcome(pending);
    expect(shotOrder(ops.show(board())!)[10]).toEqual([101, 103]);
    expect(ops.refuse("tab.1")).toBe(pending);
    expect(ops.refuse("tab.1")).toBeNull();
    const shown = ops.show(board())!;
    expect(shotOrder(shown)[10]).toEqual([101, 102, 103]);
    expect(findShot(shown, 103)!.notes).toBe("kept"); // the op after it still shows
    const refusal: OpResult = { ok: false, code: "forbidden", detail: "Viewers cannot edit.", errors: {} };
    finish(pending, refusal);
    await expect(result).resolves.toEqual(refusal);
    expect(explain(refusal)).toBe("Not allowed: Viewers cannot edit.");
  });

  test("a create's stand-in gives way to its real row once the change carrying its op id is applied", () => {
    const ops = new PendingOps("tab");
    const pending = ops.add({ kind: "create", entity: "shot", parent: 20, after: 201, fields: {} });
    expect(pending.tempId).toBeLessThan(0);
    expect(shotOrder(ops.show(board())!)[20]).toEqual([201, pending.tempId]);
    const real = change(6, "create", "shot", 202, { version: 1, fields: { scene: 20, rank: "d", number: "2", panels: [] } }, "tab.1");
    ops.seen(real.client_op_id);
    const confirmed = confirmChange(at5(), real).state;
    expect(shotOrder(ops.show(confirmed.board)!)[20]).toEqual([201, 202]);
  });

  test("ops are resent in the order they were made after a jittered backoff, acked ones not", () => {
    vi.useFakeTimers();
    const ops = new PendingOps("tab");
    ops.add({ kind: "set", entity: "shot", id: 101, fields: { notes: "1" } });
    ops.add({ kind: "set", entity: "shot", id: 102, fields: { notes: "2" } });
    ops.add({ kind: "set", entity: "shot", id: 103, fields: { notes: "3" } });
    ops.ack(ack("tab.2", 6));
    const sent: string[] = [];
    ops.resendSoon((message) => sent.push(message.op_id));
    ops.resendSoon((message) => sent.push(message.op_id)); // one resend at a time
    vi.advanceTimersByTime(374); // the first wait is 500 ms ± 25 %
    expect(sent).toEqual([]);
    vi.advanceTimersByTime(252);
    expect(sent).toEqual(["tab.1", "tab.3"]);
  });

  afterEach(() => void vi.useRealTimers());
});

describe("undo and redo", () => {
  /** Record `op` as the person's action on `data`, and return the board it leaves. */
  function act(history: History, ops: PendingOps, data: BoardData, op: Op, origin: "action" | "undo" | "redo" = "action"): BoardData {
    const pending = ops.add(op);
    history.record(data, op, pending, origin);
    return applyOp(data, op, pending);
  }

  test("undo of an edit sets the fields back; redo sets them again", () => {
    const history = new History();
    const ops = new PendingOps("tab");
    const before = board();
    const after = act(history, ops, before, { kind: "set", entity: "shot", id: 101, fields: { description: "wide on the pier", lens_mm: 24 } });
    const undo = history.next("undo") as Op;
    expect(undo).toEqual({ kind: "set", entity: "shot", id: 101, fields: { description: "", lens_mm: 35 } });
    const undone = act(history, ops, after, undo, "undo");
    expect(findShot(undone, 101)).toEqual(findShot(before, 101));
    const redo = history.next("redo") as Op;
    expect(redo).toEqual({ kind: "set", entity: "shot", id: 101, fields: { description: "wide on the pier", lens_mm: 24 } });
    expect(history.next("redo")).toBe("empty");
  });

  test("undo of a delete creates the row again where it was, with what a create may set", () => {
    const history = new History();
    const before = board();
    act(history, new PendingOps("tab"), before, { kind: "delete", entity: "shot", id: 102 });
    const undo = history.next("undo") as Extract<Op, { kind: "create" }>;
    expect(undo).toMatchObject({ kind: "create", entity: "shot", parent: 10, after: 101 });
    expect(undo.fields).toMatchObject({ number: "102", lens_mm: 35 });
    // Not a field a create sets, and the spec is derived again unless it was locked.
    expect(undo.fields).not.toHaveProperty("field_of_view");
    expect(undo.fields).not.toHaveProperty("camera_spec");
  });

  test("undo of a move puts the shot back after its old neighbour, in its old scene", () => {
    const history = new History();
    const before = board();
    const after = act(history, new PendingOps("tab"), before, { kind: "move", entity: "shot", id: 102, after: 201, parent: 20 });
    expect(shotOrder(after)).toEqual({ 10: [101, 103], 20: [201, 102] });
    const undo = history.next("undo") as Op;
    expect(undo).toEqual({ kind: "move", entity: "shot", id: 102, after: 101, parent: 10 });
    expect(shotOrder(applyOp(after, undo, { tempId: 0, seen: false }))).toEqual(shotOrder(before));
  });

  test("undo of a create waits for the server to name the row, then deletes that row", () => {
    const history = new History();
    const ops = new PendingOps("tab");
    act(history, ops, board(), { kind: "create", entity: "shot", parent: 10, after: null, fields: {} });
    expect(history.next("undo")).toBe("busy");
    ops.ack(ack("tab.1", 6, 104));
    expect(history.next("undo")).toEqual({ kind: "delete", entity: "shot", id: 104 });
    expect(history.next("undo")).toBe("empty");
  });

  test("a new action clears the redo stack; an undo step does not", () => {
    const history = new History();
    const ops = new PendingOps("tab");
    let data = act(history, ops, board(), { kind: "set", entity: "shot", id: 101, fields: { notes: "a" } });
    data = act(history, ops, data, history.next("undo") as Op, "undo");
    data = act(history, ops, data, { kind: "set", entity: "shot", id: 102, fields: { notes: "b" } });
    expect(history.next("redo")).toBe("empty");
    history.action({ inverse: () => ({ kind: "set", entity: "shot", id: 103, fields: { notes: "" } }) });
    expect(history.next("undo")).toEqual({ kind: "set", entity: "shot", id: 103, fields: { notes: "" } });
    expect(history.next("undo")).toEqual({ kind: "set", entity: "shot", id: 102, fields: { notes: "" } });
    expect(findShot(data, 102)!.notes).toBe("b");
  });
});
