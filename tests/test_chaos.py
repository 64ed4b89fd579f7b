"""Chaos in the distributed mode (issue 12): two Daphne processes, Redis (channel layer and
broker), a Celery render worker and room clients on both servers making random edits and
asking for renders over HTTP, while one Daphne is killed (-9) and restarted, the worker is
killed mid-render and replaced, and Redis is restarted (without persistence, as
docker/compose.yml runs it: whatever it held is gone).

At the end every acknowledged op must be in the database and on every client (after catch-up),
every render must have finished, nothing may exist twice, no request may have had a 5xx, and the
room must be live across servers again. One line sums it up: `chaos: lost=0 …`.

Runs on the Postgres + Redis pass of `make test` (marker `chaos`); its processes are its own
(a Redis on a free port, servers, workers), stopped even when it fails.
"""

import asyncio
import json
import os
import random
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import websockets
from asgiref.sync import sync_to_async
from django.db import connections
from django.db.models import Count

from apps.assets.models import Asset
from apps.boards import services
from apps.changes.models import Change
from apps.projects.models import Project
from apps.renders.models import RenderJob
from apps.rooms.models import AppliedOp
from tests.conftest import (
    StudioServer,
    database_url_for_subprocess,
    free_port,
    session_cookie_for,
    wait_for_port,
)
from tests.roomclient import RoomClient
from tests.test_room_convergence import FIELDS, database_view, make_board, random_op

pytestmark = [
    pytest.mark.chaos,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="the distributed mode runs on PostgreSQL"),
]
ROOT = Path(__file__).resolve().parent.parent
OPS_AFTER_CHAOS_S = 3.0  # clients keep editing this long after the last blow
RENDERS_DEADLINE_S = 60.0
# A process starts in a few seconds on a quiet machine; on a loaded one it can take far longer.
START_TIMEOUT_S = 120
IN_FLIGHT = 10  # unanswered ops a client lets pile up before it waits


class RedisServer:
    """A redis-server of this test's own, on a free port, as production runs it (no persistence)."""

    def __init__(self):
        self.port, self.process = free_port(), None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no", "--dir", tempfile.gettempdir()],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port)
        return self

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


class RenderWorker:
    """`celery -A studio worker -Q cpu` against the test database and this test's Redis."""

    def __init__(self, redis_url, media_root, name):
        self.redis_url, self.media_root, self.name, self.process = redis_url, media_root, name, None

    def start(self):
        env = {
            **os.environ,
            "DATABASE_URL": database_url_for_subprocess(),
            "REDIS_URL": self.redis_url,  # the broker, and the channel layer its progress goes to
            "STUDIO_EMBEDDED_WORKER": "0",
            "STUDIO_MEDIA_ROOT": str(self.media_root),
            "RENDER_JOB_STALE_SECONDS": "2",  # a killed worker's job is taken back within seconds
            "STUDIO_LOG_LEVEL": "WARNING",
        }
        env.pop("CELERY_BROKER_URL", None)
        env.pop("S3_BUCKET", None)
        # The worker's log is kept for the test report when something goes wrong.
        self.log_path = tempfile.mkstemp(prefix=f"chaos-worker-{self.name}-", suffix=".log")[1]
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "studio",
                    "worker",
                    "-Q",
                    "cpu",
                    "--pool",
                    "solo",
                    "-n",
                    f"{self.name}@chaos",
                    "--without-gossip",
                    "--without-mingle",
                    "--loglevel",
                    "WARNING",
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=log,
            )
        return self

    def kill(self):
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)


