// The project room connection: keeps the last seq applied, asks for what it missed
// (catch_up) after every (re)connect or gap, and reconnects with backoff.
import type { Change, ClientMessage, JobEvent, ServerMessage } from "./protocol";

export type LinkState = "connecting" | "live" | "reconnecting" | "closed";

export interface LiveHandlers {
  lastSeq(): number;
  apply(change: Change): void;
  render(job: JobEvent): void;
  state(state: LinkState, detail?: string): void;
}

const CLOSE_UNAUTHENTICATED = 4401;
const CLOSE_NOT_FOUND = 4404;

export class LiveRoom {
  private socket: WebSocket | null = null;
  private retries = 0;
  private timer = 0;
  private stopped = false;
  private catchingUp = false;

  constructor(private projectId: number, private handlers: LiveHandlers) {}

  start(): void {
    this.stopped = false;
    this.open();
  }

  stop(): void {
    this.stopped = true;
    window.clearTimeout(this.timer);
    this.socket?.close(1000);
    this.socket = null;
  }

  private open(): void {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}/ws/projects/${this.projectId}/`);
    this.socket = socket;
    this.handlers.state(this.retries === 0 ? "connecting" : "reconnecting");
    socket.onmessage = (event) => {
      let frame: ServerMessage | { type: "batch"; messages: ServerMessage[] };
      try {
        frame = JSON.parse(String(event.data)) as typeof frame;
      } catch {
        return;
      }
      // The server coalesces what it sends in short windows into batch frames.
      for (const message of frame.type === "batch" ? frame.messages : [frame]) this.receive(message);
    };
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (this.stopped) return;
      if (event.code === CLOSE_UNAUTHENTICATED || event.code === CLOSE_NOT_FOUND) {
        this.handlers.state("closed", event.code === CLOSE_UNAUTHENTICATED ? "Signed out" : "No access to this project");
        return;
      }
      this.handlers.state("reconnecting");
      // Backoff with jitter so a restarted server is not hit by every browser at once.
      const delay = Math.min(10_000, 500 * 2 ** this.retries) * (0.75 + Math.random() * 0.5);
      this.retries += 1;
      this.timer = window.setTimeout(() => this.open(), delay);
    };
  }

  private send(message: ClientMessage): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  private catchUp(): void {
    if (this.catchingUp) return;
    this.catchingUp = true;
    this.send({ type: "catch_up", after: this.handlers.lastSeq() });
  }

  private receive(message: ServerMessage): void {
    switch (message.type) {
      case "hello":
        this.retries = 0;
        this.handlers.state("live");
        this.catchingUp = false;
        // Anything recorded since our board was read (or since we dropped) comes back in order.
        if (message.seq > this.handlers.lastSeq()) this.catchUp();
        break;
      case "change": {
        const last = this.handlers.lastSeq();
        if (message.change.seq <= last) break; // already applied (e.g. replayed)
        if (message.change.seq > last + 1) {
          this.catchUp(); // a gap: the replay brings this one too
          break;
        }
        if (!this.catchingUp) this.handlers.apply(message.change);
        break;
      }
      case "changes":
        for (const change of message.changes) {
          if (change.seq > this.handlers.lastSeq()) this.handlers.apply(change);
        }
        this.catchingUp = false;
        if (!message.complete) this.catchUp();
        break;
      case "render":
        this.handlers.render(message.job);
        break;
      case "error":
        console.warn("room error", message.code, message.detail);
        this.catchingUp = false;
        break;
    }
  }
}
