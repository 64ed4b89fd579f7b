"""A small room client for tests: keeps a board state from the change log exactly as a browser
must (apply in seq order, buffer out-of-order changes, catch up after gaps and reconnects,
resend unacknowledged ops with the same op id)."""

import asyncio
import itertools
import json
import random

import websockets

from apps.rooms.protocol import RETRY_LATER

ORDERED_PARENTS = {"scene": "project", "shot": "scene", "panel": "shot"}
CHILDREN = {"scene": ("shot", "scene"), "shot": ("panel", "shot")}


class RoomClient:
    def __init__(self, url, cookie, origin, name):
        self.url, self.cookie, self.origin, self.name = url, cookie, origin, name
        self.state = {}
        self.last_seq = 0
        self.buffer = {}
        self.pending = {}
        self.acks = {}
        self.errors = []
        self.retried, self.resending = 0, None
        self.counter = itertools.count(1)
        self.ws = None
        self.reader = None
        self.hello = asyncio.Event()
        self.caught_up = asyncio.Event()
        self.asking = False  # a catch_up is on its way
        self.members = []

    async def connect(self):
        self.hello.clear()
        self.ws = await websockets.connect(self.url, additional_headers={"Cookie": self.cookie, "Origin": self.origin}, open_timeout=10, max_size=None)
        self.reader = asyncio.ensure_future(self._read(self.ws))
        await asyncio.wait_for(self.hello.wait(), 10)

    async def disconnect(self):
        if self.ws is not None:
            ws, self.ws = self.ws, None
            await ws.close()
            try:
                await asyncio.wait_for(self.reader, 5)
            except (TimeoutError, Exception):
                self.reader.cancel()

    async def send(self, message):
        if self.ws is not None:
            try:
                await self.ws.send(json.dumps(message))
            except websockets.ConnectionClosed:
                pass

    async def op(self, op):
        op_id = f"{self.name}-{next(self.counter)}"
        self.pending[op_id] = op
        await self.send({"type": "op", "op_id": op_id, "op": op})
        return op_id

    async def catch_up(self):
        self.caught_up.clear()
        self.asking = True
        await self.send({"type": "catch_up", "after": self.last_seq})

    async def settle(self, timeout=20):
        """Wait until every op was answered, then catch up so nothing is missing."""
        await self.answered(timeout)
        await self.catch_up()
        await asyncio.wait_for(self.caught_up.wait(), timeout)

    async def answered(self, timeout=20):
        """Wait until every op this client sent was acknowledged or refused."""
        deadline = asyncio.get_running_loop().time() + timeout
        while self.pending or self.buffer:
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"{self.name}: {len(self.pending)} ops unanswered, {len(self.buffer)} changes buffered")
            await asyncio.sleep(0.05)

    async def _read(self, ws):
        try:
            async for frame in ws:
                message = json.loads(frame)
                for item in message["messages"] if message["type"] == "batch" else [message]:
                    await self._handle(item)
        except websockets.ConnectionClosed:
            pass

    async def _handle(self, message):
        kind = message["type"]
        if kind == "hello":
            self.hello.set()
            await self.catch_up()
            for op_id, op in list(self.pending.items()):  # resend: applied at most once
                await self.send({"type": "op", "op_id": op_id, "op": op})
        elif kind == "change":
            self._receive(message["change"])
        elif kind == "changes":
            self.asking = False
            for change in message["changes"]:
                self._receive(change)
            self.caught_up.set()
        elif kind == "snapshot":
            raise AssertionError("snapshot not expected in these tests")
        elif kind == "ack":
            self.pending.pop(message["op_id"], None)
            self.acks[message["op_id"]] = message["seq"]
        elif kind == "error":
            if message["code"] in RETRY_LATER and message.get("op_id"):
                # Dropped unread: everything unanswered is resent in order after a backoff, as
                # the browser does. (One no longer pending was a resent copy of an op already
                # answered: nothing to do.)
                if message["op_id"] in self.pending:
                    self.retried += 1
                    if self.resending is None or self.resending.done():
                        self.resending = asyncio.ensure_future(self._resend_later())
                return
            if message["code"] in RETRY_LATER and not message.get("op_id") and self.asking:
                self.asking = False  # the catch_up was dropped unread: ask again in a moment
                asyncio.get_running_loop().call_later(random.uniform(0.1, 0.3), lambda: asyncio.ensure_future(self.catch_up()))
                return
            if message.get("op_id"):
                self.pending.pop(message["op_id"], None)
            self.errors.append(message)
        elif kind == "presence":
            self.members = message["members"]

    async def _resend_later(self):
        await asyncio.sleep(random.uniform(0.05, 0.15))
        for op_id, op in list(self.pending.items()):
            await self.send({"type": "op", "op_id": op_id, "op": op})

    def _receive(self, change):
        seq = change["seq"]
        if seq <= self.last_seq:
            return
        self.buffer[seq] = change
        while self.last_seq + 1 in self.buffer:
            self.apply(self.buffer.pop(self.last_seq + 1))
            self.last_seq += 1
        if self.buffer and not self.asking:
            # A gap: ask the log for what is missing, once, as the browser does. Every change
            # that arrives while the answer is on its way would ask again, and a storm of
            # catch-ups holds up the socket's ops behind it.
            asyncio.ensure_future(self.catch_up())

    def apply(self, change):
        entity, pk, data, action = change["entity"], change["id"], change["data"], change["action"]
        if entity not in ("scene", "shot", "panel", "character", "location"):
            return
        key = (entity, pk)
        if action == "create":
            self.state[key] = {**data["fields"], "version": data["version"]}
        elif action == "update":
            self.state[key].update(data["fields"])
            self.state[key]["version"] = data["version"]
        elif action == "move":
            row = self.state[key]
            row["rank"], row["version"] = data["rank"], data["version"]
            parent = ORDERED_PARENTS[entity]
            if parent in data and parent != "project":
                row[parent] = data[parent]
        elif action == "delete":
            self._delete(entity, pk)

    def _delete(self, entity, pk):
        self.state.pop((entity, pk), None)
        if entity in CHILDREN:  # the database cascades; the log records only the parent
            child, field = CHILDREN[entity]
            for (kind, child_pk), row in list(self.state.items()):
                if kind == child and row.get(field) == pk:
                    self._delete(child, child_pk)

    def view(self, fields):
        """{(entity, id): {field: value}} for comparison with the database."""
        return {key: {name: row.get(name) for name in fields[key[0]]} for key, row in self.state.items() if key[0] in fields}


