"""Django Channels layer for live updates: in-memory in embedded mode, Redis in scale mode.

PYFLARE_REDIS_URL selects Redis (needs the channels-redis package); unset means one process.
"""

from __future__ import annotations

from webapp.settings.celery import REDIS_URL
from webapp.settings.env import env_float

# A websocket's receive blocks in BZPOPMIN for 5 s (channels_redis' brpop_timeout); redis-py 8's default
# read timeout is also 5 s, so an idle subscriber's receive would fail and close its socket. Reads get
# longer than the block; a dead connection still fails within it.
_REDIS_READ_TIMEOUT_SECONDS = 30

CHANNEL_LAYERS = (
    {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_timeout": _REDIS_READ_TIMEOUT_SECONDS}]},
        }
    }
    if REDIS_URL
    else {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
)

# How often an open websocket re-checks the API key it was opened with (revoked keys are cut off).
WS_KEY_RECHECK_SECONDS: float = env_float("PYFLARE_WS_KEY_RECHECK_SECONDS", 10.0, minimum=0.1)
# How long a websocket without credentials may take to send its {"type": "auth"} first message.
WS_AUTH_TIMEOUT_SECONDS: float = env_float("PYFLARE_WS_AUTH_TIMEOUT_SECONDS", 10.0, minimum=0.1)
