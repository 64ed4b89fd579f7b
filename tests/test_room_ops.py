"""Room operations over the socket: the write path, idempotency, errors, CRDT text, presence,
limits. In-process through Channels' communicator and the real ASGI application."""

import asyncio
import base64
import json

import pytest
from asgiref.sync import sync_to_async
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from pycrdt import Doc, Text

from apps.boards import services
from apps.boards.models import Shot
from apps.changes.models import Change
from apps.rooms.models import AppliedOp
from tests.test_rooms import connect, next_of, receive

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def board(project, owner):
    scene = services.create_scene(project, {"synopsis": "The jetty."}, owner)
    shots = [services.create_shot(scene, {"description": f"Shot {i}"}, owner) for i in range(3)]
    return scene, shots


async def op(room, op_id, **body):
    await room.send_json_to({"type": "op", "op_id": op_id, "op": body})
    return await next_of(room, "ack")


async def expect_error(room, op_id, **body):
    await room.send_json_to({"type": "op", "op_id": op_id, "op": body})
    return await next_of(room, "error")


async def test_set_op_is_applied_acked_and_broadcast(project, board, editor, director):
    scene, shots = board
    alice, _, _ = await connect(editor, project.pk)
    bob, _, _ = await connect(director, project.pk)
    await next_of(alice, "hello")
    await next_of(bob, "hello")
    ack = await op(alice, "a-1", kind="set", entity="shot", id=shots[0].pk, fields={"lens_mm": 85, "notes": "rain towers"})
    assert ack["op_id"] == "a-1" and ack["seq"] and ack["duplicate"] is False
    change = (await next_of(bob, "change"))["change"]
    assert change["client_op_id"] == "a-1" and change["seq"] == ack["seq"] and change["actor"] == editor.pk
    assert change["data"]["fields"]["lens_mm"] == 85 and change["data"]["fields"]["notes"] == "rain towers"
    shot = await sync_to_async(Shot.objects.get)(pk=shots[0].pk)
    assert (shot.lens_mm, shot.notes) == (85, "rain towers")
    # The camera was re-laid out in the same write: one op, one change.
    assert shot.camera_spec["camera"]["lens_mm"] == 85
    await alice.disconnect()
    await bob.disconnect()


async def test_a_lens_set_in_the_room_reaches_a_hand_adjusted_camera(project, board, editor):
    scene, shots = board
    placed = {**shots[0].camera_spec, "camera": {**shots[0].camera_spec["camera"], "position": [1.0, -4.0, 2.0]}}
    room, _, _ = await connect(editor, project.pk)
    await next_of(room, "hello")
    await op(room, "lock-1", kind="set", entity="shot", id=shots[0].pk, fields={"camera_spec": placed})
    await op(room, "lens-1", kind="set", entity="shot", id=shots[0].pk, fields={"lens_mm": 100})
    shot = await sync_to_async(Shot.objects.get)(pk=shots[0].pk)
    assert shot.spec_locked and shot.camera_spec["camera"]["lens_mm"] == 100  # the op sends only the field
    assert shot.camera_spec["camera"]["position"] == [1.0, -4.0, 2.0]
    await room.disconnect()


async def test_resent_op_is_applied_once(project, board, editor):
    scene, shots = board
    room, _, _ = await connect(editor, project.pk)
    await next_of(room, "hello")
    first = await op(room, "x-7", kind="create", entity="shot", parent=scene.pk, fields={"description": "Insert: the letter"})
    again = await op(room, "x-7", kind="create", entity="shot", parent=scene.pk, fields={"description": "Insert: the letter"})
    assert again["duplicate"] is True and again["seq"] == first["seq"] and again["id"] == first["id"]
    assert await sync_to_async(Shot.objects.filter(scene=scene).count)() == 4
    assert await sync_to_async(AppliedOp.objects.filter(op_id="x-7").count)() == 1
    await room.disconnect()


async def answers(room, op_ids):
    """The ack or error of each op id, in any order; other messages are kept in room.log."""
    found = {}
    while len(found) < len(op_ids):
        for message in await receive(room):
            if message["type"] in ("ack", "error") and message.get("op_id") in op_ids:
                found[message["op_id"]] = message
            else:
                room.log = getattr(room, "log", []) + [message]
    return found