class CommunicatorRoomClient(RoomClient):
    """The same client over Channels' in-process WebsocketCommunicator (no network)."""

    def __init__(self, application, path, headers, name):
        super().__init__(path, None, None, name)
        self.application, self.path, self.headers = application, path, headers

    async def connect(self):
        from channels.testing import WebsocketCommunicator

        self.hello.clear()
        communicator = WebsocketCommunicator(self.application, self.path, headers=self.headers)
        connected, code = await communicator.connect(timeout=10)
        if not connected:
            raise OSError(f"refused with {code}")
        self.ws = _CommunicatorSocket(communicator)
        self.reader = asyncio.ensure_future(self._read(self.ws))
        await asyncio.wait_for(self.hello.wait(), 10)

    async def _read(self, ws):
        async for frame in ws:
            message = json.loads(frame)
            for item in message["messages"] if message["type"] == "batch" else [message]:
                await self._handle(item)


class _CommunicatorSocket:
    def __init__(self, communicator):
        self.communicator = communicator
        self.closed = False

    async def send(self, text):
        if not self.closed:
            await self.communicator.send_to(text_data=text)

    async def close(self):
        if not self.closed:
            self.closed = True
            await self.communicator.disconnect()
            self.communicator.output_queue.put_nowait({"type": "websocket.close"})  # wake the reader

    def __aiter__(self):
        return self

    async def __anext__(self):
        # Straight from the queue: the communicator's receive_output() cancels the whole
        # application when it times out.
        output = await self.communicator.output_queue.get()
        if output["type"] == "websocket.close":
            self.closed = True
            raise StopAsyncIteration
        return output["text"]
