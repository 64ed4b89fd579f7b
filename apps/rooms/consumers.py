"""The project room socket: /ws/projects/<id>/ (docs/protocol.md).

One room per project (a Channels group). The socket authenticates with the Django session and
must belong to a member; every message is checked again against the caller's current role,
validated against apps.rooms.protocol, and handed to the same services the REST API uses.
The server is the authority: it orders changes by seq, stores them, acknowledges the sender
and broadcasts. Broadcast (group_send) is at-most-once, so correctness comes from the seq and
catch-up; the broadcast is only the fast path.

What goes to one client is coalesced in short windows (apps.rooms.framing) into "batch" frames, so the
frame count stays bounded as rooms grow.
"""

import asyncio
import hashlib
from concurrent.futures import ThreadPoolExecutor
import logging
import time

from channels.db import DatabaseSyncToAsync, database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from apps.projects.access import access_for
from apps.projects.models import Project
from apps.projects.permissions import VIEW

from . import protocol
from .ops import OpError, apply_op, text_state
from .framing import FramedSocket, encode
from .services import changes_since, remember_room_loop, room_group

log = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED = 4401
CLOSE_NOT_FOUND = 4404  # not a member (or no longer one)
MAX_CATCH_UP = 1000  # further behind than this: a snapshot instead of the changes

# Ops run on one thread of their own, not Django's shared "sync" thread (so reads for other
# sockets never queue behind them) and not a pool: writes to a project are serialised by its
# lock anyway, and several threads fighting the event loop for the GIL only make each locked
# write slower (every query gives the GIL away and has to win it back).
OP_EXECUTOR = ThreadPoolExecutor(max_workers=1, thread_name_prefix="room-ops")
run_op = DatabaseSyncToAsync(apply_op, thread_sensitive=False, executor=OP_EXECUTOR)
run_text_state = DatabaseSyncToAsync(text_state, thread_sensitive=False, executor=OP_EXECUTOR)

PALETTE = ("#e07a5f", "#3d85c6", "#81b29a", "#f2cc8f", "#b56576", "#6d597a", "#48cae4", "#f4a261", "#90be6d", "#c77dff")


def colour_for(user_id):
    return PALETTE[int(hashlib.sha256(str(user_id).encode()).hexdigest(), 16) % len(PALETTE)]


