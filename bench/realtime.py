"""Room fan-out latency: C clients in one project room, a steady op rate, against a Yjs baseline.

    python bench/realtime.py [--clients 100] [--rate 200] [--seconds 20] [--skip-baseline]
    python bench/realtime.py --rate 400 --drain 90            # overload: more than the room applies
    python bench/realtime.py --hog 2 --drain 90               # overload: CPU hogs beside the server
    python bench/realtime.py --servers 2 --clients 300        # two Daphne processes, clients split

Studio: drops and creates a Postgres database (DATABASE_URL, default previs_bench on 127.0.0.1),
flushes a Redis database (REDIS_URL, default db 9), migrates, creates --users editors and a
project with scenes and shots (setup subprocess), starts Daphne (studio.asgi, Redis channel
layer, DEBUG off, DATABASE_CONN_MAX_AGE as in docker/compose.yml), signs each user in through
POST /api/auth/session/ and opens C sockets on /ws/projects/<id>/ with the session cookie.
Client worker processes (--client-procs) send ops at a steady total rate, round-robin over the
clients: `set` of shot fields (lens_mm, duration_s, notes) and `move` of shots. Each op id
carries its send time (CLOCK_MONOTONIC, shared by the processes of this machine); every other
client records the arrival of the resulting `change` (matched by client_op_id, `batch` frames
unpacked). lost = acked ops that changed something × (C − 1) − distinct deliveries, after a
drain period (ops still unanswered then count as lost for everyone).

Overload and convergence: an op the room answers `busy` (its queue is full) or `rate_limited` is
resent after a backoff, in order, as the browser does; its latency counts from the first send.
After the drain every client repairs its gaps as a browser does (catch_up from its first
missing seq, or a snapshot), and `missing` counts the seqs some client still lacks: it must be
0, whatever the load. `missed_broadcasts` is what the fast path did not deliver (repaired by
catch-up), `resent` the ops sent again. `--hog N` runs N busy-looping processes during the send
window; `--servers N` starts N Daphne processes on the Redis channel layer (client i on server
i mod N; server CPU is their sum).

Baseline: bench/hocuspocus (npm, exact pins): a @hocuspocus/server 3.x relay (server.mjs) and a
Node load client (load.mjs) with C HocuspocusProviders on one document, each update one Y.Map
set carrying its send time, at the same total rate, latency measured the same way.

Progress on stderr; one JSON line last on stdout. CPU figures are % of one core over the send
window (server = the Daphne / Node server process and its children).

What bounds the studio here (one Daphne process, Postgres on the same 2 cores): every op is a
durable write before anyone sees it. Validation, a transaction with the project lock, the row's
UPDATE, the change log and the op log, then COMMIT, and only then the broadcast. The relay
baseline sends an update on the moment it arrives and writes later. The op thread shares the
interpreter with the event loop that sends ~6,000 frames a second, and at 200 ops/s it is busy
most of the time. Ops that queue up meanwhile go together in one transaction, which is what lets
it keep up. The latency is then about half a batch of waiting, one batch (~8-10 ms), the
coalescing window (up to 16 ms at 100 clients) and the fan-out.
"""

import argparse
import asyncio
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import CpuMeter, Procs, bench_project, bench_shots, free_port, log, percentile, recreate_database, sign_in, wait_port

ROOT = Path(__file__).resolve().parent.parent
HOCUSPOCUS = ROOT / "bench" / "hocuspocus"
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/previs_bench"
DEFAULT_REDIS = "redis://127.0.0.1:6379/9"

# An op id carries the sending client and its send time: b<client>.<n>.<CLOCK_MONOTONIC µs>.
BENCH_OP_ID = re.compile(r'"client_op_id":"(b\d+\.\d+\.\d+)"')
CHANGE_SEQ = re.compile(r'"change":\{"seq":(\d+)')
OP_MIX = (("lens_mm", 0.40), ("duration_s", 0.25), ("notes", 0.20), ("move", 0.15))


# --- Setup (runs in a subprocess with the studio's environment) --------------------------------


