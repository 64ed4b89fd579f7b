"""Live review sessions over real sockets: one presenter, N viewers on /ws/reviews/<id>/.

    python bench/review.py [--viewers 50] [--redis] [--stroke-rate 30] [--stroke-seconds 5]

Embedded (default): a fresh SQLite file in a temporary STUDIO_DATA_DIR and the in-memory channel
layer (no DATABASE_URL, no REDIS_URL). --redis: a fresh Postgres database (BENCH_DATABASE_URL,
default previs_bench_review on 127.0.0.1) and a flushed Redis database (BENCH_REDIS_URL, default
db 14) as channel layer. Either way a setup subprocess migrates and creates the users (one
director who presents, --users editors the viewers sign in as, round-robin), a project with a
scene of shots and a Review of that scene; Daphne serves studio.asgi on a free port; every user
signs in through POST /api/auth/session/ and the sockets carry the session cookie and a
same-host Origin, as a browser's do.

Three phases, all sockets in this process (one event loop, so positions are sampled at one
instant):

join     The presenter connects first (its hello must name it presenter), then the viewers, in
         waves of --join-batch. join_sync_ms: from starting to open a viewer's socket until it
         has its hello and a clock offset from --sync-pings ping/pong rounds (the min-RTT
         sample, NTP style: offset = server_time - (t_send + t_recv) / 2), i.e. until it could
         place itself on the presenter's timeline. Every viewer's local clock is skewed by a
         random ±--skew seconds, so the offset estimate has real work to do. Afterwards every
         socket pings again every --ping-interval seconds and keeps the min-RTT sample.
sync     The presenter plays from frame 0, seeks while playing, pauses, seeks while paused and
         plays at 2x. Each viewer keeps the newest `state` it got and computes its position as a
         browser does: frame + max(0, (local_now + offset) - at) * rate * fps (paused: frame).
         --sample-after seconds after each control was sent, every viewer's position is computed
         at one instant and compared with the true position (the state the presenter got back,
         on the server's clock). spread = max - min across viewers; error = |viewer - true|.
         A viewer without that state by then counts as missing.
strokes  The presenter streams `stroke` messages (--stroke-rate per second for --stroke-seconds,
         each a unique stroke id carrying its sequence number); every viewer records when each
         arrives. Latency is over all (viewer, message) pairs; lost = expected - delivered.

Progress on stderr; one JSON line last on stdout. CPU figures are % of one core over the stroke
window (server = the Daphne process and its children, client = this process; machine_cpu_pct is
the whole machine, of all cores, so other load shows). The server runs with a GC watch (see
SERVER_BOOT): server_gc_max_ms is its longest collection overlapping the stroke window, and
client_loop_lag_max_ms says whether this process kept up (if it did not, latencies are the
bench's). --gc-freeze and --profile (py-spy) are for finding where the time goes.
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
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from common import CpuMeter, Procs, bench_project, bench_shots, free_port, log, percentile, recreate_database, sign_in, wait_port

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/previs_bench_review"
DEFAULT_REDIS = "redis://127.0.0.1:6379/14"
STROKE_PREFIX = "bench."  # stroke ids: bench.<sequence>


# Daphne as `python -m daphne` runs it, plus a GC watch: every collection that takes 5 ms or more
# is logged (generation, duration, CLOCK_MONOTONIC end) so the bench can line pauses up with
# late deliveries. BENCH_GC_FREEZE=boot: the server calls gc.freeze() once the application is
# loaded; =warm: on SIGUSR2, which the bench sends once every viewer has joined (experiments:
# the studio itself does neither).
SERVER_BOOT = """
import gc, os, sys, time
_started = [0.0]
def _watch(phase, info):
    if phase == "start":
        _started[0] = time.perf_counter()
        return
    ms = (time.perf_counter() - _started[0]) * 1000
    if ms >= 5:
        print(f"[gc] gen={info['generation']} ms={ms:.1f} at={time.monotonic():.4f}", file=sys.stderr, flush=True)
