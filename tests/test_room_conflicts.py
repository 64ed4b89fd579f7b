"""No silent loss over the room socket: a set op made on an old board (base_seq) does not
overwrite a field someone else changed since; it is answered with a conflict naming the field,
its value now and who set it, and the op's other fields are applied."""

import pytest
from asgiref.sync import sync_to_async

from apps.boards import services
from apps.boards.models import Shot
from tests.test_rooms import connect, next_of, receive

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shot(project, owner):
    scene = services.create_scene(project, {"synopsis": "The jetty."}, owner)
    return services.create_shot(scene, {"description": "Mara on the jetty", "lens_mm": 35}, owner)


async def joined(user, project):
    room, connected, _ = await connect(user, project.pk)
    assert connected
    hello = await next_of(room, "hello")
    return room, hello["seq"]


async def send_op(room, op_id, **op):
    await room.send_json_to({"type": "op", "op_id": op_id, "op": op})


async def answers_to(room, op_id):
    """The conflict (if any) and the ack for one op, in the order they came."""
    seen = []
    while not seen or seen[-1]["type"] not in ("ack", "error"):
        for message in await receive(room):
            if message.get("op_id") == op_id:
                seen.append(message)
    return seen


async def fresh(pk):
    return await sync_to_async(Shot.objects.get)(pk=pk)


async def test_a_stale_edit_keeps_their_field_and_applies_the_rest(project, shot, editor, director):
    alice, base = await joined(editor, project)  # Alice's board is at `base` when she goes offline
    bob, _ = await joined(director, project)
    await send_op(bob, "b-1", kind="set", entity="shot", id=shot.pk, fields={"lens_mm": 85})
    bob_seq = (await next_of(bob, "ack"))["seq"]
    # Alice comes back with what she typed offline: the lens (Bob's since) and the notes (nobody's).
    await send_op(alice, "a-1", kind="set", entity="shot", id=shot.pk, base_seq=base, fields={"lens_mm": 24, "notes": "low sun"})
    conflict, ack = await answers_to(alice, "a-1")
    assert conflict["type"] == "conflict" and conflict["entity"] == "shot" and conflict["id"] == shot.pk
    assert conflict["fields"] == {"lens_mm": {"mine": 24, "current": 85, "seq": bob_seq, "actor": director.pk}}
    assert ack["type"] == "ack" and ack["seq"] > bob_seq
    row = await fresh(shot.pk)
    assert (row.lens_mm, row.notes) == (85, "low sun")
    # Bob sees the notes arrive, not a lens change.
    change = (await next_of(bob, "change"))["change"]
    while change["client_op_id"] != "a-1":
        change = (await next_of(bob, "change"))["change"]
    assert set(change["data"]["fields"]) >= {"notes"} and "lens_mm" not in change["data"]["fields"]
    # "Use mine": the same value again without base_seq is written.
    await send_op(alice, "a-2", kind="set", entity="shot", id=shot.pk, fields={"lens_mm": 24})
    assert [m["type"] for m in await answers_to(alice, "a-2")] == ["ack"]
    assert (await fresh(shot.pk)).lens_mm == 24
    await alice.disconnect()
    await bob.disconnect()


async def test_only_conflicting_fields_left_and_nothing_written(project, shot, editor, director):
    alice, base = await joined(editor, project)
    bob, _ = await joined(director, project)
    await send_op(bob, "b-1", kind="set", entity="shot", id=shot.pk, fields={"lens_mm": 85})
    await next_of(bob, "ack")
    await send_op(alice, "a-1", kind="set", entity="shot", id=shot.pk, base_seq=base, fields={"lens_mm": 24})
    conflict, ack = await answers_to(alice, "a-1")
    assert conflict["fields"]["lens_mm"]["current"] == 85
    assert ack["seq"] is None and ack["id"] == shot.pk  # nothing left to write
    assert (await fresh(shot.pk)).lens_mm == 85
    # Resent (the ack was lost): answered as before, not applied again.
    await send_op(alice, "a-1", kind="set", entity="shot", id=shot.pk, base_seq=base, fields={"lens_mm": 24})
    (again,) = await answers_to(alice, "a-1")
    assert again["duplicate"] is True and (await fresh(shot.pk)).lens_mm == 85
    await alice.disconnect()
    await bob.disconnect()