def setup_main(users, scenes, shots_per_scene):
    names = [f"bench{i}" for i in range(users)]
    project, _ = bench_project(ROOT, "Realtime bench", [(name, f"Bench {i}", "editor") for i, name in enumerate(names)])
    from fractional_indexing import generate_n_keys_between

    from apps.boards.models import Scene

    scene_rows = Scene.objects.bulk_create(
        [Scene(project=project, rank=rank, number=str(i + 1), synopsis=f"Scene {i + 1}") for i, rank in enumerate(generate_n_keys_between(None, None, scenes))]
    )
    layout = {str(scene.pk): bench_shots(scene, shots_per_scene) for scene in scene_rows}
    print(json.dumps({"project": project.pk, "users": names, "scenes": layout}))


# --- Studio client worker (a subprocess; several spread the client side over the cores) ------


class Stats:
    def __init__(self):
        self.latencies = []  # ms, arrival at another client
        self.ack_latencies = []
        self.deliveries = {}  # op_id -> distinct other clients that got it
        self.sent, self.acked, self.acked_changed, self.errors, self.error_codes = 0, 0, [], 0, {}
        self.duplicates = 0
        self.frames = 0
        self.late_sends = 0
        self.resent = 0


async def worker_main(config_path, index):
    import websockets

    config = json.loads(Path(config_path).read_text())
    clients_total, procs = config["clients"], config["procs"]
    mine = [i for i in range(clients_total) if i % procs == index]
    origin = config["origin"]
    stats = Stats()
    sockets, hello = {}, {}
    pending = {}  # op_id -> send time (own ops)
    sent_ops = {}  # op_id -> the op's frame, until answered (resent if the room says busy)
    retry = {i: [] for i in mine}  # op ids answered busy / rate_limited, to resend in order
    backoff = {i: 0 for i in mine}
    seen = {i: set() for i in mine}
    seqs = {i: set() for i in mine}  # every seq a client got, by broadcast or catch-up
    caught_up = {i: asyncio.Event() for i in mine}
    last_frame = [time.monotonic()]

    def deliver(i, op_id, now):
        sender, _, stamp = op_id[1:].split(".")
        if int(sender) == i:
            return  # the sender's own copy
        if op_id in seen[i]:  # one op may cause several changes; count the op once per client
            stats.duplicates += 1
            return
        seen[i].add(op_id)
        stats.deliveries[op_id] = stats.deliveries.get(op_id, 0) + 1
        stats.latencies.append(round((now - int(stamp) / 1e6) * 1000, 3))

    def handle(i, message, now):
        kind = message.get("type")
        if kind == "change":
            seqs[i].add(message["change"]["seq"])
            op_id = message["change"].get("client_op_id") or ""
            if BENCH_OP_ID.fullmatch(f'"client_op_id":"{op_id}"'):
                deliver(i, op_id, now)
        elif kind == "changes":
            seqs[i].update(change["seq"] for change in message["changes"])
            caught_up[i].set()
        elif kind == "snapshot":
            seqs[i].update(range(1, message["seq"] + 1))
            caught_up[i].set()
        elif kind == "error" and message.get("code") in ("busy", "rate_limited") and message.get("op_id") in pending:
            # Dropped unread: resent after a backoff, as the browser does (the latency counts the wait).
            stats.error_codes[message["code"]] = stats.error_codes.get(message["code"], 0) + 1
            retry[i].append(message["op_id"])
            if len(retry[i]) == 1:  # jittered, growing while the room stays busy (as the browser's)
                delay = min(8.0, 0.5 * 2 ** backoff[i]) * random.uniform(0.75, 1.25)
                backoff[i] += 1
                asyncio.get_running_loop().call_later(delay, lambda: asyncio.ensure_future(resend(i)))
        elif kind == "ack":
            backoff[i] = 0
            sent_ops.pop(message["op_id"], None)
            sent_at = pending.pop(message["op_id"], None)
            if sent_at is not None:
                stats.acked += 1
                stats.ack_latencies.append(round((now - sent_at) * 1000, 3))
                if message.get("seq") is not None:
                    stats.acked_changed.append(message["op_id"])
        elif kind == "error":
            stats.errors += 1
            stats.error_codes[message.get("code")] = stats.error_codes.get(message.get("code"), 0) + 1
            pending.pop(message.get("op_id"), None)
            sent_ops.pop(message.get("op_id"), None)
        elif kind == "hello":
            hello[i] = message["seq"]
        elif kind == "batch":
            for inner in message["messages"]:
                handle(i, inner, now)

    async def resend(i):
        """The ops the room told to come back, in the order they were made (the room answers
        busy to a client's later ops until its first refused one is back)."""
        ops, retry[i] = sorted(retry[i], key=lambda op_id: int(op_id.split(".")[1])), []
        stats.resent += len(ops)
        for op_id in ops:
            if op_id in sent_ops:
                try:
                    await sockets[i].send(sent_ops[op_id])
                except websockets.ConnectionClosed:
                    pass

    async def reader(i, ws):
        try:
            async for frame in ws:
                now = time.monotonic()
                last_frame[0] = now
                stats.frames += 1
                if '"type":"change"' in frame and '"type":"ack"' not in frame and '"type":"error"' not in frame and '"type":"hello"' not in frame:
                    seqs[i].update(int(seq) for seq in CHANGE_SEQ.findall(frame))
                    for op_id in BENCH_OP_ID.findall(frame):  # the hot path: skip json for pure change frames
                        deliver(i, op_id, now)
                else:
                    handle(i, json.loads(frame), now)
        except websockets.ConnectionClosed as closed:
            log(f"worker {index}: client {i} closed: {closed}")

    async def connect(i):
        cookie = config["cookies"][i % len(config["cookies"])]
        for attempt in range(5):
            try:
                ws = await websockets.connect(
                    config["urls"][i % len(config["urls"])],
                    additional_headers={"Cookie": f"sessionid={cookie}", "Origin": origin},
                    compression=None,
                    max_size=None,
                    ping_interval=None,
                    open_timeout=30,
                )
                break
            except (TimeoutError, OSError, websockets.InvalidStatus):
                if attempt == 4:
                    raise
                await asyncio.sleep(0.2 * (attempt + 1))
        sockets[i] = ws
        return asyncio.create_task(reader(i, ws))

    readers = []
    for start in range(0, len(mine), 10):  # a few at a time: each connect is a DB query + presence
        readers += await asyncio.gather(*(connect(i) for i in mine[start : start + 10]))
    deadline = time.monotonic() + 60
    while len(hello) < len(mine) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    # Joining is O(C²) presence traffic (every socket tells every newcomer it is there, and each
    # join sends everyone the member list): wait until the room has been quiet for a second.
    joined = time.monotonic()
    while time.monotonic() - last_frame[0] < 1.0 and time.monotonic() < joined + 120:
        await asyncio.sleep(0.05)
    print(json.dumps({"ready": len(hello), "join_storm_s": round(last_frame[0] - joined, 2), "join_frames": stats.frames}), flush=True)
    stats.frames = 0

    loop = asyncio.get_running_loop()
    line = await loop.run_in_executor(None, sys.stdin.readline)  # "go <t0>"
    t0 = float(line.split()[1])
    rate, seconds = config["rate"], config["seconds"]
    total_ops = int(rate * seconds)
    rng = random.Random(1000 + index)
    scenes = [list(ids) for ids in config["scenes"].values()]
    shot_scene = [(shot, ids) for ids in scenes for shot in ids]
    weights = [w for _, w in OP_MIX]
    kinds = [k for k, _ in OP_MIX]
    counters = {i: 0 for i in mine}

    for n in range(total_ops):
        i = n % clients_total
        if i % procs != index:
            continue
        when = t0 + n / rate
        delay = when - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        elif delay < -0.005:
            stats.late_sends += 1
        shot, siblings = shot_scene[rng.randrange(len(shot_scene))]
        kind = rng.choices(kinds, weights)[0]
        if kind == "move":
            after = rng.choice([None] + [s for s in siblings if s != shot])
            op = {"kind": "move", "entity": "shot", "id": shot, "after": after}
        elif kind == "lens_mm":
            op = {"kind": "set", "entity": "shot", "id": shot, "fields": {"lens_mm": 5 + (n % 4700) * 0.25}}
        elif kind == "duration_s":
            op = {"kind": "set", "entity": "shot", "id": shot, "fields": {"duration_s": round(0.5 + (n % 5000) * 0.1, 2)}}
        else:
            op = {"kind": "set", "entity": "shot", "id": shot, "fields": {"notes": f"Note {n}: hold on the window."}}
        counters[i] += 1
        sent_at = time.monotonic()
        op_id = f"b{i}.{counters[i]}.{int(sent_at * 1e6)}"
        pending[op_id] = sent_at
        sent_ops[op_id] = json.dumps({"type": "op", "op_id": op_id, "op": op})
        stats.sent += 1
        if retry[i]:  # the room said busy: this op waits its turn behind those (see resend)
            retry[i].append(op_id)
            continue
        try:
            await sockets[i].send(sent_ops[op_id])
        except websockets.ConnectionClosed:
            pending.pop(op_id, None)
    send_end = time.monotonic()
    print(json.dumps({"sent": stats.sent, "send_end": send_end}), flush=True)

    # Drain: own acks in (bounded), then until the room has been quiet for a while.
    drain_deadline = time.monotonic() + config["drain"]
    while pending and time.monotonic() < drain_deadline:
        await asyncio.sleep(0.05)
    last_ack = time.monotonic()
    while time.monotonic() < drain_deadline and time.monotonic() - last_frame[0] < 1.0:
        await asyncio.sleep(0.05)
    # Convergence: every client repairs its gaps as a browser does (catch_up from its first
    # missing seq; a snapshot when far behind). What is still missing after that is lost.
    final_seq = max((max(s) for s in seqs.values() if s), default=0)
    missed_broadcasts = 0
    for i in mine:
        gaps = sorted(set(range(hello[i] + 1, final_seq + 1)) - seqs[i])
        missed_broadcasts += len(gaps)
        if gaps:
            caught_up[i].clear()
            await sockets[i].send(json.dumps({"type": "catch_up", "after": gaps[0] - 1}))
            try:
                await asyncio.wait_for(caught_up[i].wait(), 30)
            except TimeoutError:
                pass
    missing = sum(len(set(range(hello[i] + 1, final_seq + 1)) - seqs[i]) for i in mine)
    for ws in sockets.values():
        await ws.close()
    for task in readers:
        task.cancel()
    cpu = os.times()
    result = {
        "latencies": stats.latencies,
        "ack_latencies": stats.ack_latencies,
        "deliveries": stats.deliveries,
        "acked_changed": stats.acked_changed,
        "sent": stats.sent,
        "acked": stats.acked,
        "unacked": len(pending),
        "errors": stats.errors,
        "error_codes": stats.error_codes,
        "duplicates": stats.duplicates,
        "frames": stats.frames,
        "late_sends": stats.late_sends,
        "send_end": send_end,
        "last_ack": last_ack,
        "cpu_s": cpu.user + cpu.system,
        "resent": stats.resent,
        "missed_broadcasts": missed_broadcasts,
        "missing": missing,
    }
    Path(config["out"].format(index=index)).write_text(json.dumps(result))
    print(json.dumps({"done": True}), flush=True)


