"""Django Channels layer for live updates: in-memory in embedded mode, Redis in scale mode.

PYFLARE_REDIS_URL selects Redis (needs the channels-redis package); unset means one process.
"""

from __future__ import annotations

from webapp.settings.celery import REDIS_URL

CHANNEL_LAYERS = (
    {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [REDIS_URL]}}}
    if REDIS_URL
    else {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
)
