"""The project room over WebSocket: membership on connect, changes from REST writes arrive
live with their seq, catch-up after a gap, render progress. Runs on the configured channel
layer (in-memory by default, Redis when REDIS_URL is set), and explicitly on Redis below."""

import os

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client, override_settings

from apps.boards import services
from studio.asgi import application
from tests.conftest import client_for

pytestmark = [pytest.mark.django_db(transaction=True)]

ORIGIN = (b"origin", b"http://127.0.0.1:8000")


def session_cookie(user):
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


async def receive(room, timeout=5):
    """The next server messages, with batch frames unpacked."""
    frame = await room.receive_json_from(timeout=timeout)
    return frame["messages"] if frame["type"] == "batch" else [frame]


async def next_of(room, kind, timeout=5):
    """The next message of one type; messages of other types stay queued for later calls."""
    if not hasattr(room, "_pending"):
        room._pending = []
    while True:
        for index, message in enumerate(room._pending):
            if message["type"] == kind:
                return room._pending.pop(index)
        room._pending.extend(await receive(room, timeout))


async def connect(user, project_id):
    headers = [ORIGIN]
    if user is not None:
        headers.append((b"cookie", await sync_to_async(session_cookie)(user)))
    communicator = WebsocketCommunicator(application, f"/ws/projects/{project_id}/", headers=headers)
    connected, code = await communicator.connect(timeout=5)
    return communicator, connected, code


async def test_member_joins_and_sees_rest_edits_live(project, owner, editor):
    scene = await sync_to_async(services.create_scene)(project, {}, owner)
    shot = await sync_to_async(services.create_shot)(scene, {}, owner)
    room, connected, _ = await connect(editor, project.pk)
    assert connected
    hello = await next_of(room, "hello")
    assert hello["type"] == "hello" and hello["role"] == "editor"
    client = client_for(owner)
    response = await sync_to_async(client.patch)(f"/api/shots/{shot.pk}/", {"lens_mm": 85}, format="json")
    assert response.status_code == 200
    message = await next_of(room, "change")
    change = message["change"]
    assert (change["entity"], change["id"], change["action"]) == ("shot", shot.pk, "update")
    assert change["data"]["fields"]["lens_mm"] == 85 and change["seq"] == hello["seq"] + 1
    await room.disconnect()


async def refused_with(room, connected):
    """The close code of a socket the server accepted only to close it with that code: refused
    before accepting, the browser would see an HTTP 403 and only a code 1006."""
    assert connected
    output = await room.receive_output(timeout=5)
    assert output["type"] == "websocket.close"
    return output["code"]


async def test_outsiders_and_anonymous_are_refused_with_close_codes(project, outsider, editor):
    assert await refused_with(*(await connect(outsider, project.pk))[:2]) == 4404
    assert await refused_with(*(await connect(None, project.pk))[:2]) == 4401
    assert await refused_with(*(await connect(outsider, 999999))[:2]) == 4404
    # Ids that cannot name a project are closed like an unknown one, not a failed handshake.
    for project_id in (2**64, 2**63, "%C2%B2", "0", "-1", "abc"):
        assert await refused_with(*(await connect(editor, project_id))[:2]) == 4404, project_id


async def test_catch_up_replays_missed_changes(project, owner, viewer):
    room, connected, _ = await connect(viewer, project.pk)
    hello = await next_of(room, "hello")
    await room.disconnect()
    # Changes happen while the viewer is away.
    scene = await sync_to_async(services.create_scene)(project, {"synopsis": "while away"}, owner)
    await sync_to_async(services.create_shot)(scene, {}, owner)
    room, connected, _ = await connect(viewer, project.pk)
    await next_of(room, "hello")
    await room.send_json_to({"type": "catch_up", "after": hello["seq"]})
    reply = await next_of(room, "changes")
    assert reply["type"] == "changes" and reply["complete"]
    assert [c["entity"] for c in reply["changes"]] == ["scene", "shot"]
    assert [c["seq"] for c in reply["changes"]] == [hello["seq"] + 1, hello["seq"] + 2]
    await room.send_json_to({"type": "catch_up", "after": "yesterday"})
    error = await next_of(room, "error")
    assert error["code"] == "bad_message" and "after" in error["errors"]
    await room.send_to(text_data="{not json")
    error = await next_of(room, "error")
    assert error["code"] == "bad_json"
    await room.disconnect()


async def test_member_removed_mid_session_loses_the_room(project, owner, viewer):
    room, connected, _ = await connect(viewer, project.pk)
    await next_of(room, "hello")
    await next_of(room, "presence")  # the room's member list follows the hello
    from apps.projects.models import Membership

    await sync_to_async(Membership.objects.filter(project=project, user=viewer).delete)()
    await room.send_json_to({"type": "catch_up", "after": 0})
    output = await room.receive_output(timeout=5)
    assert output["type"] == "websocket.close" and output["code"] == 4404


async def test_redis_channel_layer_carries_room_changes(project, owner, editor):
    """The distributed channel layer: a change recorded by one process reaches a socket via Redis."""
    redis_url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/14"
    layers = {"default": {"BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer", "CONFIG": {"hosts": [redis_url]}}}
    from channels.layers import channel_layers

    with override_settings(CHANNEL_LAYERS=layers):
        channel_layers.backends.clear()
        try:
            layer = channel_layers["default"]
            assert type(layer).__name__ == "RedisPubSubChannelLayer"
            room, connected, _ = await connect(editor, project.pk)
            assert connected
            await next_of(room, "hello")
            await sync_to_async(services.create_scene)(project, {"synopsis": "over redis"}, owner)
            message = await next_of(room, "change")
            assert message["change"]["entity"] == "scene"
            await room.disconnect()
        finally:
            channel_layers.backends.clear()
