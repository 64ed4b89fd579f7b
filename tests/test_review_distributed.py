"""A review session spread over two Daphne processes with Redis (the distributed wiring): the
presenter on one server, a viewer and a client's guest on the other. Playback state, strokes and
comments cross servers; control passes across them when the presenter leaves; revoking the
link on one server closes the guest's socket on the other."""

import asyncio
import json
import secrets
import urllib.request

import pytest
import websockets
from asgiref.sync import sync_to_async

from apps.review.models import Review
from tests.conftest import client_for, session_cookie_for
from tests.test_review import guest, make_link
from tests.test_review_sessions import session_board  # noqa: F401 (fixture)

pytestmark = [pytest.mark.django_db(transaction=True)]
REDIS_URL = "redis://127.0.0.1:6379/11"


class Socket:
    """A review-session client over a real WebSocket that keeps every message it got."""

    def __init__(self, server, review_id, cookie):
        self.url = f"ws://{server.base}/ws/reviews/{review_id}/"
        self.origin = f"http://{server.base}"
        self.cookie, self.messages, self.closed = cookie, [], None

    async def open(self):
        self.ws = await websockets.connect(self.url, additional_headers={"Cookie": self.cookie, "Origin": self.origin}, open_timeout=10)
        self.reader = asyncio.ensure_future(self.read())
        return await self.wait_for(lambda m: m["type"] == "hello")

    async def read(self):
        try:
            async for text in self.ws:
                frame = json.loads(text)
                self.messages.extend(frame["messages"] if frame["type"] == "batch" else [frame])
        except websockets.ConnectionClosed:
            pass
        self.closed = self.ws.close_code

    async def send(self, message):
        await self.ws.send(json.dumps(message))

    async def wait_for(self, predicate, timeout=10):
        for _ in range(int(timeout / 0.02)):
            for message in self.messages:
                if predicate(message):
                    return message
            await asyncio.sleep(0.02)
        raise AssertionError(f"no such message; got {[(m['type'], m.get('code')) for m in self.messages]}")

    async def close(self):
        await self.ws.close()
        await asyncio.wait_for(self.reader, 5)


def revoke_over_http(server, user, link_id):
    """POST …/revoke/ to a running server as a browser would (session cookie + CSRF pair)."""
    csrf = secrets.token_hex(32)
    request = urllib.request.Request(
        f"http://{server.base}/api/share-links/{link_id}/revoke/",
        method="POST",
        data=b"",
        headers={"Cookie": f"{session_cookie_for(user)}; csrftoken={csrf}", "X-CSRFToken": csrf, "Origin": f"http://{server.base}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


async def test_a_session_across_two_servers(session_board, owner, director, editor, studio_servers):  # noqa: F811
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    review = session_board["review"]
    shot = session_board["shots"][0]
    first, second = await asyncio.to_thread(studio_servers, 2, REDIS_URL)
    link = await sync_to_async(make_link)(client_for, owner, review.pk, scope="comment")
    guest_browser = await sync_to_async(guest)(link["token"])
    guest_cookie = f"sessionid={guest_browser.cookies['sessionid'].value}"

    presenter = Socket(first, review.pk, await sync_to_async(session_cookie_for)(director))
    hello = await presenter.open()
    assert hello["state"]["presenter"] == hello["you"]["session"]
    viewer = Socket(second, review.pk, await sync_to_async(session_cookie_for)(editor))
    viewer_hello = await viewer.open()
    client = Socket(second, review.pk, guest_cookie)
    client_hello = await client.open()
    assert client_hello["you"]["guest"] is True

    await presenter.send({"type": "control", "action": "play", "frame": 12})
    state = await viewer.wait_for(lambda m: m["type"] == "state" and m["state"]["playback"]["playing"])
    assert state["state"]["playback"]["frame"] == 12
    await client.wait_for(lambda m: m["type"] == "state" and m["state"]["playback"]["playing"])

    await presenter.send(
        {"type": "stroke", "stroke": "x", "shot": shot.pk, "frame": 12, "tool": "pen", "colour": "#ff0000", "width": 3, "points": [[0.2, 0.2]]}
    )
    await viewer.wait_for(lambda m: m["type"] == "stroke" and m["stroke"] == "x")

    await client.send(
        {"type": "op", "op_id": "g1", "op": {"kind": "create", "entity": "comment", "parent": shot.pk, "fields": {"body": "From the client", "frame": 12}}}
    )
    await client.wait_for(lambda m: m["type"] == "ack" and m["op_id"] == "g1")
    change = await presenter.wait_for(lambda m: m["type"] == "change" and m["change"]["entity"] == "comment")
    assert change["change"]["data"]["fields"]["author"]["guest"] is True

    # The presenter's process loses them: control passes to the member on the other server.
    await presenter.close()
    await viewer.wait_for(lambda m: m["type"] == "state" and m["state"]["presenter"] == viewer_hello["you"]["session"])
    stored = await sync_to_async(lambda: Review.objects.get(pk=review.pk).presenter)()
    assert stored == viewer_hello["you"]["session"]

    # Revoked on the first server; the guest's socket on the second closes at once.
    assert await asyncio.to_thread(revoke_over_http, first, owner, link["id"]) == 200
    await client.wait_for(lambda m: m["type"] == "closed")
    for _ in range(100):
        if client.closed is not None:
            break
        await asyncio.sleep(0.05)
    assert client.closed == 4410
    await viewer.close()