def post(server, cookie, path, body):
    """POST JSON to a running server as a browser does (session cookie + CSRF pair): the status,
    or None when the server is not there (killed)."""
    csrf = secrets.token_hex(32)
    request = urllib.request.Request(
        f"http://{server.base}{path}",
        method="POST",
        data=json.dumps(body).encode(),
        headers={"Cookie": f"{cookie}; csrftoken={csrf}", "X-CSRFToken": csrf, "Origin": f"http://{server.base}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def make_render_shots(project, owner):
    """A scene of shots to render, which the random edits never delete (a delete takes its jobs)."""
    scene = services.create_scene(project, {"synopsis": "renders"}, owner)
    frames = [services.create_shot(scene, {}, owner).pk for _ in range(2)]
    clip = services.create_shot(scene, {"movement": "dolly_in", "duration_s": 20, "characters": []}, owner).pk
    return frames, clip


def chaos_op(rng, client, protected):
    op = random_op(rng, client)
    if op["kind"] == "delete" and op["id"] in protected:
        return {"kind": "set", "entity": "shot", "id": op["id"], "fields": {"notes": "kept for its renders"}}
    return op


async def keep_connected(client):
    """Reconnect a client whose socket dropped (its server was killed, or refused it while Redis
    was away); the client then catches up and resends what was not acknowledged."""
    if client.ws is not None and not client.reader.done():
        return
    if client.ws is not None:
        client.drops.append(client.ws.close_code)
    client.ws = None
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            await client.connect()
            return
        except (TimeoutError, OSError, websockets.exceptions.WebSocketException):
            client.ws = None
            await asyncio.sleep(0.1)
    raise AssertionError(f"{client.name} could not reconnect")


async def all_answered(client, timeout=60):
    """Wait until every op of the client was answered, reconnecting (as the browser does)
    whenever its socket drops meanwhile."""
    deadline = time.monotonic() + timeout
    while client.pending or client.buffer:
        if time.monotonic() > deadline:
            open_now = client.ws is not None and not client.reader.done()
            raise AssertionError(f"{client.name}: unanswered {sorted(client.pending)}, socket {'open' if open_now else 'closed'}, drops {client.drops}")
        await keep_connected(client)
        await asyncio.sleep(0.05)


async def wait_for(predicate, timeout, interval=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await sync_to_async(predicate)():
            return True
        await asyncio.sleep(interval)
    return False


def render_report(project):
    """Jobs by status, jobs run more than once (their worker was killed), outputs stored twice."""
    jobs = RenderJob.objects.filter(project=project)
    statuses = dict(jobs.values_list("status").annotate(n=Count("id")))
    doubled = Asset.objects.filter(render_job__project=project).values("render_job", "kind").annotate(n=Count("id")).filter(n__gt=1).count()
    return statuses, jobs.filter(attempts__gt=1).count(), doubled


def duplicate_creates(project):
    """Rows created twice for one client op id (a resend applied again)."""
    return (
        Change.objects.filter(project=project, action="create").exclude(client_op_id="").values("client_op_id").annotate(n=Count("id")).filter(n__gt=1).count()
    )


async def test_nothing_is_lost_when_servers_workers_and_redis_die(project, owner, director, editor, _isolated_media, capsys):
    redis_server = RedisServer().start()
    servers, workers, clients = [], [], []
    events = []  # what was done to the system, for the report

    def note(what):
        events.append(f"{time.monotonic() - started:.1f}s {what}")

    started = time.monotonic()
    try:
        await sync_to_async(make_board)(project, owner)
        frame_shots, clip_shot = await sync_to_async(make_render_shots)(project, owner)
        protected = set(frame_shots) | {clip_shot}
        servers = await asyncio.to_thread(lambda: [StudioServer(redis_url=redis_server.url).start(timeout=START_TIMEOUT_S) for _ in range(2)])
        workers.append(RenderWorker(redis_server.url, _isolated_media, "first").start())
        owner_cookie = await sync_to_async(session_cookie_for)(owner)
        for index, user in enumerate([owner, director, editor, owner]):
            server = servers[index % 2]
            cookie = owner_cookie if user == owner else await sync_to_async(session_cookie_for)(user)
            client = RoomClient(f"ws://{server.base}/ws/projects/{project.pk}/", cookie, f"http://{server.base}", f"c{index}")
            client.server, client.drops = server, []  # drops: close codes of the sockets it lost
            await client.connect()
            await client.settle()
            clients.append(client)
        # The pipeline works before anything breaks: one render through a server and the worker.
        first_job = await asyncio.to_thread(
            post,
            servers[0],
            owner_cookie,
            "/api/render-jobs/",
            {"shot": frame_shots[0], "kind": "frame", "seed": 0, "parameters": {"width": 256, "height": 144}},
        )
        assert first_job == 201
        assert await wait_for(lambda: RenderJob.objects.filter(project=project, status="succeeded").exists(), 60), "the worker never rendered"
        note("running")

        statuses = []  # HTTP statuses of render requests (None: the server was down)
        seeds = iter(range(1, 10_000))
        stop = asyncio.Event()

        async def request_render(server, shot, kind, width, height):
            body = {"shot": shot, "kind": kind, "seed": next(seeds), "parameters": {"width": width, "height": height}}
            status = await asyncio.to_thread(post, server, owner_cookie, "/api/render-jobs/", body)
            statuses.append(status)
            return status

        async def edit(client, rng):
            while not stop.is_set():
                await keep_connected(client)
                # A person edits on while earlier edits are in flight, but not without bound:
                # the test is about what is kept, not about how fast a starved machine writes.
                if len(client.pending) < IN_FLIGHT:
                    await client.op(chaos_op(rng, client, protected))
                await asyncio.sleep(rng.uniform(0.05, 0.25))

        async def renders(rng):
            while not stop.is_set():
                await request_render(rng.choice(servers), rng.choice(frame_shots), "frame", 256, 144)
                await asyncio.sleep(rng.uniform(0.4, 0.8))

        async def chaos():
            await asyncio.sleep(2)
            victim = servers[1]
            await asyncio.to_thread(victim.stop, True)
            note("daphne 2 killed (-9)")
            await asyncio.sleep(0.5)
            await asyncio.to_thread(victim.start, START_TIMEOUT_S)
            note("daphne 2 restarted")

            assert await request_render(servers[0], clip_shot, "clip", 320, 136) == 201
            rendering = await wait_for(lambda: RenderJob.objects.filter(shot_id=clip_shot, status="running", progress__gt=0.05).exists(), 60)
            assert rendering, f"the clip never started rendering: {await sync_to_async(render_report)(project)}"
            workers[0].kill()
            note("worker killed (-9) mid-render")
            workers.append(RenderWorker(redis_server.url, _isolated_media, "second").start())

            await asyncio.sleep(1)
            await asyncio.to_thread(redis_server.stop)
            note("redis killed")
            await asyncio.sleep(1)
            await asyncio.to_thread(redis_server.start)
            note("redis restarted (empty)")
            await asyncio.sleep(OPS_AFTER_CHAOS_S)
            stop.set()

        rng = random.Random(12)
        tasks = [asyncio.ensure_future(edit(client, random.Random(rng.random()))) for client in clients]
        tasks.append(asyncio.ensure_future(renders(random.Random(rng.random()))))
        await chaos()
        await asyncio.gather(*tasks)
        note("edits stopped")

        # Catch-up: every client reconnected, every op answered, then everyone catches up.
        for client in clients:
            await keep_connected(client)
        for client in clients:
            await all_answered(client)
        for client in clients:
            await client.settle(timeout=30)

        # The room is live across servers again (the channel layer came back after Redis).
        live = 0
        for sender, receiver in ((clients[0], clients[1]), (clients[1], clients[0])):
            shot = next(pk for (kind, pk) in sender.state if kind == "shot")
            seq = receiver.last_seq
            await sender.op({"kind": "set", "entity": "shot", "id": shot, "fields": {"notes": f"live from {sender.name}"}})
            for _ in range(100):
                if receiver.last_seq > seq and receiver.state[("shot", shot)]["notes"] == f"live from {sender.name}":
                    live += 1
                    break
                await asyncio.sleep(0.05)
        for client in clients:
            await all_answered(client)
            await client.settle(timeout=30)

        renders_done = await wait_for(
            lambda: not RenderJob.objects.filter(project=project).exclude(status__in=RenderJob.FINISHED).exists(), RENDERS_DEADLINE_S, 0.25
        )
        note("renders finished" if renders_done else "renders still unfinished")

        # --- The count ---------------------------------------------------------------------------
        expected = await sync_to_async(database_view)(project)
        last_seq = await sync_to_async(lambda: Project.objects.get(pk=project.pk).last_seq)()
        acked = {op_id: seq for client in clients for op_id, seq in client.acks.items()}
        applied = set(await sync_to_async(lambda: list(AppliedOp.objects.filter(project=project).values_list("op_id", flat=True)))())
        logged = dict(await sync_to_async(lambda: list(Change.objects.filter(project=project).values_list("seq", "client_op_id")))())
        missing_ops = sorted(op_id for op_id in acked if op_id not in applied)
        # An ack's seq is its op's last change: that change must be in the log, stamped with it.
        wrong_seqs = sorted(op_id for op_id, seq in acked.items() if seq is not None and logged.get(seq) != op_id)
        client_diffs = {}
        for client in clients:
            view = client.view(FIELDS)
            differing = [key for key in set(view) | set(expected) if view.get(key) != expected.get(key)]
            if differing or client.last_seq != last_seq:
                client_diffs[client.name] = (len(differing), client.last_seq)
        render_statuses, rerun, doubled_outputs = await sync_to_async(render_report)(project)
        unfinished = sum(n for status, n in render_statuses.items() if status not in RenderJob.FINISHED)
        not_succeeded = sum(n for status, n in render_statuses.items() if status != RenderJob.SUCCEEDED)
        doubled_rows = await sync_to_async(duplicate_creates)(project)
        server_errors = sum(1 for status in statuses if status is not None and status >= 500)
        refused = [error for client in clients for error in client.errors if error["code"] not in ("not_found", "invalid")]
        lost = len(missing_ops) + len(wrong_seqs) + sum(n for n, _ in client_diffs.values()) + not_succeeded
        with capsys.disabled():
            print(
                f"\nchaos: lost={lost} acked={len(acked)} missing_in_db={len(missing_ops)} wrong_seq={len(wrong_seqs)} "
                f"clients_behind={len(client_diffs)} renders={sum(render_statuses.values())} succeeded={render_statuses.get('succeeded', 0)} "
                f"unfinished={unfinished} rerun={rerun} duplicates={doubled_rows + doubled_outputs} http_5xx={server_errors} "
                f"http_down={statuses.count(None)} refused_ops={len(refused)} socket_drops={[code for c in clients for code in c.drops]} live_after={live}/2 in {time.monotonic() - started:.0f}s"
            )
            print("chaos: " + "; ".join(events))
        assert not missing_ops, f"acknowledged but not in the database: {missing_ops[:10]}"
        assert not wrong_seqs, f"acknowledged with a seq that is not theirs: {wrong_seqs[:10]}"
        assert not client_diffs, f"clients that differ from the database after catch-up (rows, last seq {last_seq}): {client_diffs}"
        assert render_statuses.get(RenderJob.SUCCEEDED, 0) == sum(render_statuses.values()), f"render jobs: {render_statuses}"
        assert rerun >= 1, "the clip whose worker was killed was not run again"
        assert doubled_rows == 0 and doubled_outputs == 0, f"rows created twice: {doubled_rows}; render outputs stored twice: {doubled_outputs}"
        assert server_errors == 0, f"render requests answered with a 5xx: {statuses}"
        assert not refused, f"ops refused for the wrong reasons: {refused[:5]}"
        assert live == 2, "the room is not live across servers after Redis came back"
    finally:
        for client in clients:
            await client.disconnect()
        await sync_to_async(connections.close_all)()  # this thread's connection, so the test database can be dropped
        for server in servers:
            await asyncio.to_thread(server.stop)
        for worker in workers:
            worker.kill()
        redis_server.stop()
