// One review in the browser: its content (REST), the live session (/ws/reviews/<id>/, see
// docs/protocol.md "Review sessions") and this page's estimate of the server clock.
//
// Playback is never streamed. The server says "frame F is shown at server time T, running at R";
// every page computes where that puts the picture now from its clock offset, so a viewer shows
// the presenter's frame without any per-frame traffic. A viewer may leave follow mode and move
// on its own (same model, local state); rejoining snaps back to the presenter's position.
import { api } from "../api/client";
import type { OpMessage } from "../state/protocol";
import { toast } from "../ui/toasts";
import {
  CLOSE_LINK_CLOSED, type Annotation, type Approval, type Change, type Comment, type Decision, type ErrorMessage, type LaserEvent, type Participant, type Playback,
  type Point, type ReviewClientMessage, type ReviewContent, type ReviewItem, type ReviewServerMessage, type SessionState,
  type Shape, type StrokeEvent, type StrokeMessage, type ZoomPan,
} from "./protocol";
import { CLOSE_NOT_FOUND, CLOSE_UNAUTHENTICATED, StudioSocket } from "../state/socket";
import { frameRate } from "../timecode";

export type Source = { kind: "member"; reviewId: number } | { kind: "guest"; token: string; reviewId: number };
export type LinkState = "connecting" | "live" | "reconnecting" | "closed";
type Op = OpMessage["op"];
type Action = "play" | "pause" | "seek" | "item";

export type OpResult = { ok: true; id: number | null } | { ok: false; detail: string; errors: Record<string, string[]> };

/** Where the picture is now. */
export interface Position {
  item: number;
  /** Fractional frame (clamped to the item). */
  frame: number;
  /** Running now (a play that starts at a future server time is not running yet). */
  playing: boolean;
  rate: number;
  /** Playback says playing but the item's last frame was reached. */
  ended: boolean;
}

/** A mark someone is drawing (never stored). */
export interface LiveStroke {
  key: string;
  session: string;
  shot: number;
  frame: number;
  tool: StrokeEvent["tool"];
  colour: string;
  width: number;
  points: Point[];
  done: boolean;
}

export interface Laser {
  session: string;
  colour: string;
  x: number;
  y: number;
  seen: number;
}

const SYNC_EVERY_MS = 10_000;
const SYNC_BURST = 5;
const SYNC_WINDOW = 8; // clock samples kept; the one with the smallest round trip wins
const OP_TIMEOUT_MS = 10_000;
const STROKE_EVERY_MS = 33; // ~30 stroke messages a second while drawing
const LASER_EVERY_MS = 33;
const DEFAULT_VIEW: ZoomPan = { zoom: 1, x: 0.5, y: 0.5 };

const ROW_LISTS = { comment: "comments", annotation: "annotations", approval: "approvals" } as const;
type RowEntity = keyof typeof ROW_LISTS;

function randomId(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(6)), (b) => b.toString(36).padStart(2, "0")).join("");
}

const clamp = (value: number, low: number, high: number) => Math.min(high, Math.max(low, value));

export class ReviewSession {
  content: ReviewContent | null = null;
  loadError = "";
  link: LinkState = "connecting";
  /** Why the session ended for good (a revoked or expired link, no access). */
  closedReason = "";
  you: Participant | null = null;
  participants: Participant[] = [];
  state: SessionState | null = null;
  /** Viewers follow the presenter's playback and view unless they step out. */
  following = true;
  /** This page's own playback while not following. */
  private local: Playback | null = null;
  private localView: ZoomPan = DEFAULT_VIEW;
  /** People asking this page (the presenter) for control. */
  requests: { session: string; name: string }[] = [];
  lasers = new Map<string, Laser>();
  strokes = new Map<string, LiveStroke>();
  /** Server clock minus this page's clock, in seconds. */
  offset = 0;
  /** Round trip of the clock sample in use (ms), null until the first pong. */
  rtt: number | null = null;
  private samples: { rtt: number; offset: number }[] = [];
  private socket: StudioSocket<ReviewClientMessage, ReviewServerMessage> | null = null;
  private stopped = false;
  private syncTimer = 0;
  private burstTimers: number[] = [];
  private refetchTimer = 0;
  private pending = new Map<string, (result: OpResult) => void>();
  private readonly clientId = randomId();
  private opCounter = 0;
  private listeners = new Set<() => void>();
  private endSent = false;
  // Outgoing strokes and laser, batched.
  private outStroke: (Omit<StrokeMessage, "points" | "done"> & { points: Point[]; done: boolean }) | null = null;
  private strokeTimer = 0;
  private laserTimer = 0;
  private laserNext: { x: number | null; y: number | null } | null = null;
  private laserSent = 0;
  private laserSweep = 0;
  private viewSent = 0;

