"""Review sessions over WebSocket: presenter and viewers, the playback clock, control hand-over,
live strokes; comments, annotations and approvals as ops (members and share-link guests); a
link's scope, revocation and expiry on open sockets; bad input."""

import asyncio
import time
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client
from django.utils import timezone

from apps.review import selectors as review_selectors
from apps.review import services as review_services
from apps.review.models import Annotation, Comment, Review, ShareLink
from apps.review.protocol import PLAY_LEAD_S
from studio.asgi import application
from tests.conftest import client_for
from tests.test_review import guest, make_link, png
from tests.test_rooms import ORIGIN, connect, next_of, refused_with, session_cookie

pytestmark = [pytest.mark.django_db(transaction=True)]
FPS = 24


@pytest.fixture
def session_board(project, owner):
    from apps.assets.services import store_upload
    from apps.boards import services as boards

    scene = boards.create_scene(project, {}, owner)
    other_scene = boards.create_scene(project, {}, owner)
    shots = [boards.create_shot(scene, {}, owner) for _ in range(2)]
    hidden = boards.create_shot(other_scene, {}, owner)
    image = store_upload(project_id=project.pk, data=png(), created_by=owner)
    boards.create_panel(shots[0], {"image": image}, owner)
    review = Review.objects.create(project=project, title="Scene 1", scene=scene, created_by=owner)
    return {"review": review, "shots": shots, "hidden": hidden, "image": image, "scene": scene}


async def join(cookie, review_id):
    headers = [ORIGIN] + ([(b"cookie", cookie.encode() if isinstance(cookie, str) else cookie)] if cookie else [])
    socket = WebsocketCommunicator(application, f"/ws/reviews/{review_id}/", headers=headers)
    connected, code = await socket.connect(timeout=5)
    return socket, connected, code


async def join_as(user, review_id):
    cookie = await sync_to_async(session_cookie)(user)
    socket, connected, code = await join(cookie, review_id)
    assert connected, code
    return socket, await next_of(socket, "hello")


def guest_cookie(token, **fields):
    browser = guest(token, **fields)
    return f"sessionid={browser.cookies['sessionid'].value}"


async def guest_link(owner, review_id, scope, **fields):
    link = await sync_to_async(make_link)(client_for, owner, review_id, scope=scope, **fields)
    cookie = await sync_to_async(guest_cookie)(link["token"])
    return link, cookie


async def send(socket, message):
    await socket.send_json_to(message)


def position(playback, now):
    """Where a viewer shows playback at server time `now` (the page's own formula)."""
    if not playback["playing"]:
        return playback["frame"]
    return playback["frame"] + max(0.0, now - playback["at"]) * playback["rate"] * FPS


async def state_where(socket, predicate):
    """The next session state that satisfies `predicate` (earlier states may still be queued)."""
    while True:
        state = (await next_of(socket, "state"))["state"]
        if predicate(state):
            return state


async def op(socket, op_id, entity, parent=None, fields=None, kind="create", id=None):
    body = {"kind": kind, "entity": entity}
    if kind == "create":
        body |= {"parent": parent, "fields": fields or {}}
    elif kind == "set":
        body |= {"id": id, "fields": fields or {}}
    else:
        body |= {"id": id}
    await send(socket, {"type": "op", "op_id": op_id, "op": body})


async def answer(socket, op_id):
    """The ack or error for one op."""
    while True:
        message = await next_of_any(socket, ("ack", "error"))
        if message.get("op_id") == op_id:
            return message


async def next_of_any(socket, kinds, timeout=5):
    if not hasattr(socket, "_pending"):
        socket._pending = []
    while True:
        for index, message in enumerate(socket._pending):
            if message["type"] in kinds:
                return socket._pending.pop(index)
        frame = await socket.receive_json_from(timeout=timeout)
        socket._pending.extend(frame["messages"] if frame["type"] == "batch" else [frame])


