"""Sending notifications into the Channels layer from the ingest thread.

The in-memory layer (embedded mode) lives on the web server's event loop, so sends are scheduled
there; the Redis layer (scale mode) can be reached from any thread through `async_to_sync`.
"""

from __future__ import annotations

import asyncio
import logging
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
