"""ASGI entry point served by Daphne: HTTP goes to Django, WebSockets to the room consumers."""

import gc
import os
import sys

from django.core.asgi import get_asgi_application

# The room's write thread gives up the GIL at every query and must win it back from the event
# loop; Python's default 5 ms switch interval turns ten queries into ~50 ms of waiting.
sys.setswitchinterval(0.0005)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings")
django_asgi_app = get_asgi_application()  # set up Django before importing consumers

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from apps.review.routing import websocket_urlpatterns as review_sockets  # noqa: E402
from apps.rooms.routing import websocket_urlpatterns as room_sockets  # noqa: E402
from studio.middleware import RequestSizeLimit  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": RequestSizeLimit(django_asgi_app),
        "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(room_sockets + review_sockets))),
    }
)

# Everything loaded so far (Django, the apps, torch's modules…) lives as long as the process:
# move it out of the collector's sight. Otherwise each full collection walks those ~140k
# objects and stalls every socket for 100–200 ms (bench/review.py saw it as the stroke p99).
gc.freeze()
