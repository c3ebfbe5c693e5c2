"""Fixtures of the cost tests: Django (the control-plane fixtures of tests/webapp), a fresh
migrated ClickHouse database per test behind the API, and a local webhook receiver."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from clickhouse_connect.driver.client import Client

from tests.webapp.conftest import (  # noqa: F401  (fixtures, and Django set up before anything else)
    _fast_passwords,
    _fresh_throttles,
    api,
    world,
)
from webapp.api.providers import providers


@pytest.fixture
def cost_store(ch_migrated: Client) -> Iterator[Client]:
    """A fresh migrated database, also behind the API's telemetry client, for one test."""
    with providers.telemetry.override(lambda: ch_migrated):
        yield ch_migrated


class Webhook:
    """A real HTTP server recording JSON POSTs; answers with the statuses queued in `replies`."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.replies: list[int] = []
        self.delay_seconds = 0.0  # how long the receiver takes to answer
        self.event = threading.Event()
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                time.sleep(hook.delay_seconds)
                status = hook.replies.pop(0) if hook.replies else 200
                if status == 200:
                    hook.received.append(json.loads(body))
                    hook.event.set()
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/budget"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def webhook(settings: Any) -> Iterator[Webhook]:
    # the receiver listens on loopback, which outbound requests refuse unless allowed
    settings.OUTBOUND_ALLOW_CIDRS = ["127.0.0.1/32"]
    hook = Webhook()
    yield hook
    hook.close()
