"""The project room socket: /ws/projects/<id>/ (docs/protocol.md).

One room per project (a Channels group). The socket authenticates with the Django session and
must belong to a member; every message is checked again against the caller's current role,
validated against apps.rooms.protocol, and handed to the same services the REST API uses.
The server is the authority: it orders changes by seq, stores them, acknowledges the sender
and broadcasts. Broadcast (group_send) is at-most-once, so correctness comes from the seq and
catch-up; the broadcast is only the fast path.

The process's sockets in one room share a hub (apps.rooms.hub): it is the room group's one
member in this process, sends the room's changes and presence to every socket in coalesced
"batch" frames, and queues the sockets' ops so those that arrive together are written together.
What is for one socket alone (hello, acks, errors, catch-up) goes through its own outbox
(apps.rooms.framing).
"""

import asyncio
import hashlib
import time

from channels.db import DatabaseSyncToAsync, database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from apps.changes.broadcast import remember_room_loop
from apps.changes.log import changes_since
from apps.projects.access import access_for
from apps.projects.ids import parse_id
from apps.projects.models import Project
from apps.projects.permissions import VIEW

from . import hub as hubs
from . import protocol
from .framing import FramedSocket, encode
from .ops import OP_EXECUTOR, OpError, text_state
from .protocol import CLOSE_NOT_FOUND, CLOSE_UNAUTHENTICATED

MAX_CATCH_UP = 1000  # further behind than this: a snapshot instead of the changes

run_text_state = DatabaseSyncToAsync(text_state, thread_sensitive=False, executor=OP_EXECUTOR)

PALETTE = ("#e07a5f", "#3d85c6", "#81b29a", "#f2cc8f", "#b56576", "#6d597a", "#48cae4", "#f4a261", "#90be6d", "#c77dff")


def colour_for(user_id):
    return PALETTE[int(hashlib.sha256(str(user_id).encode()).hexdigest(), 16) % len(PALETTE)]


class ProjectRoomConsumer(FramedSocket, AsyncWebsocketConsumer):
    adapter = protocol.client_message
    rate_per_s, burst = 40.0, 80.0

    async def connect(self):
        remember_room_loop(asyncio.get_running_loop())
        self.project_id = parse_id(self.scope["url_route"]["kwargs"]["project_id"])
        self.user = self.scope.get("user")
        self.hub, self.refused_op, self.lagging_after = None, None, None
        self.start_outbox()
        if self.user is None or not self.user.is_authenticated:
            await self.refuse(CLOSE_UNAUTHENTICATED)
            return
        access = None if self.project_id is None else await database_sync_to_async(access_for)(self.user, self.project_id)
        if access is None or not access.allows(VIEW):
            await self.refuse(CLOSE_NOT_FOUND)
            return
        self.access = access
        self.me = {
            "session": self.channel_name,
            "user": self.user.pk,
            "name": self.user.get_full_name() or self.user.username,
            "colour": colour_for(self.user.pk),
            "role": access.role,
            "focus": None,
            "cursor": None,
        }
        # Into the room before reading its seq, so no change can fall between the two: one
        # committed in between reaches the client both ways, and it drops the copy it has by
        # seq. What the room sends before the hello is kept for after it.
        self.joining = True
        self.hub = await hubs.join(self)
        last_seq = await database_sync_to_async(lambda: Project.objects.values_list("last_seq", flat=True).get(pk=self.project_id))()
        await self.accept()
        self.joining = False
        self.outbox.insert(0, encode({"type": "hello", "project": self.project_id, "seq": last_seq, "role": access.role, "you": self.me}))
        self.schedule_flush()

    async def send_shared(self, frames, text):
        if self.joining:
            self.outbox.extend(frames)
        else:
            await super().send_shared(frames, text)

    async def disconnect(self, code):
        if self.hub is not None:
            hub, self.hub = self.hub, None
            await hubs.leave(self, hub)
        self.stop_outbox()

    # --- Incoming ------------------------------------------------------------------------------

    async def on_op(self, message):
        self.hub.submit(self, message)  # bounded: past hub.MAX_QUEUED_OPS it answers "busy"

    def op_done(self, op_id, result):
        if isinstance(result, OpError):
            self.error(result.code, result.detail, op_id=op_id, errors=result.errors)
        else:
            conflict = result.pop("conflict", None)
            if conflict:  # before the ack, so the client still holds the op it names
                self.queue({"type": "conflict", "op_id": op_id, "id": result["id"], **conflict})
            self.queue({"type": "ack", "op_id": op_id, **result})

    async def on_catch_up(self, message):
        await self.catch_up_from(message.after)

    async def catch_up_from(self, after):
        """The changes after `after` from the log, or a snapshot when too far behind (also
        what the hub sends a socket that fell behind once it has drained)."""
        changes, still_member = await database_sync_to_async(self._changes_since)(after)
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
        await self.hub.presence_changed(self)

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

        from apps.boards.selectors import board_for
        from apps.boards.serializers import BoardSerializer

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

    # --- From the room (through the hub) -------------------------------------------------------

    async def room_access_changed(self, event):
        if event.get("user") == self.user.pk:
            await self.still_member()
