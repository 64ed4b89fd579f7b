"""The review-session socket: /ws/reviews/<id>/ (docs/protocol.md, "Review sessions").

Members of the project and share-link guests of this review connect here. The session's shared
state (what is shown, where playback is, who presents) lives on the Review row, so a late or
reconnecting viewer on any web process lands on the presenter's current frame from its hello.
Playback is described, never streamed: "frame F was shown at server time T at rate R", and
every viewer places itself from that and its estimate of the server clock (ping/pong).

The session's state machine (who presents, playback on one clock, hand-over) is
apps.review.session; this consumer only handles the socket and sends what it decides.

Ephemeral traffic (laser, strokes being drawn, zoom/pan) goes over the review's channel group
and is never stored; comments, annotations and approvals are room ops, stored and broadcast by
the project's change log, which this socket forwards for the shots the review covers.
"""

import asyncio
import logging
import time

from channels.db import DatabaseSyncToAsync, database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.utils import timezone

from apps.changes.broadcast import remember_room_loop, room_group
from apps.projects.ids import parse_id
from apps.projects.permissions import APPROVE, COMMENT
from apps.rooms.consumers import CLOSE_NOT_FOUND, colour_for
from apps.rooms.framing import FramedSocket, encode
from apps.rooms.ops import OP_EXECUTOR, OpError, apply_op

from . import protocol, services, session
from .models import Review
from .protocol import CLOSE_LINK_CLOSED

log = logging.getLogger(__name__)

REVIEW_ENTITIES = ("comment", "annotation", "approval")

run_op = DatabaseSyncToAsync(apply_op, thread_sensitive=False, executor=OP_EXECUTOR)


def review_group(review_id):
    return f"review.{review_id}"


