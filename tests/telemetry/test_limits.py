"""Values storage cannot keep are refused where they are decoded, with the same verdict on the
Python normaliser and the compiled decoder: exponential histogram scales outside the data model,
times beyond int64 nanoseconds (Arrow's limit, 2262), times the retention TTL would delete at once,
all-zero ids. Each case failed before: an OverflowError that stopped the process, an Arrow overflow
at write time that blocked the batch forever, or rows accepted and silently dropped by the TTL.
"""

from __future__ import annotations

import random
import re
import time

import pytest
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.logs.v1.logs_pb2 import LogRecord
from opentelemetry.proto.metrics.v1.metrics_pb2 import ExponentialHistogramDataPoint, Metric, NumberDataPoint
from opentelemetry.proto.trace.v1.trace_pb2 import Span

from tests.telemetry.random_spans import random_request
from workers.telemetry.errors import DecodeError
from workers.telemetry.logs import LogBatch
from workers.telemetry.metrics import MetricBatch, exponential_buckets
from workers.telemetry.options import NormaliseOptions
from workers.telemetry.traces import TraceBatch

NOW = time.time_ns()
DAY = 86_400 * 10**9
BEYOND_INT64 = 2**63  # the first uint64 time Arrow's timestamp[ns] cannot hold
YEAR_2262 = 9_214_646_400 * 10**9  # 2262-01-01, still int64 but past the TTL's DateTime (2106)
RETAINED = NormaliseOptions(retention_days=30)


def span(**fields: object) -> Span:
    values: dict[str, object] = {"trace_id": bytes(range(1, 17)), "span_id": bytes(range(1, 9)), "name": "op",
                                 "start_time_unix_nano": NOW - 1000, "end_time_unix_nano": NOW}
    values.update(fields)
    return Span(**values)  # type: ignore[arg-type]


def traces(*spans: Span) -> bytes:
    request = ExportTraceServiceRequest()
    request.resource_spans.add().scope_spans.add().spans.extend(spans)
    return request.SerializeToString()


def _verdicts(monkeypatch: pytest.MonkeyPatch, payload: bytes, options: NormaliseOptions) -> list[str]:
    """The DecodeError text with the decoder on and off; the batch must be left empty."""
    out = []
    for flag in ("1", "0"):
        monkeypatch.setenv("PYFLARE_NATIVE", flag)
        batch = TraceBatch(options)
        assert (batch._native is not None) is (flag == "1")
        with pytest.raises(DecodeError) as caught:
            batch.add_otlp(payload)
        assert len(batch) == 0 and batch.to_arrow().num_rows == 0
        out.append(re.sub(r"before \S+Z:", "before <edge>:", str(caught.value)))  # the edge moves with the clock
    return out


@pytest.mark.parametrize(("case", "fields", "expected"), [
    ("start beyond int64", {"start_time_unix_nano": BEYOND_INT64}, "start_time_unix_nano 9223372036854775808"),
    ("end beyond int64", {"end_time_unix_nano": 2**64 - 1}, "end_time_unix_nano 18446744073709551615"),
    ("zero trace id", {"trace_id": bytes(16)}, "all-zero trace_id"),
    ("zero span id", {"span_id": bytes(8)}, "all-zero span_id"),
])
def test_spans_storage_cannot_keep_are_refused_by_both_decoders(
    monkeypatch: pytest.MonkeyPatch, case: str, fields: dict[str, object], expected: str
) -> None:
    payload = traces(span(span_id=b"\x09" * 8), span(**fields))  # the bad span is not the first
    native_error, python_error = _verdicts(monkeypatch, payload, NormaliseOptions())
    assert native_error == python_error
    assert expected in python_error and "span #1" in python_error


def test_an_event_time_beyond_int64_is_refused_by_both_decoders(monkeypatch: pytest.MonkeyPatch) -> None:
    bad = span()
    bad.events.add(time_unix_nano=BEYOND_INT64, name="retry")
    native_error, python_error = _verdicts(monkeypatch, traces(bad), NormaliseOptions())
    assert native_error == python_error and "event 'retry' time_unix_nano 9223372036854775808" in python_error


@pytest.mark.parametrize(("start", "why"), [
    (0, "older than the retention of 30 days"),
    (NOW - 31 * DAY, "older than the retention of 30 days"),
    (YEAR_2262, "after the last storable time 2106-01-"),
])
def test_span_starts_the_ttl_would_drop_are_refused(monkeypatch: pytest.MonkeyPatch, start: int, why: str) -> None:
    payload = traces(span(start_time_unix_nano=start, end_time_unix_nano=start + 5))
    native_error, python_error = _verdicts(monkeypatch, payload, RETAINED)
    assert native_error == python_error and why in python_error


@pytest.mark.parametrize("use_native", ["1", "0"])
def test_times_inside_the_window_are_kept(monkeypatch: pytest.MonkeyPatch, use_native: str) -> None:
    monkeypatch.setenv("PYFLARE_NATIVE", use_native)
    batch = TraceBatch(RETAINED)
    first = span(start_time_unix_nano=NOW - 29 * DAY, end_time_unix_nano=BEYOND_INT64 - 1)
    first.events.add(time_unix_nano=BEYOND_INT64 - 1, name="late")
    assert batch.add_otlp(traces(first, span(span_id=b"\x07" * 8, start_time_unix_nano=NOW + DAY))) == 2
    assert batch.to_arrow().num_rows == 2


