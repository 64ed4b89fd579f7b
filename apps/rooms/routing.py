from django.urls import path

from .consumers import ProjectRoomConsumer

websocket_urlpatterns = [
    path("ws/projects/<int:project_id>/", ProjectRoomConsumer.as_asgi()),
]