async def test_queued_ops_go_together_and_each_gets_its_own_answer(project, other_project, board, editor, director, outsider, monkeypatch):
    """Ops that queue up while the room's writer is busy are applied in one transaction; each
    still gets its own ack or error, a resend is answered as before, and an op that fails half
    way costs only itself."""
    import threading

    from apps.rooms import ops as room_ops

    scene, shots = board
    foreign_scene = await sync_to_async(services.create_scene)(other_project, {}, outsider)
    foreign_shot = await sync_to_async(services.create_shot)(foreign_scene, {}, outsider)
    panel = await sync_to_async(services.create_panel)(shots[1], {}, editor)
    alice, _, _ = await connect(editor, project.pk)
    bob, _, _ = await connect(director, project.pk)
    await next_of(alice, "hello")
    await next_of(bob, "hello")
    before = await op(alice, "a-0", kind="set", entity="shot", id=shots[2].pk, fields={"notes": "first"})
    deleted = await op(bob, "b-0", kind="delete", entity="panel", id=panel.pk)

    sizes = []
    real = room_ops._apply_together
    monkeypatch.setattr(room_ops, "_apply_together", lambda project_id, items: sizes.append(len(items)) or real(project_id, items))

    async def burst(messages):
        """Send while the writer is held, so everything queues; then let it go."""
        gate = threading.Event()
        room_ops.OP_EXECUTOR.submit(gate.wait)
        for room, op_id, body in messages:
            await room.send_json_to({"type": "op", "op_id": op_id, "op": body})
        await asyncio.sleep(0.2)  # every frame read and queued by the hub
        gate.set()

    # Together: a lens change, a move, a resent delete (its row is gone: still its ack), a
    # foreign shot (not found), a note.
    await burst(
        [
            (alice, "a-1", {"kind": "set", "entity": "shot", "id": shots[0].pk, "fields": {"lens_mm": 50}}),
            (alice, "a-2", {"kind": "move", "entity": "shot", "id": shots[2].pk, "after": None}),
            (bob, "b-0", {"kind": "delete", "entity": "panel", "id": panel.pk}),
            (alice, "a-3", {"kind": "set", "entity": "shot", "id": foreign_shot.pk, "fields": {"notes": "mine"}}),
            (bob, "b-1", {"kind": "set", "entity": "shot", "id": shots[1].pk, "fields": {"notes": "wet deck"}}),
        ]
    )
    mine, theirs = await answers(alice, {"a-1", "a-2", "a-3"}), await answers(bob, {"b-0", "b-1"})
    assert sizes == [5]
    assert mine["a-3"]["code"] == "not_found"
    assert theirs["b-0"]["type"] == "ack" and theirs["b-0"]["duplicate"] is True and theirs["b-0"]["seq"] == deleted["seq"]
    seqs = [mine["a-1"]["seq"], mine["a-2"]["seq"], theirs["b-1"]["seq"]]
    assert seqs == list(range(deleted["seq"] + 1, deleted["seq"] + 4))  # in the order they came, no gaps

    # A clash half way (the number is checked inside the write) and a resend among them: the
    # transaction is rolled back and each op applied on its own.
    sizes.clear()
    await burst(
        [
            (alice, "a-4", {"kind": "set", "entity": "shot", "id": shots[0].pk, "fields": {"duration_s": 4.5}}),
            (alice, "a-5", {"kind": "set", "entity": "shot", "id": shots[1].pk, "fields": {"number": shots[0].number}}),
            (alice, "a-0", {"kind": "set", "entity": "shot", "id": shots[2].pk, "fields": {"notes": "first"}}),
            (bob, "b-2", {"kind": "set", "entity": "shot", "id": shots[1].pk, "fields": {"dialogue": "Hold the line."}}),
        ]
    )
    first_seqs = seqs
    mine, theirs = await answers(alice, {"a-4", "a-5", "a-0"}), await answers(bob, {"b-2"})
    assert sizes == [4, 1, 1, 1, 1]
    assert mine["a-5"]["code"] == "invalid" and "number" in mine["a-5"]["errors"]
    assert mine["a-0"]["duplicate"] is True and mine["a-0"]["seq"] == before["seq"]
    assert mine["a-4"]["seq"] + 1 == theirs["b-2"]["seq"]

    changes = await sync_to_async(lambda: list(Change.objects.filter(project=project).order_by("seq").values_list("seq", flat=True)))()
    assert changes == list(range(changes[0], changes[0] + len(changes)))  # one seq each, no gaps
    stored = await sync_to_async(lambda: {s.pk: s for s in Shot.objects.filter(scene=scene)})()
    assert (stored[shots[0].pk].lens_mm, stored[shots[0].pk].duration_s) == (50, 4.5)
    assert (stored[shots[1].pk].notes, stored[shots[1].pk].dialogue, stored[shots[1].pk].number) == ("wet deck", "Hold the line.", shots[1].number)
    assert await sync_to_async(AppliedOp.objects.filter(op_id="a-0").count)() == 1
    # Bob saw every change Alice made.
    expected = set(first_seqs) | {mine["a-4"]["seq"], theirs["b-2"]["seq"]}
    seen = {m["change"]["seq"] for m in bob.log if m["type"] == "change"}
    while not expected <= seen:
        seen |= {m["change"]["seq"] for m in await receive(bob) if m["type"] == "change"}
    await alice.disconnect()
    await bob.disconnect()


