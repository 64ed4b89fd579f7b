"""Telling a project's room (a Channels group) what happened.

Writers call these after their transaction commits (apps.changes.log does it for every recorded
change); the room's sockets (apps.rooms) and review sessions (apps.review) are the groups'
members. Best effort: group_send is at-most-once, and a socket that missed a message catches up
by seq from the change log.
"""

import asyncio
import json
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.serializers.json import DjangoJSONEncoder

log = logging.getLogger(__name__)


def room_group(project_id):
    return f"project.{project_id}"


def render_frame(job_event):
    """A render progress message for the room, encoded once."""
    return {"type": "room.render", "frame": json.dumps({"type": "render", "job": job_event}, separators=(",", ":"), cls=DjangoJSONEncoder)}


_room_loop = None


def remember_room_loop(loop):
    """Called by room sockets: the event loop that owns this process's sockets."""
    global _room_loop
    _room_loop = loop


def broadcast(project_id, message):
    """Best-effort fan-out to the room (group_send is at-most-once; seq + catch-up repair gaps)."""
    broadcast_to_group(room_group(project_id), message)


def broadcast_to_group(group, message):
    """Best-effort group_send from any thread of this process (a socket's, a writer's, a worker's)."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        loop = _room_loop
        if loop is not None and loop.is_running():
            # This process serves sockets: hand the send to its event loop and do not wait for
            # it. Writers (the room's op thread, the embedded render worker) never stall on a
            # busy loop, and the in-memory layer's queues, which belong to that loop, are only
            # touched from it. Sends keep their order (the loop runs them first come, first
            # served), and a client reorders by seq anyway.
            try:
                running = asyncio.get_running_loop()
            except RuntimeError:
                running = None
            if running is loop:
                loop.create_task(layer.group_send(group, message))
            else:
                asyncio.run_coroutine_threadsafe(layer.group_send(group, message), loop).add_done_callback(_log_failure)
        else:
            async_to_sync(layer.group_send)(group, message)
    except Exception:  # the change is stored; a room that missed it catches up by seq
        log.exception("broadcast to %s failed", group)


def _log_failure(future):
    if not future.cancelled() and future.exception() is not None:
        log.error("room broadcast failed", exc_info=future.exception())