async def test_presenter_drives_playback_and_a_late_joiner_lands_on_the_frame(session_board, director, editor, viewer):
    review = session_board["review"]
    presenter, hello = await join_as(director, review.pk)
    assert hello["state"]["presenter"] == hello["you"]["session"]  # the first member presents
    follower, follower_hello = await join_as(editor, review.pk)
    assert follower_hello["state"]["presenter"] == hello["you"]["session"]
    # Only the presenter controls playback.
    await send(follower, {"type": "control", "action": "play", "frame": 0})
    error = await next_of(follower, "error")
    assert error["code"] == "forbidden"
    sent = time.time()
    await send(presenter, {"type": "control", "action": "play", "frame": 10, "rate": 1.0})
    state = await state_where(follower, lambda state: state["playback"]["playing"])
    playback = state["playback"]
    assert playback["frame"] == 10 and playback["item"] == 0
    # Play starts a little ahead, so everyone starts on the same frame at the same instant.
    assert sent + PLAY_LEAD_S - 0.05 <= playback["at"] <= time.time() + PLAY_LEAD_S + 0.05
    await asyncio.sleep(0.5)
    late, late_hello = await join_as(viewer, review.pk)
    now = time.time()
    assert abs(position(late_hello["state"]["playback"], now) - position(playback, now)) < 1
    assert position(late_hello["state"]["playback"], now) > 10 + 0.3 * FPS
    # Pause at a frame: everyone shows that frame.
    await send(presenter, {"type": "control", "action": "pause", "frame": 31})
    for socket in (follower, late):
        paused = (await state_where(socket, lambda state: not state["playback"]["playing"]))["playback"]
        assert paused["frame"] == 31
    await send(presenter, {"type": "control", "action": "item", "frame": 0, "item": 1})
    await state_where(late, lambda state: state["playback"]["item"] == 1)
    await send(presenter, {"type": "control", "action": "item", "frame": 0, "item": 7})
    assert (await next_of(presenter, "error"))["code"] == "invalid"
    for socket in (presenter, follower, late):
        await socket.disconnect()


async def test_a_reconnecting_viewer_lands_on_the_presenters_current_frame(session_board, director, editor):
    review = session_board["review"]
    presenter, _ = await join_as(director, review.pk)
    follower, _ = await join_as(editor, review.pk)
    await send(presenter, {"type": "control", "action": "play", "frame": 0})
    await state_where(follower, lambda state: state["playback"]["playing"])
    await follower.disconnect()  # the viewer's network drops
    await send(presenter, {"type": "control", "action": "seek", "frame": 120})
    await asyncio.sleep(0.3)
    again, hello = await join_as(editor, review.pk)
    presenter_state = (await state_where(presenter, lambda state: state["playback"]["frame"] == 120))["playback"]
    now = time.time()
    assert presenter_state["frame"] == 120 and hello["state"]["playback"] == presenter_state
    assert abs(position(hello["state"]["playback"], now) - position(presenter_state, now)) < 1
    await again.disconnect()
    await presenter.disconnect()


async def test_control_requests_hand_over_and_presenter_leaving(session_board, director, editor, owner):
    review = session_board["review"]
    presenter, hello = await join_as(director, review.pk)
    asker, asker_hello = await join_as(editor, review.pk)
    third, third_hello = await join_as(owner, review.pk)
    await send(asker, {"type": "request_control"})
    request = await next_of(presenter, "control_request")
    assert request["session"] == asker_hello["you"]["session"]
    await send(asker, {"type": "hand_over", "to": asker_hello["you"]["session"]})
    assert (await next_of(asker, "error"))["code"] == "forbidden"  # only the presenter hands over
    await send(presenter, {"type": "hand_over", "to": asker_hello["you"]["session"]})
    await state_where(third, lambda state: state["presenter"] == asker_hello["you"]["session"])
    # The presenter leaves: the session goes on, control passes to the longest-present member.
    await asker.disconnect()
    await state_where(third, lambda state: state["presenter"] == hello["you"]["session"])
    # The list as it is after the asker left (earlier lists may still be queued).
    remaining = {hello["you"]["session"], third_hello["you"]["session"]}
    while {p["session"] for p in (await next_of(third, "participants"))["participants"]} != remaining:
        pass
    await presenter.disconnect()
    await state_where(third, lambda state: state["presenter"] == third_hello["you"]["session"])
    await third.disconnect()