class ProjectRoomConsumer(FramedSocket, AsyncWebsocketConsumer):
    adapter = protocol.client_message
    rate_per_s, burst = 40.0, 80.0

    async def connect(self):
        remember_room_loop(asyncio.get_running_loop())
        self.project_id = int(self.scope["url_route"]["kwargs"]["project_id"])
        self.user = self.scope.get("user")
        self.presence_dirty = False
        self.start_outbox()
        self.ops, self.op_worker = asyncio.Queue(), None
        self.members = {}
        if self.user is None or not self.user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        access = await database_sync_to_async(access_for)(self.user, self.project_id)
        if access is None or not access.allows(VIEW):
            await self.close(code=CLOSE_NOT_FOUND)
            return
        self.access = access
        self.group = room_group(self.project_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        # Ops are applied one at a time in the order they came, by a task of their own, so the
        # socket keeps receiving the room's changes while its own op is in the database.
        self.op_worker = asyncio.ensure_future(self.apply_ops())
        self.me = {
            "session": self.channel_name,
            "user": self.user.pk,
            "name": self.user.get_full_name() or self.user.username,
            "colour": colour_for(self.user.pk),
            "role": access.role,
            "focus": None,
            "cursor": None,
        }
        self.members[self.channel_name] = self.me
        last_seq = await database_sync_to_async(lambda: Project.objects.values_list("last_seq", flat=True).get(pk=self.project_id))()
        self.queue({"type": "hello", "project": self.project_id, "seq": last_seq, "role": access.role, "you": self.me})
        self.queue_presence()
        await self.channel_layer.group_send(self.group, {"type": "room.presence", "action": "join", "member": self.me})

    async def disconnect(self, code):
        if hasattr(self, "group"):
            await self.channel_layer.group_send(self.group, {"type": "room.presence", "action": "leave", "member": self.me})
            await self.channel_layer.group_discard(self.group, self.channel_name)
        self.stop_outbox()
        if self.op_worker is not None:
            self.op_worker.cancel()

    # --- Incoming ------------------------------------------------------------------------------

    async def on_op(self, message):
        self.ops.put_nowait(message)  # bounded by the rate limit

    async def apply_ops(self):
        while True:
            message = await self.ops.get()
            try:
                # The role as the room knows it now: refreshed whenever memberships change.
                ack = await run_op(self.user, self.project_id, message.op_id, message.op, self.access)
            except OpError as error:
                self.error(error.code, error.detail, op_id=message.op_id, errors=error.errors)
            except Exception:
                log.exception("room %s: op %s failed", self.project_id, message.op_id)
                self.error("internal", "The server could not apply that op; nothing was applied.", op_id=message.op_id)
            else:
                self.queue({"type": "ack", "op_id": message.op_id, **ack})

    async def on_catch_up(self, message):
        changes, still_member = await database_sync_to_async(self._changes_since)(message.after)
        if not still_member:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        if len(changes) > MAX_CATCH_UP:
            board, seq = await database_sync_to_async(self._snapshot)()
            self.queue({"type": "snapshot", "seq": seq, "board": board})
        else:
            self.queue({"type": "changes", "changes": [change.as_event() for change in changes], "complete": True})

    async def on_presence(self, message):
        # Checked against the access the room holds (refreshed whenever memberships change),
        # like ops: cursor moves arrive ten times a second and must not each cost a query.
        self.me["focus"] = message.focus.model_dump() if message.focus else None
        self.me["cursor"] = message.cursor.model_dump() if message.cursor else None
        await self.channel_layer.group_send(self.group, {"type": "room.presence", "action": "update", "member": self.me})

    async def on_text_sync(self, message):
        state = await run_text_state(self.user, self.project_id, message.entity, message.id, message.field)
        self.queue({"type": "text_state", **state})

    async def on_ping(self, message):
        await self.send_now({"type": "pong", "t": message.t, "server_time": time.time()})

    def _changes_since(self, after):
        if access_for(self.user, self.project_id) is None:
            return [], False
        return changes_since(self.project_id, after, MAX_CATCH_UP + 1), True

    def _snapshot(self):
        from django.db import transaction

        from apps.boards.views import board_for
        from apps.projects.serializers import BoardSerializer

        with transaction.atomic():  # the board and its seq from one moment
            project = Project.objects.get(pk=self.project_id)
            data = BoardSerializer(board_for(project), context={"roles": {project.pk: self.me["role"]}}).data
            return data, project.last_seq

    async def still_member(self):
        access = await database_sync_to_async(access_for)(self.user, self.project_id)
        if access is None:
            await self.close(code=CLOSE_NOT_FOUND)
            return False
        self.access = access
        self.me["role"] = access.role
        return True

    # --- From the room (channel layer) --------------------------------------------------------------

    async def room_change(self, event):
        self.queue_encoded(event["frame"])  # encoded once by the sender, not once per socket

    async def room_render(self, event):
        self.queue_encoded(event["frame"])

    async def room_access_changed(self, event):
        if event.get("user") == self.user.pk:
            await self.still_member()

    async def room_presence(self, event):
        member, action = event["member"], event["action"]
        if member["session"] == self.channel_name:
            return
        if action == "leave":
            self.members.pop(member["session"], None)
        else:
            self.members[member["session"]] = member
            if action == "join":  # tell the newcomer we are here (presence is never stored)
                await self.channel_layer.send(member["session"], {"type": "room.presence", "action": "here", "member": self.me})
        self.queue_presence()

    def extra_frames(self):
        if not self.presence_dirty:
            return []
        self.presence_dirty = False
        members = sorted(self.members.values(), key=lambda m: (m["name"], m["session"]))
        return [encode({"type": "presence", "members": members})]

    def queue_presence(self):
        self.presence_dirty = True  # only the newest member list matters; built at flush
        self.schedule_flush()