async def test_create_move_delete(project, board, editor):
    scene, shots = board
    room, _, _ = await connect(editor, project.pk)
    await next_of(room, "hello")
    created = await op(room, "c-1", kind="create", entity="shot", parent=scene.pk, after=shots[0].pk, fields={"shot_size": "CU"})
    order = await sync_to_async(lambda: list(Shot.objects.filter(scene=scene).order_by("rank", "id").values_list("pk", flat=True)))()
    assert order == [shots[0].pk, created["id"], shots[1].pk, shots[2].pk]
    await op(room, "c-2", kind="move", entity="shot", id=shots[2].pk, after=None)
    order = await sync_to_async(lambda: list(Shot.objects.filter(scene=scene).order_by("rank", "id").values_list("pk", flat=True)))()
    assert order[0] == shots[2].pk
    await op(room, "c-3", kind="delete", entity="shot", id=shots[1].pk)
    assert not await sync_to_async(Shot.objects.filter(pk=shots[1].pk).exists)()
    panel = await op(room, "c-4", kind="create", entity="panel", parent=shots[0].pk, fields={"caption": "Boat noses in", "duration_s": 1.5})
    assert panel["id"]
    await room.disconnect()


async def test_ops_on_deleted_or_foreign_rows_are_rejected_cleanly(project, other_project, board, editor, outsider):
    scene, shots = board
    foreign_scene = await sync_to_async(services.create_scene)(other_project, {}, outsider)
    foreign_shot = await sync_to_async(services.create_shot)(foreign_scene, {}, outsider)
    room, _, _ = await connect(editor, project.pk)
    await next_of(room, "hello")
    await op(room, "d-1", kind="delete", entity="shot", id=shots[0].pk)
    error = await expect_error(room, "d-2", kind="set", entity="shot", id=shots[0].pk, fields={"notes": "too late"})
    assert error["code"] == "not_found" and error["op_id"] == "d-2"
    error = await expect_error(room, "d-3", kind="create", entity="panel", parent=shots[0].pk, fields={})
    assert error["code"] == "not_found"
    error = await expect_error(room, "d-4", kind="set", entity="shot", id=foreign_shot.pk, fields={"notes": "mine now"})
    assert error["code"] == "not_found"
    error = await expect_error(room, "d-5", kind="move", entity="shot", id=shots[1].pk, after=None, parent=foreign_scene.pk)
    assert error["code"] == "invalid"
    error = await expect_error(room, "d-6", kind="create", entity="scene", parent=other_project.pk, fields={})
    assert error["code"] == "not_found"
    foreign = await sync_to_async(Shot.objects.get)(pk=foreign_shot.pk)
    assert foreign.notes == "" and foreign.scene_id == foreign_scene.pk
    await room.disconnect()


async def test_bad_fields_and_roles(project, board, editor, viewer):
    scene, shots = board
    room, _, _ = await connect(editor, project.pk)
    await next_of(room, "hello")
    error = await expect_error(
        room, "e-1", kind="set", entity="shot", id=shots[0].pk, fields={"lens_mm": "wide", "shot_size": "HUGE", "secret": 1, "rank": "a0"}
    )
    assert error["code"] == "invalid" and set(error["errors"]) == {"lens_mm", "shot_size", "secret", "rank"}
    shot = await sync_to_async(Shot.objects.get)(pk=shots[0].pk)
    assert shot.version == shots[0].version  # nothing half-written
    await room.disconnect()
    watcher, _, _ = await connect(viewer, project.pk)
    await next_of(watcher, "hello")
    error = await expect_error(watcher, "v-1", kind="set", entity="shot", id=shots[0].pk, fields={"notes": "x"})
    assert error["code"] == "forbidden"
    await watcher.disconnect()


