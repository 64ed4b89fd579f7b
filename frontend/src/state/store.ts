// One project's board in the browser.
//
// `confirmed` is the board as the server has it: the last full read (REST or snapshot) with the
// room's changes applied in seq order. `data`, what the screen shows, is `confirmed` with this
// tab's pending ops laid over it, rebuilt after every change, ack and error. So an op shows at
// once, a refused one vanishes by itself (rollback = drop it and rebuild), and a remote change
// under a pending op never makes the screen jump back. An op leaves the queue when it is
// acknowledged and its change (ack.seq) is part of `confirmed`.
import { api, firstError, ifMatch, settle, type WriteResult } from "../api/client";
import type {
  Asset, Character, CharacterPatch, Location, LocationPatch, Panel, PanelPatch, Project, RenderJob, Scene, ScenePatch, SessionUser, Shot,
  ShotPatch,
} from "../api/types";
import { toast } from "../ui/toasts";
import { SETTINGS } from "../vocab";
import { LiveRoom, type LinkState } from "./live";
import {
  TEXT_FIELDS, type AckMessage, type Change, type Cursor, type Entity, type EntityRows, type ErrorMessage, type Focus, type JobEvent,
  type Member, type MoveData, type Op, type OpEntity, type OpMessage, type RowData, type TextStateMessage,
} from "./protocol";
import { TextSession } from "./text";

export interface BoardData {
  project: Project;
  scenes: Scene[];
  characters: Character[];
  locations: Location[];
}

/** A render job, as far as this browser knows (the row, plus the room's live progress). */
export interface JobView {
  id: number;
  shot: number | null;
  status: RenderJob["status"];
  progress: number;
  error: string;
  outputs: Asset[] | null;
  kind?: RenderJob["kind"];
  backend?: RenderJob["backend"];
  seed?: number | null;
  created_at?: string;
  /** The result is a stored earlier render of the same spec (no worker was used). */
  reused?: boolean;
  /** Frames (or denoising steps) done of total, from the room's progress messages. */
  done?: number;
  total?: number;
  preview?: string;
}

export type RenderKind = RenderJob["kind"];
export type RenderBackend = RenderJob["backend"];

/** How an op ended: applied (with the row it created or touched) or refused. */
export type OpResult =
  | { ok: true; id: number | null }
  | { ok: false; code: ErrorMessage["code"] | "timeout"; detail: string; errors: Record<string, string[]> };

/** What a cell's save returns: messages to show next to it (editor stays open) or null (done). */
export type SaveOutcome = string[] | null;

interface PendingOp {
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
  done: ((result: OpResult) => void)[];
}

/** One own action that can be undone: builds the op that reverses it (null if not possible yet). */
interface HistoryEntry {
  inverse: () => Op | null;
}

type Ranked = { id: number; rank: string };
const byRank = (a: Ranked, b: Ranked) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : a.id - b.id);
const byName = (a: { name: string; id: number }, b: { name: string; id: number }) => a.name.localeCompare(b.name) || a.id - b.id;

/** The fields a create may set, per entity (compile-checked against the generated patch bodies). */
const WRITABLE: Record<OpEntity, readonly string[]> = {
  scene: Object.keys({ number: 1, setting: 1, location: 1, time_of_day: 1, synopsis: 1, page_eighths: 1, props: 1, omitted: 1, script_changed: 1 } satisfies Record<keyof ScenePatch, 1>),
  shot: Object.keys({
    number: 1, description: 1, dialogue: 1, characters: 1, location: 1, shot_size: 1, framing: 1, angle: 1, movement: 1, rig: 1,
    lens_mm: 1, sensor: 1, aspect_ratio: 1, fps: 1, duration_s: 1, props: 1, notes: 1, status: 1, camera_spec: 1, spec_locked: 1,
  } satisfies Record<keyof ShotPatch, 1>),
  panel: Object.keys({ image: 1, duration_s: 1, caption: 1, notes: 1 } satisfies Record<keyof PanelPatch, 1>),
  character: Object.keys({ name: 1, description: 1, height_m: 1, colour: 1 } satisfies Record<keyof CharacterPatch, 1>),
  location: Object.keys({ name: 1, description: 1 } satisfies Record<keyof LocationPatch, 1>),
  // Comments, drawings and decisions are written by the review page (src/review/session.ts), not here.
  comment: [],
  annotation: [],
  approval: [],
};

const OP_TIMEOUT_MS = 1_500; // an editor waits this long for the answer, then closes (the op stays queued)
const PRESENCE_EVERY_MS = 100;
const HISTORY_LIMIT = 100;

/** RenderJob.outputs is typed loosely by the schema (a SerializerMethodField); its items are Assets. */
function outputsOf(job: RenderJob): Asset[] {
  return job.outputs as unknown as Asset[];
}

function jobView(job: RenderJob): JobView {
  return {
    id: job.id, shot: job.shot, status: job.status, progress: job.progress, error: job.error, outputs: outputsOf(job),
    kind: job.kind, backend: job.backend, seed: job.seed, created_at: job.created_at, reused: job.reused_from != null,
  };
}

/** A room event laid over what is known of the job: the event that says it succeeded carries
 *  its outputs (apps/renders/events.py), so a finished job is never read again over REST. */
function mergeJob(known: JobView | undefined, event: JobEvent): JobView {
  const same = known && known.id === event.id ? known : undefined;
  const active = event.status === "queued" || event.status === "running";
  return {
    ...same,
    id: event.id, shot: event.shot, status: event.status, progress: event.progress, error: event.error,
    outputs: event.status === "succeeded" ? event.outputs : same?.outputs ?? null,
    kind: event.kind, backend: event.backend, seed: event.seed, created_at: event.created_at, reused: event.reused_from != null,
    done: active ? event.done ?? same?.done : undefined, total: active ? event.total ?? same?.total : undefined,
    preview: active ? event.preview ?? same?.preview : undefined,
  };
}

