// One project's board in the browser: the facade the components use (through state/context.ts).
// It wires the parts together and keeps none of their rules:
//   board.ts     pure reducers: a room change, or one of this tab's ops, on the board
//   pending.ts   this tab's ops until the server answers (shown at once, rolled back when
//                refused) and the undo/redo history
//   renders.ts   render jobs and their live events
//   presence.ts  who is here and which cell each tab edits
//   live.ts      the project room (changes in seq order, catch-up, resending unacked ops) over
//                socket.ts, the one WebSocket client (shared with review sessions)
//   text.ts      live editing of one long-text field (Yjs)
// `confirmed` is the board as the server has it; `data`, what the screen shows, is `confirmed`
// with the pending ops laid over it, rebuilt after every change, ack and refusal.
import { api, ifMatch, settle, type WriteResult } from "../api/client";
import type { Asset, Panel, RenderJob, Scene, SessionUser, Shot } from "../api/types";
import { toast } from "../ui/toasts";
import { VOCABULARY } from "../vocab";
import { confirmChange, findPanel, findShot, putPanelRow, putShotRow, type BoardData, type Confirmed, type FollowUp } from "./board";
import { LiveRoom, type LinkState } from "./live";
import { explain, finish, History, PendingOps, type OpOrigin, type OpResult, type PendingOp } from "./pending";
import { Outbox } from "./outbox";
import { Presence } from "./presence";
import type { AckMessage, Change, ConflictMessage, Cursor, Entity, ErrorMessage, Focus, Member, Op, OpEntity, RowData, TextStateMessage } from "./protocol";
import { RenderJobs, type JobView, type RenderBackend, type RenderKind } from "./renders";
import { TextSession } from "./text";

export type { BoardData } from "./board";
export type { OpResult } from "./pending";
export type { JobView, RenderBackend, RenderKind } from "./renders";

/** One field of this person's edit that the server left as someone else set it meanwhile: shown
 *  until they choose ("use mine" writes it again, "keep theirs" lets it go). */
export interface FieldConflict {
  key: string;
  entity: OpEntity;
  id: number;
  field: string;
  mine: unknown;
  theirs: unknown;
  /** Who set theirs, in words. */
  who: string;
}

/** What a cell's save returns: messages to show next to it (editor stays open) or null (done). */
export type SaveOutcome = string[] | null;

const OP_TIMEOUT_MS = 1_500; // an editor waits this long for the answer, then closes (the op stays queued)

/** Long-text fields merged with Yjs, as the server publishes them (previs/published.py). */
const isText = (entity: OpEntity, field: string) => (VOCABULARY.text_fields[entity] ?? []).includes(field);

export class BoardStore {
  /** What the screen shows: `confirmed` plus pending ops. */
  data: BoardData | null = null;
  loadError = "";
  link: LinkState = "connecting";
  private confirmed: Confirmed | null = null;
  private ops = new PendingOps();
  private history = new History();
  private renders: RenderJobs;
  private presence: Presence;
  private texts = new Map<string, TextSession>();
  private names = new Map<number, string>();
  /** Who last changed each row (from the room), to say who got there first on a conflict. */
  private lastActor = new Map<string, number | null>();
  private listeners = new Set<() => void>();
  private room: LiveRoom;
  private refetchTimer = 0;
  /** This person's edits on this board not yet answered, kept in IndexedDB across reloads. */
  private outbox: Outbox;
  /** Edits the server did not write because someone else changed the field first. */
  conflicts: FieldConflict[] = [];

