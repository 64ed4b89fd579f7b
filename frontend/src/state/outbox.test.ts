// Unsent edits kept across a reload (state/outbox.ts with state/pending.ts): every op made is kept
// in IndexedDB until the server answers it; after a reload they come back in the order made,
// with their op_id, and a set op goes out naming the seq it was made on (base_seq).
import "./testing"; // the published vocabulary, as the page carries it
import { IDBFactory } from "fake-indexeddb";
import { describe, expect, test } from "vitest";
import { Outbox } from "./outbox";
import { PendingOps } from "./pending";
import type { OpMessage } from "./protocol";

const ack = (opId: string, seq: number | null) => ({ type: "ack" as const, op_id: opId, seq, id: null, duplicate: false });

/** A tab: its queue reporting to its outbox, on a board confirmed at `seq`. */
function tab(factory: IDBFactory, name: string, seq = 5, owner = "7:3") {
  const outbox = new Outbox(owner, factory);
  const ops = new PendingOps(name);
  let board = seq;
  ops.attach({ baseSeq: () => board, kept: (m) => void outbox.put(m), answered: (id) => void outbox.remove(id) });
  return { outbox, ops, at: (s: number) => (board = s) };
}

/** Wait for the outbox's queued writes (put/remove return once written). */
const settled = (outbox: Outbox) => outbox.put({ type: "op", op_id: "probe", op: { kind: "delete", entity: "shot", id: 1 } }).then(() => outbox.remove("probe"));

describe("unsent edits in IndexedDB", () => {
  test("kept when made, restored after a reload in order with their base_seq, removed when answered", async () => {
    const factory = new IDBFactory();
    const before = tab(factory, "old");
    before.ops.add({ kind: "set", entity: "shot", id: 101, fields: { lens_mm: 24 } });
    before.at(6);
    before.ops.add({ kind: "create", entity: "shot", parent: 11, after: null, fields: {} });
    before.ops.add({ kind: "set", entity: "shot", id: 101, fields: { notes: "low sun" } });
    await settled(before.outbox);

    const after = tab(factory, "new", 9);
    const saved = await after.outbox.load();
    expect(saved.map((m) => m.op_id)).toEqual(["old.1", "old.2", "old.3"]);
    expect((saved[0].op as { base_seq?: number }).base_seq).toBe(5);
    expect((saved[2].op as { base_seq?: number }).base_seq).toBe(6);
    expect("base_seq" in saved[1].op).toBe(false); // only set ops carry it
    for (const message of saved) after.ops.restore(message);
    // Sent as they were made: same op_id (a repeat is answered "duplicate"), the old base.
    const out = after.ops.unacked();
    expect(out.map((m) => m.op_id)).toEqual(["old.1", "old.2", "old.3"]);
    expect(out[0].op).toEqual({ kind: "set", entity: "shot", id: 101, fields: { lens_mm: 24 }, base_seq: 5 });

    after.ops.ack(ack("old.1", 10));
    after.ops.refuse("old.2");
    await settled(after.outbox);
    expect((await tab(factory, "third").outbox.load()).map((m) => m.op_id)).toEqual(["old.3"]);
  });

  test("another person's or another board's edits are not restored", async () => {
    const factory = new IDBFactory();
    const mine = tab(factory, "a", 5, "7:3");
    mine.ops.add({ kind: "set", entity: "shot", id: 101, fields: { lens_mm: 24 } });
    await settled(mine.outbox);
    expect(await new Outbox("8:3", factory).load()).toEqual([]);
    expect(await new Outbox("7:4", factory).load()).toEqual([]);
    expect(await new Outbox("7:3", factory).load()).toHaveLength(1);
  });

  test("a live op goes out without base_seq; resent after a drop, it names its board", () => {
    const { ops } = tab(new IDBFactory(), "live", 12);
    const pending = ops.add({ kind: "set", entity: "shot", id: 101, fields: { lens_mm: 24 } });
    expect(pending.message.op).not.toHaveProperty("base_seq"); // what submit sends live
    expect(ops.unacked()[0].op).toHaveProperty("base_seq", 12);
  });

  test("a conflict takes the refused fields out of the op: the screen shows theirs", () => {
    const { ops } = tab(new IDBFactory(), "c");
    ops.add({ kind: "set", entity: "shot", id: 101, fields: { lens_mm: 24, notes: "low sun" } });
    ops.dropFields("c.1", ["lens_mm"]);
    expect(ops.unacked()[0].op).toEqual({ kind: "set", entity: "shot", id: 101, fields: { notes: "low sun" }, base_seq: 5 });
  });

  test("without IndexedDB (a private window) the studio works, nothing is kept", async () => {
    const outbox = new Outbox("7:3", undefined);
    await outbox.put({ type: "op", op_id: "x.1", op: { kind: "delete", entity: "shot", id: 1 } } as OpMessage);
    expect(await outbox.load()).toEqual([]);
  });
});