/** Shot fields the server's field_of_view is computed from. */
const FOV_SOURCES = ["lens_mm", "sensor", "aspect_ratio", "camera_spec"];

function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return Array.from(bytes, (b) => b.toString(36).padStart(2, "0")).join("").slice(0, 12);
}

const isText = (entity: string, field: string | null | undefined) => !!field && (TEXT_FIELDS[entity as OpEntity] ?? []).includes(field);

export class BoardStore {
  /** What the screen shows: `confirmed` plus pending ops. */
  data: BoardData | null = null;
  loadError = "";
  /** The latest job of each shot (by shot id). */
  jobs = new Map<number, JobView>();
  /** Every job this browser has seen (by job id): a shot's render history once loaded. */
  private allJobs = new Map<number, JobView>();
  private historyLoaded = new Set<number>();
  link: LinkState = "connecting";
  /** Everyone in the room (every tab), as the last presence message listed them. */
  members: Member[] = [];
  /** This tab's own room session. */
  session = "";
  private confirmed: BoardData | null = null;
  private seq = 0;
  private pending: PendingOp[] = [];
  private readonly clientId = randomId();
  private opCounter = 0;
  private tempIds = -1;
  private undoStack: HistoryEntry[] = [];
  private redoStack: HistoryEntry[] = [];
  private texts = new Map<string, TextSession>();
  private focus: Focus | null = null;
  private cursor: Cursor | null = null;
  private presenceSent = 0;
  private presenceTimer = 0;
  private resendTimer = 0;
  private resendRetries = 0;
  private names = new Map<number, string>();
  /** Who last changed each row (from the room), to say who got there first on a conflict. */
  private lastActor = new Map<string, number | null>();
  private listeners = new Set<() => void>();
  private room: LiveRoom;
  private refetchTimer = 0;