async def test_ones_own_earlier_change_is_no_conflict(project, shot, editor):
    laptop, base = await joined(editor, project)
    tablet, _ = await joined(editor, project)  # the same person in another tab
    await send_op(tablet, "t-1", kind="set", entity="shot", id=shot.pk, fields={"lens_mm": 50})
    await next_of(tablet, "ack")
    await send_op(laptop, "l-1", kind="set", entity="shot", id=shot.pk, base_seq=base, fields={"lens_mm": 65})
    assert [m["type"] for m in await answers_to(laptop, "l-1")] == ["ack"]
    assert (await fresh(shot.pk)).lens_mm == 65
    await laptop.disconnect()
    await tablet.disconnect()


async def test_a_change_before_the_base_is_no_conflict(project, shot, editor, director):
    bob, _ = await joined(director, project)
    await send_op(bob, "b-1", kind="set", entity="shot", id=shot.pk, fields={"lens_mm": 85})
    bob_seq = (await next_of(bob, "ack"))["seq"]
    alice, _ = await joined(editor, project)
    await send_op(alice, "a-1", kind="set", entity="shot", id=shot.pk, base_seq=bob_seq, fields={"lens_mm": 24})
    assert [m["type"] for m in await answers_to(alice, "a-1")] == ["ack"]
    assert (await fresh(shot.pk)).lens_mm == 24
    await alice.disconnect()
    await bob.disconnect()


async def test_without_base_seq_the_last_writer_wins_as_before(project, shot, editor, director):
    alice, _ = await joined(editor, project)
    bob, _ = await joined(director, project)
    await send_op(bob, "b-1", kind="set", entity="shot", id=shot.pk, fields={"lens_mm": 85})
    await next_of(bob, "ack")
    await send_op(alice, "a-1", kind="set", entity="shot", id=shot.pk, fields={"lens_mm": 24})
    assert [m["type"] for m in await answers_to(alice, "a-1")] == ["ack"]
    assert (await fresh(shot.pk)).lens_mm == 24
    await alice.disconnect()
    await bob.disconnect()


async def test_stale_edits_queued_together_are_each_checked(project, shot, editor, director):
    """Ops that arrive together are applied in one batch: a change earlier in the batch (not yet
    stored) counts like a stored one."""
    alice, base = await joined(editor, project)
    bob, _ = await joined(director, project)
    await send_op(bob, "b-1", kind="set", entity="shot", id=shot.pk, fields={"shot_size": "CU"})
    await send_op(alice, "a-1", kind="set", entity="shot", id=shot.pk, base_seq=base, fields={"shot_size": "WS"})
    conflict, _ = await answers_to(alice, "a-1")
    assert conflict["fields"]["shot_size"]["current"] == "CU" and conflict["fields"]["shot_size"]["actor"] == director.pk
    assert (await fresh(shot.pk)).shot_size == "CU"
    await alice.disconnect()
    await bob.disconnect()


@pytest.mark.parametrize("base_seq", ["3", 1.5, -1, True, [], {"seq": 1}, 2**80])
async def test_a_bad_base_seq_gets_an_error_frame(project, shot, editor, base_seq):
    alice, _ = await joined(editor, project)
    await send_op(alice, "a-1", kind="set", entity="shot", id=shot.pk, base_seq=base_seq, fields={"lens_mm": 24})
    error = await next_of(alice, "error")
    assert error["code"] == "bad_message" and any("base_seq" in path for path in error["errors"])
    assert (await fresh(shot.pk)).lens_mm == 35
    # The socket is still open and works.
    await send_op(alice, "a-2", kind="set", entity="shot", id=shot.pk, fields={"lens_mm": 28})
    assert (await next_of(alice, "ack"))["op_id"] == "a-2"
    await alice.disconnect()