async def test_strokes_laser_and_zoom_reach_the_others_live(session_board, director, editor):
    review = session_board["review"]
    presenter, hello = await join_as(director, review.pk)
    follower, _ = await join_as(editor, review.pk)
    shot = session_board["shots"][0]
    stroke = {
        "type": "stroke",
        "stroke": "s-1",
        "shot": shot.pk,
        "frame": 12,
        "tool": "pen",
        "colour": "#ff3300",
        "width": 4,
        "points": [[0.1, 0.1, 0.5], [0.2, 0.25, 0.7]],
    }
    await send(follower, stroke)
    live = await next_of(presenter, "stroke")
    assert live["points"] == [[0.1, 0.1, 0.5], [0.2, 0.25, 0.7]] and live["frame"] == 12 and live["done"] is False
    await send(presenter, {"type": "laser", "x": 0.5, "y": 0.4})
    laser = await next_of(follower, "laser")
    assert (laser["x"], laser["y"], laser["session"]) == (0.5, 0.4, hello["you"]["session"])
    await send(presenter, {"type": "view", "view": {"zoom": 2, "x": 0.3, "y": 0.6}})
    assert (await next_of(follower, "view"))["view"] == {"zoom": 2.0, "x": 0.3, "y": 0.6}
    await send(follower, {"type": "view", "view": {"zoom": 3, "x": 0.3, "y": 0.6}})
    assert (await next_of(follower, "error"))["code"] == "forbidden"
    # A stroke on a shot outside the review is refused.
    await send(follower, {**stroke, "shot": session_board["hidden"].pk})
    assert (await next_of(follower, "error"))["code"] == "not_found"
    for socket in (presenter, follower):
        await socket.disconnect()
    # Nothing ephemeral was stored.
    assert await sync_to_async(Annotation.objects.count)() == 0


async def test_comments_and_annotations_are_ops_stored_and_broadcast(session_board, project, director, editor, viewer):
    review = session_board["review"]
    shot = session_board["shots"][0]
    presenter, _ = await join_as(director, review.pk)
    member, _ = await join_as(viewer, review.pk)  # a viewer may comment
    room, connected, _ = await connect(editor, project.pk)  # the project's room sees the same changes
    assert connected
    shapes = [
        {"tool": "arrow", "colour": "#00ff88", "width": 3, "points": [[0.1, 0.2], [0.6, 0.5]]},
        {"tool": "text", "colour": "#ffffff", "width": 4, "points": [[0.5, 0.5]], "text": "Lose the lamp"},
    ]
    await op(member, "a-1", "annotation", shot.pk, {"asset": session_board["image"].pk, "frame": 37, "shapes": shapes})
    ack = await answer(member, "a-1")
    assert ack["type"] == "ack" and ack["seq"] is not None
    change = (await next_of(presenter, "change"))["change"]
    assert change["entity"] == "annotation" and change["data"]["fields"]["frame"] == 37
    assert change["data"]["fields"]["asset_sha256"] == session_board["image"].sha256
    assert (await next_of(room, "change"))["change"]["id"] == ack["id"]
    annotation_id = ack["id"]
    await op(
        member,
        "c-1",
        "comment",
        shot.pk,
        {"body": "Frame 37: lose the lamp.", "frame": 37, "frame_end": 48, "annotation": annotation_id, "mentions": [director.pk]},
    )
    ack = await answer(member, "c-1")
    assert ack["type"] == "ack"
    comment = (await next_of(presenter, "change"))["change"]["data"]["fields"]
    assert comment["frame"] == 37 and comment["mentions"] == [director.pk] and comment["review"] == review.pk
    # Resending the same op is harmless.
    await op(member, "c-1", "comment", shot.pk, {"body": "Frame 37: lose the lamp.", "frame": 37})
    assert (await answer(member, "c-1"))["duplicate"] is True
    # Someone else may resolve it, not rewrite it.
    await op(presenter, "c-2", "comment", kind="set", id=ack["id"], fields={"body": "Changed"})
    assert (await answer(presenter, "c-2"))["code"] == "forbidden"
    await op(presenter, "c-3", "comment", kind="set", id=ack["id"], fields={"resolved": True})
    assert (await answer(presenter, "c-3"))["type"] == "ack"
    stored = await sync_to_async(Comment.objects.get)(pk=ack["id"])
    assert stored.resolved and stored.resolved_by_name == "director" and stored.review_id == review.pk
    # The eraser: the author keeps only some marks.
    await op(member, "a-2", "annotation", kind="set", id=annotation_id, fields={"shapes": shapes[:1]})
    assert (await answer(member, "a-2"))["type"] == "ack"
    # Board edits are not taken on a review socket.
    await op(presenter, "x-1", "shot", session_board["scene"].pk, {})
    assert (await answer(presenter, "x-1"))["code"] == "forbidden"
    notes = await sync_to_async(review_services.session_notes)(review)
    assert [(n["frame"], n["timecode"], n["timecode_end"]) for n in notes] == [(37, "00:00:01:13", "00:00:02:00")]
    for socket in (presenter, member, room):
        await socket.disconnect()


