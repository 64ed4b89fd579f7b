"""What the room socket does with input it cannot use: ids no row can have, frames too large
(counted in bytes), binary and deeply nested frames, and floods of any of them. Each is
answered with an error frame (or a close code at the handshake), never a fault."""

import asyncio
import json
import threading

import pytest
from asgiref.sync import sync_to_async

from apps.boards import services
from apps.boards.models import Shot
from apps.rooms.protocol import MAX_FRAME_BYTES
from tests.test_rooms import connect, next_of, receive

pytestmark = [pytest.mark.django_db(transaction=True)]

TOO_BIG = 2**64  # above any 64-bit id


@pytest.fixture
def shot(project, owner):
    scene = services.create_scene(project, {}, owner)
    return services.create_shot(scene, {}, owner)


async def joined(user, project):
    room, connected, _ = await connect(user, project.pk)
    assert connected
    await next_of(room, "hello")
    return room


async def answer(room, op_id, body):
    # As a browser sends it: UTF-8, not \u escapes.
    await room.send_to(text_data=json.dumps({"type": "op", "op_id": op_id, "op": body}, ensure_ascii=False))
    while True:
        for message in await receive(room):
            if message["type"] in ("ack", "error") and message.get("op_id") == op_id:
                return message


async def test_ids_out_of_range_are_refused_as_bad_messages(project, shot, editor):
    room = await joined(editor, project)
    cases = {
        "set": ({"kind": "set", "entity": "shot", "id": TOO_BIG, "fields": {"lens_mm": 50}}, "op.id"),
        "delete": ({"kind": "delete", "entity": "shot", "id": TOO_BIG}, "op.id"),
        "create": ({"kind": "create", "entity": "shot", "parent": TOO_BIG, "fields": {}}, "op.parent"),
        "after": ({"kind": "move", "entity": "shot", "id": shot.pk, "after": TOO_BIG}, "op.after"),
        "text": ({"kind": "text", "entity": "shot", "id": TOO_BIG, "field": "notes", "update": ""}, "op.id"),
        "digits": ({"kind": "set", "entity": "shot", "id": "²", "fields": {"lens_mm": 50}}, "op.id"),
        "zero": ({"kind": "set", "entity": "shot", "id": 0, "fields": {"lens_mm": 50}}, "op.id"),
    }
    for op_id, (body, path) in cases.items():
        error = await answer(room, op_id, body)
        assert (error["type"], error["code"]) == ("error", "bad_message") and path in error["errors"], (op_id, error)
    for message, path in (
        ({"type": "catch_up", "after": TOO_BIG}, "after"),
        ({"type": "text_sync", "entity": "shot", "id": TOO_BIG, "field": "notes"}, "id"),
        ({"type": "presence", "focus": {"entity": "shot", "id": TOO_BIG}}, "focus.id"),
    ):
        await room.send_json_to(message)
        error = await next_of(room, "error")
        assert error["code"] == "bad_message" and path in error["errors"], (message, error)
    # The socket goes on working.
    assert (await answer(room, "fine", {"kind": "set", "entity": "shot", "id": shot.pk, "fields": {"lens_mm": 50}}))["type"] == "ack"
    await room.disconnect()


