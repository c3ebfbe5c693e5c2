"""The local provider server (examples/provider_stub.py) for the LLM integration tests, and helpers
to read the spans those integrations export."""

from __future__ import annotations

import socket
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.sdk.trace import ReadableSpan

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "examples"))
import provider_stub

CASES = provider_stub.CASES
DATED = provider_stub.DATED


@pytest.fixture(scope="module", name="stub")
def stub_fixture() -> Iterator[provider_stub.ProviderServer]:
    with provider_stub.ProviderServer() as server:
        yield server


@pytest.fixture(scope="module", name="silent_port")
def silent_port_fixture() -> Iterator[int]:
    """A port that accepts connections and never answers (for client timeouts)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        sock.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(sock.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield sock.getsockname()[1]
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    sock.close()


def attrs(span: ReadableSpan) -> dict[str, Any]:
    out = dict(span.attributes or {})
    for key, value in out.items():
        if isinstance(value, tuple):
            out[key] = list(value)
    return out


def children(spans: tuple[ReadableSpan, ...], parent: ReadableSpan) -> list[ReadableSpan]:
    return [s for s in spans if s.parent is not None and s.parent.span_id == parent.context.span_id]