  constructor(readonly projectId: number, readonly me: SessionUser) {
    this.room = new LiveRoom(projectId, {
      lastSeq: () => this.seq,
      apply: (change) => this.applyChange(change),
      snapshot: (message) => {
        this.seq = message.seq;
        this.confirmed = message.board as unknown as BoardData;
        this.settle();
      },
      unacked: () => this.pending.filter((p) => !p.acked).map((p) => p.message),
      hello: (message) => {
        this.session = message.you.session;
        this.sendPresence(true);
        // Text sessions opened before the drop missed updates: ask for their state again.
        for (const [key, session] of this.texts) if (!session.ready) this.requestText(key);
      },
      ack: (message) => this.onAck(message),
      error: (message) => this.onError(message),
      presence: (members) => {
        this.members = members;
        this.emit();
      },
      textState: (message) => this.onTextState(message),
      render: (job) => this.applyRender(job),
      state: (state) => {
        this.link = state;
        if (state !== "live") this.members = this.members.filter((m) => m.session === this.session);
        this.emit();
      },
    });
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  private emit(): void {
    this.listeners.forEach((listener) => listener());
  }

  /** Update `data` in place of the helpers below (they work on whichever board is current). */
  private set(update: (data: BoardData) => BoardData): void {
    if (this.data) this.data = update(this.data);
  }

  get can(): { edit: boolean; render: boolean; manage: boolean } {
    const allowed = this.data?.project.allowed ?? [];
    return { edit: allowed.includes("edit"), render: allowed.includes("render"), manage: allowed.includes("manage_project") };
  }

  /** Ops not yet confirmed by the server (shown as "saving" in the header). */
  get unsaved(): number {
    return this.pending.length;
  }

  // --- Loading -------------------------------------------------------------------------------

  async start(): Promise<void> {
    await this.load();
    if (!this.data) return;
    this.room.start();
    void this.loadMembers();
    void this.loadJobs();
  }

  stop(): void {
    this.room.stop();
    for (const session of this.texts.values()) session.close();
    this.texts.clear();
    window.clearTimeout(this.refetchTimer);
    window.clearTimeout(this.presenceTimer);
    window.clearTimeout(this.resendTimer);
  }

  async load(): Promise<void> {
    const { data, response } = await api.GET("/api/projects/{id}/board/", { params: { path: { id: this.projectId } } }).catch(() => ({ data: undefined, response: null }));
    if (!data) {
      this.loadError = response?.status === 404 ? "This project does not exist or you are not a member." : "Could not load the board.";
      this.emit();
      return;
    }
    // The board read is a consistent snapshot up to project.last_seq; the room replays the rest.
    const reread = this.confirmed !== null;
    this.seq = data.project.last_seq ?? 0;
    this.confirmed = data as BoardData;
    this.loadError = "";
    this.settle();
    if (reread) this.room.catchUp(true);
  }

  /** Re-read the whole board soon (used when a change cannot be applied row by row). */
  private refetchSoon(): void {
    window.clearTimeout(this.refetchTimer);
    this.refetchTimer = window.setTimeout(() => void this.load(), 150);
  }

  private async loadMembers(): Promise<void> {
    const { data } = await api.GET("/api/projects/{project_pk}/members/", { params: { path: { project_pk: this.projectId } } });
    for (const member of data ?? []) this.names.set(member.user, member.display_name);
  }

  private async loadJobs(): Promise<void> {
    const { data } = await api.GET("/api/render-jobs/", { params: { query: { project: this.projectId } } });
    for (const job of data ?? []) this.putJob(jobView(job));
    this.emit();
  }

  /** Record a job (newer news of it replaces older); the shot's latest job follows. */
  private putJob(job: JobView): void {
    if (job.shot == null) return;
    this.allJobs.set(job.id, job);
    const latest = this.jobs.get(job.shot);
    if (!latest || latest.id <= job.id) this.jobs.set(job.shot, job);
  }

  /** A shot's renders, newest first (complete once loadHistory has run). */
  jobsOf(shotId: number): JobView[] {
    return [...this.allJobs.values()].filter((j) => j.shot === shotId).sort((a, b) => b.id - a.id);
  }

  historyReady(shotId: number): boolean {
    return this.historyLoaded.has(shotId);
  }

  async loadHistory(shotId: number): Promise<void> {
    const { data } = await api.GET("/api/render-jobs/", { params: { query: { shot: shotId } } }).catch(() => ({ data: undefined }));
    if (!data) return;
    for (const job of data) {
      const known = this.allJobs.get(job.id);
      // A live progress tick is newer than the row read: keep it while the job is running.
      if (known && (known.status === "running" || known.status === "queued") && job.status === known.status) this.putJob({ ...jobView(job), ...known, outputs: outputsOf(job) });
      else this.putJob(jobView(job));
    }
    this.historyLoaded.add(shotId);
    this.emit();
  }

  // --- Lookups -------------------------------------------------------------------------------

  shot(id: number): Shot | undefined {
    for (const scene of this.data?.scenes ?? []) {
      const shot = scene.shots.find((s) => s.id === id);
      if (shot) return shot;
    }
    return undefined;
  }

  panel(id: number): Panel | undefined {
    for (const scene of this.data?.scenes ?? []) for (const shot of scene.shots) {
      const panel = shot.panels.find((p) => p.id === id);
      if (panel) return panel;
    }
    return undefined;
  }

  private row(entity: OpEntity, id: number): Record<string, unknown> | undefined {
    const data = this.data;
    if (!data) return undefined;
    if (entity === "scene") return data.scenes.find((s) => s.id === id);
    if (entity === "shot") return this.shot(id);
    if (entity === "panel") return this.panel(id);
    if (entity === "character") return data.characters.find((c) => c.id === id);
    return data.locations.find((l) => l.id === id);
  }

  /** A row's parent and the sibling before it (what a create or move needs to put it back). */
  private placeOf(entity: OpEntity, id: number): { parent: number; after: number | null } | null {
    const data = this.data!;
    const before = (rows: { id: number }[]) => {
      const at = rows.findIndex((r) => r.id === id);
      return at > 0 ? rows[at - 1].id : null;
    };
    if (entity === "scene") return { parent: this.projectId, after: before(data.scenes) };
    if (entity === "shot") {
      const scene = data.scenes.find((s) => s.shots.some((shot) => shot.id === id));
      return scene ? { parent: scene.id, after: before(scene.shots) } : null;
    }
    if (entity === "panel") {
      const shot = data.scenes.flatMap((s) => s.shots).find((s) => s.panels.some((p) => p.id === id));
      return shot ? { parent: shot.id, after: before(shot.panels) } : null;
    }
    return { parent: this.projectId, after: null };
  }

  // --- Presence ------------------------------------------------------------------------------

  /** Other tabs (of anyone, including this user's other windows) editing this cell. */
  editorsOf(entity: string, id: number, field: string): Member[] {
    return this.members.filter((m) => m.session !== this.session && m.focus?.entity === entity && m.focus.id === id && m.focus.field === field);
  }

  setFocus(focus: Focus): void {
    this.focus = focus;
    this.sendPresence(true);
  }

  /** Leave a cell (unless focus already moved on to another one). */
  clearFocus(focus: Focus): void {
    const now = this.focus;
    if (!now || now.entity !== focus.entity || now.id !== focus.id || now.field !== focus.field) return;
    this.focus = null;
    this.sendPresence(true);
  }

  setCursor(cursor: Cursor | null): void {
    this.cursor = cursor;
    this.sendPresence(false);
  }

  /** Presence carries focus and cursor together; at most one message per PRESENCE_EVERY_MS. */
  private sendPresence(urgent: boolean): void {
    if (this.presenceTimer) {
      if (!urgent) return; // the scheduled send carries the newest values
      window.clearTimeout(this.presenceTimer);
    }
    const wait = this.presenceSent + PRESENCE_EVERY_MS - Date.now();
    const go = () => {
      this.presenceTimer = 0;
      this.presenceSent = Date.now();
      this.room.send({ type: "presence", focus: this.focus, cursor: this.cursor });
    };
    if (wait <= 0) go();
    else this.presenceTimer = window.setTimeout(go, wait);
  }

  // --- Ops -----------------------------------------------------------------------------------

  /** Apply an op locally at once, queue it and send it; `history` records it for undo. */
  private submit(op: Op, history: "user" | "undo" | "redo" | null = "user", text?: string): PendingOp {
    const pending: PendingOp = {
      message: { type: "op", op_id: `${this.clientId}.${++this.opCounter}`, op },
      acked: false, ackSeq: null, ackId: null, seen: false, tempId: 0, text, watched: false, done: [],
    };
    if (op.kind === "create") pending.tempId = this.tempIds--;
    if (history) {
      // A new action of the user's own makes the redo stack meaningless; undo/redo steps keep it.
      if (history === "user") this.redoStack = [];
      const entry = this.historyOf(op, pending);
      if (entry) this.remember(entry, history === "redo" ? "redo" : "undo");
    }
    this.pending.push(pending);
    this.rebuild();
    this.emit();
    this.room.send(pending.message);
    return pending;
  }

  private remember(entry: HistoryEntry, stack: "undo" | "redo"): void {
    if (stack === "undo") {
      this.undoStack.push(entry);
      if (this.undoStack.length > HISTORY_LIMIT) this.undoStack.shift();
    } else this.redoStack.push(entry);
  }

  /** The undo entry of an op, from the board as it is before the op. */
  private historyOf(op: Op, pending: PendingOp): HistoryEntry | null {
    switch (op.kind) {
      case "set": {
        const row = this.row(op.entity, op.id);
        if (!row) return null;
        const before = Object.fromEntries(Object.keys(op.fields).map((field) => [field, row[field]]));
        return { inverse: () => ({ kind: "set", entity: op.entity, id: op.id, fields: before }) };
      }
      case "create":
        return { inverse: () => (pending.ackId != null ? { kind: "delete", entity: op.entity, id: pending.ackId } : null) };
      case "delete": {
        const row = this.row(op.entity, op.id);
        const place = this.placeOf(op.entity, op.id);
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
        const place = this.placeOf(op.entity, op.id);
        if (!place) return null;
        return { inverse: () => ({ kind: "move", entity: op.entity, id: op.id, after: place.after, parent: place.parent }) };
      }
      case "text":
        return null; // a whole editing session is one undo step (see closeText)
    }
  }

  undo(): void {
    this.step(this.undoStack, "redo", "Nothing to undo.");
  }

  redo(): void {
    this.step(this.redoStack, "undo", "Nothing to redo.");
  }

  private step(from: HistoryEntry[], to: "undo" | "redo", empty: string): void {
    if (!this.can.edit) return;
    const entry = from.pop();
    if (!entry) return void toast(empty, "info", 2000);
    const op = entry.inverse();
    if (!op) {
      from.push(entry);
      return void toast("That change is still being saved; try again in a moment.", "info", 2500);
    }
    this.submit(op, to);
  }

  /** Resolves when the op is applied and on the board, or refused. */
  private outcome(pending: PendingOp): Promise<OpResult> {
    return new Promise((resolve) => pending.done.push(resolve));
  }

  /** Like outcome(), but gives up waiting after a while (the op stays queued and is resent). */
  private async watch(pending: PendingOp): Promise<OpResult> {
    pending.watched = true;
    let timer = 0;
    const timeout = new Promise<OpResult>((resolve) => {
      timer = window.setTimeout(() => resolve({ ok: false, code: "timeout", detail: "", errors: {} }), OP_TIMEOUT_MS);
    });
    const result = await Promise.race([this.outcome(pending), timeout]);
    window.clearTimeout(timer);
    if (!result.ok && result.code === "timeout") pending.watched = false;
    return result;
  }

  private onAck(message: AckMessage): void {
    const pending = this.pending.find((p) => p.message.op_id === message.op_id);
    if (!pending || pending.acked) return;
    this.resendRetries = 0;
    pending.acked = true;
    pending.ackSeq = message.seq;
    pending.ackId = message.id;
    this.settle();
  }

  private onError(message: ErrorMessage): void {
    if (message.code === "rate_limited" || message.code === "busy") {
      // Dropped unread, not refused (apps.rooms.protocol.RETRY_LATER): the op stays queued and
      // is sent again after a backoff.
      this.resendSoon();
      return;
    }
    const at = message.op_id ? this.pending.findIndex((p) => p.message.op_id === message.op_id) : -1;
    if (at < 0) {
      if (message.code !== "not_found" || !message.op_id) console.warn("room error", message.code, message.detail);
      return;
    }
    // Roll back: the op leaves the queue and the board is rebuilt without it.
    const [pending] = this.pending.splice(at, 1);
    this.rebuild();
    this.emit();
    const result: OpResult = { ok: false, code: message.code, detail: message.detail, errors: message.errors ?? {} };
    if (!pending.watched || message.code !== "invalid") toast(this.explain(result), message.code === "not_found" ? "warn" : "error", 6000);
    pending.done.forEach((done) => done(result));
  }

  private explain(result: OpResult): string {
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

  /** Dropped (rate-limited, busy) ops are sent again, in order, with the same op_id (repeats
   *  are harmless), after a jittered backoff that grows while the server keeps dropping them. */
  private resendSoon(): void {
    if (this.resendTimer) return;
    const delay = Math.min(8_000, 500 * 2 ** this.resendRetries) * (0.75 + Math.random() * 0.5);
    this.resendRetries += 1;
    this.resendTimer = window.setTimeout(() => {
      this.resendTimer = 0;
      // A copy: an op refused on the way (too large) leaves the queue meanwhile.
      for (const pending of [...this.pending]) if (!pending.acked) this.room.send(pending.message);
    }, delay);
  }

  /** Finish ops whose effect is now in `confirmed`; rebuild what the screen shows. */
  private settle(): void {
    const finished = this.pending.filter((p) => p.acked && (p.ackSeq == null || p.ackSeq <= this.seq));
    if (finished.length) this.pending = this.pending.filter((p) => !finished.includes(p));
    this.rebuild();
    this.emit();
    for (const pending of finished) pending.done.forEach((done) => done({ ok: true, id: pending.ackId }));
  }

  /** `data` = `confirmed` + the pending ops, in order. */
  private rebuild(): void {
    this.data = this.confirmed;
    if (!this.data) return;
    for (const pending of this.pending) {
      try {
        this.overlay(pending);
      } catch (error) {
        console.warn("could not show a pending op", pending.message, error);
      }
    }
  }

  private overlay(pending: PendingOp): void {
    const op = pending.message.op;
    switch (op.kind) {
      case "set":
        return this.patchLocal(op.entity, op.id, op.fields);
      case "text":
        return this.patchLocal(op.entity, op.id, { [op.field]: pending.text ?? "" });
      case "delete":
        return this.removeRow(op.entity, op.id);
      case "move":
        return this.moveLocal(op.entity, op.id, op.after, op.parent);
      case "create":
        if (!pending.seen) this.insertTemp(op.entity, pending.tempId, op.parent, op.after, op.fields ?? {});
        return;
    }
  }

  private patchLocal(entity: OpEntity, id: number, fields: Record<string, unknown>): void {
    if (entity === "shot") this.mapShots((s) => (s.id === id ? { ...s, ...fields } : s));
    else if (entity === "panel") this.mapPanels((p) => (p.id === id ? { ...p, ...fields } : p));
    else if (entity === "scene") this.mapScenes((s) => (s.id === id ? { ...s, ...fields, heading: this.heading({ ...s, ...fields }) } : s));
    else if (entity === "character") this.set((d) => ({ ...d, characters: d.characters.map((c) => (c.id === id ? { ...c, ...fields } : c)).sort(byName) }));
    else if (entity === "location") {
      this.set((d) => ({ ...d, locations: d.locations.map((l) => (l.id === id ? { ...l, ...fields } : l)).sort(byName) }));
      this.mapScenes((scene) => (scene.location === id ? { ...scene, heading: this.heading(scene) } : scene));
    }
  }

  /** Put a row right after `after` (null: first) under `parent` (default: where it is). */
  private moveLocal(entity: OpEntity, id: number, after: number | null, parent: number | null): void {
    const insert = <T extends { id: number }>(rows: T[], row: T) => {
      const rest = rows.filter((r) => r.id !== id);
      const at = after == null ? 0 : rest.findIndex((r) => r.id === after) + 1;
      return [...rest.slice(0, at), row, ...rest.slice(at)];
    };
    if (entity === "scene") {
      const scene = this.data!.scenes.find((s) => s.id === id);
      if (scene) this.set((d) => ({ ...d, scenes: insert(d.scenes, scene) }));
    } else if (entity === "shot") {
      const shot = this.shot(id);
      if (!shot) return;
      const target = parent ?? shot.scene;
      this.set((d) => ({
        ...d,
        scenes: d.scenes.map((scene) => {
          if (scene.id === target) return { ...scene, shots: insert(scene.shots, { ...shot, scene: target }) };
          return scene.shots.some((s) => s.id === id) ? { ...scene, shots: scene.shots.filter((s) => s.id !== id) } : scene;
        }),
      }));
    } else if (entity === "panel") {
      const panel = this.panel(id);
      if (!panel) return;
      const target = parent ?? panel.shot;
      this.mapScenes((scene) => ({
        ...scene,
        shots: scene.shots.map((shot) => {
          if (shot.id === target) return { ...shot, panels: insert(shot.panels, { ...panel, shot: target }) };
          return shot.panels.some((p) => p.id === id) ? { ...shot, panels: shot.panels.filter((p) => p.id !== id) } : shot;
        }),
      }));
    }
  }

  /** The optimistic row of a create, shaped like a sibling so every cell can draw it. */
  private insertTemp(entity: OpEntity, id: number, parent: number, after: number | null, fields: Record<string, unknown>): void {
    const data = this.data!;
    const place = <T extends { id: number }>(rows: T[], row: T) => {
      const at = after == null ? rows.length : rows.findIndex((r) => r.id === after) + 1;
      return [...rows.slice(0, at), row, ...rows.slice(at)];
    };
    const common = { id, rank: "", version: 0, created_at: "", updated_at: "" };
    if (entity === "scene") {
      const model = data.scenes.at(-1);
      if (!model) return; // nothing to shape it on: it appears when confirmed
      const scene = { ...model, ...common, number: "…", synopsis: "", location: null, ...fields, shots: [] } as Scene;
      this.set((d) => ({ ...d, scenes: place(d.scenes, { ...scene, heading: this.heading(scene) }) }));
    } else if (entity === "shot") {
      const model = data.scenes.find((s) => s.id === parent)?.shots.at(-1) ?? data.scenes.flatMap((s) => s.shots)[0];
      if (!model) return;
      const shot = { ...model, ...common, scene: parent, number: "…", description: "", dialogue: "", props: "", notes: "", characters: [], ...fields, panels: [] } as Shot;
      this.mapScenes((scene) => (scene.id === parent ? { ...scene, shots: place(scene.shots, shot) } : scene));
    } else if (entity === "panel") {
      const panel = { ...common, shot: parent, image: null, image_url: null, duration_s: 2, caption: "", notes: "", ...fields } as Panel;
      this.mapShots((shot) => (shot.id === parent ? { ...shot, panels: place(shot.panels, panel) } : shot));
    } else if (entity === "character") {
      const character = { ...common, project: parent, name: "", description: "", height_m: 1.75, colour: "#888888", ...fields } as Character;
      this.set((d) => ({ ...d, characters: [...d.characters, character].sort(byName) }));
    } else {
      const location = { ...common, project: parent, name: "", description: "", ...fields } as Location;
      this.set((d) => ({ ...d, locations: [...d.locations, location].sort(byName) }));
    }
  }

  // --- Writes (as ops) -----------------------------------------------------------------------

  /** Set fields of a row (from a cell); resolves with the messages to show, or null. */
  async save(entity: OpEntity, id: number, fields: Record<string, unknown>): Promise<SaveOutcome> {
    const result = await this.watch(this.submit({ kind: "set", entity, id, fields }));
    if (result.ok || result.code === "timeout") return null;
    if (result.code === "invalid") {
      const own = Object.keys(fields).flatMap((f) => result.errors[f] ?? []);
      return own.length ? own : Object.values(result.errors).flat().length ? Object.values(result.errors).flat() : [result.detail];
    }
    return null; // shown as a toast by onError
  }

  /** Create a row; resolves with its id once it is on the board (null if refused). */
  private async create(entity: OpEntity, parent: number, fields: Record<string, unknown>, after: number | null = null): Promise<number | null> {
    const result = await this.outcome(this.submit({ kind: "create", entity, parent, after, fields }));
    return result.ok ? result.id : null;
  }

  async createScene(): Promise<void> {
    await this.create("scene", this.projectId, { setting: "INT", time_of_day: "DAY", synopsis: "" });
  }

  async createShot(sceneId: number): Promise<number | null> {
    return this.create("shot", sceneId, {});
  }

  async createPanel(shot: Shot): Promise<Panel | null> {
    const id = await this.create("panel", shot.id, { duration_s: shot.duration_s, caption: "" });
    return id == null ? null : this.panel(id) ?? null;
  }

  /** Create a library entry; resolves with a problem to show, or null. */
  private async createNamed(entity: "character" | "location", name: string): Promise<string | null> {
    const pending = this.submit({ kind: "create", entity, parent: this.projectId, after: null, fields: { name } });
    pending.watched = true;
    const result = await this.outcome(pending);
    if (result.ok) return null;
    return result.code === "invalid" ? result.errors.name?.join(" ") ?? this.explain(result) : this.explain(result);
  }

  createCharacter(name: string): Promise<string | null> {
    return this.createNamed("character", name);
  }

  createLocation(name: string): Promise<string | null> {
    return this.createNamed("location", name);
  }

  remove(entity: OpEntity, row: { id: number }): void {
    this.submit({ kind: "delete", entity, id: row.id });
  }

  /** Move a shot after `afterId` (null = first) in `sceneId`; shown at once, undone if refused. */
  async moveShot(shot: Shot, afterId: number | null, sceneId: number): Promise<void> {
    await this.watch(this.submit({ kind: "move", entity: "shot", id: shot.id, after: afterId, parent: sceneId !== shot.scene ? sceneId : null }));
  }

  async movePanel(panel: Panel, afterId: number | null, shotId: number): Promise<void> {
    await this.watch(this.submit({ kind: "move", entity: "panel", id: panel.id, after: afterId, parent: shotId !== panel.shot ? shotId : null }));
  }

  async moveScene(scene: Scene, afterId: number | null): Promise<void> {
    await this.watch(this.submit({ kind: "move", entity: "scene", id: scene.id, after: afterId, parent: null }));
  }

  // --- Live text -----------------------------------------------------------------------------

  /** Start editing a long-text field live (null when it is not one, or the room is down). */
  openText(entity: OpEntity, id: number, field: string): TextSession | null {
    if (!isText(entity, field) || !this.room.isLive || id < 0) return null;
    const key = `${entity}:${id}:${field}`;
    this.texts.get(key)?.close();
    const session = new TextSession((update, text) => {
      this.submit({ kind: "text", entity, id, field, update }, null, text);
    });
    this.texts.set(key, session);
    this.requestText(key);
    window.setTimeout(() => session.fail(), 2_500);
    return session;
  }

  private requestText(key: string): void {
    const [entity, id, field] = key.split(":");
    this.room.send({ type: "text_sync", entity: entity as OpEntity, id: Number(id), field });
  }

  /** Stop editing: send what is left and remember the session as one undo step. */
  closeText(session: TextSession): void {
    const key = [...this.texts].find(([, s]) => s === session)?.[0];
    if (key) this.texts.delete(key);
    const start = session.startText;
    const end = session.value;
    session.close();
    if (!key || start == null || start === end) return;
    const [entity, id, field] = key.split(":");
    const before = { [field]: start };
    this.remember({ inverse: () => ({ kind: "set", entity: entity as OpEntity, id: Number(id), fields: before }) }, "undo");
    this.redoStack = [];
  }

  private onTextState(message: TextStateMessage): void {
    this.texts.get(`${message.entity}:${message.id}:${message.field}`)?.load(message.update);
  }

  // --- Local row edits (shared by API answers and room changes) -------------------------------

  private mapScenes(fn: (scene: Scene) => Scene): void {
    this.set((data) => ({ ...data, scenes: data.scenes.map(fn) }));
  }

  private mapShots(fn: (shot: Shot) => Shot): void {
    this.mapScenes((scene) => {
      const shots = scene.shots.map(fn);
      return shots.some((s, i) => s !== scene.shots[i]) ? { ...scene, shots } : scene;
    });
  }

  private mapPanels(fn: (panel: Panel) => Panel): void {
    this.mapShots((shot) => {
      const panels = shot.panels.map(fn);
      return panels.some((p, i) => p !== shot.panels[i]) ? { ...shot, panels } : shot;
    });
  }

  private heading(scene: Pick<Scene, "setting" | "location" | "time_of_day">): string {
    // Same slugline the server builds (Scene.heading), so local edits show it at once.
    const location = this.data?.locations.find((l) => l.id === scene.location);
    return `${SETTINGS[scene.setting]} ${location ? location.name.toUpperCase() : "UNKNOWN"} - ${scene.time_of_day}`;
  }

  private putShotRow(row: Partial<Shot> & { id: number; version: number }): void {
    this.mapShots((shot) => (shot.id === row.id && row.version >= shot.version ? { ...shot, ...row, panels: shot.panels } : shot));
  }

  private putSceneRow(row: Partial<Scene> & { id: number; version: number }): void {
    this.mapScenes((scene) => {
      if (scene.id !== row.id || row.version < scene.version) return scene;
      const merged = { ...scene, ...row, shots: scene.shots };
      return { ...merged, heading: this.heading(merged) };
    });
  }

  private putPanelRow(row: Partial<Panel> & { id: number; version: number }): void {
    this.mapPanels((panel) => (panel.id === row.id && row.version >= panel.version ? { ...panel, ...row } : panel));
  }

  private putCharacter(row: Partial<Character> & { id: number; version: number }): void {
    this.set((data) => ({ ...data, characters: data.characters.map((c) => (c.id === row.id && row.version >= c.version ? { ...c, ...row } : c)).sort(byName) }));
  }

  private putLocation(row: Partial<Location> & { id: number; version: number }): void {
    this.set((data) => ({ ...data, locations: data.locations.map((l) => (l.id === row.id && row.version >= l.version ? { ...l, ...row } : l)).sort(byName) }));
    // A renamed location renames every slugline that uses it.
    this.mapScenes((scene) => (scene.location === row.id ? { ...scene, heading: this.heading(scene) } : scene));
  }

  private removeRow(entity: Entity, id: number): void {
    if (entity === "scene") this.set((data) => ({ ...data, scenes: data.scenes.filter((s) => s.id !== id) }));
    if (entity === "shot") this.mapScenes((scene) => (scene.shots.some((s) => s.id === id) ? { ...scene, shots: scene.shots.filter((s) => s.id !== id) } : scene));
    if (entity === "panel") this.mapShots((shot) => (shot.panels.some((p) => p.id === id) ? { ...shot, panels: shot.panels.filter((p) => p.id !== id) } : shot));
    if (entity === "character") {
      this.set((data) => ({ ...data, characters: data.characters.filter((c) => c.id !== id) }));
      this.mapShots((shot) => (shot.characters.includes(id) ? { ...shot, characters: shot.characters.filter((c) => c !== id) } : shot));
    }
    if (entity === "location") this.set((data) => ({ ...data, locations: data.locations.filter((l) => l.id !== id) }));
  }

  /** Put a shot under `sceneId` with a new rank (from a room change). */
  private placeShot(id: number, sceneId: number, rank: string, version: number): boolean {
    const shot = this.shot(id);
    if (!shot || !this.data?.scenes.some((s) => s.id === sceneId)) return false;
    const moved: Shot = { ...shot, scene: sceneId, rank, version: Math.max(version, shot.version) };
    this.mapScenes((scene) => {
      const rest = scene.shots.filter((s) => s.id !== id);
      const shots = scene.id === sceneId ? [...rest, moved].sort(byRank) : rest;
      return rest.length === scene.shots.length && scene.id !== sceneId ? scene : { ...scene, shots };
    });
    return true;
  }

  private placePanel(id: number, shotId: number, rank: string, version: number): boolean {
    const panel = this.panel(id);
    if (!panel || !this.shot(shotId)) return false;
    const moved: Panel = { ...panel, shot: shotId, rank, version: Math.max(version, panel.version) };
    this.mapShots((shot) => {
      const rest = shot.panels.filter((p) => p.id !== id);
      if (shot.id === shotId) return { ...shot, panels: [...rest, moved].sort(byRank) };
      return rest.length === shot.panels.length ? shot : { ...shot, panels: rest };
    });
    return true;
  }

  private placeScene(id: number, rank: string, version: number): void {
    this.set((data) => ({
      ...data,
      scenes: data.scenes.map((s) => (s.id === id ? { ...s, rank, version: Math.max(version, s.version) } : s)).sort(byRank),
    }));
  }

  /** Run `fn` against `confirmed` (server truth), then show it with the pending ops on top. */
  private onConfirmed(fn: () => void): void {
    if (!this.confirmed) return;
    this.data = this.confirmed;
    fn();
    this.confirmed = this.data;
    this.settle();
  }

  // --- Room changes --------------------------------------------------------------------------

  private applyChange(change: Change): void {
    this.seq = Math.max(this.seq, change.seq);
    this.lastActor.set(`${change.entity}:${change.id}`, change.actor);
    const own = change.client_op_id ? this.pending.find((p) => p.message.op_id === change.client_op_id) : undefined;
    if (own) own.seen = true;
    // Live editors merge the CRDT update instead of taking the text.
    const textUpdates = (change.data as Partial<RowData<unknown>>).text_updates;
    if (textUpdates) {
      for (const [field, update] of Object.entries(textUpdates)) this.texts.get(`${change.entity}:${change.id}:${field}`)?.remote(update);
    }
    this.onConfirmed(() => {
      try {
        this.applyOne(change);
      } catch (error) {
        console.warn("could not apply change; re-reading the board", change, error);
        this.refetchSoon();
      }
    });
  }

  private applyOne(change: Change): void {
    const { action, id } = change;
    const entity = change.entity as Entity;
    if (entity === "render_job") return this.applyRender(change.data as unknown as JobEvent);
    if (entity === "membership") return this.refetchSoon(); // roles and allowed actions may change
    if (action === "delete") {
      if (entity === "project") {
        toast("This project was deleted.", "error");
        return;
      }
      return this.removeRow(entity, id);
    }
    if (action === "move") {
      const data = change.data as unknown as MoveData;
      if (entity === "scene") return this.placeScene(id, data.rank, data.version);
      const ok = entity === "shot" ? this.placeShot(id, data.scene!, data.rank, data.version) : entity === "panel" ? this.placePanel(id, data.shot!, data.rank, data.version) : false;
      if (!ok) this.refetchSoon();
      return;
    }
    const data = change.data as unknown as RowData<EntityRows[keyof EntityRows]>;
    const row = { ...data.fields, id, version: data.version };
    if (action === "create") return this.insertRow(entity, row);
    switch (entity) {
      case "project":
        return this.set((d) => ({ ...d, project: { ...d.project, ...(data.fields as Partial<Project>), version: data.version } }));
      case "scene":
        return this.putSceneRow(row as Partial<Scene> & { id: number; version: number });
      case "shot": {
        this.putShotRow(row as Partial<Shot> & { id: number; version: number });
        // The angle of view is computed by the server; a change that does not carry it is re-read.
        const shot = this.shot(id);
        if (shot && !("field_of_view" in data.fields) && FOV_SOURCES.some((f) => f in data.fields)) void this.rereadShot(id);
        return;
      }
      case "panel": {
        this.putPanelRow(row as Partial<Panel> & { id: number; version: number });
        // The change names the new asset id only; its URL comes with the row.
        if ("image" in data.fields && !("image_url" in data.fields)) void this.rereadPanel(id);
        return;
      }
      case "character":
        return this.putCharacter(row as Partial<Character> & { id: number; version: number });
      case "location":
        return this.putLocation(row as Partial<Location> & { id: number; version: number });
    }
  }

  private insertRow(entity: Entity, fields: Record<string, unknown> & { id: number }): void {
    const data = this.data!;
    switch (entity) {
      case "scene": {
        if (data.scenes.some((s) => s.id === fields.id)) return;
        const scene = { ...(fields as unknown as Scene), shots: [] };
        return this.set((d) => ({ ...d, scenes: [...d.scenes, { ...scene, heading: scene.heading ?? this.heading(scene) }].sort(byRank) }));
      }
      case "shot": {
        const shot = { ...(fields as unknown as Shot), panels: [] };
        if (this.shot(shot.id)) return;
        if (!data.scenes.some((s) => s.id === shot.scene)) return this.refetchSoon();
        return this.mapScenes((scene) => (scene.id === shot.scene ? { ...scene, shots: [...scene.shots, shot].sort(byRank) } : scene));
      }
      case "panel": {
        const panel = fields as unknown as Panel;
        if (this.panel(panel.id)) return;
        if (!this.shot(panel.shot)) return this.refetchSoon();
        return this.mapShots((shot) => (shot.id === panel.shot ? { ...shot, panels: [...shot.panels, panel].sort(byRank) } : shot));
      }
      case "character":
        if (data.characters.some((c) => c.id === fields.id)) return;
        return this.set((d) => ({ ...d, characters: [...d.characters, fields as unknown as Character].sort(byName) }));
      case "location":
        if (data.locations.some((l) => l.id === fields.id)) return;
        return this.set((d) => ({ ...d, locations: [...d.locations, fields as unknown as Location].sort(byName) }));
      default:
        return this.refetchSoon();
    }
  }

  private async rereadPanel(id: number): Promise<void> {
    const { data } = await api.GET("/api/panels/{id}/", { params: { path: { id } } });
    if (data) this.onConfirmed(() => this.putPanelRow(data as Panel));
  }

  private async rereadShot(id: number): Promise<void> {
    const { data } = await api.GET("/api/shots/{id}/", { params: { path: { id } } });
    if (data) this.onConfirmed(() => this.putShotRow(data as unknown as Shot));
  }

  private applyRender(event: JobEvent): void {
    if (event.shot == null) return;
    const known = this.allJobs.get(event.id) ?? (this.jobs.get(event.shot)?.id === event.id ? this.jobs.get(event.shot) : undefined);
    const job = mergeJob(known, event);
    this.putJob(job);
    this.emit();
  }

  // --- REST: uploads and renders -------------------------------------------------------------

  private who(entity: Entity, id: number): string {
    const actor = this.lastActor.get(`${entity}:${id}`);
    if (actor == null) return "Someone else";
    if (actor === this.me.id) return "You (in another window)";
    return this.names.get(actor) ?? "Someone else";
  }

  private report(result: WriteResult<unknown>): void {
    if (result.ok) return;
    if (result.kind === "invalid") toast(Object.values(result.errors).flat().join(" "), "error");
    else if (result.kind === "conflict") toast(result.detail, "warn");
    else {
      toast(result.message, "error");
      if (result.kind === "gone") this.refetchSoon();
    }
  }

  async uploadPanelImage(panel: Panel, file: File): Promise<boolean> {
    const form = new FormData();
    form.append("image", file);
    const result = await settle(
      api.POST("/api/panels/{id}/image/", {
        params: { path: { id: panel.id } },
        // The schema types the file part as a string; FormData carries the real file.
        body: form as unknown as { image: string },
        bodySerializer: (body) => body as unknown as FormData,
        headers: ifMatch(panel.version),
      }),
    );
    if (result.ok) {
      this.onConfirmed(() => this.putPanelRow(result.data as Panel));
      return true;
    }
    if (result.kind === "conflict") {
      this.onConfirmed(() => this.putPanelRow(result.current as Panel));
      toast(`${this.who("panel", panel.id)} changed this panel meanwhile — drop the image again to replace theirs.`, "warn", 9000);
    } else this.report(result);
    return false;
  }

  /** Blocking = grey-box frame of the shot's camera; diffusion = styled frame (needs weights on the server). */
  async renderFrame(shot: Shot, backend: RenderJob["backend"] = "blocking"): Promise<void> {
    const problem = await this.startRender(shot, "frame", backend);
    if (problem) toast(problem, "error", 9000);
  }

  /** Queue a render of the shot; resolves with the server's reason when it refuses (else null). */
  async startRender(shot: Shot, kind: RenderKind, backend: RenderBackend): Promise<string | null> {
    const parameters = kind === "frame" ? { width: 960 } : {};
    const result = await settle(api.POST("/api/render-jobs/", { body: { shot: shot.id, kind, backend, parameters } }));
    if (!result.ok) return result.kind === "invalid" ? Object.values(result.errors).flat().join(" ") : result.kind === "conflict" ? result.detail : result.message;
    const job = result.data as RenderJob;
    const known = this.allJobs.get(job.id);
    // The room may have reported progress before this answer arrived.
    this.putJob(known && known.progress > job.progress ? { ...jobView(job), ...known, kind: job.kind, backend: job.backend, seed: job.seed, created_at: job.created_at } : jobView(job));
    this.emit();
    return null;
  }

  async cancelJob(job: JobView): Promise<void> {
    const result = await settle(api.POST("/api/render-jobs/{id}/cancel/", { params: { path: { id: job.id } } }));
    if (result.ok) {
      this.putJob(jobView(result.data as RenderJob));
      this.emit();
    } else this.report(result);
  }

  async retryJob(job: JobView): Promise<void> {
    const result = await settle(api.POST("/api/render-jobs/{id}/retry/", { params: { path: { id: job.id } } }));
    if (result.ok) {
      this.putJob(jobView(result.data as RenderJob));
      this.emit();
    } else this.report(result);
  }

  /** Put a rendered frame on a panel (the shot's first panel, made if the shot has none). */
  async useFrame(shot: Shot, asset: Asset, panelId?: number | null): Promise<void> {
    let panel: Panel | null = (panelId != null ? shot.panels.find((p) => p.id === panelId) : undefined) ?? shot.panels.find((p) => p.id > 0) ?? null;
    if (!panel) panel = await this.createPanel(shot);
    if (!panel) return;
    const problems = await this.save("panel", panel.id, { image: asset.id });
    if (problems) toast(problems.join(" "), "error");
    else toast(`Frame set on shot ${shot.number}'s panel.`, "ok", 3000);
  }
}