async def test_the_frame_limit_counts_bytes_and_names_the_op(project, shot, editor):
    room = await joined(editor, project)
    # 40,000 characters, 80,000 bytes in UTF-8: over the limit, though fewer characters than it.
    notes = "é" * 40_000
    assert len(notes) < MAX_FRAME_BYTES < len(notes.encode())
    error = await answer(room, "accents", {"kind": "set", "entity": "shot", "id": shot.pk, "fields": {"notes": notes}})
    assert error["code"] == "too_large", error
    assert await sync_to_async(lambda: Shot.objects.get(pk=shot.pk).notes)() == ""
    # Just under the limit in bytes is read: answered on its merits (the field's own length
    # rule), not refused for its size.
    notes = "é" * ((MAX_FRAME_BYTES - 200) // 2)
    answered = await answer(room, "under", {"kind": "set", "entity": "shot", "id": shot.pk, "fields": {"notes": notes}})
    assert answered["type"] == "ack" or (answered["code"] == "invalid" and "notes" in answered["errors"]), answered
    await room.disconnect()


async def test_binary_oversize_and_broken_frames_count_against_the_rate_limit(project, shot, editor):
    room = await joined(editor, project)
    oversize = json.dumps({"type": "op", "op_id": "big", "op": {"kind": "set", "entity": "shot", "id": shot.pk, "fields": {"notes": "x" * MAX_FRAME_BYTES}}})
    for index in range(100):
        if index % 3 == 0:
            await room.send_to(bytes_data=b"\x00" * 16)
        elif index % 3 == 1:
            await room.send_to(text_data=oversize)
        else:
            await room.send_to(text_data="{not json")
    codes = []
    while len(codes) < 100:
        codes += [message["code"] for message in await receive(room) if message["type"] == "error"]
    # The burst allows 80; the rest are refused as a flood, like any other message.
    assert codes.count("rate_limited") >= 15, codes
    assert {"bad_message", "too_large", "bad_json"} <= set(codes)
    await room.disconnect()


async def test_deeply_nested_json_gets_an_error_frame(project, shot, editor):
    room = await joined(editor, project)
    await room.send_to(text_data="[" * 20_000 + "]" * 20_000)  # deeper than the parser goes
    error = await next_of(room, "error")
    assert error["code"] == "bad_json", error
    nested = "x"
    for _ in range(40):
        nested = [nested]
    error = await answer(room, "deep", {"kind": "set", "entity": "shot", "id": shot.pk, "fields": {"notes": nested}})
    assert error["code"] == "bad_message", error
    await room.send_json_to({"type": "ping", "t": 1})
    assert (await next_of(room, "pong"))["t"] == 1
    await room.disconnect()


async def test_ops_past_the_queue_bound_are_answered_busy_and_land_in_order_when_resent(project, shot, editor, director, monkeypatch):
    """A room taking ops faster than it applies them answers "busy" past a bound instead of
    queueing without end; clients resend, and nothing is lost or applied out of order."""
    from apps.rooms import hub as hubs
    from apps.rooms import ops as room_ops
    from studio.asgi import application
    from tests.roomclient import CommunicatorRoomClient
    from tests.test_rooms import ORIGIN, session_cookie

    monkeypatch.setattr(hubs, "MAX_QUEUED_OPS", 3)
    clients = []
    for user in (editor, director):
        cookie = await sync_to_async(session_cookie)(user)
        client = CommunicatorRoomClient(application, f"/ws/projects/{project.pk}/", [ORIGIN, (b"cookie", cookie)], user.username)
        await client.connect()
        await client.settle()
        clients.append(client)
    alice, bob = clients
    gate = threading.Event()
    room_ops.OP_EXECUTOR.submit(gate.wait)  # the writer is held: ops queue up
    for n in range(5):
        await alice.op({"kind": "set", "entity": "shot", "id": shot.pk, "fields": {"lens_mm": 20 + n}})
        await bob.op({"kind": "set", "entity": "shot", "id": shot.pk, "fields": {"notes": f"take {n}"}})
    await asyncio.sleep(0.4)
    assert alice.retried + bob.retried >= 7  # ten ops, three queued: the rest told to come back
    gate.set()
    for client in clients:
        await client.answered()
    for client in clients:
        await client.settle()
    assert alice.errors == bob.errors == []
    stored = await sync_to_async(lambda: Shot.objects.values("lens_mm", "notes").get(pk=shot.pk))()
    # Each person's last edit is the one that stands: a resent op never overtook a later one.
    assert (stored["lens_mm"], stored["notes"]) == (24, "take 4")
    for client in clients:
        assert client.state[("shot", shot.pk)]["lens_mm"] == 24 and client.state[("shot", shot.pk)]["notes"] == "take 4"
        await client.disconnect()


async def test_an_op_refused_busy_and_never_resent_holds_later_ops_only_for_a_while(project, shot, editor, monkeypatch):
    """A socket's later ops wait behind its op that was answered busy (so resends keep their
    order), but not for ever: a client that never resends it (it was abandoned, or a copy of
    an op already answered) must not have every later edit refused until it reconnects."""
    from apps.rooms import hub as hubs

    room = await joined(editor, project)
    monkeypatch.setattr(hubs, "MAX_QUEUED_OPS", 0)  # every op is answered busy
    assert (await answer(room, "abandoned", {"kind": "set", "entity": "shot", "id": shot.pk, "fields": {"lens_mm": 21}}))["code"] == "busy"
    monkeypatch.setattr(hubs, "MAX_QUEUED_OPS", 256)  # room for ops again
    later = {"kind": "set", "entity": "shot", "id": shot.pk, "fields": {"lens_mm": 85}}
    assert (await answer(room, "later-1", later))["code"] == "busy"  # still behind the refused op
    monkeypatch.setattr(hubs, "REFUSED_OP_HOLD_S", 0.2)
    await asyncio.sleep(0.3)
    assert (await answer(room, "later-2", later))["type"] == "ack"
    assert await sync_to_async(lambda: Shot.objects.get(pk=shot.pk).lens_mm)() == 85
    await room.disconnect()


async def test_a_socket_that_falls_behind_is_skipped_then_caught_up_from_the_log(project, shot, editor, director, monkeypatch):
    """A client reading slower than the room talks is not sent an ever-growing backlog: past
    MAX_BACKLOG_BYTES unwritten it is skipped, and once drained it gets what it missed as one
    catch-up from the log."""
    from apps.rooms import hub as hubs
    from apps.rooms.consumers import ProjectRoomConsumer

    slow = {"backlog": 0}
    sessions = {}
    real = ProjectRoomConsumer.backlog
    # The bytes its connection holds unwritten, as Daphne's transport would say.
    monkeypatch.setattr(ProjectRoomConsumer, "backlog", lambda socket: slow["backlog"] if socket.channel_name == sessions.get("bob") else real(socket))
    alice = await joined(editor, project)
    bob, _, _ = await connect(director, project.pk)
    hello = await next_of(bob, "hello")
    sessions["bob"] = hello["you"]["session"]
    slow["backlog"] = hubs.MAX_BACKLOG_BYTES + 1
    seqs = []
    for n in range(3):
        seqs.append((await answer(alice, f"s-{n}", {"kind": "set", "entity": "shot", "id": shot.pk, "fields": {"lens_mm": 30 + n}}))["seq"])
    await asyncio.sleep(0.8)
    # Nothing more was sent to it meanwhile (read straight off the queue: the communicator's
    # own receive stops the application when it times out).
    sent = []
    while not bob.output_queue.empty():
        frame = json.loads(bob.output_queue.get_nowait()["text"])
        sent += frame["messages"] if frame["type"] == "batch" else [frame]
    assert "change" not in [message["type"] for message in sent], sent
    slow["backlog"] = 0  # drained
    caught_up = await next_of(bob, "changes", timeout=5)
    assert [change["seq"] for change in caught_up["changes"]][-3:] == seqs
    assert caught_up["changes"][-1]["data"]["fields"]["lens_mm"] == 32
    # And it is live again.
    seq = (await answer(alice, "s-3", {"kind": "set", "entity": "shot", "id": shot.pk, "fields": {"lens_mm": 50}}))["seq"]
    assert (await next_of(bob, "change"))["change"]["seq"] == seq
    for room in (alice, bob):
        await room.disconnect()
