"""Sending notifications into the Channels layer from the ingest thread.

The in-memory layer (embedded mode) lives on the web server's event loop, so sends are scheduled
there; the Redis layer (scale mode) can be reached from any thread through `async_to_sync`, and
`pyflare ingest` sends through it from an event loop of its own (`scale_publisher`), so a slow Redis
never holds back a write or an offset commit.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from concurrent.futures import Future
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import BaseChannelLayer, get_channel_layer

log = logging.getLogger("pyflare.realtime")


class LayerPublisher:
    def __init__(self, layer: BaseChannelLayer | None = None, loop: asyncio.AbstractEventLoop | None = None) -> None:
        resolved = layer or get_channel_layer()
        if resolved is None:
            raise RuntimeError("no Channels layer is configured (CHANNEL_LAYERS)")
        self._layer = resolved
        self._loop = loop

    def __call__(self, group: str, message: dict[str, Any]) -> None:
        if self._loop is None:
            async_to_sync(self._layer.group_send)(group, message)
            return
        sent = asyncio.run_coroutine_threadsafe(self._layer.group_send(group, message), self._loop)
        sent.add_done_callback(_log_failure)  # fire and forget: the ingest thread never waits on clients


def _log_failure(sent: Future[Any]) -> None:
    if not sent.cancelled() and sent.exception() is not None:
        log.warning("live notification not delivered: %s", sent.exception())


def scale_publisher() -> LayerPublisher | None:
    """The sender of `pyflare ingest`: the Redis layer (PYFLARE_REDIS_URL) on a loop of its own thread.

    None when the layer is the in-memory one: no web process could hear it, so nothing is sent.
    """
    from django.conf import settings

    backend = settings.CHANNEL_LAYERS["default"]["BACKEND"]
    if backend.endswith("InMemoryChannelLayer"):
        log.info("live traces are not announced: set PYFLARE_REDIS_URL to reach the web processes' /ws subscribers")
        return None
    loop = asyncio.new_event_loop()
    threading.Thread(target=loop.run_forever, name="pyflare-live-traces", daemon=True).start()
    log.info("announcing stored traces to /ws subscribers through %s", backend.rsplit(".", 1)[-1])
    return LayerPublisher(loop=loop)
