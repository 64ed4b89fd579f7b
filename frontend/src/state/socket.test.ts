// The one WebSocket client (state/socket.ts), shared by the project room and review sessions:
// batch frames, final close codes against drops, jittered backoff, heartbeat, online/offline and
// the frame limit. A stand-in WebSocket plays the server; timers are vitest's fake ones.
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { CLOSE_NOT_FOUND, CLOSE_UNAUTHENTICATED, jitteredBackoff, MAX_FRAME_BYTES, StudioSocket } from "./socket";

class FakeSocket {
  static OPEN = 1;
  static opened: FakeSocket[] = [];
  readyState = FakeSocket.OPEN;
  sent: string[] = [];
  closedWith: number | undefined | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  onclose: ((event: { code: number }) => void) | null = null;

  constructor(readonly url: string) {
    FakeSocket.opened.push(this);
  }

  send(text: string): void {
    this.sent.push(text);
  }

  close(code?: number): void {
    this.readyState = 3;
    this.closedWith = code;
  }

  /** The server sends a frame. */
  receive(frame: unknown): void {
    this.onmessage?.({ data: typeof frame === "string" ? frame : JSON.stringify(frame) });
  }

  /** The server (or the network) closes the socket. */
  drop(code: number): void {
    this.readyState = 3;
    this.onclose?.({ code });
  }
}

type In = { type: string; n?: number };
type Out = { type: string; op_id?: string; text?: string };

let windowEvents: Record<string, () => void>;
let events: { messages: In[]; states: string[]; ended: number[]; tooLarge: string[] };

function client(): StudioSocket<Out, In> {
  return new StudioSocket<Out, In>("/ws/projects/3/", [CLOSE_UNAUTHENTICATED, CLOSE_NOT_FOUND], {
    message: (message) => events.messages.push(message),
    state: (state) => events.states.push(state),
    ended: (code) => events.ended.push(code),
    tooLarge: (opId) => events.tooLarge.push(opId),
  }, () => ({ type: "ping" }));
}

const last = () => FakeSocket.opened.at(-1)!;
const hello = (socket: StudioSocket<Out, In>) => {
  last().receive({ type: "hello" });
  return socket.greeted();
};

beforeEach(() => {
  vi.useFakeTimers();
  FakeSocket.opened = [];
  windowEvents = {};
  events = { messages: [], states: [], ended: [], tooLarge: [] };
  vi.stubGlobal("WebSocket", FakeSocket);
  vi.stubGlobal("window", globalThis);
  vi.stubGlobal("location", { protocol: "https:", host: "studio.example" });
  vi.stubGlobal("addEventListener", (name: string, fn: () => void) => void (windowEvents[name] = fn));
  vi.stubGlobal("removeEventListener", (name: string) => void delete windowEvents[name]);
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe("the studio's socket client", () => {
  test("connects to the path on the page's host and sends only once greeted", () => {
    const socket = client();
    socket.start();
    expect(last().url).toBe("wss://studio.example/ws/projects/3/");
    expect(events.states).toEqual(["connecting"]);
    expect(socket.send({ type: "presence" })).toBe(false);
    expect(hello(socket)).toBe(false); // a first connection, not a reconnection
    expect(socket.send({ type: "presence" })).toBe(true);
    expect(last().sent).toEqual(['{"type":"presence"}']);
  });

  test("batch frames are unpacked in order; a frame that is not JSON is ignored", () => {
    client().start();
    last().receive({ type: "batch", messages: [{ type: "change", n: 1 }, { type: "change", n: 2 }] });
    last().receive("{not json");
    last().receive({ type: "ack", n: 3 });
    expect(events.messages).toEqual([{ type: "change", n: 1 }, { type: "change", n: 2 }, { type: "ack", n: 3 }]);
  });

  test("a final close code ends the socket: no reconnect", () => {
    const socket = client();
    socket.start();
    hello(socket);
    last().drop(CLOSE_UNAUTHENTICATED);
    expect(events.ended).toEqual([CLOSE_UNAUTHENTICATED]);
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.opened).toHaveLength(1);
    expect(socket.ready).toBe(false);
  });

  test("a drop reconnects after a jittered backoff that grows until a hello", () => {
    vi.spyOn(Math, "random").mockReturnValue(1); // the longest wait: +25 %
    const socket = client();
    socket.start();
    hello(socket);
    last().drop(1006);
    expect(events.states).toEqual(["connecting", "reconnecting"]);
    vi.advanceTimersByTime(374);
    expect(FakeSocket.opened).toHaveLength(1);
    vi.advanceTimersByTime(1); // 300 ms × 1.25
    expect(FakeSocket.opened).toHaveLength(2);
    last().drop(1006); // refused again before any hello: the wait doubles
    vi.advanceTimersByTime(749);
    expect(FakeSocket.opened).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(FakeSocket.opened).toHaveLength(3);
    expect(hello(socket)).toBe(true); // a reconnection; the backoff starts over
    last().drop(1006);
    vi.advanceTimersByTime(375);
    expect(FakeSocket.opened).toHaveLength(4);
  });

  test("the backoff has a cap and a jitter of a quarter either way", () => {
    vi.spyOn(Math, "random").mockReturnValueOnce(0).mockReturnValueOnce(1).mockReturnValueOnce(0.5);
    expect(jitteredBackoff(0, 300, 5_000)).toBe(225);
    expect(jitteredBackoff(10, 300, 5_000)).toBe(6_250);
    expect(jitteredBackoff(2, 500, 8_000)).toBe(2_000);
  });

  test("the heartbeat pings, and a socket that stays silent is dropped and replaced", () => {
    const socket = client();
    socket.start();
    hello(socket);
    vi.advanceTimersByTime(5_000);
    expect(last().sent).toEqual(['{"type":"ping"}']);
    last().receive({ type: "pong" });
    vi.advanceTimersByTime(5_000);
    expect(FakeSocket.opened).toHaveLength(1); // heard 5 s ago: alive
    vi.advanceTimersByTime(5_000); // 10 s of silence
    expect(FakeSocket.opened[0].closedWith).toBeUndefined();
    expect(events.states.at(-1)).toBe("reconnecting");
    vi.advanceTimersByTime(400);
    expect(FakeSocket.opened).toHaveLength(2);
  });

  test("going offline drops the socket; coming back online reconnects at once", () => {
    const socket = client();
    socket.start();
    hello(socket);
    windowEvents.offline();
    expect(socket.ready).toBe(false);
    expect(events.states.at(-1)).toBe("reconnecting");
    windowEvents.online();
    expect(FakeSocket.opened).toHaveLength(2);
  });

  test("an op larger than the frame limit is not sent; the caller hears of it", () => {
    const socket = client();
    socket.start();
    hello(socket);
    expect(socket.send({ type: "op", op_id: "tab.1", text: "é".repeat(MAX_FRAME_BYTES / 2) })).toBe(true);
    expect(events.tooLarge).toEqual(["tab.1"]);
    expect(last().sent).toEqual([]);
    // Long in UTF-16 units but within the limit in bytes: sent.
    expect(socket.send({ type: "op", op_id: "tab.2", text: "a".repeat(MAX_FRAME_BYTES / 2) })).toBe(true);
    expect(last().sent).toHaveLength(1);
  });

  test("stop closes the socket normally and stops reconnecting", () => {
    const socket = client();
    socket.start();
    socket.stop();
    expect(last().closedWith).toBe(1000);
    expect(windowEvents).toEqual({});
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.opened).toHaveLength(1);
  });
});
