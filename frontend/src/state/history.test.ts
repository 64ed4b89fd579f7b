// Several ops made as one action (a field set on many shots, pasted rows): one undo step.
import { describe, expect, test } from "vitest";
import { board } from "./testing";
import { findShot } from "./board";
import { History, PendingOps } from "./pending";
import type { Op } from "./protocol";

describe("an action of several ops", () => {
  test("is undone in one step, the last first, and redone in one", () => {
    const history = new History();
    const ops = new PendingOps("tab");
    const data = board();
    const sets = [101, 102].map((id) => ({ kind: "set", entity: "shot", id, fields: { status: "approved" } }) as Op);
    const before = sets.map((op) => findShot(data, (op as { id: number }).id)!.status);
    history.recordAll(data, sets.map((op) => ({ op, pending: ops.add(op) })), "action");
    const undo = history.next("undo") as Op[];
    expect(undo).toEqual([
      { kind: "set", entity: "shot", id: 102, fields: { status: before[1] } },
      { kind: "set", entity: "shot", id: 101, fields: { status: before[0] } },
    ]);
    expect(history.next("undo")).toBe("empty");
  });

  test("made of creates waits until the server has named every row", () => {
    const history = new History();
    const ops = new PendingOps("tab");
    const creates = [0, 1].map(() => ({ kind: "create", entity: "shot", parent: 10, after: null, fields: { description: "pasted" } }) as Op);
    const sent = creates.map((op) => ({ op, pending: ops.add(op) }));
    history.recordAll(board(), sent, "action");
    sent[0].pending.ackId = 501;
    expect(history.next("undo")).toBe("busy");
    sent[1].pending.ackId = 502;
    expect(history.next("undo")).toEqual([{ kind: "delete", entity: "shot", id: 502 }, { kind: "delete", entity: "shot", id: 501 }]);
  });
});
