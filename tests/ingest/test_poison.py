"""No single input stops the ingest loop: a message that breaks normalisation or whose rows cannot
be written goes to the dead letters with the reason (found by bisecting the batch), the messages
around it are stored and committed, and only failures of the write path itself are retried.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence

import pyarrow as pa
import pytest
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
from opentelemetry.proto.metrics.v1.metrics_pb2 import ExponentialHistogramDataPoint, Metric, NumberDataPoint

from tests.support.otlp import encode, record_spans
from workers.ingest.loop import IngestLoop
from workers.ingest.ports import SourceMessage
from workers.ingest.settings import SIGNAL_TOPICS, TOPIC_METRICS, TOPIC_TRACES
from workers.telemetry.batches import NormaliseOptions

NOW = time.time_ns()


class Source:
    def __init__(self, messages: list[SourceMessage]) -> None:
        self.messages = list(messages)
        self.commits: dict[tuple[str, int], int] = {}

    def poll(self, timeout_ms: int) -> list[SourceMessage]:
        taken, self.messages = self.messages, []
        return taken

    def commit(self, offsets: Mapping[tuple[str, int], int]) -> None:
        self.commits.update(offsets)


class Writer:
    """Stores tables; refuses any table holding a span named `refuse` (as a database refuses a value)."""

    def __init__(self, refuse: str = "", down: bool = False) -> None:
        self.refuse, self.down = refuse, down
        self.rows: dict[str, list[dict[str, object]]] = {}

    def write(self, signal: str, table: pa.Table, embeddings: Sequence[object]) -> None:
        if self.down:
            raise ConnectionRefusedError("connection refused by 127.0.0.1:8123")
        names = table.column("name").to_pylist() if "name" in table.column_names else []
        if self.refuse in names:
            raise ValueError(f"Code: 6. Cannot parse the value of span {self.refuse!r}")
        self.rows.setdefault(signal, []).extend(table.to_pylist())


class DeadLetters:
    def __init__(self) -> None:
        self.pending: list[tuple[SourceMessage, str]] = []
        self.durable: list[tuple[SourceMessage, str]] = []

    def send(self, message: SourceMessage, reason: str) -> None:
        self.pending.append((message, reason))

    def flush(self) -> None:
        self.durable += self.pending
        self.pending = []


def _loop(messages: list[SourceMessage], writer: Writer) -> tuple[IngestLoop, Source, DeadLetters]:
    source, dead = Source(messages), DeadLetters()
    loop = IngestLoop(source, writer, dead, topics=SIGNAL_TOPICS, options=NormaliseOptions(retention_days=30),
                      batch_max_rows=1_000_000, batch_max_seconds=1000)
    return loop, source, dead


def _traces(names: list[str]) -> list[SourceMessage]:
    return [SourceMessage(TOPIC_TRACES, 0, i, encode(record_spans(3, name=name))) for i, name in enumerate(names)]


def _metric(name: str, scale: int | None = None) -> bytes:
    request = ExportMetricsServiceRequest()
    metric = request.resource_metrics.add().scope_metrics.add().metrics.add()
    metric.CopyFrom(Metric(name=name))
    if scale is None:
        metric.gauge.data_points.append(NumberDataPoint(time_unix_nano=NOW, as_double=1.5))
    else:
        point = ExponentialHistogramDataPoint(time_unix_nano=NOW, scale=scale, count=1)
        point.positive.bucket_counts.append(1)
        metric.exponential_histogram.data_points.append(point)
    return request.SerializeToString()


def test_an_exponential_histogram_scale_of_minus_1100_is_a_dead_letter_not_a_crash() -> None:
    # before: `2.0 ** 1100` raised OverflowError out of the loop and `pyflare serve` exited
    messages = [SourceMessage(TOPIC_METRICS, 0, i, payload)
                for i, payload in enumerate([_metric("before"), _metric("poison", scale=-1100), _metric("after")])]
    writer = Writer()
    loop, source, dead = _loop(messages, writer)
    loop.step()
    loop.flush()
    assert [r["metric_name"] for r in writer.rows["metrics"]] == ["before", "after"]
    [(message, reason)] = dead.durable
    assert message.offset == 1 and "scale -1100" in reason and reason.startswith("cannot decode metrics payload")
    assert source.commits == {(TOPIC_METRICS, 0): 3}


def test_an_unforeseen_normaliser_error_dead_letters_that_message_only(monkeypatch: pytest.MonkeyPatch) -> None:
    from workers.telemetry import metrics

    def broken(point: object, parts: object) -> object:  # a bug that only one kind of point reaches
        raise ZeroDivisionError("float division by zero")

    monkeypatch.setitem(metrics._POINT_VALUES, "exponential_histogram", broken)
    messages = [SourceMessage(TOPIC_METRICS, 0, i, payload)
                for i, payload in enumerate([_metric("exp", scale=0), _metric("gauge")])]
    writer = Writer()
    loop, source, dead = _loop(messages, writer)
    loop.step()
    loop.flush()
    assert [r["metric_name"] for r in writer.rows["metrics"]] == ["gauge"]
    [(message, reason)] = dead.durable
    assert message.offset == 0 and reason == ("normalising the metrics payload failed: "
                                              "ZeroDivisionError: float division by zero")
    assert source.commits == {(TOPIC_METRICS, 0): 2}


@pytest.mark.parametrize("poison_at", [0, 3, 6])
def test_rows_the_database_refuses_are_isolated_by_bisection(poison_at: int) -> None:
    # before: the whole batch was "kept and retried" forever and nothing after it was stored
    names = [f"ok-{i}" for i in range(7)]
    names[poison_at] = "poison"
    writer = Writer(refuse="poison")
    loop, source, dead = _loop(_traces(names), writer)
    loop.step()
    loop.flush()
    stored = sorted({r["name"] for r in writer.rows["traces"]})
    assert stored == sorted(n for n in names if n != "poison")
    assert len(writer.rows["traces"]) == 18  # 6 messages x 3 spans, each written once
    [(message, reason)] = dead.durable
    assert message.offset == poison_at
    assert reason == "storing the traces payload failed: ValueError: Code: 6. Cannot parse the value of span 'poison'"
    assert source.commits == {(TOPIC_TRACES, 0): 7}
    assert loop.write_problem(30) is None


def test_a_down_write_path_is_retried_and_reported_not_dead_lettered() -> None:
    writer = Writer(down=True)
    loop, source, dead = _loop(_traces(["a", "b"]), writer)
    loop.step()
    loop.stop()  # the retry loop gives up at once when stopping, so the test does not wait
    with pytest.raises(ConnectionRefusedError):
        loop.flush_retrying(first_delay=0.001)
    assert dead.durable == [] and source.commits == {}
    problem = loop.write_problem(30)
    assert problem is not None and "connection refused by 127.0.0.1:8123" in problem
    writer.down = False
    loop.flush()
    assert loop.write_problem(30) is None
    assert source.commits == {(TOPIC_TRACES, 0): 2} and len(writer.rows["traces"]) == 6