def metrics(metric: Metric) -> bytes:
    request = ExportMetricsServiceRequest()
    request.resource_metrics.add().scope_metrics.add().metrics.append(metric)
    return request.SerializeToString()


@pytest.mark.parametrize("scale", [-1100, -(2**31), -11, 21, 2**31 - 1])
def test_exponential_histogram_scales_outside_the_data_model_are_refused(scale: int) -> None:
    point = ExponentialHistogramDataPoint(time_unix_nano=NOW, scale=scale, count=1, zero_count=1)
    point.positive.offset = 3
    point.positive.bucket_counts.extend([1, 2])
    metric = Metric(name="latency")
    metric.exponential_histogram.data_points.append(point)
    batch = MetricBatch(RETAINED)
    with pytest.raises(DecodeError, match=f"scale {scale}; the OTLP data model allows -10 to 20"):
        batch.add_otlp(metrics(metric))
    assert len(batch) == 0
    with pytest.raises(DecodeError):
        exponential_buckets(point)


@pytest.mark.parametrize("scale", [-10, 20])
def test_the_extreme_valid_scales_are_kept(scale: int) -> None:
    point = ExponentialHistogramDataPoint(time_unix_nano=NOW, scale=scale, count=3, zero_count=0)
    point.positive.offset = 2**31 - 2  # bounds overflow to +inf at scale -10: stored as inf
    point.positive.bucket_counts.extend([1, 2])
    metric = Metric(name="latency")
    metric.exponential_histogram.data_points.append(point)
    batch = MetricBatch(RETAINED)
    assert batch.add_otlp(metrics(metric)) == 1
    (row,) = batch.to_arrow().to_pylist()
    assert row["bucket_counts"] == [0, 1, 2, 0]


@pytest.mark.parametrize(("fields", "expected"), [
    ({"time_unix_nano": BEYOND_INT64}, "time_unix_nano 9223372036854775808"),
    ({"time_unix_nano": 0}, "older than the retention of 30 days"),
    ({"time_unix_nano": NOW, "start_time_unix_nano": BEYOND_INT64}, "start_time_unix_nano 9223372036854775808"),
])
def test_metric_point_times_storage_cannot_keep_are_refused(fields: dict[str, int], expected: str) -> None:
    metric = Metric(name="temperature")
    metric.gauge.data_points.append(NumberDataPoint(as_double=1.0, **fields))
    batch = MetricBatch(RETAINED)
    with pytest.raises(DecodeError, match=expected):
        batch.add_otlp(metrics(metric))
    assert len(batch) == 0


def logs(record: LogRecord) -> bytes:
    request = ExportLogsServiceRequest()
    request.resource_logs.add().scope_logs.add().log_records.append(record)
    return request.SerializeToString()


@pytest.mark.parametrize(("fields", "expected"), [
    ({"time_unix_nano": BEYOND_INT64, "observed_time_unix_nano": NOW}, "time_unix_nano"),
    ({"time_unix_nano": NOW, "observed_time_unix_nano": BEYOND_INT64}, "observed_time_unix_nano 9223372036854775808"),
    ({"time_unix_nano": 0, "observed_time_unix_nano": 0}, "older than the retention of 30 days"),
    ({"time_unix_nano": YEAR_2262, "observed_time_unix_nano": NOW}, "after the last storable time"),
])
def test_log_times_storage_cannot_keep_are_refused(fields: dict[str, int], expected: str) -> None:
    batch = LogBatch(RETAINED)
    with pytest.raises(DecodeError, match=expected):
        batch.add_otlp(logs(LogRecord(body={"string_value": "x"}, **fields)))  # type: ignore[arg-type]
    assert len(batch) == 0


def test_a_log_without_its_own_time_is_kept_at_its_observed_time() -> None:
    batch = LogBatch(RETAINED)
    assert batch.add_otlp(logs(LogRecord(observed_time_unix_nano=NOW))) == 1
    (row,) = batch.to_arrow().to_pylist()
    assert row["time"].value == row["observed_time"].value == NOW


@pytest.mark.parametrize("seed", range(6))
def test_random_requests_get_the_same_verdict_from_both_decoders(monkeypatch: pytest.MonkeyPatch, seed: int) -> None:
    # random_spans spreads start times over 2023-2027: with a 700-day window some requests are refused
    options = NormaliseOptions(retention_days=700)
    verdicts: dict[str, list[str]] = {}
    for flag in ("1", "0"):
        monkeypatch.setenv("PYFLARE_NATIVE", flag)
        out = verdicts.setdefault(flag, [])
        batch = TraceBatch(options)
        for payload in [random_request(random.Random(seed * 100 + i), 2) for i in range(30)]:
            try:
                out.append(f"added {batch.add_otlp(payload)}")
            except DecodeError as exc:  # the window's edge moves with the clock: compared without it
                out.append(re.sub(r"before \S+Z:", "before <edge>:", str(exc)))
        out.append(str(sorted(map(str, batch.to_arrow().to_pylist()))))
    assert verdicts["1"] == verdicts["0"]
    assert any("older than the retention" in v for v in verdicts["0"]) and any(v.startswith("added")
                                                                                for v in verdicts["0"])
