// The project room connection (docs/protocol.md). It applies the room's changes strictly in seq
// order (buffering early ones and repairing gaps with catch_up) and resends the store's unacked
// ops after every (re)connect with their original op_id. The socket itself (reconnects, close
// codes, heartbeat, batch frames, the frame limit) is state/socket.ts, shared with review sessions.
import type {
  AckMessage, Change, ClientMessage, ConflictMessage, ErrorMessage, HelloMessage, JobEvent, Member, OpMessage, ServerMessage,
  SnapshotMessage, TextStateMessage,
} from "./protocol";
import { CLOSE_NOT_FOUND, CLOSE_UNAUTHENTICATED, MAX_FRAME_BYTES, StudioSocket } from "./socket";

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
  /** Fields of an op left as someone else set them (comes just before the op's ack). */
  conflict(message: ConflictMessage): void;
  error(message: ErrorMessage): void;
  presence(members: Member[]): void;
  textState(message: TextStateMessage): void;
  render(job: JobEvent): void;
  state(state: LinkState): void;
}

const CATCH_UP_TIMEOUT_MS = 6_000;

export class LiveRoom {
  private socket: StudioSocket<ClientMessage, ServerMessage>;
  private catchingUpSince = 0;
  /** Changes that arrived ahead of a missing seq, by seq. */
  private early = new Map<number, Change>();

  constructor(projectId: number, private handlers: LiveHandlers) {
    this.socket = new StudioSocket(`/ws/projects/${projectId}/`, [CLOSE_UNAUTHENTICATED, CLOSE_NOT_FOUND], {
      message: (message) => this.receive(message),
      state: (state) => {
        this.catchingUpSince = 0;
        this.handlers.state(state);
      },
      // Final: reconnecting cannot help until the person signs in again or is let back in.
      ended: (code) => this.handlers.state(code === CLOSE_UNAUTHENTICATED ? "signed_out" : "no_access"),
      // Answered as the server would, so the store drops the op and says why.
      tooLarge: (opId) => this.handlers.error({
        type: "error", code: "too_large", op_id: opId, errors: null,
        detail: `That change is larger than ${MAX_FRAME_BYTES / 1024} KiB and cannot be saved.`,
      }),
    }, () => ({ type: "ping", t: Date.now() }));
  }

  get isLive(): boolean {
    return this.socket.ready;
  }

  start(): void {
    this.socket.start();
  }

  stop(): void {
    this.socket.stop();
  }

  /** Send if the socket is live; false when it is not (ops wait in the store's queue). */
  send(message: ClientMessage): boolean {
    return this.socket.send(message);
  }

  /** Ask for everything after our last seq (also used after a full board re-read). */
  catchUp(force = false): void {
    const now = Date.now();
    if (!force && this.catchingUpSince && now - this.catchingUpSince < CATCH_UP_TIMEOUT_MS) return;
    if (this.send({ type: "catch_up", after: this.handlers.lastSeq() })) this.catchingUpSince = now;
  }

  private receive(message: ServerMessage): void {
    switch (message.type) {
      case "hello":
        this.socket.greeted();
        this.catchingUpSince = 0;
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
      case "conflict":
        this.handlers.conflict(message);
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
