"""The telemetry read endpoints' ClickHouse clients: one per running thread, reused by later threads.

Each API request runs on a thread of its own; opening a chdb client per request cost ~10 ms, over
100 ms while a heavy query ran, on every trace, metric and log read.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from clickhouse_connect.driver.client import Client

from webapp.api.telemetry import thread_client
from workers.storage.clickhouse import StorageSettings, connect


def client_of_a_thread(seen: list[Client], hold: threading.Event | None = None) -> threading.Thread:
    def work() -> None:
        client = thread_client()
        assert client is thread_client()  # one per thread
        client.query("SELECT 1")
        seen.append(client)
        if hold is not None:
            hold.wait(30)

    thread = threading.Thread(target=work)
    thread.start()
    return thread


def test_a_later_thread_reuses_the_client_of_an_ended_one(chdb_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYFLARE_CLICKHOUSE_URL", f"chdb://{chdb_dir}")
    monkeypatch.setenv("PYFLARE_CLICKHOUSE_DATABASE", "webapp_query")
    shared = connect(StorageSettings.from_env())
    seen: list[Client] = []
    for _ in range(3):
        client_of_a_thread(seen).join()
    assert len({id(c) for c in seen}) == 1 and seen[0] is not shared

    hold = threading.Event()
    running = [client_of_a_thread(seen, hold) for _ in range(2)]  # at once: a client each
    while len(seen) < 5:
        threading.Event().wait(0.01)
    hold.set()
    for thread in running:
        thread.join()
    assert seen[3] is not seen[4] and seen[0] in seen[3:]