async def test_malformed_frames_get_error_frames(project, board, editor):
    room, _, _ = await connect(editor, project.pk)
    await next_of(room, "hello")
    await room.send_to(text_data="[1, 2")
    assert (await next_of(room, "error"))["code"] == "bad_json"
    await room.send_json_to({"type": "teleport"})
    assert (await next_of(room, "error"))["code"] == "bad_message"
    await room.send_json_to({"type": "op", "op_id": "bad id with spaces", "op": {"kind": "set", "entity": "shot", "id": 1, "fields": {}}})
    error = await next_of(room, "error")
    assert error["code"] == "bad_message" and "op_id" in error["errors"]
    await room.send_json_to({"type": "op", "op_id": "z-1", "op": {"kind": "set", "entity": "rocket", "id": "x", "fields": []}})
    error = await next_of(room, "error")
    assert error["code"] == "bad_message" and error["op_id"] == "z-1"
    await room.send_to(text_data=json.dumps({"type": "ping", "pad": "x" * 70_000}))
    assert (await next_of(room, "error"))["code"] == "too_large"
    await room.send_to(bytes_data=b"\x00\x01")
    assert (await next_of(room, "error"))["code"] == "bad_message"
    await room.send_json_to({"type": "ping", "t": 1.5})
    assert (await next_of(room, "pong"))["t"] == 1.5
    await room.disconnect()


async def test_floods_are_rate_limited(project, board, editor):
    room, _, _ = await connect(editor, project.pk)
    await next_of(room, "hello")
    for _ in range(120):
        await room.send_json_to({"type": "ping"})
    codes = []
    while len(codes) < 120:
        for message in await receive(room):
            if message["type"] in ("pong", "error"):
                codes.append(message.get("code", "pong"))
    assert "rate_limited" in codes and codes.count("pong") >= 80
    await room.disconnect()


def yjs_edit(state_b64, edit):
    """Apply an edit to a copy of the document, as a browser's Yjs would; returns the update."""
    doc = Doc()
    text = doc.get("text", type=Text)
    doc.apply_update(base64.b64decode(state_b64))
    before = doc.get_state()
    edit(text)
    return base64.b64encode(doc.get_update(before)).decode(), doc


async def test_concurrent_typing_merges(project, board, editor, director):
    scene, shots = board
    alice, _, _ = await connect(editor, project.pk)
    bob, _, _ = await connect(director, project.pk)
    for room in (alice, bob):
        await next_of(room, "hello")
        await room.send_json_to({"type": "text_sync", "entity": "shot", "id": shots[0].pk, "field": "description"})
    state_a = await next_of(alice, "text_state")
    state_b = await next_of(bob, "text_state")
    assert state_a["text"] == state_b["text"] == "Shot 0"
    # Both type at once from the same starting state: Alice at the start, Bob at the end.
    update_a, doc_a = yjs_edit(state_a["update"], lambda t: t.insert(0, "Wide. "))
    update_b, doc_b = yjs_edit(state_b["update"], lambda t: t.insert(len("Shot 0"), " in the rain"))
    ack_a = await op(alice, "t-a", kind="text", entity="shot", id=shots[0].pk, field="description", update=update_a)
    ack_b = await op(bob, "t-b", kind="text", entity="shot", id=shots[0].pk, field="description", update=update_b)
    assert ack_a["seq"] and ack_b["seq"]
    shot = await sync_to_async(Shot.objects.get)(pk=shots[0].pk)
    assert shot.description == "Wide. Shot 0 in the rain"
    # Each applies the other's update from the change it receives and ends with the same text.
    for room, doc, other in ((alice, doc_a, "t-b"), (bob, doc_b, "t-a")):
        while True:
            change = (await next_of(room, "change"))["change"]
            if change["client_op_id"] == other:
                break
        doc.apply_update(base64.b64decode(change["data"]["text_updates"]["description"]))
        assert str(doc.get("text", type=Text)) == shot.description
    await alice.disconnect()
    await bob.disconnect()


async def test_plain_writes_reach_live_text_editors_as_crdt_edits(api, project, board, editor, director):
    scene, shots = board
    room, _, _ = await connect(editor, project.pk)
    await next_of(room, "hello")
    await room.send_json_to({"type": "text_sync", "entity": "shot", "id": shots[1].pk, "field": "notes"})
    state = await next_of(room, "text_state")
    update, doc = yjs_edit(state["update"], lambda t: t.insert(0, "Mine: "))
    await op(room, "n-1", kind="text", entity="shot", id=shots[1].pk, field="notes", update=update)
    # A script replaces the whole text over REST; the live editor gets a CRDT edit, not a clobber.
    response = await sync_to_async(api(director).patch)(f"/api/shots/{shots[1].pk}/", {"notes": "Mine: plus the script's line"}, format="json")
    assert response.status_code == 200
    while True:
        change = (await next_of(room, "change"))["change"]
        if change["actor"] == director.pk:
            break
    doc.apply_update(base64.b64decode(change["data"]["text_updates"]["notes"]))
    assert str(doc.get("text", type=Text)) == "Mine: plus the script's line"
    error = await expect_error(room, "n-2", kind="text", entity="shot", id=shots[1].pk, field="notes", update="not base64!")
    assert error["code"] == "invalid"
    error = await expect_error(room, "n-3", kind="text", entity="shot", id=shots[1].pk, field="lens_mm", update=update)
    assert error["code"] == "invalid"
    await room.disconnect()


