"""Sending notifications into the Channels layer from the ingest thread.

The in-memory layer (embedded mode) lives on the web server's event loop, so sends are scheduled
there; the Redis layer (scale mode) can be reached from any thread through `async_to_sync`, and
`pyflare ingest` sends through it from an event loop of its own (`scale_publisher`), so a slow Redis
never holds back a write or an offset commit. Sends still waiting are capped (MAX_IN_FLIGHT): past the
cap a notification is dropped and counted rather than held in memory — live traces are a courtesy to
watchers, the stored spans are what counts.
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

MAX_IN_FLIGHT = 1000


class LayerPublisher:
    def __init__(self, layer: BaseChannelLayer | None = None, loop: asyncio.AbstractEventLoop | None = None,
                 max_in_flight: int = MAX_IN_FLIGHT) -> None:  # fmt: skip
        resolved = layer or get_channel_layer()
        if resolved is None:
            raise RuntimeError("no Channels layer is configured (CHANNEL_LAYERS)")
        self._layer = resolved
        self._loop = loop
        self._max_in_flight = max_in_flight
        self._lock = threading.Lock()
        self.in_flight = 0
        self.dropped = 0

    def __call__(self, group: str, message: dict[str, Any]) -> None:
        if self._loop is None:
            async_to_sync(self._layer.group_send)(group, message)
            return
        with self._lock:
            if self.in_flight >= self._max_in_flight:
                self.dropped += 1
                if self.dropped == 1 or self.dropped % 1000 == 0:
                    log.warning("live notifications dropped: %d so far (%d sends waiting on the layer)",
                                self.dropped, self.in_flight)  # fmt: skip
                return
            self.in_flight += 1
        sent = asyncio.run_coroutine_threadsafe(self._layer.group_send(group, message), self._loop)
        sent.add_done_callback(self._done)  # fire and forget: the ingest thread never waits on clients

    def _done(self, sent: Future[Any]) -> None:
        with self._lock:
            self.in_flight -= 1
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
