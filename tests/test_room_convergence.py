"""Convergence over real WebSockets against running Daphne servers: clients apply random ops with
random disconnects and reconnects (and a server restart); at the end every client's board equals
the database's, and every acknowledged op is there. With the in-memory layer on one server, and
with Redis and two servers."""

import asyncio
import random

import pytest
import websockets
from asgiref.sync import sync_to_async

from apps.boards import services
from apps.boards.models import Panel, Scene, Shot
from apps.rooms.models import AppliedOp
from tests.conftest import session_cookie_for
from tests.roomclient import CommunicatorRoomClient, RoomClient

pytestmark = [pytest.mark.django_db(transaction=True)]

FIELDS = {
    "scene": ("rank", "number", "synopsis", "version"),
    "shot": ("scene", "rank", "number", "lens_mm", "notes", "status", "version"),
    "panel": ("shot", "rank", "caption", "duration_s", "version"),
}
REDIS_URL = "redis://127.0.0.1:6379/13"


def database_view(project):
    view = {}
    for entity, model in (("scene", Scene), ("shot", Shot), ("panel", Panel)):
        for row in model.objects.filter(project=project).values("id", *[f if f not in ("scene", "shot") else f"{f}_id" for f in FIELDS[entity]]):
            pk = row.pop("id")
            view[(entity, pk)] = {name: row[name] if name in row else row[f"{name}_id"] for name in FIELDS[entity]}
    return view


def random_op(rng, client):
    scenes = [pk for (kind, pk) in client.state if kind == "scene"]
    shots = [(pk, row) for (kind, pk), row in client.state.items() if kind == "shot"]
    panels = [pk for (kind, pk) in client.state if kind == "panel"]
    roll = rng.random()
    if roll < 0.45 and shots:
        pk, _ = rng.choice(shots)
        field, value = rng.choice(
            [
                ("lens_mm", rng.choice([18, 24, 35, 50, 85, 135])),
                ("notes", f"note {rng.randint(0, 999)}"),
                ("status", rng.choice(["draft", "ready", "in_review"])),
            ]
        )
        return {"kind": "set", "entity": "shot", "id": pk, "fields": {field: value}}
    if roll < 0.65 and shots:
        pk, row = rng.choice(shots)
        same_scene = [other for other, other_row in shots if other_row["scene"] == row["scene"] and other != pk]
        return {"kind": "move", "entity": "shot", "id": pk, "after": rng.choice(same_scene + [None])}
    if roll < 0.75 and scenes:
        return {"kind": "create", "entity": "shot", "parent": rng.choice(scenes), "fields": {"description": "added live"}}
    if roll < 0.82 and shots and len(shots) > 4:
        return {"kind": "delete", "entity": "shot", "id": rng.choice(shots)[0]}
    if roll < 0.9 and shots:
        return {"kind": "create", "entity": "panel", "parent": rng.choice(shots)[0], "fields": {"caption": "board"}}
    if panels:
        return {"kind": "set", "entity": "panel", "id": rng.choice(panels), "fields": {"duration_s": rng.choice([1.0, 1.5, 2.0])}}
    return {"kind": "set", "entity": "scene", "id": rng.choice(scenes), "fields": {"synopsis": f"take {rng.randint(0, 99)}"}}


async def run_clients(servers, project, users, ops_each, seed, restart=None, in_process=False):
    rng = random.Random(seed)
    clients = []
    for index, user in enumerate(users):
        cookie = await sync_to_async(session_cookie_for)(user)
        if in_process:
            from studio.asgi import application

            headers = [(b"origin", b"http://127.0.0.1:8000"), (b"cookie", cookie.encode())]
            client = CommunicatorRoomClient(application, f"/ws/projects/{project.pk}/", headers, f"u{index}")
            client.server = None
        else:
            server = servers[index % len(servers)]
            client = RoomClient(f"ws://{server.base}/ws/projects/{project.pk}/", cookie, f"http://{server.base}", f"u{index}")
            client.server = server
        await client.connect()
        await client.settle()
        clients.append(client)

    async def work(client, client_rng):
        for step in range(ops_each):
            if client_rng.random() < 0.08:  # the network drops; edits go on offline, then resync
                await client.disconnect()
                for _ in range(client_rng.randint(0, 3)):
                    await client.op(random_op(client_rng, client))
                await asyncio.sleep(client_rng.uniform(0, 0.2))
                await reconnect(client)
            await client.op(random_op(client_rng, client))
            await asyncio.sleep(client_rng.uniform(0, 0.02))

    async def reconnect(client):
        for _ in range(100):
            try:
                await client.connect()
                return
            except (TimeoutError, OSError, websockets.exceptions.WebSocketException):
                await asyncio.sleep(0.1)  # the server is restarting
        raise AssertionError(f"{client.name} could not reconnect")

    tasks = [asyncio.ensure_future(work(client, random.Random(rng.random()))) for client in clients]
    if restart is not None:
        await asyncio.sleep(0.5)
        server = servers[restart]
        await asyncio.to_thread(server.stop, True)  # killed, not stopped politely
        for client in clients:
            if client.server is server:
                client.ws = None
        await asyncio.sleep(0.3)
        await asyncio.to_thread(server.start)
        for client in clients:
            if client.server is server:
                await reconnect(client)
    await asyncio.gather(*tasks)
    for client in clients:
        if client.ws is None:
            await reconnect(client)
    for client in clients:  # every op of every client is in before anyone's final catch-up
        await client.answered(timeout=30)
    for client in clients:
        await client.settle(timeout=30)
    return clients


