"""The ASGI application: Django's HTTP handling and the `/ws` websocket behind a Channels router.

`pyflare serve` and any ASGI server (uvicorn, daphne) load `webapp.asgi:application`. Websockets
get the session (cookie) user for the UI; programs authenticate with an API key (webapp.realtime.auth).
"""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webapp.settings")

from channels.auth import AuthMiddlewareStack
from channels.routing import ProtocolTypeRouter, URLRouter
from django.core.asgi import get_asgi_application

django_http = get_asgi_application()  # sets Django up before anything imports models

from webapp.realtime.routing import websocket_urlpatterns  # noqa: E402 (needs the apps loaded)

application = ProtocolTypeRouter({
    "http": django_http,
    "websocket": AuthMiddlewareStack(URLRouter(websocket_urlpatterns)),
})
