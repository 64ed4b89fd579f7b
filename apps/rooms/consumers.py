"""The project room socket: /ws/projects/<id>/.

On connect the caller must be a member (else the socket closes with 4404, the socket's 404).
The room relays every recorded change (with its seq) and render progress to everyone in the
project. A client that missed changes sends {"type": "catch_up", "after": <last seq seen>} and
gets them replayed from the log. Co-editing operations sent from the browser come with the
real-time rooms work (docs/protocol.md).
"""

import asyncio

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from apps.projects.access import access_for
from apps.projects.models import Project
from apps.projects.permissions import VIEW

from .services import changes_since, remember_room_loop, room_group

CLOSE_NOT_FOUND = 4404
CLOSE_UNAUTHENTICATED = 4401
MAX_CATCH_UP = 1000


class ProjectRoomConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        remember_room_loop(asyncio.get_running_loop())
        self.project_id = int(self.scope["url_route"]["kwargs"]["project_id"])
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        access = await database_sync_to_async(access_for)(user, self.project_id)
        if access is None or not access.allows(VIEW):
            await self.close(code=CLOSE_NOT_FOUND)
            return
        self.group = room_group(self.project_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        last_seq = await database_sync_to_async(lambda: Project.objects.values_list("last_seq", flat=True).get(pk=self.project_id))()
        await self.send_json({"type": "hello", "project": self.project_id, "seq": last_seq, "role": access.role})

    async def disconnect(self, code):
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        # Re-check membership on every message: a member removed mid-session loses the room.
        access = await database_sync_to_async(access_for)(self.scope["user"], self.project_id)
        if access is None:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        if not isinstance(content, dict) or content.get("type") != "catch_up":
            await self.send_json({"type": "error", "code": "unknown_type", "detail": "This room accepts only catch_up for now."})
            return
        after = content.get("after")
        if not isinstance(after, int) or after < 0:
            await self.send_json({"type": "error", "code": "bad_field", "field": "after", "detail": "after must be the last seq you saw (an integer ≥ 0)."})
            return
        changes = await database_sync_to_async(changes_since)(self.project_id, after, MAX_CATCH_UP)
        await self.send_json({"type": "changes", "changes": [change.as_event() for change in changes], "complete": len(changes) < MAX_CATCH_UP})

    async def decode_json(self, text_data):
        import json

        try:
            return json.loads(text_data)
        except ValueError:
            return None

    async def room_change(self, event):
        await self.send_json({"type": "change", "change": event["change"]})

    async def room_render(self, event):
        await self.send_json({"type": "render", "job": event["job"]})