gc.callbacks.append(_watch)
def _freeze(*_):
    gc.collect()
    gc.freeze()
    print(f"[gc] frozen {gc.get_freeze_count()} objects", file=sys.stderr, flush=True)
if os.environ.get("BENCH_GC_FREEZE") == "boot":
    import django; django.setup()
    import studio.asgi
    _freeze()
elif os.environ.get("BENCH_GC_FREEZE") == "warm":  # the bench signals once every socket has joined
    import signal
    signal.signal(signal.SIGUSR2, _freeze)
from daphne.cli import CommandLineInterface
CommandLineInterface.entrypoint()
"""
GC_LINE = re.compile(r"^\[gc\] gen=(\d) ms=([\d.]+) at=([\d.]+)$", re.M)


def rounded(value, digits=3):
    return None if value is None else round(value, digits)


# --- Setup (runs in a subprocess with the studio's environment) --------------------------------


def setup_main(users, shots):
    viewers = [f"bench-viewer{i}" for i in range(users)]
    project, people = bench_project(
        ROOT, "Review bench", [("bench-presenter", "Presenter", "director")] + [(name, f"Viewer {i}", "editor") for i, name in enumerate(viewers)]
    )
    from fractional_indexing import generate_n_keys_between

    from apps.boards.models import Scene, Shot
    from apps.review.models import Review

    scene = Scene.objects.create(project=project, rank=generate_n_keys_between(None, None, 1)[0], number="1", synopsis="Maya at the window.")
    shot_ids = bench_shots(scene, shots)
    review = Review.objects.create(project=project, title="Bench review", scene=scene, created_by=people["bench-presenter"])
    print(
        json.dumps(
            {
                "project": project.pk,
                "review": review.pk,
                "presenter": "bench-presenter",
                "viewers": viewers,
                "shots": shot_ids,
                "fps": float(Shot.objects.get(pk=shot_ids[0]).fps),
            }
        )
    )


# --- Clients -----------------------------------------------------------------------------------


def position(playback, server_now, fps):
    """Where playback is at server time `server_now`: what a browser shows."""
    if not playback.get("playing"):
        return float(playback["frame"])
    return playback["frame"] + max(0.0, server_now - playback["at"]) * playback["rate"] * fps


class Client:
    """One browser tab on the review socket. Its local clock is the machine's, skewed."""

    def __init__(self, name, cookie, skew):
        self.name, self.cookie, self.skew = name, cookie, skew
        self.ws = None
        self.session = None
        self.hello = None
        self.hello_event = asyncio.Event()
        self.playback = None  # the newest playback state (from hello or `state`)
        self.states = []  # (monotonic arrival, playback, by)
        self.samples = []  # (rtt_s, offset_s) of every pong
        self.pending_pings = {}  # t -> future
        self.strokes = {}  # sequence -> monotonic arrival
        self.duplicates = 0
        self.frames = 0
        self.errors = []
        self.closed = None
        self.reader_task = None
        self.pinger_task = None
        self.join_sync_s = None

    def local_now(self):
        return time.time() + self.skew

    @property
    def offset(self):
        """Server clock minus local clock, from the sample with the smallest round trip."""
        if not self.samples:
            return None
        return min(self.samples)[1]

    async def open(self, url, origin, sync_pings):
        import websockets

        started = time.monotonic()
        for attempt in range(5):
            try:
                self.ws = await websockets.connect(
                    url,
                    additional_headers={"Cookie": f"sessionid={self.cookie}", "Origin": origin},
                    compression=None,
                    max_size=None,
                    ping_interval=None,
                    open_timeout=30,
                )
                break
            except (TimeoutError, OSError, websockets.InvalidStatus) as error:
                if attempt == 4:
                    raise
                log(f"{self.name}: connect failed ({error}); retrying")
                await asyncio.sleep(0.2 * (attempt + 1))
        self.reader_task = asyncio.create_task(self.reader())
        for _ in range(sync_pings):  # back to back, as a page does on open
            await self.ping()
        await asyncio.wait_for(self.hello_event.wait(), 30)
        self.join_sync_s = time.monotonic() - started

    async def ping(self, timeout=10):
        t = self.local_now()
        future = asyncio.get_running_loop().create_future()
        self.pending_pings[t] = future
        await self.ws.send(json.dumps({"type": "ping", "t": t}))
        try:
            await asyncio.wait_for(future, timeout)
        finally:
            self.pending_pings.pop(t, None)

    async def keep_pinging(self, interval):
        """Refine the offset now and then, as a page would (jittered so the room does not ping at once)."""
        import websockets

        try:
            while True:
                await asyncio.sleep(interval * random.uniform(0.8, 1.2))
                await self.ping()
        except (TimeoutError, websockets.ConnectionClosed):
            pass

    async def send(self, message):
        await self.ws.send(json.dumps(message))

    def handle(self, message, arrived, local):
        kind = message.get("type")
        if kind == "stroke":
            stroke = message.get("stroke", "")
            if stroke.startswith(STROKE_PREFIX):
                seq = int(stroke[len(STROKE_PREFIX) :])
                if seq in self.strokes:
                    self.duplicates += 1
                else:
                    self.strokes[seq] = arrived
        elif kind == "pong":
            future = self.pending_pings.get(message.get("t"))
            if future is not None and not future.done():
                sent = message["t"]
                self.samples.append((local - sent, message["server_time"] - (sent + local) / 2))
                future.set_result(None)
        elif kind == "state":
            self.playback = message["state"]["playback"]
            self.states.append((arrived, self.playback, message.get("by")))
        elif kind == "hello":
            self.hello = message
            self.session = message["you"]["session"]
            self.playback = message["state"]["playback"]
            self.hello_event.set()
        elif kind == "error":
            self.errors.append(message.get("code"))
        elif kind == "batch":
            for inner in message["messages"]:
                self.handle(inner, arrived, local)

    async def reader(self):
        import websockets

        try:
            async for frame in self.ws:
                arrived, local = time.monotonic(), self.local_now()
                self.frames += 1
                self.handle(json.loads(frame), arrived, local)
        except websockets.ConnectionClosed as closed:
            self.closed = str(closed)
        except Exception as error:  # a bench bug must show, not hang the run
            self.closed = f"reader failed: {error!r}"
            log(f"{self.name}: {self.closed}")

    async def close(self):
        for task in (self.pinger_task,):
            if task is not None:
                task.cancel()
        if self.ws is not None:
            try:
                await asyncio.wait_for(self.ws.close(), 5)
            except Exception:
                pass
        if self.reader_task is not None:
            self.reader_task.cancel()


