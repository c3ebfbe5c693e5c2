"""Metrics of every kind and log records, made by the real SDK and encoded by its OTLP encoders,
become one row per data point / record."""

from __future__ import annotations

import bisect
import json
from typing import Any

import pytest
from opentelemetry._logs import SeverityNumber
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import InstrumentationScope
from opentelemetry.proto.metrics.v1.metrics_pb2 import Histogram as HistogramData
from opentelemetry.proto.metrics.v1.metrics_pb2 import (
    HistogramDataPoint,
    Metric,
    ResourceMetrics,
    ScopeMetrics,
    Summary,
    SummaryDataPoint,
)
from opentelemetry.proto.resource.v1.resource_pb2 import Resource
from opentelemetry.sdk.metrics import Histogram
from opentelemetry.sdk.metrics.view import ExponentialBucketHistogramAggregation
from opentelemetry.sdk.trace import TracerProvider

from tests.telemetry.sdk_requests import log_request, metric_request
from workers.telemetry.columns import LOG_SCHEMA, METRIC_SCHEMA
from workers.telemetry.logs import LogBatch
from workers.telemetry.metrics import MetricBatch
from workers.telemetry.options import NormaliseOptions

# The SDK's default explicit bucket boundaries (OTel metrics SDK spec)
DEFAULT_BOUNDS = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000]


def _rows(batch: Any) -> dict[str, dict[str, Any]]:
    table = batch.to_arrow()
    assert table.schema == batch.schema
    return {r["metric_name"]: r for r in table.to_pylist()}


def _record_instruments(meter: Any) -> None:
    requests = meter.create_counter("http.requests", unit="{request}", description="Requests served")
    requests.add(5, {"route": "/chat"})
    requests.add(7, {"route": "/chat"})
    meter.create_up_down_counter("queue.depth").add(-3)
    meter.create_gauge("gpu.temperature", unit="Cel").set(71.5, {"gpu": "0"})
    tokens = meter.create_histogram("gen_ai.client.token.usage", unit="{token}")
    for value in (1, 3, 50):
        tokens.record(value, {"gen_ai.request.model": "gpt-4o-mini", "gen_ai.token.type": "input"})


def test_sdk_metrics_of_every_sdk_kind() -> None:
    request = metric_request(_record_instruments)
    batch = MetricBatch(NormaliseOptions())
    assert batch.add_request(request, partition=2, offset=99) == 4
    rows = _rows(batch)

    counter = rows["http.requests"]
    assert (counter["metric_type"], counter["temporality"], counter["is_monotonic"]) == ("sum", "cumulative", True)
    assert counter["value"] == 12.0 and counter["unit"] == "{request}" and counter["description"] == "Requests served"
    assert dict(counter["attributes"]) == {"route": "/chat"}
    assert (counter["project"], counter["service_name"], counter["scope_name"]) == ("shop", "chat-api", "pyflare.tests")
    assert (counter["source_partition"], counter["source_offset"]) == (2, 99)
    assert counter["start_time"] <= counter["time"]

    updown = rows["queue.depth"]
    assert (updown["metric_type"], updown["is_monotonic"], updown["value"]) == ("sum", False, -3.0)
    gauge = rows["gpu.temperature"]
    assert (gauge["metric_type"], gauge["temporality"], gauge["value"]) == ("gauge", "", 71.5)
    assert gauge["min"] is None and gauge["bucket_counts"] == []

    hist = rows["gen_ai.client.token.usage"]
    assert hist["metric_type"] == "histogram" and hist["model_id"] == "gpt-4o-mini"
    assert (hist["count"], hist["sum"], hist["min"], hist["max"]) == (3, 54.0, 1.0, 50.0)
    assert hist["value"] == pytest.approx(18.0)  # the mean
    assert hist["explicit_bounds"] == DEFAULT_BOUNDS
    expected = [0] * (len(DEFAULT_BOUNDS) + 1)
    for value in (1, 3, 50):  # bucket i holds (bounds[i-1], bounds[i]]
        expected[bisect.bisect_left(DEFAULT_BOUNDS, value)] += 1
    assert hist["bucket_counts"] == expected


def test_exponential_histogram_becomes_explicit_buckets() -> None:
    values = [0.0, 0.3, 1.5, 3.0, 100.0, 100.0, 2500.0]

    def record(meter: Any) -> None:
        latency = meter.create_histogram("llm.latency", unit="ms")
        for v in values:
            latency.record(v)

    request = metric_request(record, aggregation={Histogram: ExponentialBucketHistogramAggregation()})
    batch = MetricBatch()
    batch.add_request(request)
    row = _rows(batch)["llm.latency"]
    assert row["metric_type"] == "exponential_histogram"
    assert (row["count"], row["sum"], row["min"], row["max"]) == (7, sum(values), 0.0, 2500.0)
    bounds, counts = row["explicit_bounds"], row["bucket_counts"]
    assert len(counts) == len(bounds) + 1 and sum(counts) == len(values)
    assert bounds == sorted(bounds)
    # every recorded value lies in a bucket that counted it: (bounds[i-1], bounds[i]]
    expected = [0] * len(counts)
    for v in values:
        expected[bisect.bisect_left(bounds, v)] += 1
    assert counts == expected


