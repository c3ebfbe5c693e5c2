"""The ASGI application: Django's HTTP handling and the `/ws` websocket behind a Channels router.

`pyflare serve` and any ASGI server (uvicorn, daphne) load `webapp.asgi:application`. Websockets
get the session (cookie) user for the UI; programs authenticate with an API key (webapp.realtime.auth).
"""

from __future__ import annotations

from workers.env import default_django_settings

default_django_settings()  # before Django is imported: its settings module is read from the environment

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.core.asgi import get_asgi_application  # noqa: E402

django_http = get_asgi_application()  # sets Django up before anything imports models

from webapp.realtime.routing import websocket_urlpatterns  # noqa: E402 (needs the apps loaded)

application = ProtocolTypeRouter({
    "http": django_http,
    "websocket": AuthMiddlewareStack(URLRouter(websocket_urlpatterns)),
})