  /** `userId`: the signed-in member (null for a share-link guest). */
  constructor(readonly source: Source, readonly userId: number | null = null) {}

  /** Written by whoever uses this page (guests are known by the name they gave). */
  isMine(row: { author: { user: number | null; guest: boolean; name: string } }): boolean {
    if (this.userId != null) return row.author.user === this.userId;
    return row.author.guest && row.author.name === this.content?.you.name;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  private emit(): void {
    this.listeners.forEach((listener) => listener());
  }

  get reviewId(): number {
    return this.source.reviewId;
  }

  get isGuest(): boolean {
    return this.source.kind === "guest";
  }

  get canComment(): boolean {
    return !!this.content?.you.can_comment && this.link !== "closed";
  }

  get canApprove(): boolean {
    return !!this.content?.you.can_approve && this.link !== "closed";
  }

  get isPresenter(): boolean {
    return !!this.you && this.state?.presenter === this.you.session;
  }

  get presenterName(): string | null {
    const presenter = this.state?.presenter;
    return this.participants.find((p) => p.session === presenter)?.name ?? null;
  }

  // --- Lifecycle -----------------------------------------------------------------------------

  async start(): Promise<void> {
    this.stopped = false;
    await this.load();
    if (!this.content || this.stopped) return;
    this.open();
    this.laserSweep = window.setInterval(() => this.sweepLasers(), 500);
  }

  stop(): void {
    this.stopped = true;
    window.clearTimeout(this.refetchTimer);
    window.clearTimeout(this.strokeTimer);
    window.clearTimeout(this.laserTimer);
    window.clearInterval(this.syncTimer);
    window.clearInterval(this.laserSweep);
    this.burstTimers.forEach((t) => window.clearTimeout(t));
    this.socket?.stop();
    this.socket = null;
  }

  async load(): Promise<void> {
    const answer = this.source.kind === "member"
      ? await api.GET("/api/reviews/{id}/content/", { params: { path: { id: this.source.reviewId } } }).catch(() => null)
      : await api.GET("/api/share/{token}/content/", { params: { path: { token: this.source.token } } }).catch(() => null);
    if (!answer?.data) {
      const status = answer?.response.status;
      if (status === 410) this.closedReason = "This link was revoked or has expired.";
      this.loadError = status === 404 ? "This review does not exist, or you have no access to it." : status === 410 ? this.closedReason : "Could not load the review.";
      if (status === 410) this.link = "closed";
      this.emit();
      return;
    }
    this.content = answer.data as ReviewContent;
    this.loadError = "";
    this.emit();
  }

  /** Re-read the content soon (a shot or panel under review changed: pictures, fingerprints, stale flags). */
  private refetchSoon(): void {
    window.clearTimeout(this.refetchTimer);
    this.refetchTimer = window.setTimeout(() => void this.load(), 300);
  }

  private open(): void {
    this.socket = new StudioSocket(`/ws/reviews/${this.reviewId}/`, [CLOSE_UNAUTHENTICATED, CLOSE_NOT_FOUND, CLOSE_LINK_CLOSED], {
      message: (message) => {
        this.receive(message);
        this.emit();
      },
      state: (state) => {
        window.clearInterval(this.syncTimer);
        this.failPending("The connection closed before the server answered.");
        this.link = state;
        if (state === "reconnecting") this.participants = this.participants.filter((p) => p.session === this.you?.session);
        this.emit();
      },
      ended: (code) => {
        window.clearInterval(this.syncTimer);
        this.failPending("The connection closed before the server answered.");
        this.link = "closed";
        if (!this.closedReason) {
          this.closedReason = code === CLOSE_LINK_CLOSED ? "This link was revoked or has expired." : "You no longer have access to this review.";
        }
        this.stopped = true;
        this.emit();
      },
      tooLarge: (opId) => this.onError({ type: "error", code: "too_large", op_id: opId, errors: null, detail: "That is too large to save; draw or write less in one go." }),
    }, () => ({ type: "ping", t: performance.now() }));
    this.socket.start();
  }

  private send(message: ReviewClientMessage): boolean {
    return !!this.socket && this.link === "live" && this.socket.send(message);
  }

  // --- Incoming ------------------------------------------------------------------------------

  private receive(message: ReviewServerMessage): void {
    switch (message.type) {
      case "hello": {
        const reconnected = this.socket!.greeted();
        this.link = "live";
        this.you = message.you;
        this.participants = message.participants;
        this.setState(message.state);
        if (!this.samples.length) this.offset = message.server_time - Date.now() / 1000;
        this.startClockSync();
        if (reconnected) void this.load(); // changes made while away are in the content
        break;
      }
      case "state":
        this.setState(message.state);
        break;
      case "participants":
        this.participants = message.participants;
        this.requests = this.requests.filter((r) => message.participants.some((p) => p.session === r.session));
        for (const session of [...this.lasers.keys()]) if (!message.participants.some((p) => p.session === session)) this.lasers.delete(session);
        break;
      case "control_request":
        if (!this.requests.some((r) => r.session === message.session)) this.requests = [...this.requests, { session: message.session, name: message.name }];
        toast(`${message.name} asks for control.`, "info");
        break;
      case "laser":
        this.onLaser(message);
        break;
      case "stroke":
        this.onStroke(message);
        break;
      case "view":
        if (this.state) this.state = { ...this.state, view: message.view };
        break;
      case "closed":
        this.closedReason = message.reason;
        this.link = "closed";
        break;
      case "ack": {
        const done = this.pending.get(message.op_id);
        this.pending.delete(message.op_id);
        done?.({ ok: true, id: message.id });
        break;
      }
      case "error":
        this.onError(message);
        break;
      case "change":
        this.applyChange(message.change);
        break;
      case "pong":
        this.onPong(message.t, message.server_time);
        break;
    }
  }

  private setState(state: SessionState): void {
    this.state = state;
    this.endSent = false;
    if (this.isPresenter) {
      this.following = true; // the presenter's own playback is the session's
      this.local = null;
    } else {
      this.requests = [];
    }
  }

  private onError(message: ErrorMessage): void {
    if (message.op_id && this.pending.has(message.op_id)) {
      const done = this.pending.get(message.op_id)!;
      this.pending.delete(message.op_id);
      done({ ok: false, detail: message.detail, errors: (message.errors ?? {}) as Record<string, string[]> });
      return;
    }
    toast(message.detail, message.code === "rate_limited" ? "warn" : "error");
  }

  private failPending(detail: string): void {
    for (const done of this.pending.values()) done({ ok: false, detail, errors: {} });
    this.pending.clear();
  }

  /** A comment, annotation or approval created, changed or deleted (by anyone, this page included);
   *  anything else about a shot under review (the shot, its panels) means: read the content again. */
  private applyChange(change: Change): void {
    const content = this.content;
    if (!content) return;
    if (!(change.entity in ROW_LISTS)) {
      this.refetchSoon();
      return;
    }
    const list = ROW_LISTS[change.entity as RowEntity];
    const fields = (change.data as { fields?: { shot?: number } }).fields;
    content.items = content.items.map((item) => {
      const rows = item[list] as { id: number; parent?: number | null }[];
      let next = rows;
      if (change.action === "delete") {
        next = rows.filter((row) => row.id !== change.id && !(list === "comments" && row.parent === change.id));
      } else if (fields && fields.shot === item.shot.id) {
        const at = rows.findIndex((row) => row.id === change.id);
        const merged = { ...(at >= 0 ? rows[at] : {}), ...fields } as { id: number };
        next = at >= 0 ? rows.map((row, i) => (i === at ? merged : row)) : list === "approvals" ? [merged, ...rows] : [...rows, merged];
      }
      return next === rows ? item : { ...item, [list]: next };
    });
    this.content = { ...content };
  }

  // --- Clock ---------------------------------------------------------------------------------

  private startClockSync(): void {
    this.burstTimers.forEach((t) => window.clearTimeout(t));
    this.burstTimers = Array.from({ length: SYNC_BURST }, (_, i) => window.setTimeout(() => this.ping(), i * 120));
    window.clearInterval(this.syncTimer);
    this.syncTimer = window.setInterval(() => this.ping(), SYNC_EVERY_MS);
  }

  private ping(): void {
    this.send({ type: "ping", t: performance.now() });
  }

  /** offset = server time − the midpoint of the round trip, from the sample with the smallest
   *  round trip among the last few (the least queueing, so the tightest bound). */
  private onPong(t: number | null, serverTime: number): void {
    if (t == null) return;
    const now = performance.now();
    const rtt = now - t;
    if (rtt < 0 || rtt > 10_000) return;
    const midpointWall = Date.now() / 1000 - rtt / 2000;
    this.samples = [...this.samples, { rtt, offset: serverTime - midpointWall }].slice(-SYNC_WINDOW);
    const best = this.samples.reduce((a, b) => (b.rtt < a.rtt ? b : a));
    this.offset = best.offset;
    this.rtt = best.rtt;
  }

  /** The server's clock now (Unix seconds). */
  serverNow(): number {
    return Date.now() / 1000 + this.offset;
  }

  // --- Playback ------------------------------------------------------------------------------

  /** The playback this page shows: the session's when following (or presenting), else its own. */
  playback(): Playback | null {
    if (!this.following && this.local) return this.local;
    return this.state?.playback ?? null;
  }

  view(): ZoomPan {
    if (!this.following) return this.localView;
    return this.state?.view ?? DEFAULT_VIEW;
  }

  item(index: number): ReviewItem | null {
    return this.content?.items[index] ?? null;
  }

  position(): Position {
    const playback = this.playback();
    const items = this.content?.items ?? [];
    if (!playback || !items.length) return { item: 0, frame: 0, playing: false, rate: 1, ended: false };
    const item = clamp(playback.item, 0, items.length - 1);
    const last = Math.max(0, items[item].frames - 1);
    let frame = playback.frame;
    let running = false;
    if (playback.playing) {
      const elapsed = this.serverNow() - playback.at;
      running = elapsed >= 0;
      frame += Math.max(0, elapsed) * playback.rate * frameRate(items[item].shot.fps);
    }
    const ended = playback.playing && ((playback.rate > 0 && frame >= last) || (playback.rate < 0 && frame <= 0));
    return { item, frame: clamp(frame, 0, last), playing: running && !ended, rate: playback.rate, ended };
  }

  /** The whole frame shown now. */
  currentFrame(): number {
    return Math.floor(this.position().frame + 1e-6);
  }

  currentItem(): ReviewItem | null {
    return this.item(this.position().item);
  }

  /** Transport: the presenter moves everyone; anyone else steps out of follow mode and moves alone. */
  act(action: Action, frame: number, item?: number): void {
    const position = this.position();
    const target = item ?? position.item;
    const items = this.content?.items ?? [];
    if (!items[target]) return;
    const last = Math.max(0, items[target].frames - 1);
    frame = clamp(Math.round(frame), 0, last);
    const now = this.serverNow();
    const current = this.playback() ?? { item: 0, frame: 0, playing: false, rate: 1, at: now };
    let next: Playback;
    if (action === "play") next = { ...current, item: target, frame, playing: true, rate: 1, at: now + 0.12 };
    else if (action === "pause") next = { ...current, frame, playing: false, at: now };
    else if (action === "seek") next = { ...current, frame, at: now + (current.playing ? 0.12 : 0) };
    else next = { item: target, frame, playing: false, rate: current.rate || 1, at: now };
    if (this.isPresenter) {
      if (!this.send({ type: "control", action, frame, item: action === "item" ? target : null, rate: 1 })) {
        toast("Not connected: playback did not change for the others.", "warn");
        return;
      }
      // Shown at once; the server's state (same numbers, its own clock) replaces it.
      this.state = this.state ? { ...this.state, playback: next } : this.state;
    } else {
      this.following = false;
      this.localView = this.state?.view ?? this.localView;
      this.local = next;
    }
    this.endSent = false;
    this.emit();
  }

  togglePlay(): void {
    const position = this.position();
    const playback = this.playback();
    const last = Math.max(0, (this.item(position.item)?.frames ?? 1) - 1);
    if (playback?.playing && !position.ended) this.act("pause", Math.floor(position.frame));
    else this.act("play", position.frame >= last ? 0 : Math.floor(position.frame));
  }

  step(by: number): void {
    this.act(this.playback()?.playing ? "pause" : "seek", this.currentFrame() + by);
  }

  goItem(index: number, frame = 0): void {
    const items = this.content?.items ?? [];
    if (index < 0 || index >= items.length) return;
    this.act("item", frame, index);
  }

  /** Go to a shot's frame (a pinned comment, a note). */
  goTo(shotId: number, frame: number): void {
    const index = this.content?.items.findIndex((item) => item.shot.id === shotId) ?? -1;
    if (index < 0) return;
    if (index === this.position().item) this.act(this.playback()?.playing ? "pause" : "seek", frame);
    else this.act("item", frame, index);
  }

  /** Called by the player every frame: a presenter whose clip ran out pauses it for everyone. */
  reachedEnd(): void {
    if (this.endSent) return;
    this.endSent = true;
    const position = this.position();
    if (this.isPresenter || !this.following) this.act("pause", Math.round(position.frame));
  }

  follow(on: boolean): void {
    if (on) {
      this.following = true;
      this.local = null;
    } else {
      this.local = this.state?.playback ? { ...this.state.playback } : null;
      this.localView = this.state?.view ?? DEFAULT_VIEW;
      this.following = false;
    }
    this.emit();
  }

  /** Zoom and pan (the presenter's go to everyone: while dragging at most ~20 a second, then the final one). */
  setView(view: ZoomPan, final = true): void {
    const zoom = clamp(view.zoom, 1, 16);
    const margin = 0.5 / zoom; // the picture always fills the frame
    const fixed = { zoom, x: clamp(view.x, margin, 1 - margin), y: clamp(view.y, margin, 1 - margin) };
    if (this.isPresenter) {
      if (final || Date.now() - this.viewSent > 50) {
        this.viewSent = Date.now();
        this.send({ type: "view", view: fixed });
      }
      if (this.state) this.state = { ...this.state, view: fixed };
    } else {
      this.following = false;
      this.local = this.local ?? (this.state?.playback ? { ...this.state.playback } : null);
      this.localView = fixed;
    }
    this.emit();
  }

  requestControl(): void {
    if (this.send({ type: "request_control" })) toast("Asked the presenter for control.", "info");
  }

  handOver(session: string): void {
    this.send({ type: "hand_over", to: session });
    this.requests = this.requests.filter((r) => r.session !== session);
    this.emit();
  }

  // --- Laser ---------------------------------------------------------------------------------

  /** Point the laser at (x, y) of the picture, or take it away (null); at most ~30 messages a second. */
  laser(x: number | null, y: number | null): void {
    this.laserNext = { x, y };
    if (this.laserTimer) return;
    const wait = Math.max(0, this.laserSent + LASER_EVERY_MS - Date.now());
    this.laserTimer = window.setTimeout(() => {
      this.laserTimer = 0;
      this.laserSent = Date.now();
      const next = this.laserNext;
      this.laserNext = null;
      if (next) this.send({ type: "laser", x: next.x == null ? null : clamp(next.x, 0, 1), y: next.y == null ? null : clamp(next.y, 0, 1) });
    }, wait);
  }

  private onLaser(message: LaserEvent): void {
    if (message.x == null || message.y == null) this.lasers.delete(message.session);
    else this.lasers.set(message.session, { session: message.session, colour: message.colour, x: message.x, y: message.y, seen: Date.now() });
  }

  private sweepLasers(): void {
    let changed = false;
    for (const [session, laser] of this.lasers) {
      if (Date.now() - laser.seen > 3_000) {
        this.lasers.delete(session);
        changed = true;
      }
    }
    // Finished strokes linger a moment (the stored annotation takes over), then go.
    for (const [key, stroke] of this.strokes) {
      if (stroke.done && Date.now() - (this.strokeEnded.get(key) ?? 0) > 1_500) {
        this.strokes.delete(key);
        this.strokeEnded.delete(key);
        changed = true;
      }
    }
    if (changed) this.emit();
  }

  // --- Strokes -------------------------------------------------------------------------------

  private strokeEnded = new Map<string, number>();

  private onStroke(message: StrokeEvent): void {
    const key = `${message.session}:${message.stroke}`;
    const known = this.strokes.get(key);
    // Pen strokes stream their new points; shapes send their two corners each time.
    const points = known && message.tool === "pen" ? [...known.points, ...message.points] : message.points.length ? message.points : known?.points ?? [];
    this.strokes.set(key, {
      key, session: message.session, shot: message.shot, frame: message.frame, tool: message.tool, colour: message.colour, width: message.width,
      points, done: message.done,
    });
    if (message.done) this.strokeEnded.set(key, Date.now());
  }

  /** Start streaming a mark being drawn; returns its stroke id. */
  beginStroke(shot: number, frame: number, tool: StrokeMessage["tool"], colour: string, width: number): string {
    this.flushStroke();
    const id = `${this.clientId}.${++this.opCounter}`;
    this.outStroke = { type: "stroke", stroke: id, shot, frame, tool, colour, width, points: [], done: false };
    return id;
  }

  /** New points of the current stroke (pen: the points added; shapes: both corners). */
  strokePoints(points: Point[], replace: boolean): void {
    const stroke = this.outStroke;
    if (!stroke) return;
    stroke.points = replace ? points : [...stroke.points, ...points];
    if (!this.strokeTimer) this.strokeTimer = window.setTimeout(() => this.flushStroke(), STROKE_EVERY_MS);
  }

  endStroke(): void {
    if (!this.outStroke) return;
    this.outStroke.done = true;
    this.flushStroke();
  }

  private flushStroke(): void {
    window.clearTimeout(this.strokeTimer);
    this.strokeTimer = 0;
    const stroke = this.outStroke;
    if (!stroke) return;
    for (let start = 0; start < Math.max(1, stroke.points.length); start += 500) {
      const chunk = stroke.points.slice(start, start + 500);
      const last = start + 500 >= stroke.points.length;
      this.send({ ...stroke, points: chunk, done: stroke.done && last });
    }
    const isShape = stroke.tool !== "pen" && stroke.tool !== "eraser";
    if (stroke.done) this.outStroke = null;
    else if (!isShape) stroke.points = [];
  }

  // --- Comments, annotations, approvals (room ops on this socket) -----------------------------

  op(op: Op): Promise<OpResult> {
    const op_id = `${this.clientId}-${++this.opCounter}`;
    if (!this.send({ type: "op", op_id, op })) {
      return Promise.resolve({ ok: false, detail: this.link === "closed" ? this.closedReason || "The session has ended." : "Not connected; try again in a moment.", errors: {} });
    }
    return new Promise((resolve) => {
      this.pending.set(op_id, resolve);
      window.setTimeout(() => {
        if (!this.pending.has(op_id)) return;
        this.pending.delete(op_id);
        resolve({ ok: false, detail: "The server did not answer in time.", errors: {} });
      }, OP_TIMEOUT_MS);
    });
  }

  comment(shot: number, fields: { body: string; frame?: number | null; frame_end?: number | null; parent?: number | null; mentions?: number[] }): Promise<OpResult> {
    return this.op({ kind: "create", entity: "comment", parent: shot, after: null, fields });
  }

  setComment(comment: Comment, fields: { resolved?: boolean; body?: string }): Promise<OpResult> {
    return this.op({ kind: "set", entity: "comment", id: comment.id, fields });
  }

  annotate(shot: number, asset: number | null, frame: number, shapes: Shape[]): Promise<OpResult> {
    return this.op({ kind: "create", entity: "annotation", parent: shot, after: null, fields: { asset, frame, shapes } });
  }

  /** Keep only `shapes` of an annotation (none left: delete it). */
  reshape(annotation: Annotation, shapes: Shape[]): Promise<OpResult> {
    if (!shapes.length) return this.op({ kind: "delete", entity: "annotation", id: annotation.id });
    return this.op({ kind: "set", entity: "annotation", id: annotation.id, fields: { shapes } });
  }

  decide(item: ReviewItem, decision: Decision, comment: string): Promise<OpResult> {
    return this.op({ kind: "create", entity: "approval", parent: item.shot.id, after: null, fields: { decision, comment, fingerprint: item.fingerprint } });
  }

  /** Re-read the content now (after a refused decision on a changed shot). */
  reload(): void {
    this.refetchSoon();
  }

  latestApproval(item: ReviewItem): Approval | null {
    return item.approvals.reduce<Approval | null>((latest, row) => (!latest || row.created_at > latest.created_at || (row.created_at === latest.created_at && row.id > latest.id) ? row : latest), null);
  }
}
