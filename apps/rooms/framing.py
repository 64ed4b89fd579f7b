"""What every studio socket does with frames, both ways: limits, JSON, the rate limit and
protocol validation coming in; error frames and coalesced batches going out.

The project room (apps.rooms.consumers) and review sessions (apps.review.consumers) share it,
so both answer bad input the same way and stay within the same frame budget.
"""

import asyncio
import functools
import json
import logging
import re
import time

import pydantic
from channels.consumer import get_handler_name

from . import protocol
from .ops import OpError

log = logging.getLogger(__name__)

COALESCE_S = 0.008
CLOSE_TOO_MANY = 4429  # kept flooding after rate-limit errors
MAX_VIOLATIONS = 200
MAX_DEPTH = 32  # nesting of a frame's JSON: every message of the protocol needs fewer than ten
OP_ID_AT_START = re.compile(r'\{\s*(?:"type"\s*:\s*"op"\s*,\s*)?"op_id"\s*:\s*"([A-Za-z0-9_.:\-]{1,64})"')


def encode(message):
    return json.dumps(message, separators=(",", ":"))


def error_path(loc, raw):
    """A pydantic error location as a field path, without the union tags pydantic adds
    ("catch_up.after" → "after", "op.set.fields" → "op.fields")."""
    parts = list(loc)
    if parts and isinstance(raw, dict) and parts[0] == raw.get("type"):
        parts = parts[1:]
    if len(parts) > 1 and parts[0] == "op" and isinstance(raw, dict) and isinstance(raw.get("op"), dict) and parts[1] == raw["op"].get("kind"):
        parts = [parts[0]] + parts[2:]
    return ".".join(str(part) for part in parts) or "frame"