# --- Orchestration -------------------------------------------------------------------------


def read_json_line(proc, timeout, what):
    """Next JSON line from a child's stdout (skips anything else), bounded in time."""
    import selectors

    deadline = time.monotonic() + timeout
    selector = selectors.DefaultSelector()
    selector.register(proc.stdout, selectors.EVENT_READ)
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"{what}: no answer after {timeout}s")
            if not selector.select(remaining):
                continue
            line = proc.stdout.readline()
            if not line:
                raise RuntimeError(f"{what}: exited with {proc.wait()}")
            line = line.strip()
            if line.startswith("{"):
                return json.loads(line)
    finally:
        selector.close()


def run_studio(args, procs, tmp):
    db_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
    redis_url = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS)
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "REDIS_URL": redis_url,
        "STUDIO_LOG_LEVEL": "WARNING",
        "STUDIO_DEBUG": "0",
        "STUDIO_EMBEDDED_WORKER": "0",
        "DATABASE_CONN_MAX_AGE": str(args.conn_max_age),
        "STUDIO_DATA_DIR": str(tmp / "data"),
        "DJANGO_SETTINGS_MODULE": "studio.settings",
        "PYTHONUNBUFFERED": "1",
    }
    for name in ("S3_BUCKET", "CELERY_BROKER_URL"):
        env.pop(name, None)

    log(f"studio: fresh database {db_url.rsplit('/', 1)[-1]}, flushing {redis_url}")
    recreate_database(db_url)
    import redis

    redis.Redis.from_url(redis_url).flushdb()

    users = min(args.users, args.clients)
    log(f"studio: migrate + {users} users + project ({args.scenes}×{args.shots_per_scene} shots)")
    setup = subprocess.run(
        [sys.executable, __file__, "--setup", "--users", str(users), "--scenes", str(args.scenes), "--shots-per-scene", str(args.shots_per_scene)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if setup.returncode != 0:
        raise RuntimeError(f"setup failed:\n{setup.stderr[-3000:]}")
    board = json.loads(setup.stdout.strip().splitlines()[-1])

    # --servers N: N Daphne processes behind the Redis channel layer, the clients split
    # between them (client i on server i mod N), as behind a load balancer.
    ports = [free_port() for _ in range(args.servers)]
    server_log = open(tmp / "daphne.log", "w")
    servers = [
        procs.start(
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "studio.asgi:application"],
            cwd=ROOT,
            env=env,
            stdout=server_log,
            stderr=subprocess.STDOUT,
        )
        for port in ports
    ]
    server = servers[0]
    try:
        try:
            for port, proc in zip(ports, servers):
                wait_port(port, proc, 60)
        except (RuntimeError, TimeoutError):
            server_log.flush()
            log("studio: server log:\n" + (tmp / "daphne.log").read_text()[-3000:])
            raise
        base = f"http://127.0.0.1:{ports[0]}"
        log(f"studio: Daphne on {', '.join(map(str, ports))} (pids {', '.join(str(p.pid) for p in servers)}); signing in {users} users")
        cookies = [sign_in(base, name) for name in board["users"]]

        config = {
            "clients": args.clients,
            "procs": args.client_procs,
            "rate": args.rate,
            "seconds": args.seconds,
            "urls": [f"ws://127.0.0.1:{port}/ws/projects/{board['project']}/" for port in ports],
            "origin": base,
            "cookies": cookies,
            "scenes": board["scenes"],
            "drain": args.drain,
            "out": str(tmp / "worker-{index}.json"),
        }
        config_path = tmp / "worker-config.json"
        config_path.write_text(json.dumps(config))
        workers = [
            procs.start(
                [sys.executable, __file__, "--worker", str(config_path), "--index", str(w)],
                cwd=ROOT,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
            for w in range(args.client_procs)
        ]
        log(f"studio: connecting {args.clients} sockets from {args.client_procs} client process(es)")
        readies = [read_json_line(w, 240, "client worker") for w in workers]
        ready = sum(r["ready"] for r in readies)
        join_storm_s = max(r["join_storm_s"] for r in readies)
        log(f"studio: {ready} sockets joined; presence settled {join_storm_s}s after the last hello ({sum(r['join_frames'] for r in readies)} frames)")
        if ready < args.clients:
            raise RuntimeError(f"only {ready} of {args.clients} sockets got their hello")
        time.sleep(args.settle)  # let the join/presence storm finish
        server_cpus = [CpuMeter(proc.pid) for proc in servers]
        client_cpu = [CpuMeter(w.pid) for w in workers]
        t0 = time.monotonic() + 0.3
        for w in workers:
            w.stdin.write(f"go {t0}\n")
            w.stdin.flush()
        time.sleep(max(0.0, t0 - time.monotonic()))
        for meter in [*server_cpus, *client_cpu]:
            meter.mark("start")
        hogs = [procs.start([sys.executable, "-c", "while True: pass"]) for _ in range(args.hog)]
        if args.profile:  # sample the server during the send window (py-spy from PyPI; not a dependency)
            spy = os.environ.get("PY_SPY", "py-spy")
            procs.start(
                [
                    spy,
                    "record",
                    "--pid",
                    str(server.pid),
                    "--duration",
                    str(int(args.seconds)),
                    "--rate",
                    "200",
                    "--nonblocking",
                    "--threads",
                    "--idle",
                    "--format",
                    "raw",
                    "--output",
                    args.profile,
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        log(f"studio: sending {args.rate} ops/s for {args.seconds}s")
        for worker in workers:  # each says it is done sending
            read_json_line(worker, args.seconds + 60, "client worker")
        for meter in [*server_cpus, *client_cpu]:
            meter.mark("end")
        for hog in hogs:
            procs.stop(hog, grace=1)
        log("studio: draining")
        for w in workers:
            read_json_line(w, args.drain + 30, "client worker")
            w.wait(timeout=30)
        results = [json.loads((tmp / f"worker-{w}.json").read_text()) for w in range(args.client_procs)]
    finally:
        for proc in servers:
            procs.stop(proc)
        server_log.close()
    server_text = (tmp / "daphne.log").read_text()
    if args.server_log:
        Path(args.server_log).write_text(server_text)
    if "Traceback" in server_text:
        log("studio: the server logged tracebacks; last one:\n" + server_text[server_text.rindex("Traceback") - 300 :][:3000])

    latencies = [x for r in results for x in r["latencies"]]
    acks = [x for r in results for x in r["ack_latencies"]]
    deliveries = {}
    for r in results:
        for op_id, count in r["deliveries"].items():
            deliveries[op_id] = deliveries.get(op_id, 0) + count
    changed = [op_id for r in results for op_id in r["acked_changed"]]
    expected = len(changed) * (args.clients - 1)
    delivered = sum(min(deliveries.get(op_id, 0), args.clients - 1) for op_id in changed)
    # Ops neither acknowledged nor refused by the end of the drain count as lost for everyone.
    unacked = sum(r["unacked"] for r in results)
    sent = sum(r["sent"] for r in results)
    acked = sum(r["acked"] for r in results)
    window = max(r["last_ack"] for r in results) - t0
    return {
        "sent": sent,
        "acked": acked,
        "acked_changed": len(changed),
        "unacked": unacked,
        "errors": sum(r["errors"] for r in results),
        "error_codes": {k: sum(r["error_codes"].get(k, 0) for r in results) for k in {k for r in results for k in r["error_codes"]}},
        "lost": expected - delivered + unacked * (args.clients - 1),
        "lost_acked": expected - delivered,
        "duplicates": sum(r["duplicates"] for r in results),
        "deliveries": len(latencies),
        "expected_deliveries": expected,
        "p50_ms": percentile(latencies, 0.5),
        "p99_ms": percentile(latencies, 0.99),
        "max_ms": max(latencies, default=None),
        "ack_p50_ms": percentile(acks, 0.5),
        "ack_p99_ms": percentile(acks, 0.99),
        "ops_per_s": round(acked / max(window, args.seconds), 1),
        "join_storm_s": join_storm_s,
        "late_sends": sum(r["late_sends"] for r in results),
        "frames": sum(r["frames"] for r in results),
        "server_cpu_pct": round(sum(m.pct("start", "end") for m in server_cpus), 1),
        "server_cpu_pct_each": [m.pct("start", "end") for m in server_cpus],
        "client_cpu_pct": round(sum(m.pct("start", "end") for m in client_cpu), 1),
        "machine_cpu_pct": server_cpus[0].machine_pct("start", "end"),
        "servers": args.servers,
        "resent": sum(r["resent"] for r in results),
        "missed_broadcasts": sum(r["missed_broadcasts"] for r in results),
        "missing": sum(r["missing"] for r in results),
    }


def run_baseline(args, procs, tmp):
    if not (HOCUSPOCUS / "node_modules" / "@hocuspocus" / "server").exists():
        log("baseline: npm ci in bench/hocuspocus")
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=HOCUSPOCUS, check=True, timeout=300, stdout=sys.stderr)
    port = free_port()
    server = procs.start(["node", "server.mjs", str(port)], cwd=HOCUSPOCUS, stdout=subprocess.PIPE, text=True)
    try:
        read_json_line(server, 30, "hocuspocus server")
        log(f"baseline: @hocuspocus/server on {port} (pid {server.pid}); {args.clients} providers, {args.rate} updates/s for {args.seconds}s")
        load = procs.start(
            [
                "node",
                "load.mjs",
                "--url",
                f"ws://127.0.0.1:{port}",
                "--clients",
                str(args.clients),
                "--rate",
                str(args.rate),
                "--seconds",
                str(args.seconds),
                "--drain",
                str(args.drain),
                "--settle",
                str(args.settle),
                "--mode",
                args.baseline_mode,
            ],
            cwd=HOCUSPOCUS,
            stdout=subprocess.PIPE,
            text=True,
        )
        server_cpu, client_cpu = CpuMeter(server.pid), CpuMeter(load.pid)
        ready = read_json_line(load, 120, "node load")
        if ready.get("ready", 0) < args.clients:
            raise RuntimeError(f"baseline: only {ready} providers synced")
        read_json_line(load, 60, "node load")  # {"start": …}: the send window begins
        server_cpu.mark("start"), client_cpu.mark("start")
        read_json_line(load, args.seconds + 60, "node load")  # {"send_end": …}
        server_cpu.mark("end"), client_cpu.mark("end")
        result = read_json_line(load, args.drain + 60, "node load")
        load.wait(timeout=30)
    finally:
        procs.stop(server)
    result.update(
        server_cpu_pct=server_cpu.pct("start", "end"), client_cpu_pct=client_cpu.pct("start", "end"), machine_cpu_pct=server_cpu.machine_pct("start", "end")
    )
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--rate", type=float, default=200, help="ops per second in total")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument(
        "--baseline-mode",
        choices=("raw", "provider"),
        default="raw",
        help="baseline clients: bare sockets speaking the Hocuspocus protocol (raw) or full HocuspocusProviders",
    )
    parser.add_argument("--skip-studio", action="store_true", help="only the Hocuspocus baseline")
    parser.add_argument("--users", type=int, default=10, help="editors the sockets sign in as (round-robin)")
    parser.add_argument("--client-procs", type=int, default=1, help="Python processes running the studio clients")
    parser.add_argument("--hog", type=int, default=0, help="busy-looping processes beside the server during the send window (overload)")
    parser.add_argument("--servers", type=int, default=1, help="Daphne processes (Redis channel layer between them); clients are split between them")
    parser.add_argument("--scenes", type=int, default=4)
    parser.add_argument("--shots-per-scene", type=int, default=10)
    parser.add_argument("--drain", type=float, default=10, help="longest wait for stragglers after the last send")
    parser.add_argument("--settle", type=float, default=2, help="pause after connecting, before sending")
    parser.add_argument("--conn-max-age", type=int, default=60, help="DATABASE_CONN_MAX_AGE for the server (docker/compose.yml uses 60)")
    parser.add_argument("--server-log", help="keep the Daphne log at this path")
    parser.add_argument("--profile", help="py-spy the server during the send window; collapsed stacks to this path ($PY_SPY or py-spy on PATH)")
    # internal modes
    parser.add_argument("--setup", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--index", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.setup:
        return setup_main(args.users, args.scenes, args.shots_per_scene)
    if args.worker:
        return asyncio.run(worker_main(args.worker, args.index))
    if args.clients < 2:
        parser.error("--clients must be at least 2 (latency is measured at the other clients)")

    procs = Procs()
    previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    result = {"clients": args.clients, "rate": args.rate, "seconds": args.seconds}
    try:
        with tempfile.TemporaryDirectory(prefix="previs-realtime-") as tmp:
            tmp = Path(tmp)
            studio = None if args.skip_studio else run_studio(args, procs, tmp)
            baseline = None if args.skip_baseline else run_baseline(args, procs, tmp)
    finally:
        procs.stop_all()
        signal.signal(signal.SIGTERM, previous)

    if studio:
        result.update({k: studio[k] for k in ("ops_per_s", "p50_ms", "p99_ms", "max_ms", "lost", "missing")})
        result.update({k: v for k, v in studio.items() if k not in result})
    if baseline:
        result.update({f"baseline_{k}": v for k, v in baseline.items()})
    if studio and baseline and baseline.get("p99_ms"):
        result["ratio_p99"] = round(studio["p99_ms"] / baseline["p99_ms"], 2)
        result["ratio_p50"] = round(studio["p50_ms"] / baseline["p50_ms"], 2) if baseline.get("p50_ms") else None
    else:
        result["ratio_p99"] = None
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
