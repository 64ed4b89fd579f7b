// The project room connection (docs/protocol.md). It applies the room's changes strictly in seq
// order (buffering early ones and repairing gaps with catch_up), resends the store's unacked ops
// after every (re)connect with their original op_id, and reconnects with backoff. A heartbeat and
// the browser's online/offline events notice dead sockets quickly.
import type {
  AckMessage, Change, ClientMessage, ErrorMessage, HelloMessage, JobEvent, Member, OpMessage, ServerFrame, ServerMessage,
  SnapshotMessage, TextStateMessage,
} from "./protocol";

/** "signed_out" and "no_access" are final: the server refused the socket with 4401 / 4404. */
export type LinkState = "connecting" | "live" | "reconnecting" | "signed_out" | "no_access";

export interface LiveHandlers {
  lastSeq(): number;
  apply(change: Change): void;
  snapshot(message: SnapshotMessage): void;
  /** Ops sent but not acknowledged, in the order they were made (resent on reconnect). */
  unacked(): OpMessage[];
  hello(message: HelloMessage): void;
  ack(message: AckMessage): void;
  error(message: ErrorMessage): void;
  presence(members: Member[]): void;
  textState(message: TextStateMessage): void;
  render(job: JobEvent): void;
  state(state: LinkState): void;
}

const CLOSE_UNAUTHENTICATED = 4401;
const CLOSE_NOT_FOUND = 4404;
const HEARTBEAT_MS = 5_000;
const DEAD_AFTER_MS = 4_000; // no answer to a ping within this: the socket is dead
const CATCH_UP_TIMEOUT_MS = 6_000;
/** apps.rooms.protocol.MAX_FRAME_BYTES: an op over it is refused by the server (past 1 MiB the
 *  server drops the socket instead), so it is never sent. */
const MAX_FRAME_BYTES = 64 * 1024;

export class LiveRoom {
  private socket: WebSocket | null = null;
  private retries = 0;
  private timer = 0;
  private heartbeat = 0;
  private lastHeard = 0;
  private stopped = false;
  private live = false;
  private catchingUpSince = 0;
  /** Changes that arrived ahead of a missing seq, by seq. */
  private early = new Map<number, Change>();

  constructor(private projectId: number, private handlers: LiveHandlers) {}

  get isLive(): boolean {
    return this.live;
  }

  start(): void {
    this.stopped = false;
    addEventListener("online", this.onOnline);
    addEventListener("offline", this.onOffline);
    this.open();
  }

  stop(): void {
    this.stopped = true;
    removeEventListener("online", this.onOnline);
    removeEventListener("offline", this.onOffline);
    window.clearTimeout(this.timer);
    window.clearInterval(this.heartbeat);
    this.socket?.close(1000);
    this.socket = null;
    this.live = false;
  }

  /** Send if the socket is open; false when it is not (ops wait in the store's queue). An op
   *  too large to send is answered at once with a too_large error, as the server would. */
  send(message: ClientMessage): boolean {
    if (!this.live || this.socket?.readyState !== WebSocket.OPEN) return false;
    const text = JSON.stringify(message);
    // A UTF-16 unit is at most three UTF-8 bytes: only a long text needs counting.
    if (message.type === "op" && text.length * 3 > MAX_FRAME_BYTES && new TextEncoder().encode(text).length > MAX_FRAME_BYTES) {
      const detail = `That change is larger than ${MAX_FRAME_BYTES / 1024} KiB and cannot be saved.`;
      this.handlers.error({ type: "error", code: "too_large", detail, op_id: message.op_id, errors: null });
      return true;
    }
    this.socket.send(text);
    return true;
  }

  /** Ask for everything after our last seq (also used after a full board re-read). */
  catchUp(force = false): void {
    const now = Date.now();
    if (!force && this.catchingUpSince && now - this.catchingUpSince < CATCH_UP_TIMEOUT_MS) return;
    if (this.send({ type: "catch_up", after: this.handlers.lastSeq() })) this.catchingUpSince = now;
  }

  private onOnline = () => {
    // Back online: try at once instead of waiting out the backoff.
    if (this.stopped || this.socket) return;
    window.clearTimeout(this.timer);
    this.retries = 0;
    this.open();
  };

  private onOffline = () => this.drop();

