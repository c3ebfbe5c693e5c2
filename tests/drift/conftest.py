"""Fixtures of the drift tests: Django with the world's projects and keys (tests/webapp), one fresh
migrated ClickHouse database and an embedded Qdrant per test, both injected into the drift code, and
a local webhook receiver (a real HTTP server on 127.0.0.1).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from clickhouse_connect.driver.client import Client

from tests.webapp.conftest import _fast_passwords, _fresh_throttles, api, world  # noqa: F401 (fixtures)
from webapp.api.providers import providers
from webapp.drift.embeddings import EMBEDDING_SUMMARIES
from webapp.drift.store import REFERENCE_SETS
from workers.analysis.drift.monitor.config import FEATURE_REFERENCES
from workers.storage.vectors import EdgeVectorStore


@pytest.fixture
def store(ch_migrated: Client) -> Iterator[Client]:
    """The test's ClickHouse database, serving every drift read and write."""
    with providers.telemetry.override(lambda: ch_migrated):
        yield ch_migrated


@pytest.fixture
def vectors(tmp_path: Path) -> Iterator[EdgeVectorStore]:
    qdrant = EdgeVectorStore(tmp_path / "qdrant")
    with providers.vector_store.override(lambda: qdrant):
        yield qdrant
    qdrant.close()


@pytest.fixture(autouse=True)
def _cold_caches() -> Iterator[None]:
    # database ids repeat across tests (each test's transaction is rolled back)
    for cache in (REFERENCE_SETS, FEATURE_REFERENCES, EMBEDDING_SUMMARIES):
        cache.clear()
    yield


class WebhookReceiver:
    def __init__(self) -> None:
        self.posts: list[dict[str, Any]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.posts.append(json.loads(body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def webhook(settings: Any) -> Iterator[WebhookReceiver]:
    # the receiver listens on loopback, which outbound requests refuse unless allowed
    settings.OUTBOUND_ALLOW_CIDRS = ["127.0.0.1/32"]
    receiver = WebhookReceiver()
    yield receiver
    receiver.close()