def too_deep(value):
    """Whether decoded JSON nests deeper than MAX_DEPTH (walked without recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


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


class FramedSocket:
    """Mixin for an AsyncWebsocketConsumer. Subclasses set `adapter` (the pydantic TypeAdapter
    of their client messages), `rate_per_s` and `burst`, and call start_outbox() on connect."""

    adapter = None
    rate_per_s, burst = 40.0, 80.0

    async def dispatch(self, message):
        # Channels closes stale database connections before every message, a hop to the sync
        # thread; a room relays thousands of messages a second, and every database call in
        # these sockets already goes through database_sync_to_async, which does that itself.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    def start_outbox(self):
        self.outbox, self.flush_handle, self.last_flush = [], None, 0.0
        self.bucket, self.violations = TokenBucket(self.rate_per_s, self.burst), 0

    async def refuse(self, code):
        """Accept, then close with `code` (4401, 4404): a handshake refused before accept
        reaches the browser as an HTTP 403, which it cannot tell from a network fault (close
        code 1006), so it would keep reconnecting instead of saying why."""
        await self.accept()
        await self.close(code=code)

    def backlog(self):
        """Bytes sent to this socket that its connection has not written out yet: what piles up
        in the server when a client reads slower than it is sent to. Read from Daphne's
        transport (Twisted buffers what the kernel will not take yet); 0 where the server does
        not say (Channels' test communicator)."""
        send = getattr(self, "base_send", None)
        for _ in range(4):  # Daphne's send is partial(handle_reply, protocol), maybe wrapped by the session middleware
            if isinstance(send, functools.partial):
                transport = getattr(send.args[0], "transport", None) if send.args else None
                buffered = getattr(transport, "dataBuffer", None)
                if buffered is None:
                    return 0
                return len(buffered) - getattr(transport, "offset", 0) + getattr(transport, "_tempDataLen", 0)
            send = getattr(getattr(send, "__self__", None), "real_send", None)
        return 0

    def stop_outbox(self):
        if getattr(self, "flush_handle", None) is not None:
            self.flush_handle.cancel()

    async def receive(self, text_data=None, bytes_data=None):
        """Read, check and hand a frame to its `on_<type>` handler; whatever goes wrong costs
        one error frame, never the socket."""
        message = await self.read_frame(text_data, bytes_data)
        if message is None:
            return
        op_id = getattr(message, "op_id", None)
        try:
            await getattr(self, f"on_{message.type}")(message)
        except OpError as error:
            self.error(error.code, error.detail, op_id=op_id, errors=error.errors)
        except Exception:
            log.exception("%s: %s failed", self.scope.get("path"), message.type)
            self.error("internal", "The server could not handle that message; nothing was applied.", op_id=op_id)

    async def read_frame(self, text_data, bytes_data):
        """The validated message of a frame, or None after answering with an error frame."""
        raw, op_id, problem = self.parse(text_data, bytes_data)
        # Every frame costs a token, whatever it holds: binary, oversize and broken ones too.
        if not self.bucket.take():
            self.violations += 1
            if self.violations > MAX_VIOLATIONS:
                await self.close(code=CLOSE_TOO_MANY)
                return None
            # With the op id, so the client resends exactly that op a little later.
            return self.error("rate_limited", f"More than {int(self.rate_per_s)} messages a second; this one was dropped, resend it later.", op_id=op_id)
        if problem is not None:
            return self.error(*problem, op_id=op_id)
        try:
            return self.adapter.validate_python(raw)
        except pydantic.ValidationError as error:
            errors = {}
            for item in error.errors():
                errors.setdefault(error_path(item["loc"], raw), []).append(item["msg"])
            return self.error("bad_message", "That message does not follow the protocol.", op_id=op_id, errors=errors)

    def parse(self, text_data, bytes_data):
        """(the frame's JSON, its op id if any, (code, detail) if it cannot be used)."""
        if bytes_data is not None or text_data is None:
            return None, None, ("bad_message", "Send JSON text frames.")
        # Counted in UTF-8 bytes, as the limit is: "é" is two. Encoding is only needed when the
        # characters alone could be over it (a character is at most four bytes).
        if len(text_data) * 4 > protocol.MAX_FRAME_BYTES and len(text_data.encode()) > protocol.MAX_FRAME_BYTES:
            # Not parsed (that is the cost the limit avoids); the op id, when it comes first as
            # clients send it, lets the client drop that op instead of resending it forever.
            match = OP_ID_AT_START.match(text_data)
            detail = f"Frames are limited to {protocol.MAX_FRAME_BYTES // 1024} KiB; nothing was applied."
            return None, match and match.group(1), ("too_large", detail)
        try:
            raw = json.loads(text_data)
        except ValueError:
            return None, None, ("bad_json", "That frame is not valid JSON.")
        except RecursionError:
            return None, None, ("bad_json", f"That frame nests deeper than {MAX_DEPTH} levels.")
        op_id = raw.get("op_id") if isinstance(raw, dict) and isinstance(raw.get("op_id"), str) else None
        # Brackets in the text bound the depth: only a frame with many of them is walked.
        if text_data.count("[") + text_data.count("{") > MAX_DEPTH and too_deep(raw):
            return None, op_id, ("bad_message", f"That frame nests deeper than {MAX_DEPTH} levels; nothing was applied.")
        return raw, op_id, None

    def error(self, code, detail, op_id=None, errors=None):
        message = {"type": "error", "code": code, "detail": detail}
        if op_id:
            message["op_id"] = op_id
        if errors:
            message["errors"] = errors
        self.queue(message)

    async def send_now(self, message):
        """Send at once, with whatever is queued, skipping the coalescing window: a clock
        sync reply that waits for the window would carry the wait into the clock estimate."""
        self.queue(message)
        if self.flush_handle is not None:
            self.flush_handle.cancel()
        await self.flush()

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
        await self.send_frames(frames)

    async def send_shared(self, frames, text):
        """Send frames that go to many sockets alike (`text` is them as one frame, built once),
        with whatever this socket has queued for itself, as one frame."""
        if self.outbox:
            if self.flush_handle is not None:
                self.flush_handle.cancel()
                self.flush_handle = None
            own, self.outbox = self.outbox, []
            await self.send_frames(own + frames)
        else:
            await self.send_text(text)

    async def send_frames(self, frames):
        if frames:
            await self.send_text(as_one_frame(frames))

    async def send_text(self, text):
        try:
            await self.send(text_data=text)
        except Exception:  # the socket went away between queueing and sending
            log.debug("send failed", exc_info=True)


def as_one_frame(frames):
    """Encoded messages as one frame: the message itself, or a batch of them."""
    return frames[0] if len(frames) == 1 else '{"type":"batch","messages":[' + ",".join(frames) + "]}"