async def test_bad_annotation_and_comment_input_is_refused_with_field_messages(session_board, director):
    review = session_board["review"]
    shot = session_board["shots"][0]
    socket, _ = await join_as(director, review.pk)
    cases = {
        "out-of-picture": {"asset": None, "frame": 1, "shapes": [{"tool": "line", "colour": "#ffffff", "width": 2, "points": [[0.1, 0.1], [1.7, 0.2]]}]},
        "css-in-colour": {"asset": None, "frame": 1, "shapes": [{"tool": "pen", "colour": "red;background:url(x)", "width": 2, "points": [[0.1, 0.1]]}]},
        "rect-of-3-points": {
            "asset": None,
            "frame": 1,
            "shapes": [{"tool": "rect", "colour": "#ffffff", "width": 2, "points": [[0.1, 0.1], [0.2, 0.2], [0.3, 0.3]]}],
        },
        "negative-frame": {"asset": None, "frame": -4, "shapes": [{"tool": "pen", "colour": "#ffffff", "width": 2, "points": [[0.1, 0.1]]}]},
        "no-marks": {"asset": None, "frame": 1, "shapes": []},
        "script-tool": {"asset": None, "frame": 1, "shapes": [{"tool": "<script>", "colour": "#ffffff", "width": 2, "points": [[0.1, 0.1]]}]},
    }
    for name, fields in cases.items():
        await op(socket, name, "annotation", shot.pk, fields)
        error = await answer(socket, name)
        assert error["type"] == "error" and error["code"] == "invalid" and error["errors"], name
    await op(socket, "range", "comment", shot.pk, {"body": "x", "frame": 40, "frame_end": 10})
    assert "frame_end" in (await answer(socket, "range"))["errors"]
    await op(socket, "long", "comment", shot.pk, {"body": "x" * 6000})
    assert "body" in (await answer(socket, "long"))["errors"]
    # A huge frame is refused before it is read.
    await send(
        socket,
        {
            "type": "op",
            "op_id": "huge",
            "op": {
                "kind": "create",
                "entity": "annotation",
                "parent": shot.pk,
                "fields": {"frame": 1, "shapes": [{"tool": "pen", "colour": "#ffffff", "width": 2, "points": [[0.5, 0.5]] * 9000}]},
            },
        },
    )
    assert (await next_of(socket, "error"))["code"] == "too_large"
    # Markup is kept as the text it is (the page shows text, never HTML).
    await op(socket, "xss", "comment", shot.pk, {"body": "<img src=x onerror=alert(1)>"})
    ack = await answer(socket, "xss")
    assert ack["type"] == "ack"
    assert await sync_to_async(lambda: Comment.objects.get(pk=ack["id"]).body)() == "<img src=x onerror=alert(1)>"
    assert await sync_to_async(Annotation.objects.count)() == 0
    await socket.disconnect()


