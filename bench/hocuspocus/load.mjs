// The baseline's clients for bench/realtime.py: C clients on one Hocuspocus document. A
// scheduler makes one Y.Map field edit per update at a steady total rate, round-robin over the
// clients; the value carries a marker "~m:<client>:<n>:<send ms>~", and every other client records
// when the update reaches it. Each client writes its own keys ("c<client>.<field>"), as a person
// edits a field, so concurrent writes never hide one another. No awareness: the studio run sends
// no presence while measuring either.
//
// --mode raw (default): each client is a bare `ws` socket speaking the Hocuspocus/y-protocols
//   messages (auth, sync step 1, updates). It produces its updates with its own Y.Doc and does not
//   apply the others' updates, it only finds the marker in the frame, as the studio's Python
//   clients only scan frames for op ids. The client side stays cheap, so the server is measured.
// --mode provider: a full HocuspocusProvider + Y.Doc per client (each applies every update).
//   Realistic, but 100 of them in one Node process saturate a core at 200 updates/s.
//
// Prints JSON lines on stdout: {ready}, {start}, {send_end}, then the result.
import { HocuspocusProvider } from "@hocuspocus/provider";
import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import WebSocket from "ws";
import * as Y from "yjs";

const argv = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => (arg.startsWith("--") ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), []),
);
const url = argv.url;
const clients = Number(argv.clients || 100);
const rate = Number(argv.rate || 200);
const seconds = Number(argv.seconds || 20);
const drain = Number(argv.drain || 10);
const settle = Number(argv.settle || 2);
const mode = argv.mode || "raw";
const DOC = "board";
const FIELDS = ["lens_mm", "duration_s", "notes", "rank"];
// y-protocols / Hocuspocus message types
const SYNC = 0, AUTH = 2, SYNC_REPLY = 4, SYNC_STATUS = 8;
const STEP1 = 0, STEP2 = 1, UPDATE = 2;

const now = () => Number(process.hrtime.bigint()) / 1e6; // ms, CLOCK_MONOTONIC
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
const log = (...args) => console.error("[load.mjs]", ...args);

let measuring = false;
const latencies = [];
const deliveries = new Map(); // update number -> other clients that got it
let lastArrival = now();
let sent = 0;
let acks = 0;
let lateSends = 0;
let synced = 0;
const MARK = Buffer.from("~m:");

function arrived(self, text, at) {
  // text: "<client>:<n>:<send ms>"
  const [sender, n, t] = text.split(":");
  if (Number(sender) === self) return;
  lastArrival = at;
  if (!measuring) return;
  const id = Number(n);
  latencies.push(at - Number(t));
  deliveries.set(id, (deliveries.get(id) || 0) + 1);
}

function rawClient(index) {
  const doc = new Y.Doc();
  const map = doc.getMap(DOC);
  const socket = new WebSocket(url, { perMessageDeflate: false });
  const client = { socket, map, synced: false };
  const frame = (write) => {
    const encoder = encoding.createEncoder();
    encoding.writeVarString(encoder, DOC);
    write(encoder);
    return encoding.toUint8Array(encoder);
  };
  doc.on("update", (update) => {
    if (socket.readyState === WebSocket.OPEN) {
      socket.send(frame((e) => { encoding.writeVarUint(e, SYNC); encoding.writeVarUint(e, UPDATE); encoding.writeVarUint8Array(e, update); }));
    }
  });
  socket.on("open", () => {
    socket.send(frame((e) => { encoding.writeVarUint(e, AUTH); encoding.writeVarUint(e, 0); encoding.writeVarString(e, ""); }));
    socket.send(frame((e) => { encoding.writeVarUint(e, SYNC); encoding.writeVarUint(e, STEP1); encoding.writeVarUint8Array(e, Y.encodeStateVector(doc)); }));
  });
  socket.on("message", (data) => {
    const at = now();
    const decoder = decoding.createDecoder(data);
    decoding.readVarString(decoder);
    const type = decoding.readVarUint(decoder);
    if (type === SYNC || type === SYNC_REPLY) {
      const step = decoding.readVarUint(decoder);
      if (step === UPDATE) {
        const start = data.indexOf(MARK);
        if (start >= 0) arrived(index, data.toString("latin1", start + 3, data.indexOf(126, start + 3)), at);
      } else if (step === STEP2 && !client.synced) {
        client.synced = true;
        synced += 1;
      }
    } else if (type === SYNC_STATUS) {
      acks += 1;
    }
  });
  socket.on("error", (error) => log(`client ${index}:`, error.message));
  client.close = () => socket.close();
  return client;
}

function providerClient(index) {
  const document = new Y.Doc();
  const map = document.getMap(DOC);
  map.observe((event) => {
    if (event.transaction.local) return;
    const at = now();
    for (const key of event.keysChanged) {
      const value = map.get(key);
      if (value && typeof value.m === "string") arrived(index, value.m.slice(3, -1), at);
    }
  });
  const provider = new HocuspocusProvider({
    url, name: DOC, document, awareness: null, WebSocketPolyfill: WebSocket,
    onSynced: () => { synced += 1; },
  });
  return { map, close: () => provider.destroy() };
}

const all = [];
for (let i = 0; i < clients; i++) {
  all.push(mode === "provider" ? providerClient(i) : rawClient(i));
  if (i % 10 === 9) await sleep(20);
}
const connectDeadline = now() + 60000;
while (synced < clients && now() < connectDeadline) await sleep(50);
console.log(JSON.stringify({ ready: synced }));
await sleep(settle * 1000);

const total = Math.floor(rate * seconds);
const t0 = now() + 100;
measuring = true;
console.log(JSON.stringify({ start: t0 }));
const cpu0 = process.cpuUsage();
for (let n = 0; n < total; n++) {
  const when = t0 + (n * 1000) / rate;
  const delay = when - now();
  if (delay > 0) await sleep(delay);
  else if (delay < -5) lateSends += 1;
  const i = n % clients;
  const field = FIELDS[n % FIELDS.length];
  all[i].map.set(`c${i}.${field}`, { v: 5 + (n % 4700) * 0.25, m: `~m:${i}:${n}:${now().toFixed(3)}~` });
  sent += 1;
}
const sendEnd = now();
const cpu1 = process.cpuUsage(cpu0);
console.log(JSON.stringify({ send_end: sendEnd }));

const expected = sent * (clients - 1);
const delivered = () => {
  let got = 0;
  for (const count of deliveries.values()) got += Math.min(count, clients - 1);
  return got;
};
const drainDeadline = now() + drain * 1000;
while (now() < drainDeadline && delivered() < expected && now() - lastArrival < 1000) await sleep(50);
let duplicates = 0;
for (const count of deliveries.values()) duplicates += Math.max(0, count - (clients - 1));
const got = delivered();
for (const client of all) client.close();

latencies.sort((a, b) => a - b);
const round = (x) => Math.round(x * 1000) / 1000;
const pct = (f) => (latencies.length ? round(latencies[Math.min(latencies.length - 1, Math.round(f * (latencies.length - 1)))]) : null);
console.log(
  JSON.stringify({
    mode,
    sent,
    acks: mode === "raw" ? acks : null,
    deliveries: latencies.length,
    expected_deliveries: expected,
    lost: expected - got,
    duplicates,
    p50_ms: pct(0.5),
    p99_ms: pct(0.99),
    max_ms: latencies.length ? round(latencies[latencies.length - 1]) : null,
    ops_per_s: Math.round((sent / Math.max((sendEnd - t0) / 1000, seconds)) * 10) / 10,
    late_sends: lateSends,
  }),
);
process.exit(0);