def test_summary_points_from_the_protocol() -> None:
    # The Python SDK cannot produce summaries; the proto is the contract (quantile 0 = min, 1 = max).
    point = SummaryDataPoint(start_time_unix_nano=1, time_unix_nano=2, count=4, sum=10.0)
    for q, v in ((0.0, 1.0), (0.5, 2.0), (0.99, 4.5), (1.0, 5.0)):
        point.quantile_values.add(quantile=q, value=v)
    request = ExportMetricsServiceRequest(resource_metrics=[ResourceMetrics(
        resource=Resource(), scope_metrics=[ScopeMetrics(scope=InstrumentationScope(name="legacy"), metrics=[
            Metric(name="rpc.latency", unit="s", summary=Summary(data_points=[point]))])])])
    batch = MetricBatch(NormaliseOptions(default_project="ops"))
    batch.add_request(request)
    row = _rows(batch)["rpc.latency"]
    assert (row["project"], row["service_name"], row["metric_type"]) == ("ops", "unknown_service", "summary")
    assert (row["count"], row["sum"], row["value"], row["min"], row["max"]) == (4, 10.0, 2.5, 1.0, 5.0)
    assert dict(row["quantiles"]) == {0.0: 1.0, 0.5: 2.0, 0.99: 4.5, 1.0: 5.0}


def test_sdk_log_records_with_string_and_structured_bodies() -> None:
    tracer = TracerProvider().get_tracer("t")

    def record(logger: Any) -> None:
        with tracer.start_as_current_span("request") as span:
            ids.append((format(span.get_span_context().trace_id, "032x"), format(span.get_span_context().span_id,
                                                                                  "016x")))
            logger.emit(body="model loaded", severity_number=SeverityNumber.WARN, severity_text="WARN",
                        timestamp=1_700_000_000_000_000_001, attributes={"pyflare.model.id": "ranker", "n": 3})
        logger.emit(body={"content": "What is 2+2?", "tokens": [1, 2]}, event_name="gen_ai.user.message",
                    attributes={"gen_ai.request.model": "gpt-4o-mini"})
        logger.emit(body=42, severity_number=SeverityNumber.INFO)
        logger.emit(body=["a", 1.5, True], attributes={"event.name": "legacy.event"})
        logger.emit(severity_text="DEBUG")

    ids: list[tuple[str, str]] = []
    batch = LogBatch()
    assert batch.add_request(log_request(record), partition=1, offset=5) == 5
    table = batch.to_arrow()
    assert table.schema == LOG_SCHEMA
    loaded, user_message, number, array, empty = table.to_pylist()

    assert (loaded["trace_id"], loaded["span_id"]) == ids[0]
    assert (loaded["severity_number"], loaded["severity_text"], loaded["body"]) == (13, "WARN", "model loaded")
    assert loaded["time"].value == 1_700_000_000_000_000_001 and loaded["observed_time"].value > 0
    assert loaded["model_id"] == "ranker" and dict(loaded["attributes"]) == {"pyflare.model.id": "ranker", "n": "3"}
    assert (loaded["project"], loaded["service_name"], loaded["scope_name"]) == ("shop", "chat-api", "pyflare.tests")

    assert json.loads(user_message["body"]) == {"content": "What is 2+2?", "tokens": [1, 2]}
    assert (user_message["event_name"], user_message["model_id"]) == ("gen_ai.user.message", "gpt-4o-mini")
    assert user_message["trace_id"] == "" and user_message["span_id"] == ""
    # no timestamp given: the time falls back to the observed time
    assert user_message["time"] == user_message["observed_time"]
    assert number["body"] == "42" and number["severity_number"] == 9
    assert json.loads(array["body"]) == ["a", 1.5, True] and array["event_name"] == "legacy.event"
    assert empty["body"] == "" and empty["severity_text"] == "DEBUG"
    assert {r["source_offset"] for r in table.to_pylist()} == {5}


def test_histogram_point_without_observations() -> None:
    point = HistogramDataPoint(time_unix_nano=5, count=0, bucket_counts=[0, 0], explicit_bounds=[1.0])
    request = ExportMetricsServiceRequest(resource_metrics=[ResourceMetrics(scope_metrics=[ScopeMetrics(metrics=[
        Metric(name="idle", histogram=HistogramData(data_points=[point], aggregation_temporality=1))])])])
    batch = MetricBatch()
    batch.add_request(request)
    row = _rows(batch)["idle"]
    assert (row["value"], row["count"], row["sum"], row["min"], row["max"]) == (0.0, 0, 0.0, None, None)
    assert (row["temporality"], row["bucket_counts"], row["explicit_bounds"]) == ("delta", [0, 0], [1.0])
    assert row["quantiles"] == [] and batch.to_arrow().schema == METRIC_SCHEMA
