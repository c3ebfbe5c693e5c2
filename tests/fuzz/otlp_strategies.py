"""Hypothesis strategies for OTLP export requests with extreme and invalid values.

Every numeric field is drawn from its limits and a few values around the storage limits (times at
0, before the retention window, inside it, 2106, 2262, 2^63, 2^64-1; histogram scales around
-10..20; NaN and infinities; uint64 counts at their maximum), ids are valid, all-zero or of the
wrong length, attribute values nest and grow. `stamp` then makes each valid id and each request's
service name unique, so what was stored can be counted per request.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.logs.v1.logs_pb2 import LogRecord
from opentelemetry.proto.metrics.v1.metrics_pb2 import (
    ExponentialHistogramDataPoint,
    HistogramDataPoint,
    Metric,
    NumberDataPoint,
    SummaryDataPoint,
)
from opentelemetry.proto.trace.v1.trace_pb2 import Span

NOW = time.time_ns()
DAY = 86_400 * 10**9
U64, I64, U32, I32 = 2**64 - 1, 2**63 - 1, 2**32 - 1, 2**31 - 1
TIMES = st.sampled_from([
    0, 1, NOW - 400 * DAY, NOW - 31 * DAY, NOW - 29 * DAY, NOW - 1, NOW, NOW + DAY,
    4_102_444_800 * 10**9,  # 2100
    (2**32 - 1) * 10**9,  # 2106, where the TTL's DateTime ends
    9_214_646_400 * 10**9,  # 2262
    I64, I64 + 1, U64,
])
GOOD_TIMES = st.integers(NOW - 20 * DAY, NOW + DAY)
INT32 = st.sampled_from([0, 1, 2, 3, 5, 6, -1, I32, -I32 - 1]) | st.integers(-I32 - 1, I32)
UINT32 = st.sampled_from([0, 1, U32]) | st.integers(0, U32)
UINT64 = st.sampled_from([0, 1, U32 + 1, I64, I64 + 1, U64]) | st.integers(0, U64)
INT64 = st.sampled_from([0, -1, 1, I64, -I64 - 1, U32 + 1]) | st.integers(-I64 - 1, I64)
DOUBLE = st.sampled_from([0.0, -0.0, 1.5, float("nan"), float("inf"), float("-inf"), 1e308, -1e308, 5e-324]) | \
    st.floats(allow_nan=True, allow_infinity=True)
TEXT = st.text(max_size=40) | st.sampled_from(["", "x" * 5000, "日本語 \u0000 nul", "gpt-4o", "openai", "chat"])
# Trace and span ids: valid (16/8 bytes, made unique by `stamp`), all-zero, or of the wrong length.
TRACE_ID = st.sampled_from([b"\x01" * 16, bytes(16), b"\x01" * 15, b"", b"\x01" * 17])
SPAN_ID = st.sampled_from([b"\x01" * 8, bytes(8), b"\x01" * 7, b"", b"\x01" * 9])
ATTRIBUTE_KEYS = st.sampled_from([
    "gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens", "gen_ai.request.model", "gen_ai.provider.name",
    "gen_ai.operation.name", "pyflare.prediction.score", "pyflare.embedding", "pyflare.features.age",
    "gen_ai.input.messages", "gen_ai.response.finish_reasons", "llm.token_count.prompt", "input.value",
    "pyflare.inference.type", "event.name", "",
]) | st.text(max_size=20)


def any_values(max_depth: int = 6) -> st.SearchStrategy[AnyValue]:
    scalars = st.one_of(
        TEXT.map(lambda v: AnyValue(string_value=v)),
        st.booleans().map(lambda v: AnyValue(bool_value=v)),
        INT64.map(lambda v: AnyValue(int_value=v)),
        DOUBLE.map(lambda v: AnyValue(double_value=v)),
        st.binary(max_size=40).map(lambda v: AnyValue(bytes_value=v)),
        st.just(AnyValue()),
    )

    def nest(children: st.SearchStrategy[AnyValue]) -> st.SearchStrategy[AnyValue]:
        def array(items: list[AnyValue]) -> AnyValue:
            value = AnyValue()
            value.array_value.values.extend(items)
            return value

        def kvlist(items: list[tuple[str, AnyValue]]) -> AnyValue:
            value = AnyValue()
            value.kvlist_value.values.extend(KeyValue(key=k, value=v) for k, v in items)
            return value

        return st.one_of(st.lists(children, max_size=4).map(array),
                         st.lists(st.tuples(TEXT, children), max_size=4).map(kvlist))

    return st.recursive(scalars, nest, max_leaves=max_depth * 3)


def deep_value(depth: int) -> AnyValue:
    """An array nested `depth` times (two message levels each; protobuf stops at 100 levels)."""
    value = AnyValue(string_value="bottom")
    for _ in range(depth):
        outer = AnyValue()
        outer.array_value.values.append(value)
        value = outer
    return value


ATTRIBUTES = st.lists(st.builds(KeyValue, key=ATTRIBUTE_KEYS, value=any_values()), max_size=6) | \
    st.integers(10, 45).map(lambda d: [KeyValue(key="deep", value=deep_value(d))])


@dataclass
class Case:
    signal: str  # traces | metrics | logs
    request: Any
    service: str = ""

    def payload(self) -> bytes:
        return self.request.SerializeToString()


def _resource(holder: Any, extra: list[KeyValue]) -> None:
    holder.resource.attributes.add(key="pyflare.project").value.string_value = "default"
    holder.resource.attributes.extend(extra)


def _times(storable: bool) -> st.SearchStrategy[int]:
    return GOOD_TIMES if storable else TIMES | GOOD_TIMES


@st.composite
def spans(draw: st.DrawFn, storable: bool) -> Span:
    span = Span(
        trace_id=draw(st.just(b"\x01" * 16) if storable else TRACE_ID),
        span_id=draw(st.just(b"\x01" * 8) if storable else SPAN_ID),
        parent_span_id=draw(st.sampled_from([b"", b"\x02" * 8, bytes(8), b"\x02" * 3])),
        name=draw(TEXT), kind=draw(INT32),
        start_time_unix_nano=draw(_times(storable)), end_time_unix_nano=draw(_times(storable)),
        dropped_attributes_count=draw(UINT32), dropped_events_count=draw(UINT32), flags=draw(UINT32),
    )
    span.attributes.extend(draw(ATTRIBUTES))
    span.status.code = draw(INT32)
    span.status.message = draw(TEXT)
    for _ in range(draw(st.integers(0, 2))):
        event = span.events.add(time_unix_nano=draw(_times(storable)), name=draw(TEXT | st.just("gen_ai.choice")))
        event.attributes.extend(draw(ATTRIBUTES))
    for _ in range(draw(st.integers(0, 1))):
        span.links.add(trace_id=draw(st.just(b"\x03" * 16) if storable else TRACE_ID),
                       span_id=draw(st.just(b"\x03" * 8) if storable else SPAN_ID), trace_state=draw(TEXT))
    return span


@st.composite
def trace_cases(draw: st.DrawFn) -> Case:
    request = ExportTraceServiceRequest()
    rs = request.resource_spans.add()
    _resource(rs, draw(ATTRIBUTES))
    ss = rs.scope_spans.add()
    ss.scope.name = draw(TEXT)
    # half the requests keep ids and times storable, so extreme values of the other fields reach storage
    ss.spans.extend(draw(st.lists(spans(draw(st.booleans())), min_size=1, max_size=4)))
    return Case("traces", request)


def _points_common(draw: st.DrawFn, point: Any, storable: bool) -> None:
    point.time_unix_nano = draw(_times(storable))
    point.start_time_unix_nano = draw(st.just(0) | (GOOD_TIMES if storable else TIMES))
    point.attributes.extend(draw(ATTRIBUTES))


@st.composite
def metric(draw: st.DrawFn, storable: bool) -> Metric:
    m = Metric(name=draw(TEXT), unit=draw(TEXT))
    kind = draw(st.sampled_from(["gauge", "sum", "histogram", "exponential_histogram", "summary"]))
    if kind in ("gauge", "sum"):
        data = getattr(m, kind)
        point = NumberDataPoint()
        if draw(st.booleans()):
            point.as_int = draw(INT64)
        else:
            point.as_double = draw(DOUBLE)
        if kind == "sum":
            m.sum.aggregation_temporality = draw(INT32)
            m.sum.is_monotonic = draw(st.booleans())
    elif kind == "histogram":
        data = m.histogram
        m.histogram.aggregation_temporality = draw(INT32)
        point = HistogramDataPoint(count=draw(UINT64), sum=draw(DOUBLE), min=draw(DOUBLE), max=draw(DOUBLE))
        point.bucket_counts.extend(draw(st.lists(UINT64, max_size=6)))
        point.explicit_bounds.extend(draw(st.lists(DOUBLE, max_size=6)))
    elif kind == "exponential_histogram":
        data = m.exponential_histogram
        point = ExponentialHistogramDataPoint(
            count=draw(UINT64), sum=draw(DOUBLE), zero_count=draw(UINT64), zero_threshold=draw(DOUBLE),
            scale=draw(st.sampled_from([-10, 0, 3, 20]) if storable else
                       st.sampled_from([-I32 - 1, -1100, -11, -10, 0, 3, 20, 21, I32]) | st.integers(-I32 - 1, I32)),
        )
        for side in (point.positive, point.negative):
            side.offset = draw(INT32)
            side.bucket_counts.extend(draw(st.lists(UINT64, max_size=5)))
    else:
        data = m.summary
        point = SummaryDataPoint(count=draw(UINT64), sum=draw(DOUBLE))
        for _ in range(draw(st.integers(0, 3))):
            point.quantile_values.add(quantile=draw(DOUBLE), value=draw(DOUBLE))
    _points_common(draw, point, storable)
    data.data_points.append(point)
    return m


@st.composite
def metric_cases(draw: st.DrawFn) -> Case:
    request = ExportMetricsServiceRequest()
    rm = request.resource_metrics.add()
    _resource(rm, draw(ATTRIBUTES))
    rm.scope_metrics.add().metrics.extend(draw(st.lists(metric(draw(st.booleans())), min_size=1, max_size=3)))
    return Case("metrics", request)


@st.composite
def log_record(draw: st.DrawFn, storable: bool) -> LogRecord:
    record = LogRecord(
        time_unix_nano=draw(_times(storable) | st.just(0)), observed_time_unix_nano=draw(_times(storable)),
        severity_number=draw(INT32), severity_text=draw(TEXT), flags=draw(UINT32),
        trace_id=draw(st.just(b"") | TRACE_ID), span_id=draw(st.just(b"") | SPAN_ID), event_name=draw(TEXT),
        dropped_attributes_count=draw(UINT32),
    )
    record.body.CopyFrom(draw(any_values()))
    record.attributes.extend(draw(ATTRIBUTES))
    return record


@st.composite
def log_cases(draw: st.DrawFn) -> Case:
    request = ExportLogsServiceRequest()
    rl = request.resource_logs.add()
    _resource(rl, draw(ATTRIBUTES))
    rl.scope_logs.add().log_records.extend(draw(st.lists(log_record(draw(st.booleans())), min_size=1, max_size=4)))
    return Case("logs", request)


CASES = {"traces": trace_cases(), "metrics": metric_cases(), "logs": log_cases()}
_unique = itertools.count(1)


def stamp(case: Case, run: str) -> Case:
    """Give the request a service name of its own and every valid id a unique value."""
    case.service = f"fuzz-{run}-{next(_unique)}"
    holders = {"traces": "resource_spans", "metrics": "resource_metrics", "logs": "resource_logs"}[case.signal]
    for holder in getattr(case.request, holders):
        holder.resource.attributes.add(key="service.name").value.string_value = case.service
    if case.signal == "traces":
        for span in case.request.resource_spans[0].scope_spans[0].spans:
            n = next(_unique)
            if len(span.trace_id) == 16 and any(span.trace_id):
                span.trace_id = n.to_bytes(16, "big")
            if len(span.span_id) == 8 and any(span.span_id):
                span.span_id = n.to_bytes(8, "big")
    return case


def good_case(signal: str, run: str) -> Case:
    """A plain request of `signal` that must be stored."""
    now = time.time_ns()
    if signal == "traces":
        request = ExportTraceServiceRequest()
        rs = request.resource_spans.add()
        _resource(rs, [])
        rs.scope_spans.add().spans.add(trace_id=b"\x05" * 16, span_id=b"\x05" * 8, name="good",
                                       start_time_unix_nano=now - 1000, end_time_unix_nano=now)
    elif signal == "metrics":
        request = ExportMetricsServiceRequest()
        rm = request.resource_metrics.add()
        _resource(rm, [])
        rm.scope_metrics.add().metrics.add(name="good").gauge.data_points.add(time_unix_nano=now, as_double=1.0)
    else:
        request = ExportLogsServiceRequest()
        rl = request.resource_logs.add()
        _resource(rl, [])
        rl.scope_logs.add().log_records.add(time_unix_nano=now, observed_time_unix_nano=now, body=AnyValue(
            string_value="good"))
    return stamp(Case(signal, request), run)


def item_count(case: Case) -> int:
    """Items storage should hold for an acknowledged request (spans counted once per id pair)."""
    if case.signal == "traces":
        spans_ = case.request.resource_spans[0].scope_spans[0].spans
        return len({(s.trace_id, s.span_id) for s in spans_})
    if case.signal == "metrics":
        return sum(len(getattr(m, m.WhichOneof("data")).data_points)
                   for m in case.request.resource_metrics[0].scope_metrics[0].metrics if m.WhichOneof("data"))
    return len(case.request.resource_logs[0].scope_logs[0].log_records)