async def check_converged(clients, project):
    expected = await sync_to_async(database_view)(project)
    for client in clients:
        view = client.view(FIELDS)
        differences = {key: (view.get(key), expected.get(key)) for key in set(view) | set(expected) if view.get(key) != expected.get(key)}
        assert not differences, f"{client.name} (last seq {client.last_seq}): {differences}"
    acked = {op_id for client in clients for op_id in client.acks}
    applied = set(await sync_to_async(lambda: list(AppliedOp.objects.filter(project=project).values_list("op_id", flat=True)))())
    assert acked and acked <= applied  # every acknowledged op is in the database
    unexpected = [error for client in clients for error in client.errors if error["code"] not in ("not_found", "invalid")]
    assert not unexpected


def make_board(project, owner):
    for _ in range(2):
        scene = services.create_scene(project, {}, owner)
        for _ in range(4):
            services.create_shot(scene, {}, owner)


async def test_clients_converge_through_the_communicator(project, owner, director, editor):
    """In-process, through Channels' communicator and the configured channel layer."""
    await sync_to_async(make_board)(project, owner)
    clients = await run_clients([], project, [owner, director, editor], ops_each=20, seed=3, in_process=True)
    await check_converged(clients, project)
    for client in clients:
        await client.disconnect()


async def test_clients_converge_on_one_server_in_memory_layer(project, owner, director, editor, studio_servers):
    await sync_to_async(make_board)(project, owner)
    servers = await asyncio.to_thread(studio_servers, 1)
    clients = await run_clients(servers, project, [owner, director, editor, editor], ops_each=25, seed=1)
    await check_converged(clients, project)
    for client in clients:
        await client.disconnect()


async def test_clients_converge_across_two_servers_with_redis_and_a_restart(project, owner, director, editor, studio_servers):
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    await sync_to_async(make_board)(project, owner)
    servers = await asyncio.to_thread(studio_servers, 2, REDIS_URL)
    clients = await run_clients(servers, project, [owner, director, editor, owner], ops_each=25, seed=2, restart=1)
    await check_converged(clients, project)
    # Live delivery crosses servers: an edit on server 0 reaches a client of server 1 directly.
    a, b = clients[0], clients[1]
    assert a.server is not b.server
    seq_before = b.last_seq
    shot = next(pk for (kind, pk) in a.state if kind == "shot")
    await a.op({"kind": "set", "entity": "shot", "id": shot, "fields": {"notes": "across servers"}})
    for _ in range(100):
        if b.last_seq > seq_before:
            break
        await asyncio.sleep(0.05)
    assert b.state[("shot", shot)]["notes"] == "across servers"
    for client in clients:
        await client.disconnect()


async def test_presence_spans_two_servers(project, owner, director, editor, studio_servers):
    """Each server's room hub keeps the whole room's member list: a newcomer on one server sees
    who is on the other at once (that server answers its join), focus moves cross over, and a
    leaver drops out everywhere."""
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    await sync_to_async(make_board)(project, owner)
    first, second = await asyncio.to_thread(studio_servers, 2, REDIS_URL)

    async def client(server, user, name):
        cookie = await sync_to_async(session_cookie_for)(user)
        return RoomClient(f"ws://{server.base}/ws/projects/{project.pk}/", cookie, f"http://{server.base}", name)

    async def members_of(room, predicate):
        for _ in range(200):
            if predicate({m["name"]: m for m in room.members}):
                return {m["name"]: m for m in room.members}
            await asyncio.sleep(0.025)
        raise AssertionError(f"{room.name} sees {room.members}")

    alice = await client(first, director, "alice")
    bob = await client(first, owner, "bob")
    carol = await client(second, editor, "carol")
    for room in (alice, bob):
        await room.connect()
    await carol.connect()

    def name(user):
        return user.get_full_name() or user.username

    names = {name(director), name(owner), name(editor)}
    await members_of(carol, lambda seen: set(seen) == names)  # answered by the first server
    await members_of(alice, lambda seen: set(seen) == names)

    shot = await sync_to_async(lambda: Shot.objects.filter(project=project).first().pk)()
    await alice.send({"type": "presence", "focus": {"entity": "shot", "id": shot, "field": "lens_mm"}})
    seen = await members_of(carol, lambda seen: (seen[name(director)]["focus"] or {}).get("id") == shot)
    assert seen[name(director)]["focus"]["field"] == "lens_mm"

    await carol.disconnect()
    await members_of(bob, lambda seen: set(seen) == {name(director), name(owner)})
    for room in (alice, bob):
        await room.disconnect()
