from django.urls import re_path

from .consumers import ReviewSessionConsumer

# Any path segment: the consumer reads the id itself (see apps.rooms.routing).
websocket_urlpatterns = [
    re_path(r"^ws/reviews/(?P<review_id>[^/]+)/$", ReviewSessionConsumer.as_asgi()),
]
