"""SpanContentWriter: a logs batch is written as it is, then its GenAI content rows; other signals
and logs without content pass through untouched."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyarrow as pa
from opentelemetry.sdk.trace import TracerProvider

from tests.telemetry.sdk_requests import log_request
from workers.ingest.content import CONTENT_SIGNAL, SpanContentWriter
from workers.ingest.sink import DERIVED_TABLES
from workers.telemetry.log_content import SPAN_CONTENT_SCHEMA
from workers.telemetry.logs import LogBatch


class Recorder:
    def __init__(self) -> None:
        self.writes: list[tuple[str, pa.Table]] = []

    def write(self, signal: str, table: pa.Table, embeddings: Sequence[Any]) -> None:
        self.writes.append((signal, table))


def _logs(emit: Any) -> pa.Table:
    tracer = TracerProvider().get_tracer("t")

    def record(logger: Any) -> None:
        with tracer.start_as_current_span("chat"):
            emit(logger)

    batch = LogBatch()
    batch.add_request(log_request(record))
    return batch.to_arrow()


def test_logs_with_content_are_followed_by_their_content_rows() -> None:
    logs = _logs(lambda log: (log.emit(event_name="gen_ai.user.message", body={"content": "x" * 50}),
                              log.emit(body="plain line")))  # fmt: skip
    inner = Recorder()
    SpanContentWriter(inner, preview_chars=10).write("logs", logs, ())
    assert [signal for signal, _ in inner.writes] == ["logs", CONTENT_SIGNAL]
    assert inner.writes[0][1] is logs
    content = inner.writes[1][1]
    assert content.schema == SPAN_CONTENT_SCHEMA
    assert content.column("text").to_pylist() == ["user: xxxx"]  # cut to the preview length
    assert DERIVED_TABLES[CONTENT_SIGNAL] == "span_content"


def test_other_signals_and_logs_without_content_pass_through() -> None:
    inner = Recorder()
    writer = SpanContentWriter(inner, preview_chars=100)
    logs = _logs(lambda log: log.emit(body="plain line"))
    writer.write("logs", logs, ())
    spans = pa.table({"x": [1]})
    writer.write("traces", spans, ())
    assert inner.writes == [("logs", logs), ("traces", spans)]
