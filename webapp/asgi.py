"""The ASGI application: Django's HTTP handling behind a Channels protocol router.

`pyflare serve` and any ASGI server (uvicorn, daphne) load `webapp.asgi:application`.
"""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webapp.settings")

from channels.routing import ProtocolTypeRouter
from django.core.asgi import get_asgi_application

application = ProtocolTypeRouter({"http": get_asgi_application()})
