"""The project room socket: /ws/projects/<id>/ (docs/protocol.md).

One room per project (a Channels group). The socket authenticates with the Django session and
must belong to a member; every message is checked again against the caller's current role,
validated against apps.rooms.protocol, and handed to the same services the REST API uses.
The server is the authority: it orders changes by seq, stores them, acknowledges the sender
and broadcasts. Broadcast (group_send) is at-most-once, so correctness comes from the seq and
catch-up; the broadcast is only the fast path.

What goes to one client is coalesced in short windows (COALESCE_S) into "batch" frames, so the
frame count stays bounded as rooms grow.
"""

import asyncio
import hashlib
from concurrent.futures import ThreadPoolExecutor
import json
import logging
import time

import pydantic
from channels.db import DatabaseSyncToAsync, database_sync_to_async
from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncWebsocketConsumer

from apps.projects.access import access_for
from apps.projects.models import Project
from apps.projects.permissions import VIEW

from . import protocol
from .ops import OpError, apply_op, text_state
from .services import changes_since, remember_room_loop, room_group

log = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED = 4401
CLOSE_NOT_FOUND = 4404  # not a member (or no longer one)
CLOSE_TOO_MANY = 4429  # kept flooding after rate-limit errors
MAX_CATCH_UP = 1000  # further behind than this: a snapshot instead of the changes
COALESCE_S = 0.008
RATE_PER_S, BURST = 40.0, 80.0
MAX_VIOLATIONS = 200

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


def error_path(loc, raw):
    """A pydantic error location as a field path, without the union tags pydantic adds
    ("catch_up.after" → "after", "op.set.fields" → "op.fields")."""
    parts = list(loc)
    if parts and isinstance(raw, dict) and parts[0] == raw.get("type"):
        parts = parts[1:]
    if len(parts) > 1 and parts[0] == "op" and isinstance(raw, dict) and isinstance(raw.get("op"), dict) and parts[1] == raw["op"].get("kind"):
        parts = [parts[0]] + parts[2:]
    return ".".join(str(part) for part in parts) or "frame"


class TokenBucket:
    def __init__(self, rate, burst):
        self.rate, self.burst, self.tokens, self.stamp = rate, burst, burst, time.monotonic()

    def take(self):
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


class ProjectRoomConsumer(AsyncWebsocketConsumer):
    async def dispatch(self, message):
        # Channels closes stale database connections before every message, a hop to the sync
        # thread; a room relays thousands of messages a second, and every database call here
        # already goes through database_sync_to_async, which does that itself.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def connect(self):
        remember_room_loop(asyncio.get_running_loop())
        self.project_id = int(self.scope["url_route"]["kwargs"]["project_id"])
        self.user = self.scope.get("user")
        self.outbox, self.flush_handle, self.last_flush, self.presence_dirty = [], None, 0.0, False
        self.ops, self.op_worker = asyncio.Queue(), None
        self.bucket, self.violations = TokenBucket(RATE_PER_S, BURST), 0
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
        if self.flush_handle is not None:
            self.flush_handle.cancel()
        if self.op_worker is not None:
            self.op_worker.cancel()

    # --- Incoming ------------------------------------------------------------------------------

    async def receive(self, text_data=None, bytes_data=None):
        if bytes_data is not None or text_data is None:
            return self.error("bad_message", "Send JSON text frames.")
        if len(text_data) > protocol.MAX_FRAME_BYTES:
            return self.error("too_large", f"Frames are limited to {protocol.MAX_FRAME_BYTES // 1024} KiB; nothing was applied.")
        try:
            raw = json.loads(text_data)
        except ValueError:
            raw = None
        op_id = raw.get("op_id") if isinstance(raw, dict) and isinstance(raw.get("op_id"), str) else None
        if not self.bucket.take():
            self.violations += 1
            if self.violations > MAX_VIOLATIONS:
                await self.close(code=CLOSE_TOO_MANY)
                return
            # With the op id, so the client resends exactly that op a little later.
            return self.error("rate_limited", f"More than {int(RATE_PER_S)} messages a second; this one was dropped, resend it later.", op_id=op_id)
        if raw is None and text_data.strip() != "null":
            return self.error("bad_json", "That frame is not valid JSON.")
        try:
            message = protocol.client_message.validate_python(raw)
        except pydantic.ValidationError as error:
            errors = {}
            for item in error.errors():
                errors.setdefault(error_path(item["loc"], raw), []).append(item["msg"])
            return self.error("bad_message", "That message does not follow the room protocol.", op_id=op_id, errors=errors)
        try:
            await getattr(self, f"on_{message.type}")(message)
        except OpError as error:
            self.error(error.code, error.detail, op_id=op_id, errors=error.errors)
        except Exception:  # a bug must cost one error frame, never the socket
            log.exception("room %s: %s failed", self.project_id, message.type)
            self.error("internal", "The server could not handle that message; nothing was applied.", op_id=op_id)

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
        self.queue({"type": "pong", "t": message.t, "server_time": time.time()})

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

    # --- Outgoing --------------------------------------------------------------------------------

    def queue_presence(self):
        self.presence_dirty = True  # only the newest member list matters; built at flush
        self.schedule_flush()

    def error(self, code, detail, op_id=None, errors=None):
        message = {"type": "error", "code": code, "detail": detail}
        if op_id:
            message["op_id"] = op_id
        if errors:
            message["errors"] = errors
        self.queue(message)

    def queue(self, message):
        self.queue_encoded(encode(message))

    def queue_encoded(self, frame):
        self.outbox.append(frame)
        self.schedule_flush()

    def schedule_flush(self):
        """Send at most one frame per COALESCE_S: the first message of a quiet spell goes at
        once (next loop turn), what follows it waits for the window and goes as one batch."""
        if self.flush_handle is not None:
            return
        loop = asyncio.get_running_loop()
        wait = max(0.0, self.last_flush + COALESCE_S - loop.time())
        self.flush_handle = loop.call_later(wait, lambda: asyncio.ensure_future(self.flush()))

    async def flush(self):
        self.flush_handle = None
        self.last_flush = asyncio.get_running_loop().time()
        frames, self.outbox = self.outbox, []
        if self.presence_dirty:
            self.presence_dirty = False
            members = sorted(self.members.values(), key=lambda m: (m["name"], m["session"]))
            frames.append(encode({"type": "presence", "members": members}))
        if not frames:
            return
        text = frames[0] if len(frames) == 1 else '{"type":"batch","messages":[' + ",".join(frames) + "]}"
        try:
            await self.send(text_data=text)
        except Exception:  # the socket went away between queueing and sending
            log.debug("room %s: send failed", self.project_id, exc_info=True)


def encode(message):
    return json.dumps(message, separators=(",", ":"))