  private open(): void {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}/ws/projects/${this.projectId}/`);
    this.socket = socket;
    this.handlers.state(this.retries === 0 ? "connecting" : "reconnecting");
    socket.onmessage = (event) => {
      if (this.socket !== socket) return;
      this.lastHeard = Date.now();
      let frame: ServerFrame;
      try {
        frame = JSON.parse(String(event.data)) as ServerFrame;
      } catch {
        return;
      }
      // The server coalesces what it sends in short windows into batch frames.
      for (const message of frame.type === "batch" ? frame.messages : [frame]) this.receive(message);
    };
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      if (event.code === CLOSE_UNAUTHENTICATED || event.code === CLOSE_NOT_FOUND) {
        // Final: reconnecting cannot help until the person signs in again or is let back in.
        this.socket = null;
        this.live = false;
        this.stopped = true;
        window.clearInterval(this.heartbeat);
        this.handlers.state(event.code === CLOSE_UNAUTHENTICATED ? "signed_out" : "no_access");
        return;
      }
      this.drop();
    };
  }

  /** Forget the current socket (closed, dead or offline) and schedule the next attempt. */
  private drop(): void {
    const socket = this.socket;
    if (!socket || this.stopped) return;
    this.socket = null; // events of the old socket are ignored from here on
    this.live = false;
    this.catchingUpSince = 0;
    window.clearInterval(this.heartbeat);
    try {
      socket.close();
    } catch {
      /* already closing */
    }
    this.handlers.state("reconnecting");
    // Backoff with jitter so a restarted server is not hit by every browser at once.
    const delay = Math.min(5_000, 300 * 2 ** this.retries) * (0.75 + Math.random() * 0.5);
    this.retries += 1;
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(() => {
      if (!this.stopped && !this.socket) this.open();
    }, delay);
  }

  private startHeartbeat(): void {
    window.clearInterval(this.heartbeat);
    this.heartbeat = window.setInterval(() => {
      if (Date.now() - this.lastHeard > HEARTBEAT_MS + DEAD_AFTER_MS) return this.drop();
      this.send({ type: "ping", t: Date.now() });
    }, HEARTBEAT_MS);
  }

  private receive(message: ServerMessage): void {
    switch (message.type) {
      case "hello":
        this.retries = 0;
        this.live = true;
        this.catchingUpSince = 0;
        this.startHeartbeat();
        this.handlers.hello(message);
        this.handlers.state("live");
        // Unacknowledged ops first (same op_id: the server answers duplicate for applied ones),
        // then everything recorded since our last applied seq.
        for (const op of this.handlers.unacked()) this.send(op);
        if (message.seq > this.handlers.lastSeq()) this.catchUp(true);
        break;
      case "change":
        this.offer(message.change);
        break;
      case "changes":
        this.catchingUpSince = 0;
        for (const change of message.changes) if (change.seq > this.handlers.lastSeq()) this.handlers.apply(change);
        this.drain();
        if (!message.complete) this.catchUp(true);
        break;
      case "snapshot":
        this.catchingUpSince = 0;
        this.handlers.snapshot(message);
        this.drain();
        break;
      case "ack":
        this.handlers.ack(message);
        break;
      case "error":
        if (!message.op_id) this.catchingUpSince = 0; // e.g. a rate-limited catch_up: allow another
        this.handlers.error(message);
        break;
      case "presence":
        this.handlers.presence(message.members);
        break;
      case "text_state":
        this.handlers.textState(message);
        break;
      case "render":
        this.handlers.render(message.job as JobEvent);
        break;
      case "pong":
        break;
    }
  }

  /** A change from the fast path: apply it if it is next, keep it if early, ignore if old. */
  private offer(change: Change): void {
    const last = this.handlers.lastSeq();
    if (change.seq <= last) return;
    if (change.seq === last + 1 && !this.catchingUpSince) {
      this.handlers.apply(change);
      this.drain();
      return;
    }
    this.early.set(change.seq, change);
    if (!this.catchingUpSince) this.catchUp(); // a gap (lost broadcast): the log has it
  }

  private drain(): void {
    let last = this.handlers.lastSeq();
    for (const seq of [...this.early.keys()]) if (seq <= last) this.early.delete(seq);
    for (let next = this.early.get(last + 1); next; next = this.early.get(last + 1)) {
      this.early.delete(next.seq);
      this.handlers.apply(next);
      last = this.handlers.lastSeq();
    }
    if (this.early.size && !this.catchingUpSince) this.catchUp();
  }
}
