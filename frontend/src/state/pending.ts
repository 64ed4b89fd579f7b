// This tab's ops between sending and the server's answer, and the undo/redo history.
//
// An op is shown at once: what the screen shows is the confirmed board (the server's, see
// board.ts) with every pending op laid over it in order, rebuilt after every change, ack and
// refusal. So a remote change under a pending op never makes the screen jump back (the op is
// laid over it again), and a refused op vanishes by itself (rollback = drop it and rebuild). An
// op leaves the queue when it is acknowledged and its change (ack.seq) is in the confirmed board.
import { firstError } from "../api/client";
import type { CharacterPatch, LocationPatch, PanelPatch, ScenePatch, ShotPatch } from "../api/types";
import { applyOp, findRow, placeOf, type BoardData } from "./board";
import type { AckMessage, ErrorMessage, Op, OpEntity, OpMessage } from "./protocol";
import { jitteredBackoff } from "./socket";

/** How an op ended: applied (with the row it created or touched) or refused. */
export type OpResult =
  | { ok: true; id: number | null }
  | { ok: false; code: ErrorMessage["code"] | "timeout"; detail: string; errors: Record<string, string[]> };

export interface PendingOp {
  message: OpMessage;
  acked: boolean;
  ackSeq: number | null;
  ackId: number | null;
  /** A change carrying this op_id has been applied (a create's real row is on the board). */
  seen: boolean;
  /** The optimistic row's id for a create (negative until the server names it). */
  tempId: number;
  /** A text op's resulting text, as shown locally. */
  text?: string;
  /** Someone shows this op's outcome (an open editor); otherwise failures become toasts. */
  watched: boolean;
  /** A set op's board: the confirmed seq it was made on. Sent as base_seq whenever the op goes
   *  out later than live (a resend, a restore after reload), so the server refuses to let it
   *  overwrite a field someone else changed since (docs/architecture.md, "No silent loss"). */
  baseSeq: number | null;
  done: ((result: OpResult) => void)[];
}

/** Where the queue reports to: the board's seq (a new set op's base) and the local copy of the
 *  unanswered ops (state/outbox.ts). */
export interface PendingHooks {
  baseSeq(): number | null;
  kept(message: OpMessage): void;
  answered(opId: string): void;
}

const HISTORY_LIMIT = 100;
const RESEND_BASE_MS = 500;
const RESEND_CAP_MS = 8_000;

function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return Array.from(bytes, (b) => b.toString(36).padStart(2, "0")).join("").slice(0, 12);
}

export class PendingOps {
  private ops: PendingOp[] = [];
  private counter = 0;
  private nextTempId = -1;
  private resendTimer = 0;
  private resendRetries = 0;
  private hooks: PendingHooks | null = null;

  constructor(private readonly clientId: string = randomId()) {}

  /** Ops not yet confirmed by the server (shown as "saving" in the header). */
  get size(): number {
    return this.ops.length;
  }

  /** Queue an op (the caller sends it); `text` is a text op's resulting text, shown locally. */
  /** Report to `hooks` from now on (every op added, however it is made, is kept until answered). */
  attach(hooks: PendingHooks): void {
    this.hooks = hooks;
  }

  add(op: Op, text?: string, baseSeq: number | null = this.hooks?.baseSeq() ?? null, opId = `${this.clientId}.${++this.counter}`): PendingOp {
    const pending: PendingOp = {
      message: { type: "op", op_id: opId, op },
      acked: false, ackSeq: null, ackId: null, seen: false, tempId: 0, text, watched: false, done: [],
      baseSeq: op.kind === "set" ? baseSeq : null,
    };
    if (op.kind === "create") pending.tempId = this.nextTempId--;
    this.ops.push(pending);
    this.hooks?.kept(this.late(pending));
    return pending;
  }

  /** An op kept from before a reload (state/outbox.ts), with its op_id and base_seq. */
  restore(message: OpMessage): PendingOp {
    const { base_seq, ...op } = message.op as Op & { base_seq?: number | null };
    return this.add(op as Op, undefined, base_seq ?? null, message.op_id);
  }

  /** The op as it goes out when not live: a set op names the seq it was made on. */
  late(pending: PendingOp): OpMessage {
    const { message, baseSeq } = pending;
    return message.op.kind === "set" && baseSeq != null ? { ...message, op: { ...message.op, base_seq: baseSeq } } : message;
  }

  /** Ops sent but not acknowledged, in the order they were made (resent on reconnect, with
   *  their base_seq: they did not go out live). */
  unacked(): OpMessage[] {
    return this.ops.filter((p) => !p.acked).map((p) => this.late(p));
  }

  /** The server kept someone else's value for these fields of the op: it no longer shows them. */
  dropFields(opId: string, fields: string[]): void {
    const pending = this.ops.find((p) => p.message.op_id === opId);
    if (pending?.message.op.kind !== "set") return;
    const kept = Object.fromEntries(Object.entries(pending.message.op.fields).filter(([name]) => !fields.includes(name)));
    pending.message = { ...pending.message, op: { ...pending.message.op, fields: kept } };
  }