async def test_guest_scope_is_enforced_on_the_socket(session_board, owner, director, project):
    review = session_board["review"]
    shot, hidden = session_board["shots"][0], session_board["hidden"]
    _, view_cookie = await guest_link(owner, review.pk, "view")
    watcher, connected, _ = await join(view_cookie, review.pk)
    assert connected
    hello = await next_of(watcher, "hello")
    assert hello["you"]["guest"] is True and hello["can_comment"] is False and hello["can_approve"] is False
    await op(watcher, "g-1", "comment", shot.pk, {"body": "Can I?"})
    assert (await answer(watcher, "g-1"))["code"] == "forbidden"
    await send(watcher, {"type": "stroke", "stroke": "s", "shot": shot.pk, "frame": 0, "tool": "pen", "colour": "#ffffff", "width": 2, "points": []})
    assert (await next_of(watcher, "error"))["code"] == "forbidden"
    await send(watcher, {"type": "request_control"})
    assert (await next_of(watcher, "error"))["code"] == "forbidden"

    _, comment_cookie = await guest_link(owner, review.pk, "comment")
    commenter, connected, _ = await join(comment_cookie, review.pk)
    assert connected
    await next_of(commenter, "hello")
    await op(commenter, "g-2", "comment", shot.pk, {"body": "Warmer light here?", "frame": 3})
    assert (await answer(commenter, "g-2"))["type"] == "ack"
    await op(commenter, "g-3", "comment", hidden.pk, {"body": "And the other scene?"})
    assert (await answer(commenter, "g-3"))["code"] == "not_found"  # outside the link: does not exist
    await op(commenter, "g-4", "approval", shot.pk, {"decision": "approved", "fingerprint": "0" * 64})
    assert (await answer(commenter, "g-4"))["code"] == "forbidden"
    await op(commenter, "g-5", "comment", shot.pk, {"body": "Hi", "mentions": [director.pk]})
    assert "mentions" in (await answer(commenter, "g-5"))["errors"]
    stored = await sync_to_async(Comment.objects.select_related("guest").get)(body="Warmer light here?")
    assert stored.author_id is None and stored.guest.name == "Ana from the studio" and stored.author_name == "Ana from the studio"

    # The link is for this review only: another review of the project, or the project's room, is closed to it.
    other = await sync_to_async(Review.objects.create)(project=project, title="Other", scene=None, shot_ids=[hidden.pk])
    assert await refused_with(*(await join(comment_cookie, other.pk))[:2]) == 4404
    socket = WebsocketCommunicator(application, f"/ws/projects/{project.pk}/", headers=[ORIGIN, (b"cookie", comment_cookie.encode())])
    assert await refused_with(socket, (await socket.connect(timeout=5))[0]) == 4401
    for s in (watcher, commenter):
        await s.disconnect()


async def test_guest_approval_appears_live_for_the_director(session_board, owner, director, project):
    review = session_board["review"]
    shot = session_board["shots"][0]
    link, cookie = await guest_link(owner, review.pk, "approve")
    room, connected, _ = await connect(director, project.pk)
    assert connected
    client = Client()
    client.cookies.load(cookie)
    content = await sync_to_async(lambda: client.get(f"/api/share/{link['token']}/content/").json())()
    fingerprint = content["items"][0]["fingerprint"]
    client_socket, connected, _ = await join(cookie, review.pk)
    assert connected
    await next_of(client_socket, "hello")
    await op(client_socket, "ok-1", "approval", shot.pk, {"decision": "approved", "comment": "Approved for the shoot.", "fingerprint": fingerprint})
    ack = await answer(client_socket, "ok-1")
    assert ack["type"] == "ack", ack
    change = (await next_of(room, "change"))["change"]
    while change["entity"] != "approval":
        change = (await next_of(room, "change"))["change"]
    fields = change["data"]["fields"]
    assert fields["decision"] == "approved" and fields["author"] == {"name": "Ana from the studio", "user": None, "guest": True}
    await sync_to_async(shot.refresh_from_db)()
    assert shot.status == "approved"
    stats = await sync_to_async(lambda: review_selectors.link_stats(ShareLink.objects.get(pk=link["id"])))()
    assert [d["decision"] for d in stats["decisions"]] == ["approved"]
    for s in (room, client_socket):
        await s.disconnect()


