// One WebSocket client for the studio's sockets: the project room (state/live.ts) and review
// sessions (review/session.ts); docs/protocol.md. It opens the socket, unpacks batch frames,
// tells a final close code (signed out, no access, a closed link) from a drop, reconnects with
// jittered backoff, notices a dead socket with a heartbeat and the browser's online/offline
// events, and never sends an op the server would refuse for its size.

import type { components } from "../api/schema";

// apps.rooms.protocol's numbers, typed by its RoomLimits schema (constants): if the server's
// change, these no longer type-check, so they cannot drift apart.
type RoomLimits = components["schemas"]["RoomLimits"];
export const CLOSE_UNAUTHENTICATED: RoomLimits["close_unauthenticated"] = 4401;
export const CLOSE_NOT_FOUND: RoomLimits["close_not_found"] = 4404;
/** An op over it is refused by the server (past 1 MiB the server drops the socket instead), so
 *  it is never sent. */
export const MAX_FRAME_BYTES: RoomLimits["max_frame_bytes"] = 65_536;
const HEARTBEAT_MS = 5_000;
const DEAD_AFTER_MS = 4_000; // nothing heard within a heartbeat and this: the socket is dead

/** The wait before attempt `retries` + 1: doubling from `baseMs` up to `capMs`, ±25 % jitter so a
 *  restarted server is not hit by every browser at once (reconnects here, resent ops in
 *  state/pending.ts). */
export function jitteredBackoff(retries: number, baseMs: number, capMs: number): number {
  return Math.min(capMs, baseMs * 2 ** retries) * (0.75 + Math.random() * 0.5);
}

export interface SocketEvents<In> {
  /** Each server message, batch frames unpacked. */
  message(message: In): void;
  /** A first attempt, or a new one after a drop (the socket is not usable until greeted()). */
  state(state: "connecting" | "reconnecting"): void;
  /** Closed with one of the final codes: reconnecting cannot help, the socket stays closed. */
  ended(code: number): void;
  /** An op larger than MAX_FRAME_BYTES: not sent. */
  tooLarge(opId: string): void;
}

type Outgoing = { type: string; op_id?: string };

export class StudioSocket<Out extends Outgoing, In extends { type: string }> {
  private socket: WebSocket | null = null;
  private retries = 0;
  private timer = 0;
  private heartbeat = 0;
  private lastHeard = 0;
  private stopped = true;
  private greetedOnce = false;

  /** `path`: e.g. /ws/projects/3/; `finalCodes`: close codes that end the socket for good;
   *  `ping`: the heartbeat message (answered by a pong). */
  constructor(
    private path: string,
    private finalCodes: number[],
    private events: SocketEvents<In>,
    private ping: () => Out,
  ) {}

  /** Open and greeted by the server: messages may be sent. */
  get ready(): boolean {
    return this.greetedOnce && this.socket?.readyState === WebSocket.OPEN;
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
    this.greetedOnce = false;
  }

  /** The server greeted this socket (its hello): sending is allowed, the backoff starts over and
   *  the heartbeat runs. Returns whether this was a reconnection. */
  greeted(): boolean {
    const reconnected = this.retries > 0;
    this.retries = 0;
    this.greetedOnce = true;
    window.clearInterval(this.heartbeat);
    this.heartbeat = window.setInterval(() => {
      if (Date.now() - this.lastHeard > HEARTBEAT_MS + DEAD_AFTER_MS) return this.drop();
      this.send(this.ping());
    }, HEARTBEAT_MS);
    return reconnected;
  }

  /** Send if the socket is ready; false when it is not (the caller keeps what must be resent).
   *  An op too large to send is not sent: tooLarge() tells the caller, and it counts as handled. */
  send(message: Out): boolean {
    if (!this.ready) return false;
    const text = JSON.stringify(message);
    // A UTF-16 unit is at most three UTF-8 bytes: only a long text needs counting.
    if (message.op_id && text.length * 3 > MAX_FRAME_BYTES && new TextEncoder().encode(text).length > MAX_FRAME_BYTES) {
      this.events.tooLarge(message.op_id);
      return true;
    }
    this.socket!.send(text);
    return true;
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
    const socket = new WebSocket(`${scheme}://${location.host}${this.path}`);
    this.socket = socket;
    this.greetedOnce = false;
    this.lastHeard = Date.now();
    this.events.state(this.retries === 0 ? "connecting" : "reconnecting");
    socket.onmessage = (event) => {
      if (this.socket !== socket) return;
      this.lastHeard = Date.now();
      let frame: In | { type: "batch"; messages: In[] };
      try {
        frame = JSON.parse(String(event.data));
      } catch {
        return;
      }
      // The server coalesces what it sends in short windows into batch frames.
      for (const message of frame.type === "batch" ? (frame as { messages: In[] }).messages : [frame as In]) this.events.message(message);
    };
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      if (this.finalCodes.includes(event.code)) {
        this.stop();
        this.events.ended(event.code);
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
    this.greetedOnce = false;
    window.clearInterval(this.heartbeat);
    try {
      socket.close();
    } catch {
      /* already closing */
    }
    this.events.state("reconnecting");
    const delay = jitteredBackoff(this.retries, 300, 5_000);
    this.retries += 1;
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(() => {
      if (!this.stopped && !this.socket) this.open();
    }, delay);
  }
}