  /** A room change carried this op's id: its real row is on the confirmed board. */
  seen(opId: string | null): void {
    const own = opId ? this.ops.find((p) => p.message.op_id === opId) : undefined;
    if (own) own.seen = true;
  }

  /** The server applied the op as change `ack.seq`; false for an unknown or repeated ack. */
  ack(message: AckMessage): boolean {
    const pending = this.ops.find((p) => p.message.op_id === message.op_id);
    if (!pending || pending.acked) return false;
    this.resendRetries = 0;
    this.hooks?.answered(message.op_id);
    pending.acked = true;
    pending.ackSeq = message.seq;
    pending.ackId = message.id;
    return true;
  }

  /** The server refused the op: it leaves the queue (null if it is not one of ours). */
  refuse(opId: string | null | undefined): PendingOp | null {
    const at = opId ? this.ops.findIndex((p) => p.message.op_id === opId) : -1;
    if (at < 0) return null;
    this.hooks?.answered(opId!);
    return this.ops.splice(at, 1)[0];
  }

  /** Take out the ops whose change is in a confirmed board at `seq`; the caller finishes them. */
  settle(seq: number): PendingOp[] {
    const finished = this.ops.filter((p) => p.acked && (p.ackSeq == null || p.ackSeq <= seq));
    if (finished.length) this.ops = this.ops.filter((p) => !finished.includes(p));
    return finished;
  }

  /** What the screen shows: `confirmed` with the pending ops on top, in the order they were made. */
  show(confirmed: BoardData | null): BoardData | null {
    let data = confirmed;
    if (!data) return null;
    for (const pending of this.ops) {
      try {
        data = applyOp(data, pending.message.op, pending);
      } catch (error) {
        console.warn("could not show a pending op", pending.message, error);
      }
    }
    return data;
  }

  /** Resolves when the op is applied and on the board, or refused. */
  outcome(pending: PendingOp): Promise<OpResult> {
    return new Promise((resolve) => pending.done.push(resolve));
  }

  /** Like outcome(), but gives up waiting after `ms` (the op stays queued and is resent). */
  async watch(pending: PendingOp, ms: number): Promise<OpResult> {
    pending.watched = true;
    let timer = 0;
    const timeout = new Promise<OpResult>((resolve) => {
      timer = setTimeout(() => resolve({ ok: false, code: "timeout", detail: "", errors: {} }), ms);
    });
    const result = await Promise.race([this.outcome(pending), timeout]);
    clearTimeout(timer);
    if (!result.ok && result.code === "timeout") pending.watched = false;
    return result;
  }

  /** Dropped (rate-limited, busy) ops are sent again, in order, with the same op_id (repeats
   *  are harmless), after a jittered backoff that grows while the server keeps dropping them. */
  resendSoon(send: (message: OpMessage) => void): void {
    if (this.resendTimer) return;
    const delay = jitteredBackoff(this.resendRetries, RESEND_BASE_MS, RESEND_CAP_MS);
    this.resendRetries += 1;
    this.resendTimer = setTimeout(() => {
      this.resendTimer = 0;
      // unacked() is a copy: an op refused on the way (too large) leaves the queue meanwhile.
      for (const message of this.unacked()) send(message);
    }, delay);
  }

  stop(): void {
    clearTimeout(this.resendTimer);
    this.resendTimer = 0;
  }
}

/** Tell everyone waiting for the op how it ended. */
export function finish(pending: PendingOp, result: OpResult): void {
  pending.done.forEach((done) => done(result));
}

/** A refusal in the words a person reads. */
export function explain(result: OpResult): string {
  if (result.ok) return "";
  switch (result.code) {
    case "not_found":
      return "It was deleted meanwhile — your change was undone.";
    case "invalid":
      return `Not saved: ${Object.keys(result.errors).length ? firstError(result.errors) : result.detail}`;
    case "forbidden":
      return `Not allowed: ${result.detail}`;
    default:
      return `Not saved: ${result.detail}`;
  }
}

// --- Undo and redo ---------------------------------------------------------------------------

/** One own action that can be undone: builds the op (or ops, for an action made of several:
 *  a field set on many shots, rows pasted) that reverses it (null if not possible yet). */
export interface HistoryEntry {
  inverse: () => Op | Op[] | null;
}

/** The fields a create may set, per entity (compile-checked against the generated patch bodies):
 *  what an undone delete puts back. */