async def test_revoking_a_link_closes_its_open_sockets_at_once(session_board, owner, director):
    review = session_board["review"]
    link, cookie = await guest_link(owner, review.pk, "comment")
    member, _ = await join_as(director, review.pk)
    socket, connected, _ = await join(cookie, review.pk)
    assert connected
    await next_of(socket, "hello")
    response = await sync_to_async(lambda: client_for(owner).post(f"/api/share-links/{link['id']}/revoke/"))()
    assert response.status_code == 200
    closed = await next_of(socket, "closed")
    assert "revoked" in closed["reason"]
    assert (await socket.receive_output(timeout=5)) == {"type": "websocket.close", "code": 4410}
    # And it cannot come back.
    assert await refused_with(*(await join(cookie, review.pk))[:2]) == 4404
    for review_id in (2**64, "%C2%B2"):  # nor can an id that names no review
        assert await refused_with(*(await join(cookie, review_id))[:2]) == 4404
    await member.disconnect()


async def test_an_expiring_link_closes_its_sockets_when_it_expires(session_board, owner):
    review = session_board["review"]
    link, cookie = await guest_link(owner, review.pk, "view")
    await sync_to_async(ShareLink.objects.filter(pk=link["id"]).update)(expires_at=timezone.now() + timedelta(seconds=1.5))
    socket, connected, _ = await join(cookie, review.pk)
    assert connected
    await next_of(socket, "hello")
    closed = await next_of(socket, "closed", timeout=5)
    assert "expired" in closed["reason"]
    assert (await socket.receive_output(timeout=5)) == {"type": "websocket.close", "code": 4410}


async def test_strangers_are_not_let_in(session_board, outsider):
    review = session_board["review"]
    assert await refused_with(*(await join(None, review.pk))[:2]) == 4404
    assert await refused_with(*(await join(await sync_to_async(session_cookie)(outsider), review.pk))[:2]) == 4404


async def test_clock_sync_pong_carries_server_time(session_board, director):
    socket, _ = await join_as(director, session_board["review"].pk)
    before = time.time()
    await send(socket, {"type": "ping", "t": 12.5})
    pong = await next_of(socket, "pong")
    assert pong["t"] == 12.5 and before - 0.01 <= pong["server_time"] <= time.time() + 0.01
    await send(socket, {"type": "control", "action": "play"})
    error = await next_of(socket, "error")
    assert error["code"] == "bad_message" and "frame" in error["errors"]
    await socket.send_to(text_data="{nope")
    assert (await next_of(socket, "error"))["code"] == "bad_json"
    await socket.disconnect()


async def test_a_guest_write_checks_the_link_even_if_the_close_was_missed(session_board, owner):
    """Closing a revoked link's sockets is best-effort (the channel layer may drop it); the write
    itself checks the link."""
    review = session_board["review"]
    link, cookie = await guest_link(owner, review.pk, "comment")
    socket, connected, _ = await join(cookie, review.pk)
    assert connected
    await next_of(socket, "hello")
    # Revoked behind the socket's back: no broadcast.
    await sync_to_async(ShareLink.objects.filter(pk=link["id"]).update)(revoked_at=timezone.now())
    await op(socket, "late", "comment", session_board["shots"][0].pk, {"body": "Still here?"})
    assert (await answer(socket, "late"))["code"] == "forbidden"
    assert await sync_to_async(Comment.objects.count)() == 0
    await socket.disconnect()