async def test_presence_shows_who_is_where(project, board, editor, director):
    scene, shots = board
    alice, _, _ = await connect(editor, project.pk)
    await next_of(alice, "hello")
    bob, _, _ = await connect(director, project.pk)
    await next_of(bob, "hello")
    members = (await next_of(alice, "presence"))["members"]
    while len(members) < 2:
        members = (await next_of(alice, "presence"))["members"]
    assert {m["user"] for m in members} == {editor.pk, director.pk}
    await bob.send_json_to({"type": "presence", "focus": {"entity": "shot", "id": shots[0].pk, "field": "lens_mm"}, "cursor": {"x": 0.25, "y": 0.5}})
    while True:
        members = (await next_of(alice, "presence"))["members"]
        theirs = next(m for m in members if m["user"] == director.pk)
        if theirs["focus"]:
            break
    assert theirs["focus"] == {"entity": "shot", "id": shots[0].pk, "field": "lens_mm"} and theirs["cursor"] == {"x": 0.25, "y": 0.5}
    assert theirs["colour"].startswith("#")
    await bob.disconnect()
    while True:
        members = (await next_of(alice, "presence"))["members"]
        if len(members) == 1:
            break
    assert members[0]["user"] == editor.pk
    assert not await sync_to_async(Change.objects.filter(entity="presence").exists)()  # never logged
    await alice.disconnect()


async def test_revoked_member_is_cut_off_at_once(api, project, board, owner, editor):
    room, _, _ = await connect(editor, project.pk)
    await next_of(room, "hello")
    from apps.projects.models import Membership

    membership = await sync_to_async(Membership.objects.get)(project=project, user=editor)
    response = await sync_to_async(api(owner).delete)(f"/api/projects/{project.pk}/members/{membership.pk}/")
    assert response.status_code == 204
    while True:
        output = await room.receive_output(timeout=5)
        if output["type"] == "websocket.close":
            break
    assert output["code"] == 4404


FRAME = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(["type", "op", "op_id", "kind", "entity", "id", "fields", "after", "parent", "update", "field", "focus", "x"]), children, max_size=5
        )
    ),
    max_leaves=12,
)
PLAUSIBLE = st.fixed_dictionaries(
    {
        "type": st.sampled_from(["op", "catch_up", "presence", "text_sync", "ping"]),
        "op_id": st.from_regex(r"[a-z0-9]{1,8}", fullmatch=True),
        "op": st.fixed_dictionaries(
            {
                "kind": st.sampled_from(["set", "create", "delete", "move", "text"]),
                "entity": st.sampled_from(["scene", "shot", "panel", "character", "location", "project"]),
                "id": st.integers(-2, 50),
                "parent": st.integers(-2, 50),
                "fields": st.dictionaries(st.sampled_from(["lens_mm", "notes", "shot_size", "duration_s", "number", "name"]), FRAME, max_size=3),
            }
        ),
        "after": st.integers(-1, 50),
    }
)


@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(frames=st.lists(FRAME | PLAUSIBLE, min_size=1, max_size=6))
async def test_random_frames_never_break_the_room(project, board, editor, frames):
    """Whatever arrives, every frame gets an answer, the socket stays open and the board stays
    consistent (every change is in the log, every row has a valid shot-list value)."""
    room, connected, _ = await connect(editor, project.pk)
    assert connected
    await next_of(room, "hello")
    for frame in frames:
        await room.send_to(text_data=json.dumps(frame))
    await room.send_json_to({"type": "ping", "t": 42})
    while True:  # the ping after them is answered: the consumer survived them all
        pong = await next_of(room, "pong", timeout=10)
        if pong["t"] == 42:
            break
    await room.disconnect()

    def consistent():
        seqs = list(Change.objects.filter(project=project).order_by("seq").values_list("seq", flat=True))
        assert seqs == list(range(1, len(seqs) + 1))
        for shot in Shot.objects.filter(project=project):
            shot.full_clean(exclude=["camera_spec", "rank"])

    await sync_to_async(consistent)()