class ReviewSessionConsumer(FramedSocket, AsyncWebsocketConsumer):
    adapter = protocol.review_client_message
    # Strokes stream at pointer rate (batched by the page to ~30 messages a second).
    rate_per_s, burst = 80.0, 160.0

    async def connect(self):
        remember_room_loop(asyncio.get_running_loop())
        self.review_id = parse_id(self.scope["url_route"]["kwargs"]["review_id"])
        self.start_outbox()
        self.groups_joined, self.expiry, self.last_seen = [], None, time.monotonic()
        self.access = None if self.review_id is None else await database_sync_to_async(self._access)()
        if self.access is None:
            await self.refuse(CLOSE_NOT_FOUND)
            return
        self.project_id = self.access.project_id
        self.covered = await database_sync_to_async(services.covered_shot_ids)(self.review_id)
        for group in [review_group(self.review_id), room_group(self.project_id)] + ([services.link_group(self.access.link_id)] if self.access.is_guest else []):
            await self.channel_layer.group_add(group, self.channel_name)
            self.groups_joined.append(group)
        await self.accept()
        if self.access.expires_at is not None:
            # An expiring link cuts its sockets the moment it expires, not at their next message.
            delay = max(0.0, (self.access.expires_at - timezone.now()).total_seconds())
            self.expiry = asyncio.get_running_loop().call_later(delay, lambda: asyncio.ensure_future(self.link_closed("expired")))
        self.me = {
            "session": self.channel_name,
            "name": services.display_name(self.access),
            "colour": colour_for(f"guest-{self.access.guest.pk}" if self.access.is_guest else self.access.user.pk),
            "guest": self.access.is_guest,
            "can_present": session.can_present(self.access),
        }
        state, participants, took_control = await database_sync_to_async(self._join)()
        self.queue(
            {
                "type": "hello",
                "review": self.review_id,
                "project": self.project_id,
                "you": self.me,
                "can_comment": self.access.allows(COMMENT),
                "can_approve": self.access.allows(APPROVE),
                "server_time": time.time(),
                "state": state,
                "participants": participants,
            }
        )
        await self.send_participants(participants)
        if took_control:
            await self.send_state(state, self.channel_name)

    async def disconnect(self, code):
        self.stop_outbox()
        if self.expiry is not None:
            self.expiry.cancel()
        if getattr(self, "me", None) is not None:
            state, participants, passed = await database_sync_to_async(self._leave)()
            await self.send_participants(participants)
            if passed:
                await self.send_state(state, None)
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def send_group(self, message):
        await self.channel_layer.group_send(review_group(self.review_id), message)

    # Encoded once by the sender, not once per socket.
    async def send_participants(self, participants):
        await self.send_group({"type": "review.participants", "frame": encode({"type": "participants", "participants": participants})})

    async def send_state(self, state, by):
        await self.send_group({"type": "review.state", "frame": encode({"type": "state", "state": state, "by": by})})

    # --- Database (sync) -------------------------------------------------------------------------

    def _access(self):
        review = Review.objects.select_related("project").filter(pk=self.review_id).first()
        if review is None:
            return None
        return services.session_access(self.scope.get("user"), self.scope.get("session"), review)

    def _join(self):
        return session.join(self.review_id, self.channel_name, self.access, self.me)

    def _leave(self):
        return session.leave(self.review_id, self.channel_name)

    # --- Incoming --------------------------------------------------------------------------------

    async def on_ping(self, message):
        await self.send_now({"type": "pong", "t": message.t, "server_time": time.time()})
        now = time.monotonic()
        if now - self.last_seen > session.PARTICIPANT_TIMEOUT_S / 4:  # clock sync sends bursts; one write is enough
            self.last_seen = now
            await database_sync_to_async(session.seen)(self.channel_name)

    async def on_control(self, message):
        state = await database_sync_to_async(session.control)(self.review_id, self.channel_name, message.action, message.frame, message.rate, message.item)
        await self.send_state(state, self.channel_name)

    async def on_request_control(self, message):
        if not session.can_present(self.access):
            raise OpError("forbidden", "Guests watch the session; only crew members present.")
        state = await database_sync_to_async(session.set_presenter)(self.review_id, self.channel_name, session.NOBODY)
        if state is not None:  # nobody was presenting: take it
            await self.send_state(state, self.channel_name)
            return
        presenter = await database_sync_to_async(session.presenter_of)(self.review_id)
        await self.channel_layer.send(presenter, {"type": "review.control_request", "session": self.channel_name, "name": self.me["name"]})

    async def on_hand_over(self, message):
        state = await database_sync_to_async(session.set_presenter)(self.review_id, message.to, self.channel_name)
        if state is None:
            raise OpError("forbidden", "Only the presenter can hand control over.")
        await self.send_state(state, self.channel_name)

    async def on_laser(self, message):
        session.check_marks(self.access)
        await self.send_group(
            {
                "type": "review.relay",
                "from": self.channel_name,
                "frame": encode({"type": "laser", "session": self.channel_name, "colour": self.me["colour"], "x": message.x, "y": message.y}),
            }
        )

    async def on_stroke(self, message):
        session.check_marks(self.access)
        if message.shot not in self.covered:
            raise OpError("not_found", "No such shot in this review.")
        event = {"type": "stroke", "session": self.channel_name, **message.model_dump(exclude={"type"})}
        await self.send_group({"type": "review.relay", "from": self.channel_name, "frame": encode(event)})

    async def on_view(self, message):
        view = message.view.model_dump()
        if not await database_sync_to_async(session.set_view)(self.review_id, self.channel_name, view):
            raise OpError("forbidden", "Only the presenter zooms and pans for everyone.")
        await self.send_group(
            {"type": "review.relay", "from": self.channel_name, "frame": encode({"type": "view", "session": self.channel_name, "view": view})}
        )

    async def on_op(self, message):
        if message.op.entity not in REVIEW_ENTITIES:
            raise OpError("forbidden", "A review session takes comments, drawings and decisions; edit the board in the project.")
        ack = await run_op(self.access.user, self.project_id, message.op_id, message.op, self.access)
        self.queue({"type": "ack", "op_id": message.op_id, **ack})

    # --- From the groups -------------------------------------------------------------------------

    async def review_state(self, event):
        self.queue_encoded(event["frame"])

    async def review_participants(self, event):
        self.queue_encoded(event["frame"])

    async def review_relay(self, event):
        if event["from"] != self.channel_name:
            self.queue_encoded(event["frame"])

    async def review_control_request(self, event):
        self.queue({"type": "control_request", "session": event["session"], "name": event["name"]})

    async def review_link_closed(self, event):
        await self.link_closed(event.get("reason", "revoked"))

    async def link_closed(self, reason):
        self.queue({"type": "closed", "reason": f"This link was {reason}."})
        await self.flush()
        await self.close(code=CLOSE_LINK_CLOSED)

    async def room_change(self, event):
        await self.room_changes({"changes": [event]})

    async def room_changes(self, event):
        changes = event["changes"]
        was_covered = {change["shot"] for change in changes if change.get("shot") in self.covered}
        if any(change.get("entity") == "shot" for change in changes):
            # A shot moved in or out of a scene under review, or was added or deleted.
            self.covered = await database_sync_to_async(services.covered_shot_ids)(self.review_id)
        for change in changes:
            if change.get("shot") in was_covered or change.get("shot") in self.covered:
                self.queue_encoded(change["frame"])

    async def room_render(self, event):
        pass  # render progress is for the project's camera panels

    async def room_presence(self, event):
        pass  # the project room's presence; the session has its own participants

    async def room_access_changed(self, event):
        if not self.access.is_guest and event.get("user") == self.access.user.pk:
            access = await database_sync_to_async(self._access)()
            if access is None:
                await self.close(code=CLOSE_NOT_FOUND)
            else:
                self.access = access
