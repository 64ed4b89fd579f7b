"""This process's part of a project room: one hub per project per process, between the room's
channel-layer group and the process's room sockets.

Why a hub and not a channel per socket: a Channels group_send reaches every channel in the
group, so with a channel per socket one change in a room of a hundred people is a hundred
channel-layer deliveries and a hundred consumer dispatches here, ~40 µs of Python each. The hub
is the process's one member of the group: it receives each change once and, at its next flush,
sends the same bytes to every socket (what the room sees is the same for everyone). Presence is
kept here too (one member list per process, built once per flush), and the sockets' ops are
queued here, so the ops that arrive while earlier ones are being written are applied together
(apps.rooms.ops.apply_ops).

Frames stay bounded as a room grows: the hub flushes at most once per window, and the window
widens with the number of sockets (FRAMES_PER_S / sockets, from 8 to 16 ms), so a busy room
costs the process at most about FRAMES_PER_S frames a second up to ~80 sockets, and each
socket at most one frame per 16 ms beyond.
"""

import asyncio
import logging
from collections import deque

from channels.db import DatabaseSyncToAsync

from apps.changes.broadcast import room_group

from .framing import COALESCE_S, as_one_frame, encode
from .ops import OP_EXECUTOR, OpError, apply_ops

log = logging.getLogger(__name__)

FRAMES_PER_S = 5000  # what one process sends comfortably next to its other work
MAX_WINDOW_S = 0.016  # and no wider: past this a remote edit stops feeling live
MAX_BATCH = 64  # ops applied in one transaction at most
# Ops waiting for the writer, at most: several seconds of work (a busy room applies ~150-200
# ops/s on a small machine). Past it an op is answered "busy" at once (the client resends it
# after a backoff) rather than queued behind a backlog that only grows while the room cannot
# keep up. Not smaller: clients that were answered busy back off for up to 8 s, and a bound of
# under a second of work let the queue run dry while they waited, so the writer idled and the
# room applied a quarter fewer ops (bench/realtime.py, 100 clients x 200 ops/s: 132 ops/s at
# 256, 174 at a bound it never reached).
MAX_QUEUED_OPS = 1024
# How long a socket's later ops wait behind its op that was answered busy. Clients resend
# within seconds (the browser backs off to 8 s at most); past this the refused op is taken as
# abandoned, so one op a client never resends cannot hold back its edits for good.
REFUSED_OP_HOLD_S = 20.0
# A socket whose connection holds more than this unwritten (a client that stopped reading, or
# reads slower than the room talks) is sent nothing more until it has drained to a quarter of
# it; then it gets what it missed from the log (catch-up, or a snapshot when far behind).
MAX_BACKLOG_BYTES = 2 * 1024 * 1024
LAG_CHECK_S = 0.25

_hubs = {}  # (event loop, project id) -> RoomHub


async def join(socket):
    """The hub of the socket's room in this process (started if need be), with the socket in it."""
    key = (asyncio.get_running_loop(), socket.project_id)
    hub = _hubs.get(key)
    if hub is None:
        hub = _hubs[key] = RoomHub(socket.project_id, socket.channel_layer)
        hub.started = asyncio.ensure_future(hub.start())
    hub.users += 1  # counted before the wait, so a last socket leaving meanwhile keeps the hub
    try:
        await asyncio.shield(hub.started)
    except BaseException:
        await leave(socket, hub)
        raise
    await hub.add(socket)
    return hub


async def leave(socket, hub):
    await hub.remove(socket)
    hub.users -= 1
    if hub.users == 0:
        key = (asyncio.get_running_loop(), hub.project_id)
        if _hubs.get(key) is hub:
            del _hubs[key]
        await hub.stop()


