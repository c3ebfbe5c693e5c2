"""A write path that stops making progress in `pyflare serve`: readiness says so (with the reason,
to authenticated callers), and SIGTERM's drain gives up after PYFLARE_SERVE_DRAIN_SECONDS without
progress, saying how many accepted items it could not store, instead of waiting for a second signal.

The real intake queue and ingest thread run here; only the storage at the end of the chain is a
stand-in whose writes hang or are refused, which the real engine cannot be made to do on demand.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pyarrow as pa
import pytest

from tests.ingest.test_poison import _metric
from webapp.serve.deadletters import FileDeadLetters
from webapp.serve.ingest import EmbeddedIngest
from webapp.serve.intake import IntakeQueue
from workers.ingest.settings import SIGNAL_TOPICS, TOPIC_METRICS
from workers.telemetry.batches import NormaliseOptions


class HangingWriter:
    def __init__(self, fail: bool = False) -> None:
        self.release = threading.Event()
        self.entered = threading.Event()
        self.fail = fail

    def write(self, signal: str, table: pa.Table, embeddings: Sequence[object]) -> None:
        self.entered.set()
        if self.fail:
            raise TimeoutError("ClickHouse did not answer within 10s")
        self.release.wait(60)


@pytest.fixture
def ingest_parts(tmp_path: Path) -> Iterator[tuple[IntakeQueue, list[EmbeddedIngest]]]:
    made: list[EmbeddedIngest] = []
    yield IntakeQueue(1000, SIGNAL_TOPICS), made
    for ingest in made:
        ingest.loop.stop()


def _ingest(queue: IntakeQueue, writer: HangingWriter, tmp_path: Path, made: list[EmbeddedIngest]) -> EmbeddedIngest:
    ingest = EmbeddedIngest(queue, writer, FileDeadLetters(tmp_path / "dead.jsonl"),
                            options=NormaliseOptions(retention_days=30), batch_rows=100, batch_seconds=0.01)
    made.append(ingest)
    ingest.start()
    return ingest


def test_drain_gives_up_after_its_bound_and_counts_what_was_not_stored(
    ingest_parts: tuple[IntakeQueue, list[EmbeddedIngest]], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    queue, made = ingest_parts
    writer = HangingWriter()
    ingest = _ingest(queue, writer, tmp_path, made)
    queue.offer(TOPIC_METRICS, _metric("a"), 1)
    queue.offer(TOPIC_METRICS, _metric("b"), 1)
    assert writer.entered.wait(30)
    with caplog.at_level(logging.ERROR, logger="pyflare.serve"):
        lost = ingest.drain(0.5)  # before: looped until every item was stored, i.e. forever
    assert lost == 2
    assert ("drain gave up after 0.5s without progress: 2 accepted items were not stored "
            "(a write has been running for") in caplog.text
    writer.release.set()


def test_readiness_fails_while_writes_keep_failing(
    ingest_parts: tuple[IntakeQueue, list[EmbeddedIngest]], tmp_path: Path
) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webapp.settings")
    import django

    django.setup()
    from webapp.api.readiness import run_checks, unregister_check
    from webapp.serve.startup import register_serve_checks

    queue, made = ingest_parts
    writer = HangingWriter(fail=True)
    ingest = _ingest(queue, writer, tmp_path, made)

    class Client:
        def query(self, sql: str) -> None:
            return None

    register_serve_checks(Client(), type("S", (), {"is_embedded": False, "database": "pyflare"})(),  # type: ignore[arg-type]
                          queue, lambda: ingest.alive, lambda: ingest.loop.write_problem(8.0))
    try:
        queue.offer(TOPIC_METRICS, _metric("a"), 1)
        assert writer.entered.wait(30)
        deadline = time.monotonic() + 30
        while ingest.loop.failing_since is None and time.monotonic() < deadline:
            time.sleep(0.01)
        (check,) = [r for r in run_checks() if r.name == "ingest"]
        assert not check.ok
        assert check.detail.startswith("RuntimeError: the write path is stuck (1 items wait): writes have been failing")
        assert "TimeoutError: ClickHouse did not answer within 10s" in check.detail
        assert ingest.alive  # the loop keeps retrying; it does not stop for it
    finally:
        for name in ("clickhouse", "ingest", "celery"):
            unregister_check(name)