const WRITABLE: Record<OpEntity, readonly string[]> = {
  scene: Object.keys({ number: 1, setting: 1, location: 1, time_of_day: 1, sun_azimuth_deg: 1, sun_elevation_deg: 1, synopsis: 1, page_eighths: 1, props: 1, omitted: 1, script_changed: 1 } satisfies Record<keyof ScenePatch, 1>),
  shot: Object.keys({
    number: 1, description: 1, dialogue: 1, characters: 1, location: 1, shot_size: 1, framing: 1, angle: 1, movement: 1, rig: 1,
    lens_mm: 1, sensor: 1, aspect_ratio: 1, fps: 1, duration_s: 1, props: 1, notes: 1, status: 1, camera_spec: 1, spec_locked: 1, duration_locked: 1, not_in_cut: 1,
  } satisfies Record<keyof ShotPatch, 1>),
  panel: Object.keys({ image: 1, duration_s: 1, caption: 1, notes: 1 } satisfies Record<keyof PanelPatch, 1>),
  character: Object.keys({ name: 1, description: 1, height_m: 1, colour: 1 } satisfies Record<keyof CharacterPatch, 1>),
  location: Object.keys({ name: 1, description: 1, set_pieces: 1 } satisfies Record<keyof LocationPatch, 1>),
  // Comments, drawings and decisions are written by the review page (src/review/session.ts), not here.
  comment: [],
  annotation: [],
  approval: [],
};

/** The undo entry of an op, from `board` as it is before the op. */
export function inverseOf(board: BoardData, op: Op, pending: PendingOp): HistoryEntry | null {
  switch (op.kind) {
    case "set": {
      const row = findRow(board, op.entity, op.id);
      if (!row) return null;
      const before = Object.fromEntries(Object.keys(op.fields).map((field) => [field, row[field]]));
      return { inverse: () => ({ kind: "set", entity: op.entity, id: op.id, fields: before }) };
    }
    case "create":
      // The row's id is known once the server has answered.
      return { inverse: () => (pending.ackId != null ? { kind: "delete", entity: op.entity, id: pending.ackId } : null) };
    case "delete": {
      const row = findRow(board, op.entity, op.id);
      const place = placeOf(board, op.entity, op.id);
      if (!row || !place) return null;
      const fields = Object.fromEntries(WRITABLE[op.entity].filter((f) => f in row).map((f) => [f, row[f]]));
      if (op.entity === "shot" && !row.spec_locked) {
        delete fields.camera_spec; // derived from the camera fields unless locked
        delete fields.spec_locked;
      }
      // The deleted row comes back as a new row (new id) where it was; its children do not.
      return { inverse: () => ({ kind: "create", entity: op.entity, parent: place.parent, after: place.after, fields }) };
    }
    case "move": {
      const place = placeOf(board, op.entity, op.id);
      if (!place) return null;
      return { inverse: () => ({ kind: "move", entity: op.entity, id: op.id, after: place.after, parent: place.parent }) };
    }
    case "text":
      return null; // a whole editing session is one undo step (the store records it on close)
  }
}

/** What an op is to the history: the person's own action, or a step of undo or redo. */
export type OpOrigin = "action" | "undo" | "redo";

export class History {
  private undoStack: HistoryEntry[] = [];
  private redoStack: HistoryEntry[] = [];

  /** Remember how to reverse `op` (sent from `board`): an action or a redo goes on the undo
   *  stack, an undo on the redo stack; a new action makes the redo stack meaningless. */
  record(board: BoardData, op: Op, pending: PendingOp, origin: OpOrigin): void {
    if (origin === "action") this.redoStack = [];
    const entry = inverseOf(board, op, pending);
    if (entry) this.push(origin === "undo" ? this.redoStack : this.undoStack, entry);
  }

  /** Several ops made as one action (sent together): one step, undone all at once, the last
   *  first. Built from `board` as it is before them. */
  recordAll(board: BoardData, sent: { op: Op; pending: PendingOp }[], origin: OpOrigin): void {
    if (origin === "action") this.redoStack = [];
    const entries = sent.map(({ op, pending }) => inverseOf(board, op, pending));
    if (!entries.length || entries.some((entry) => !entry)) return;
    const entry: HistoryEntry = {
      inverse: () => {
        const ops = (entries as HistoryEntry[]).map((e) => e.inverse()).reverse();
        return ops.some((op) => op == null) ? null : ops.flat() as Op[];
      },
    };
    this.push(origin === "undo" ? this.redoStack : this.undoStack, entry);
  }

  /** A whole action recorded at once (a live text editing session). */
  action(entry: HistoryEntry): void {
    this.redoStack = [];
    this.push(this.undoStack, entry);
  }

  /** The op that undoes (or redoes) the latest step: "empty" when there is none, "busy" when
   *  it cannot be built yet (a create not yet answered; the step stays). */
  next(stack: "undo" | "redo"): Op | Op[] | "empty" | "busy" {
    const from = stack === "undo" ? this.undoStack : this.redoStack;
    const entry = from.pop();
    if (!entry) return "empty";
    const op = entry.inverse();
    if (op) return op;
    from.push(entry);
    return "busy";
  }

  private push(stack: HistoryEntry[], entry: HistoryEntry): void {
    stack.push(entry);
    if (stack.length > HISTORY_LIMIT) stack.shift();
  }
}