async def wait_for(predicate, timeout, step=0.005):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(step)
    return True


class LoopLag:
    """How late this process's event loop runs a 5 ms ticker, and its GC pauses: if the client side
    stalls, its arrival times are late and the latencies are the bench's, not the server's."""

    def __init__(self, tick=0.005):
        import gc

        self.tick, self.gc = tick, gc
        self.reset()
        self.gc_started = None
        gc.callbacks.append(self.on_gc)
        self.task = asyncio.create_task(self.run())

    def reset(self):
        self.max_s, self.gc_max_s = 0.0, 0.0

    def on_gc(self, phase, info):
        if phase == "start":
            self.gc_started = time.perf_counter()
        elif self.gc_started is not None:
            self.gc_max_s = max(self.gc_max_s, time.perf_counter() - self.gc_started)

    async def run(self):
        while True:
            before = time.monotonic()
            await asyncio.sleep(self.tick)
            self.max_s = max(self.max_s, time.monotonic() - before - self.tick)

    def snapshot(self):
        return {"max_ms": round(self.max_s * 1000, 2), "gc_max_ms": round(self.gc_max_s * 1000, 2)}

    def stop(self):
        self.task.cancel()
        self.gc.callbacks.remove(self.on_gc)


def start_profiler(args, procs, server_pid, seconds):
    """py-spy (from PyPI; not a dependency) sampling the server's threads, idle included."""
    return procs.start(
        [
            os.environ.get("PY_SPY", "py-spy"),
            "record",
            "--pid",
            str(server_pid),
            "--duration",
            str(max(1, round(seconds))),
            "--rate",
            "250",
            "--nonblocking",
            "--threads",
            "--idle",
            "--format",
            os.environ.get("PY_SPY_FORMAT", "raw"),
            "--output",
            args.profile,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def scenario(args, url, origin, cookies, presenter_cookie, fps, shots, server_pid, procs):
    rng = random.Random(7)
    lag = LoopLag()
    presenter = Client("presenter", presenter_cookie, 0.0)
    viewers = [Client(f"viewer{i}", cookies[i % len(cookies)], rng.uniform(-args.skew, args.skew)) for i in range(args.viewers)]
    result = {}

    # --- Join ---------------------------------------------------------------------------------
    await presenter.open(url, origin, args.sync_pings)
    state = presenter.hello["state"]
    if state["presenter"] != presenter.session:
        raise RuntimeError(f"the first socket is not the presenter: {state['presenter']!r} vs {presenter.session!r}")
    log(f"presenter joined in {presenter.join_sync_s * 1000:.1f} ms and has control")

    join_failed = []

    async def join(viewer):
        try:
            await viewer.open(url, origin, args.sync_pings)
        except Exception as error:
            join_failed.append(viewer.name)
            log(f"{viewer.name}: join failed: {error!r}")

    join_spy = None
    if args.profile and args.profile_phase == "join":
        join_spy = start_profiler(args, procs, server_pid, 3)
        await asyncio.sleep(0.3)
    join_started = time.monotonic()
    for start in range(0, len(viewers), args.join_batch):
        await asyncio.gather(*(join(v) for v in viewers[start : start + args.join_batch]))
    join_wall_s = time.monotonic() - join_started
    joined = [v for v in viewers if v.join_sync_s is not None]
    sync_ms = [v.join_sync_s * 1000 for v in joined]
    log(
        f"{len(joined)}/{len(viewers)} viewers synced in {join_wall_s:.2f}s; join_sync p50 {percentile(sync_ms, 0.5):.1f} ms, "
        f"p99 {percentile(sync_ms, 0.99):.1f} ms, max {max(sync_ms):.1f} ms"
    )
    not_presenter = [v.name for v in joined if v.hello["state"]["presenter"] != presenter.session]
    if not_presenter:
        log(f"viewers told someone else presents: {not_presenter[:5]}")
    # The participants storm (every join tells everyone the member list): let it settle.
    quiet_from = time.monotonic()
    last_frames = -1
    while time.monotonic() - quiet_from < 30:
        frames = sum(v.frames for v in viewers) + presenter.frames
        if frames == last_frames:
            break
        last_frames = frames
        await asyncio.sleep(0.5)
    if args.gc_freeze == "warm":
        os.kill(server_pid, signal.SIGUSR2)
        await asyncio.sleep(0.5)
    for client in [presenter, *joined]:
        client.pinger_task = asyncio.create_task(client.keep_pinging(args.ping_interval))
    clock_errors_ms = [abs(v.offset + v.skew) * 1000 for v in joined]  # the true offset is -skew
    result.update(
        {
            "join_sync_ms": rounded(percentile(sync_ms, 0.5), 1),
            "join_sync_p99_ms": rounded(percentile(sync_ms, 0.99), 1),
            "join_sync_max_ms": rounded(max(sync_ms, default=None), 1),
            "join_wall_s": round(join_wall_s, 2),
            "join_failed": len(join_failed),
            "wrong_presenter": len(not_presenter),
        }
    )

    # --- Playback sync --------------------------------------------------------------------------
    steps = [
        ("play", {"action": "play", "frame": 0, "rate": 1.0}),
        ("seek_playing", {"action": "seek", "frame": 240}),
        ("pause", {"action": "pause", "frame": None}),  # at the presenter's current frame
        ("seek_paused", {"action": "seek", "frame": 100}),
        ("play_2x", {"action": "play", "frame": 100, "rate": 2.0}),
        ("pause_end", {"action": "pause", "frame": None}),
    ]
    truth = presenter.playback
    spreads, errors, missing, state_ms, step_results, late_starts = {}, [], {}, [], {}, 0
    for name, control in steps:
        await asyncio.sleep(args.step_gap)
        message = {"type": "control", "rate": 1.0, **control}
        if message["frame"] is None:
            message["frame"] = int(position(truth, time.time(), fps))
        seen = len(presenter.states)
        sent = time.monotonic()
        await presenter.send(message)
        got = await wait_for(lambda seen=seen: any(by == presenter.session for _, _, by in presenter.states[seen:]), 5)
        if not got:
            raise RuntimeError(f"{name}: the presenter never got its state back (errors: {presenter.errors})")
        truth = next(pb for _, pb, by in presenter.states[seen:] if by == presenter.session)
        await asyncio.sleep(max(0.0, sent + args.sample_after - time.monotonic()))
        # One instant for everyone: each viewer computes from its own clock and offset estimate.
        now = time.time()
        true_position = position(truth, now, fps)
        positions, lacking = [], []
        for v in joined:
            if v.playback != truth:
                lacking.append(v.name)
                continue
            positions.append(position(v.playback, now + v.skew + v.offset, fps))
        wall_minus_mono = time.time() - time.monotonic()
        for v in joined:
            arrival = next((arrived for arrived, pb, _ in v.states if pb == truth and arrived >= sent), None)
            if arrival is not None:
                state_ms.append((arrival - sent) * 1000)
                if truth["playing"] and arrival + wall_minus_mono > truth["at"]:
                    late_starts += 1  # got "play from F at T" after T: it starts late and jumps
        spread = (max(positions) - min(positions)) if positions else None
        error = max((abs(p - true_position) for p in positions), default=None)
        spreads[name] = spread
        if error is not None:
            errors.append(error)
        missing[name] = lacking
        step_results[name] = {"true": round(true_position, 2), "spread": rounded(spread), "max_error": rounded(error), "missing": len(lacking)}
        log(
            f"{name:>12}: true frame {true_position:7.2f}; spread {spread if spread is None else round(spread, 3)} frames, "
            f"max error {error if error is None else round(error, 3)}; {len(lacking)} without the state"
        )
    failures = sorted({n for names in missing.values() for n in names})
    result.update(
        {
            "spread_frames": rounded(max((s for s in spreads.values() if s is not None), default=None)),
            "play_spread_frames": rounded(spreads["play"]),
            "seek_spread_frames": rounded(spreads["seek_playing"]),
            "play_2x_spread_frames": rounded(spreads["play_2x"]),
            "max_error_frames": rounded(max(errors, default=None)),
            "state_p50_ms": rounded(percentile(state_ms, 0.5), 2),
            "state_p99_ms": rounded(percentile(state_ms, 0.99), 2),
            "state_max_ms": rounded(max(state_ms, default=None), 2),
            "late_starts": late_starts,
            "state_missing": sum(len(n) for n in missing.values()),
            "state_missing_viewers": failures[:20],
            "clock_error_max_ms": rounded(max(clock_errors_ms, default=None), 3),
            "clock_error_p50_ms": rounded(percentile(clock_errors_ms, 0.5), 3),
            "steps": step_results,
        }
    )

    # --- Strokes --------------------------------------------------------------------------------
    await asyncio.sleep(args.step_gap)
    server_cpu = CpuMeter(server_pid)
    client_cpu = CpuMeter(os.getpid())
    total = int(args.stroke_rate * args.stroke_seconds)
    sends = {}
    shot = shots[0]
    log(f"strokes: {args.stroke_rate}/s for {args.stroke_seconds}s ({total} messages) to {len(joined)} viewers")
    spy = None
    if args.profile and args.profile_phase == "strokes":
        spy = start_profiler(args, procs, server_pid, args.stroke_seconds)
        await asyncio.sleep(0.3)  # let it attach
    lag.reset()
    server_cpu.mark("start"), client_cpu.mark("start")
    t0 = time.monotonic() + 0.05
    late = 0
    x, y = 0.3, 0.3
    for n in range(total):
        delay = t0 + n / args.stroke_rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        elif delay < -0.005:
            late += 1
        points = []
        for _ in range(args.stroke_points):  # a pointer's path since the last message
            x = min(1.0, max(0.0, x + rng.uniform(-0.01, 0.012)))
            y = min(1.0, max(0.0, y + rng.uniform(-0.008, 0.01)))
            points.append([round(x, 4), round(y, 4)])
        stroke = {
            "type": "stroke",
            "stroke": f"{STROKE_PREFIX}{n}",
            "shot": shot,
            "frame": 0,
            "tool": "pen",
            "colour": "#ff0000",
            "width": 3,
            "points": points,
            "done": n % 10 == 9,
        }
        text = json.dumps(stroke)
        sends[n] = time.monotonic()
        await presenter.ws.send(text)
    send_end = time.monotonic()
    server_cpu.mark("end"), client_cpu.mark("end")
    stroke_lag = lag.snapshot()
    expected = total * len(joined)
    await wait_for(lambda: sum(len(v.strokes) for v in joined) >= expected, args.drain, step=0.05)
    latencies = [(arrived - sends[seq]) * 1000 for v in joined for seq, arrived in v.strokes.items() if seq in sends]
    delivered = sum(len(v.strokes) for v in joined)
    per_message_max = {}
    for v in joined:
        for seq, arrived in v.strokes.items():
            per_message_max[seq] = max(per_message_max.get(seq, 0.0), (arrived - sends[seq]) * 1000)
    if latencies:
        log(
            f"strokes: {delivered}/{expected} delivered; p50 {percentile(latencies, 0.5):.1f} ms, p99 {percentile(latencies, 0.99):.1f} ms, "
            f"max {max(latencies):.1f} ms"
        )
    else:
        log(f"strokes: none of {expected} delivered")
    result.update(
        {
            "stroke_p50_ms": rounded(percentile(latencies, 0.5), 2),
            "stroke_p99_ms": rounded(percentile(latencies, 0.99), 2),
            "stroke_max_ms": rounded(max(latencies, default=None), 2),
            "stroke_last_viewer_p50_ms": rounded(percentile(list(per_message_max.values()), 0.5), 2),
            "strokes_sent": total,
            "stroke_deliveries": delivered,
            "lost": expected - delivered,
            "duplicates": sum(v.duplicates for v in joined),
            "late_sends": late,
            "server_cpu_pct": server_cpu.pct("start", "end"),
            "client_cpu_pct": client_cpu.pct("start", "end"),
            "machine_cpu_pct": server_cpu.machine_pct("start", "end"),
            "send_window_s": round(send_end - t0, 2),
            "stroke_window": [t0, max((t for v in joined for t in v.strokes.values()), default=send_end)],
            "client_loop_lag_max_ms": stroke_lag["max_ms"],
            "client_gc_max_ms": stroke_lag["gc_max_ms"],
            "errors": sorted({code for c in [presenter, *joined] for code in c.errors}),
            "closed": sum(1 for c in [presenter, *joined] if c.closed),
        }
    )
    if args.dump:
        Path(args.dump).write_text(
            json.dumps(
                {
                    "sends": {n: t - t0 for n, t in sends.items()},
                    "arrivals": {v.name: {n: t - t0 for n, t in v.strokes.items()} for v in joined},
                    "join_sync_ms": {v.name: v.join_sync_s * 1000 for v in joined},
                    "offsets_ms": {v.name: [(r * 1000, (o + v.skew) * 1000) for r, o in v.samples] for v in joined},
                }
            )
        )
    await asyncio.gather(*(c.close() for c in [presenter, *viewers]))
    lag.stop()
    for profiler in (spy, join_spy):
        if profiler is not None:
            await asyncio.get_running_loop().run_in_executor(None, profiler.wait)
    return result


# --- Orchestration -------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--viewers", type=int, default=50)
    parser.add_argument("--users", type=int, default=10, help="editors the viewers sign in as, round-robin (each sign-in is a slow password hash)")
    parser.add_argument("--shots", type=int, default=8, help="shots in the reviewed scene")
    parser.add_argument("--redis", action="store_true", help="Postgres + Redis channel layer instead of SQLite + in-memory layer")
    parser.add_argument("--join-batch", type=int, default=10, help="viewers opening their sockets at once")
    parser.add_argument("--sync-pings", type=int, default=3, help="ping/pong rounds before a viewer counts as synced")
    parser.add_argument("--ping-interval", type=float, default=2.0, help="later pings per socket, seconds apart")
    parser.add_argument("--skew", type=float, default=3.0, help="viewers' local clocks are off by up to ± this many seconds")
    parser.add_argument("--sample-after", type=float, default=1.0, help="seconds after each control to sample positions")
    parser.add_argument("--step-gap", type=float, default=0.5, help="pause before each control and before the strokes")
    parser.add_argument("--stroke-rate", type=float, default=30)
    parser.add_argument("--stroke-seconds", type=float, default=5)
    parser.add_argument("--stroke-points", type=int, default=4, help="points per stroke message")
    parser.add_argument("--drain", type=float, default=5, help="longest wait for stroke stragglers")
    parser.add_argument("--conn-max-age", type=int, default=60, help="DATABASE_CONN_MAX_AGE for the server with --redis")
    parser.add_argument(
        "--gc-freeze",
        choices=("boot", "warm"),
        help="experiment: the server calls gc.freeze() after loading the studio (boot) or once all viewers joined (warm)",
    )
    parser.add_argument("--dump", help="write the raw samples (stroke send/arrival times, clock samples) to this JSON file")
    parser.add_argument("--server-log", help="keep the Daphne log at this path")
    parser.add_argument("--profile", help="py-spy the server; collapsed stacks to this path ($PY_SPY or py-spy on PATH)")
    parser.add_argument("--profile-phase", choices=("strokes", "join"), default="strokes", help="what --profile samples (join: its first 3 s)")
    parser.add_argument("--setup", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.setup:
        return setup_main(args.users, args.shots)
    if args.viewers < 1:
        parser.error("--viewers must be at least 1")

    procs = Procs()
    previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    mode = "redis" if args.redis else "embedded"
    result = {"viewers": args.viewers, "mode": mode}
    try:
        with tempfile.TemporaryDirectory(prefix="previs-review-") as tmp:
            tmp = Path(tmp)
            env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "S3_BUCKET", "CELERY_BROKER_URL")}
            env.update(
                {
                    "STUDIO_LOG_LEVEL": "WARNING",
                    "STUDIO_DEBUG": "0",
                    "STUDIO_EMBEDDED_WORKER": "0",
                    "STUDIO_DATA_DIR": str(tmp / "data"),
                    "DJANGO_SETTINGS_MODULE": "studio.settings",
                    "PYTHONUNBUFFERED": "1",
                    "BENCH_GC_FREEZE": args.gc_freeze or "",
                }
            )
            if args.redis:
                db_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
                redis_url = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS)
                env.update({"DATABASE_URL": db_url, "REDIS_URL": redis_url, "DATABASE_CONN_MAX_AGE": str(args.conn_max_age)})
                log(f"fresh database {db_url.rsplit('/', 1)[-1]}, flushing {redis_url}")
                recreate_database(db_url)
                import redis

                redis.Redis.from_url(redis_url).flushdb()
            users = max(1, min(args.users, args.viewers))
            log(f"{mode}: migrate + presenter + {users} viewer users + a review of {args.shots} shots")
            setup = subprocess.run(
                [sys.executable, __file__, "--setup", "--users", str(users), "--shots", str(args.shots)],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
            )
            if setup.returncode != 0:
                raise RuntimeError(f"setup failed:\n{setup.stderr[-3000:]}")
            board = json.loads(setup.stdout.strip().splitlines()[-1])

            port = free_port()
            server_log_path = tmp / "daphne.log"
            with open(server_log_path, "w") as server_log:
                server = procs.start(
                    [sys.executable, "-c", SERVER_BOOT, "-b", "127.0.0.1", "-p", str(port), "studio.asgi:application"],
                    cwd=ROOT,
                    env=env,
                    stdout=server_log,
                    stderr=subprocess.STDOUT,
                )
                try:
                    try:
                        wait_port(port, server, 60)
                    except (RuntimeError, TimeoutError):
                        server_log.flush()
                        log("server log:\n" + server_log_path.read_text()[-3000:])
                        raise
                    base = f"http://127.0.0.1:{port}"
                    log(f"Daphne on {port} (pid {server.pid}); signing in {users + 1} users")
                    started = time.monotonic()
                    with ThreadPoolExecutor(4) as pool:
                        cookies = list(pool.map(lambda name: sign_in(base, name), [board["presenter"], *board["viewers"]]))
                    log(f"signed in in {time.monotonic() - started:.1f}s")
                    url = f"ws://127.0.0.1:{port}/ws/reviews/{board['review']}/"
                    result.update(asyncio.run(scenario(args, url, base, cookies[1:], cookies[0], board["fps"], board["shots"], server.pid, procs)))
                finally:
                    procs.stop_all()
            server_text = server_log_path.read_text()
            if args.server_log:
                Path(args.server_log).write_text(server_text)
            pauses = [(int(g), float(ms), float(at)) for g, ms, at in GC_LINE.findall(server_text)]
            start, end = result.pop("stroke_window", (0, 0))
            during = [ms for g, ms, at in pauses if at >= start and at - ms / 1000 <= end]  # overlapping the stroke window
            result.update(
                {
                    "server_gc_max_ms": max(during, default=0.0),
                    "server_gc_pauses_20ms": sum(1 for ms in during if ms >= 20),
                    "server_gc_max_ms_run": max((ms for _, ms, _ in pauses), default=0.0),
                    "server_gc_gen2": sum(1 for g, _, _ in pauses if g == 2),
                }
            )
            if during:
                log(f"server GC pauses of 5 ms or more during the strokes: {', '.join(f'{ms:.0f} ms' for ms in during)}")
            if args.gc_freeze:
                result["gc_freeze"] = args.gc_freeze
                frozen = re.findall(r"^\[gc\] frozen (\d+) objects", server_text, re.M)
                result["gc_frozen_objects"] = int(frozen[-1]) if frozen else None
            if "Traceback" in server_text:
                log("the server logged tracebacks; last one:\n" + server_text[server_text.rindex("Traceback") - 300 :][:3000])
                result["server_tracebacks"] = server_text.count("Traceback")
    finally:
        procs.stop_all()
        signal.signal(signal.SIGTERM, previous)
    result["targets_met"] = bool(
        result.get("spread_frames") is not None
        and result["spread_frames"] <= 1.0
        and result.get("max_error_frames", 99) <= 1.0
        and result.get("stroke_p99_ms") is not None
        and result["stroke_p99_ms"] <= 50
        and not result.get("lost")
        and not result.get("state_missing")
        and not result.get("join_failed")
    )
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