class RoomHub:
    def __init__(self, project_id, layer):
        self.project_id, self.layer, self.group = project_id, layer, room_group(project_id)
        self.users, self.started = 0, None
        self.sockets = {}  # session (the socket's channel name) -> socket, in this process
        self.members = {}  # session -> member, everyone in the room (every process)
        self.outbox, self.presence_dirty = [], False
        self.flush_handle, self.last_flush = None, 0.0
        self.ops, self.applying = deque(), None
        self.channel, self.listener = None, None
        self.outbox_seq = self.flushed_seq = 0  # the last seq queued / sent to the sockets
        self.lag_timer = None

    # --- Lifecycle ------------------------------------------------------------------------------

    async def start(self):
        self.channel = await self.layer.new_channel("room-hub.")
        await self.layer.group_add(self.group, self.channel)
        self.listener = asyncio.ensure_future(self.listen())

    async def stop(self):
        for handle in (self.flush_handle, self.lag_timer):
            if handle is not None:
                handle.cancel()
        if self.listener is not None:
            self.listener.cancel()
        if self.channel is not None:
            await self.layer.group_discard(self.group, self.channel)

    async def add(self, socket):
        self.sockets[socket.channel_name] = socket
        self.members[socket.channel_name] = socket.me
        self.mark_presence()
        await self.layer.group_send(self.group, {"type": "room.presence", "action": "join", "member": socket.me, "hub": self.channel})

    async def remove(self, socket):
        if self.sockets.pop(socket.channel_name, None) is not None:
            self.members.pop(socket.channel_name, None)
            self.mark_presence()
            await self.layer.group_send(self.group, {"type": "room.presence", "action": "leave", "member": socket.me})

    async def presence_changed(self, socket):
        self.mark_presence()
        await self.layer.group_send(self.group, {"type": "room.presence", "action": "update", "member": socket.me})

    # --- From the room (channel layer) ----------------------------------------------------------

    async def listen(self):
        while True:
            message = await self.layer.receive(self.channel)
            try:
                await self.handle(message)
            except Exception:
                log.exception("room %s: hub could not handle %s", self.project_id, message.get("type"))

    async def handle(self, message):
        kind = message["type"]
        if kind in ("room.change", "room.render"):
            self.outbox.append(message["frame"])  # encoded once by the sender
            self.outbox_seq = max(self.outbox_seq, message.get("seq") or 0)
            self.schedule_flush()
        elif kind == "room.changes":  # the changes of ops applied together
            self.outbox.extend(change["frame"] for change in message["changes"])
            self.outbox_seq = max([self.outbox_seq] + [change["seq"] for change in message["changes"]])
            self.schedule_flush()
        elif kind == "room.presence":
            await self.presence(message)
        else:  # rare room-wide events (a membership changed): each socket decides
            for socket in list(self.sockets.values()):
                await socket.dispatch(message)

    async def presence(self, event):
        action = event["action"]
        if action == "here":  # another process's members, answering our join
            for member in event["members"]:
                self.members.setdefault(member["session"], member)
            self.mark_presence()
            return
        member = event["member"]
        if member["session"] in self.sockets:
            return  # our own socket: already known, and current
        if action == "leave":
            self.members.pop(member["session"], None)
        else:
            self.members[member["session"]] = member
            if action == "join" and self.sockets:  # tell the newcomer's process who is here (presence is never stored)
                mine = [socket.me for socket in self.sockets.values()]
                await self.layer.send(event["hub"], {"type": "room.presence", "action": "here", "members": mine})
        self.mark_presence()

    # --- To the sockets -------------------------------------------------------------------------

    def mark_presence(self):
        self.presence_dirty = True  # only the newest member list matters; built at flush
        self.schedule_flush()

    def window(self):
        return min(MAX_WINDOW_S, max(COALESCE_S, len(self.sockets) / FRAMES_PER_S))

    def schedule_flush(self):
        """At most one flush per window: the first message of a quiet spell goes on the next
        loop turn, what follows waits for the window and goes with it."""
        if self.flush_handle is not None:
            return
        loop = asyncio.get_running_loop()
        wait = max(0.0, self.last_flush + self.window() - loop.time())
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
        text = as_one_frame(frames)
        for socket in list(self.sockets.values()):
            if not self.lagging(socket):
                await socket.send_shared(frames, text)
        self.flushed_seq = self.outbox_seq

    def lagging(self, socket):
        """Whether a socket is too far behind to be sent more (MAX_BACKLOG_BYTES): it then gets
        what it missed from the log once it has drained, not a backlog that grows without end."""
        if socket.lagging_after is None:
            if socket.backlog() <= MAX_BACKLOG_BYTES:
                return False
            socket.lagging_after = self.flushed_seq  # it was sent everything up to here
            self.watch_lagging()
        return True

    def watch_lagging(self):
        if self.lag_timer is None:
            self.lag_timer = asyncio.get_running_loop().call_later(LAG_CHECK_S, self.resume_lagging)

    def resume_lagging(self):
        self.lag_timer = None
        for socket in list(self.sockets.values()):
            if socket.lagging_after is None:
                continue
            if socket.backlog() > MAX_BACKLOG_BYTES // 4:
                self.watch_lagging()
                continue
            after, socket.lagging_after = socket.lagging_after, None
            asyncio.ensure_future(socket.catch_up_from(after))
            self.mark_presence()  # the member list may have changed meanwhile

    # --- Ops ------------------------------------------------------------------------------------

    def submit(self, socket, message):
        """Queue a socket's op; ops are applied in the order they came, and those that queued
        up while the writer was busy go together."""
        # Once an op of a socket is answered busy, so are its later ops until that one comes
        # back: clients resend their ops in the order they made them, so none overtakes another.
        now = asyncio.get_running_loop().time()
        waiting_for, refused_at = socket.refused_op or (None, 0.0)
        if waiting_for is not None and now - refused_at > REFUSED_OP_HOLD_S:
            waiting_for = None
        if (waiting_for is not None and message.op_id != waiting_for) or len(self.ops) >= MAX_QUEUED_OPS:
            if waiting_for in (None, message.op_id):  # a resent copy refused again holds anew
                socket.refused_op = (message.op_id, now)
            socket.error("busy", "The room is busy; nothing was applied, resend this op in a moment.", op_id=message.op_id)
            return
        socket.refused_op = None
        self.ops.append((socket, message))
        if self.applying is None or self.applying.done():
            self.applying = asyncio.ensure_future(self.apply_queued())

    async def apply_queued(self):
        while self.ops:
            batch, results = await run_queued(self.project_id, self.ops)
            for (socket, message), result in zip(batch, results):
                socket.op_done(message.op_id, result)


def apply_queued(project_id, queue):
    """On the op thread: take what has queued by now (the writer may have been busy with other
    rooms' ops) and apply it together. Returns the ops taken and their results."""
    batch = []
    while queue and len(batch) < MAX_BATCH:
        batch.append(queue.popleft())  # deque: safe against the event loop appending
    try:
        # Each socket's access as the room knows it now (refreshed when memberships change).
        return batch, apply_ops(project_id, [(socket.access, message.op_id, message.op) for socket, message in batch])
    except Exception:
        log.exception("room %s: %s ops failed", project_id, len(batch))
        return batch, [OpError("internal", "The server could not apply that op; nothing was applied.")] * len(batch)


run_queued = DatabaseSyncToAsync(apply_queued, thread_sensitive=False, executor=OP_EXECUTOR)
