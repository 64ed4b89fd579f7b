from django.urls import path

from .consumers import ReviewSessionConsumer

websocket_urlpatterns = [
    path("ws/reviews/<int:review_id>/", ReviewSessionConsumer.as_asgi()),
]