  constructor(readonly projectId: number, readonly me: SessionUser) {
    this.outbox = new Outbox(`${me.id}:${projectId}`);
    this.ops.attach({
      baseSeq: () => this.confirmed?.seq ?? null,
      kept: (message) => void this.outbox.put(message),
      answered: (opId) => void this.outbox.remove(opId),
    });
    this.renders = new RenderJobs(projectId, () => this.emit(), (result) => this.report(result));
    this.presence = new Presence((message) => this.room.send(message));
    this.room = new LiveRoom(projectId, {
      lastSeq: () => this.confirmed?.seq ?? 0,
      apply: (change) => this.applyChange(change),
      snapshot: (message) => {
        this.confirmed = { board: message.board as unknown as BoardData, seq: message.seq };
        this.settle();
      },
      unacked: () => this.ops.unacked(),
      hello: (message) => {
        this.presence.joined(message.you.session);
        // Text sessions opened before the drop missed updates: ask for their state again.
        for (const [key, session] of this.texts) if (!session.ready) this.requestText(key);
      },
      ack: (message) => this.onAck(message),
      conflict: (message) => this.onConflict(message),
      error: (message) => this.onError(message),
      presence: (members) => {
        this.presence.members = members;
        this.emit();
      },
      textState: (message) => this.onTextState(message),
      render: (job) => this.renders.apply(job),
      state: (state) => {
        this.link = state;
        if (state !== "live") this.presence.left();
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

  get can(): { edit: boolean; render: boolean; manage: boolean } {
    const allowed = this.data?.project.allowed ?? [];
    return { edit: allowed.includes("edit"), render: allowed.includes("render"), manage: allowed.includes("manage_project") };
  }

  /** Ops not yet confirmed by the server (shown as "saving" in the header). */
  get unsaved(): number {
    return this.ops.size;
  }

  // --- Loading -------------------------------------------------------------------------------

  async start(): Promise<void> {
    await this.load();
    if (!this.data) return;
    // Edits made before a reload (offline, or unanswered when the tab closed): shown at once and
    // sent with the seq they were made on once the room is live.
    for (const message of await this.outbox.load()) this.ops.restore(message);
    this.show();
    this.emit();
    addEventListener("beforeunload", this.warnUnsaved);
    this.room.start();
    void this.loadMembers();
    void this.renders.load();
  }

  stop(): void {
    removeEventListener("beforeunload", this.warnUnsaved);
    this.room.stop();
    for (const session of this.texts.values()) session.close();
    this.texts.clear();
    window.clearTimeout(this.refetchTimer);
    this.presence.stop();
    this.ops.stop();
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
    this.confirmed = { board: data as BoardData, seq: data.project.last_seq ?? 0 };
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

  // --- Lookups -------------------------------------------------------------------------------

  shot(id: number): Shot | undefined {
    return this.data ? findShot(this.data, id) : undefined;
  }

  panel(id: number): Panel | undefined {
    return this.data ? findPanel(this.data, id) : undefined;
  }

  // --- Render jobs (renders.ts) --------------------------------------------------------------

  /** The latest job of each shot (by shot id). */
  get jobs(): ReadonlyMap<number, JobView> {
    return this.renders.latest;
  }

  /** The shot's newest finished frame render (its picture), if any. */
  latestFrame(shotId: number): Asset | undefined {
    return this.renders.frames.get(shotId)?.frame;
  }

  /** A shot's renders, newest first (complete once loadHistory has run). */
  jobsOf(shotId: number): JobView[] {
    return this.renders.of(shotId);
  }

  historyReady(shotId: number): boolean {
    return this.renders.historyReady(shotId);
  }

  loadHistory(shotId: number): Promise<void> {
    return this.renders.loadHistory(shotId);
  }

  /** Blocking = grey-box frame of the shot's camera; diffusion = styled frame (needs weights on the server). */
  async renderFrame(shot: Shot, backend: RenderJob["backend"] = "blocking"): Promise<void> {
    const problem = await this.renders.start(shot, "frame", backend);
    if (problem) toast(problem, "error", 9000);
  }

  /** Queue a render of the shot; resolves with the server's reason when it refuses (else null). */
  startRender(shot: Shot, kind: RenderKind, backend: RenderBackend): Promise<string | null> {
    return this.renders.start(shot, kind, backend);
  }

  cancelJob(job: JobView): Promise<void> {
    return this.renders.cancel(job);
  }

  retryJob(job: JobView): Promise<void> {
    return this.renders.retry(job);
  }

  // --- Presence (presence.ts) ----------------------------------------------------------------

  /** Everyone in the room (every tab), as the last presence message listed them. */
  get members(): Member[] {
    return this.presence.members;
  }

  /** This tab's own room session. */
  get session(): string {
    return this.presence.session;
  }

  /** Other tabs (of anyone, including this user's other windows) editing this cell. */
  editorsOf(entity: string, id: number, field: string): Member[] {
    return this.presence.editorsOf(entity, id, field);
  }

  setFocus(focus: Focus): void {
    this.presence.setFocus(focus);
  }

  /** Leave a cell (unless focus already moved on to another one). */
  clearFocus(focus: Focus): void {
    this.presence.clearFocus(focus);
  }

  setCursor(cursor: Cursor | null): void {
    this.presence.setCursor(cursor);
  }

  // --- Room changes and answers --------------------------------------------------------------

  private applyChange(change: Change): void {
    if (!this.confirmed) return;
    this.lastActor.set(`${change.entity}:${change.id}`, change.actor);
    this.ops.seen(change.client_op_id);
    // Live editors merge the CRDT update instead of taking the text.
    const textUpdates = (change.data as Partial<RowData<unknown>>).text_updates;
    if (textUpdates) {
      for (const [field, update] of Object.entries(textUpdates)) this.texts.get(`${change.entity}:${change.id}:${field}`)?.remote(update);
    }
    const { state, followUps } = confirmChange(this.confirmed, change);
    this.confirmed = state;
    this.settle();
    followUps.forEach((followUp) => this.follow(followUp));
  }

  private follow(followUp: FollowUp): void {
    switch (followUp.kind) {
      case "refetch":
        return this.refetchSoon();
      case "project_deleted":
        return toast("This project was deleted.", "error");
      case "render":
        return this.renders.apply(followUp.job);
      case "reread":
        return void (followUp.entity === "shot" ? this.rereadShot(followUp.id) : this.rereadPanel(followUp.id));
    }
  }

  /** Lay a row read over REST on the confirmed board (kept only if not older than what is there). */
  private putConfirmed(update: (board: BoardData) => BoardData): void {
    if (!this.confirmed) return;
    this.confirmed = { ...this.confirmed, board: update(this.confirmed.board) };
    this.settle();
  }

  private async rereadPanel(id: number): Promise<void> {
    const { data } = await api.GET("/api/panels/{id}/", { params: { path: { id } } });
    if (data) this.putConfirmed((board) => putPanelRow(board, data as Panel));
  }

  private async rereadShot(id: number): Promise<void> {
    const { data } = await api.GET("/api/shots/{id}/", { params: { path: { id } } });
    if (data) this.putConfirmed((board) => putShotRow(board, data as unknown as Shot));
  }

  private onAck(message: AckMessage): void {
    if (this.ops.ack(message)) this.settle();
  }

  /** Leaving with edits the server has not answered: the browser asks first (they are kept in
   *  IndexedDB all the same, and sent when this board is opened again). */
  private warnUnsaved = (event: BeforeUnloadEvent): void => {
    if (this.ops.size === 0) return;
    event.preventDefault();
    event.returnValue = ""; // older browsers ask only when this is set
  };

  private onConflict(message: ConflictMessage): void {
    const fields = Object.keys(message.fields);
    this.ops.dropFields(message.op_id, fields); // the screen shows theirs from now on
    const entity = message.entity as OpEntity;
    const kept = this.conflicts.filter((c) => !(c.entity === entity && c.id === message.id && fields.includes(c.field)));
    this.conflicts = kept.concat(
      Object.entries(message.fields).map(([field, conflict]) => ({
        key: `${entity}:${message.id}:${field}`, entity, id: message.id, field,
        mine: conflict.mine, theirs: conflict.current,
        who: conflict.actor == null ? "The studio" : conflict.actor === this.me.id ? "You (in another window)" : this.names.get(conflict.actor) ?? "Someone else",
      })),
    );
    this.show();
    this.emit();
  }

  /** Write this person's value over theirs after all (a live set, no base_seq). */
  useMine(conflict: FieldConflict): void {
    this.conflicts = this.conflicts.filter((c) => c !== conflict);
    this.submit({ kind: "set", entity: conflict.entity, id: conflict.id, fields: { [conflict.field]: conflict.mine } });
  }

  keepTheirs(conflict: FieldConflict): void {
    this.conflicts = this.conflicts.filter((c) => c !== conflict);
    this.emit();
  }

  private onError(message: ErrorMessage): void {
    if (message.code === "rate_limited" || message.code === "busy") {
      // Dropped unread, not refused (apps.rooms.protocol.RETRY_LATER): the op stays queued and
      // is sent again after a backoff.
      this.ops.resendSoon((op) => this.room.send(op));
      return;
    }
    const pending = this.ops.refuse(message.op_id);
    if (!pending) {
      if (message.code !== "not_found" || !message.op_id) console.warn("room error", message.code, message.detail);
      return;
    }
    // Rolled back: the board is rebuilt without it.
    this.show();
    this.emit();
    const result: OpResult = { ok: false, code: message.code, detail: message.detail, errors: message.errors ?? {} };
    if (!pending.watched || message.code !== "invalid") toast(explain(result), message.code === "not_found" ? "warn" : "error", 6000);
    finish(pending, result);
  }

  /** Finish ops whose effect is now confirmed; rebuild what the screen shows. */
  private settle(): void {
    const finished = this.ops.settle(this.confirmed?.seq ?? 0);
    this.show();
    this.emit();
    for (const pending of finished) finish(pending, { ok: true, id: pending.ackId });
  }

  private show(): void {
    this.data = this.ops.show(this.confirmed?.board ?? null);
  }

  // --- Writes (as ops) -----------------------------------------------------------------------

  /** Show an op at once, queue it and send it; `origin` records it for undo (null: not at all). */
  private submit(op: Op, origin: OpOrigin | null = "action", text?: string): PendingOp {
    const before = this.data;
    const pending = this.ops.add(op, text);
    if (origin && before) this.history.record(before, op, pending, origin);
    this.show();
    this.emit();
    this.room.send(pending.message);
    return pending;
  }

  undo(): void {
    this.step("undo", "Nothing to undo.");
  }

  redo(): void {
    this.step("redo", "Nothing to redo.");
  }

  private step(stack: "undo" | "redo", empty: string): void {
    if (!this.can.edit) return;
    const op = this.history.next(stack);
    if (op === "empty") return void toast(empty, "info", 2000);
    if (op === "busy") return void toast("That change is still being saved; try again in a moment.", "info", 2500);
    if (Array.isArray(op)) this.submitAll(op, stack);
    else this.submit(op, stack);
  }

  /** Several ops as one action (one undo step), sent together: the server applies what queued
   *  up together in one batch. */
  submitAll(ops: Op[], origin: OpOrigin = "action"): PendingOp[] {
    const before = this.data;
    const sent = ops.map((op) => ({ op, pending: this.ops.add(op) }));
    if (before) this.history.recordAll(before, sent, origin);
    this.show();
    this.emit();
    for (const { pending } of sent) this.room.send(pending.message);
    return sent.map(({ pending }) => pending);
  }

  /** Wait for ops sent together; resolves with the refusals (empty: all applied). */
  async outcomes(pendings: PendingOp[]): Promise<OpResult[]> {
    const results = await Promise.all(pendings.map((pending) => this.ops.outcome(pending)));
    return results.filter((result) => !result.ok);
  }

  /** A new shot right after `shot`: a copy of it, or its reverse (apps/boards/entry.py). */
  async shotFrom(shot: Shot, as: "duplicate_of" | "reverse_of"): Promise<number | null> {
    const pending = this.submit({ kind: "create", entity: "shot", parent: shot.scene, after: shot.id, fields: { [as]: shot.id } });
    pending.watched = true;
    const result = await this.ops.outcome(pending);
    if (!result.ok) toast(explain(result), "error", 6000);
    return result.ok ? result.id : null;
  }

  /** Set fields of a row (from a cell); resolves with the messages to show, or null. */
  async save(entity: OpEntity, id: number, fields: Record<string, unknown>): Promise<SaveOutcome> {
    const result = await this.ops.watch(this.submit({ kind: "set", entity, id, fields }), OP_TIMEOUT_MS);
    if (result.ok || result.code === "timeout") return null;
    if (result.code === "invalid") {
      const own = Object.keys(fields).flatMap((f) => result.errors[f] ?? []);
      return own.length ? own : Object.values(result.errors).flat().length ? Object.values(result.errors).flat() : [result.detail];
    }
    return null; // shown as a toast by onError
  }

  /** Create a row; resolves with its id once it is on the board (null if refused). */
  private async create(entity: OpEntity, parent: number, fields: Record<string, unknown>, after: number | null = null): Promise<number | null> {
    const result = await this.ops.outcome(this.submit({ kind: "create", entity, parent, after, fields }));
    return result.ok ? result.id : null;
  }

  async createScene(): Promise<void> {
    await this.create("scene", this.projectId, { setting: "INT", time_of_day: "DAY", synopsis: "" });
  }

  /** Type a slugline into a scene's heading ("EXT. JETTY - DAWN"): the server reads it and finds
   *  or makes the location. Undone by putting the heading's three parts back. */
  async setSlugline(scene: Scene, slugline: string): Promise<SaveOutcome> {
    const before = { setting: scene.setting, location: scene.location, time_of_day: scene.time_of_day };
    const pending = this.submit({ kind: "set", entity: "scene", id: scene.id, fields: { slugline } }, null);
    const result = await this.ops.watch(pending, OP_TIMEOUT_MS * 2);
    if (result.ok) this.history.action({ inverse: () => ({ kind: "set", entity: "scene", id: scene.id, fields: before }) });
    if (result.ok || result.code === "timeout") return null;
    return result.code === "invalid" ? Object.values(result.errors).flat() : [explain(result)];
  }

  /** A scene right after `afterId` (numbered 12A between 12 and 13 by the server). */
  insertScene(afterId: number): Promise<number | null> {
    return this.create("scene", this.projectId, { setting: "INT", time_of_day: "DAY", synopsis: "" }, afterId);
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
    const result = await this.ops.outcome(pending);
    if (result.ok) return null;
    return result.code === "invalid" ? result.errors.name?.join(" ") ?? explain(result) : explain(result);
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
    await this.ops.watch(this.submit({ kind: "move", entity: "shot", id: shot.id, after: afterId, parent: sceneId !== shot.scene ? sceneId : null }), OP_TIMEOUT_MS);
  }

  async movePanel(panel: Panel, afterId: number | null, shotId: number): Promise<void> {
    await this.ops.watch(this.submit({ kind: "move", entity: "panel", id: panel.id, after: afterId, parent: shotId !== panel.shot ? shotId : null }), OP_TIMEOUT_MS);
  }

  async moveScene(scene: Scene, afterId: number | null): Promise<void> {
    await this.ops.watch(this.submit({ kind: "move", entity: "scene", id: scene.id, after: afterId, parent: null }), OP_TIMEOUT_MS);
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
    this.history.action({ inverse: () => ({ kind: "set", entity: entity as OpEntity, id: Number(id), fields: before }) });
  }

  private onTextState(message: TextStateMessage): void {
    this.texts.get(`${message.entity}:${message.id}:${message.field}`)?.load(message.update);
  }

  // --- REST: uploads -------------------------------------------------------------------------

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
      this.putConfirmed((board) => putPanelRow(board, result.data as Panel));
      return true;
    }
    if (result.kind === "conflict") {
      this.putConfirmed((board) => putPanelRow(board, result.current as Panel));
      toast(`${this.who("panel", panel.id)} changed this panel meanwhile — drop the image again to replace theirs.`, "warn", 9000);
    } else this.report(result);
    return false;
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
