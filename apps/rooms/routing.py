from django.urls import re_path

from .consumers import ProjectRoomConsumer

# Any path segment: the consumer reads the id itself, so a malformed one is closed with 4404
# like an unknown project rather than failing the handshake.
websocket_urlpatterns = [
    re_path(r"^ws/projects/(?P<project_id>[^/]+)/$", ProjectRoomConsumer.as_asgi()),
]
