"""OTLP metrics -> rows of `METRIC_SCHEMA`, one per data point, for all five metric kinds.

Exponential histograms are turned into explicit buckets (bounds base^i) so that one set of
columns answers percentile queries for both histogram kinds.
"""

from __future__ import annotations

import math
from typing import Any

import pyarrow as pa
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest

from workers.telemetry.batch import OtlpBatch, Parts
from workers.telemetry.columnar import list_array, map_array, offsets, scalar_array, shared_map_array
from workers.telemetry.columns import METRIC_SCHEMA
from workers.telemetry.limits import MAX_SCALE, MAX_TIME_NS, MIN_SCALE, TimeWindow, check_scale, check_time
from workers.telemetry.resource import resource_info
from workers.telemetry.semconv import read_attributes

_TEMPORALITY = {0: "", 1: "delta", 2: "cumulative"}
_F64 = pa.float64()
_U64 = pa.uint64()


class MetricParts(Parts):
    """Row tuples in METRIC_SCHEMA order; list/map columns hold their entry counts."""

    def __init__(self) -> None:
        super().__init__()
        self.attr_keys: list[str] = []
        self.attr_values: list[str] = []
        self.bucket_counts: list[int] = []
        self.bounds: list[float] = []
        self.quantiles: list[float] = []
        self.quantile_values: list[float] = []


class MetricBatch(OtlpBatch[ExportMetricsServiceRequest]):
    """Metric data points from OTLP export requests, one Arrow table per batch."""

    signal = "metrics"
    schema = METRIC_SCHEMA
    request_type = ExportMetricsServiceRequest
    parts_type = MetricParts

    def _normalise(
        self, request: ExportMetricsServiceRequest, parts: MetricParts, partition: int, offset: int,
        resource_base: int,
    ) -> None:
        window = self.options.time_window()
        first_row = len(parts.rows)  # errors name items by their position in the request
        for rm in request.resource_metrics:
            res = resource_info(rm.resource, self.options.default_project)
            rid = resource_base + len(parts.resources)
            parts.resources.append((res.keys, res.values))
            for sm in rm.scope_metrics:
                scope_name = sm.scope.name
                for metric in sm.metrics:
                    kind = metric.WhichOneof("data")
                    if kind is None:
                        continue
                    data = getattr(metric, kind)
                    head = (res.project, res.service_name, metric.name, kind, metric.unit, metric.description,
                            _TEMPORALITY.get(getattr(data, "aggregation_temporality", 0), ""),
                            bool(getattr(data, "is_monotonic", False)))
                    for point in data.data_points:
                        if (not window.earliest <= point.time_unix_nano <= window.latest
                                or point.start_time_unix_nano > MAX_TIME_NS
                                or (kind == "exponential_histogram" and not MIN_SCALE <= point.scale <= MAX_SCALE)):
                            _refuse_point(metric.name, kind, point, len(parts.rows) - first_row, window)
                        a0 = len(parts.attr_keys)
                        model = read_attributes(point.attributes, parts.attr_keys, parts.attr_values)
                        values = _POINT_VALUES[kind](point, parts)
                        parts.rows.append((
                            *head, point.start_time_unix_nano, point.time_unix_nano, *values, model,
                            len(parts.attr_keys) - a0, rid, scope_name, partition, offset,
                        ))

    def _arrays(self, p: MetricParts, columns: list[tuple[Any, ...]]) -> list[pa.Array]:
        arrays = []
        for field, values in zip(METRIC_SCHEMA, columns, strict=True):
            name = field.name
            if name == "attributes":
                arrays.append(map_array(values, p.attr_keys, p.attr_values))
            elif name == "resource":
                arrays.append(shared_map_array(values, p.resources))
            elif name == "bucket_counts":
                arrays.append(list_array(values, pa.array(p.bucket_counts, _U64), field.type))
            elif name == "explicit_bounds":
                arrays.append(list_array(values, pa.array(p.bounds, _F64), field.type))
            elif name == "quantiles":
                arrays.append(pa.MapArray.from_arrays(
                    offsets(values), pa.array(p.quantiles, _F64), pa.array(p.quantile_values, _F64),
                    type=field.type,
                ))
            else:
                arrays.append(scalar_array(values, field.type))
        return arrays


def _refuse_point(name: str, kind: str, point: Any, index: int, window: TimeWindow) -> None:
    what = f"metrics: {name!r} point #{index}"
    window.check(point.time_unix_nano, f"{what} time_unix_nano")
    check_time(point.start_time_unix_nano, f"{what} start_time_unix_nano")
    if kind == "exponential_histogram":
        check_scale(point.scale, what)


# Each returns (value, count, sum, min, max, n bucket counts, n bounds, n quantiles) and appends
# the list entries to the parts.
Values = tuple[float, int, float, float | None, float | None, int, int, int]


def _number(point: Any, parts: MetricParts) -> Values:
    kind = point.WhichOneof("value")
    value = float(point.as_int) if kind == "as_int" else point.as_double
    return value, 0, 0.0, None, None, 0, 0, 0


def _optional(point: Any, name: str) -> float | None:
    return getattr(point, name) if point.HasField(name) else None


def _histogram(point: Any, parts: MetricParts) -> Values:
    counts = list(point.bucket_counts)
    bounds = list(point.explicit_bounds)
    parts.bucket_counts.extend(counts)
    parts.bounds.extend(bounds)
    total = point.sum if point.HasField("sum") else 0.0
    count = point.count
    return (total / count if count else 0.0, count, total, _optional(point, "min"), _optional(point, "max"),
            len(counts), len(bounds), 0)


def _power(base_log2: float, index: int) -> float:
    try:
        return 2.0 ** (index * base_log2)
    except OverflowError:
        return math.inf


def exponential_buckets(point: Any) -> tuple[list[int], list[float]]:
    """Explicit-histogram form of an exponential histogram: bucket i covers (bounds[i-1], bounds[i]],
    the last bucket is (bounds[-1], +inf) and is empty."""
    check_scale(point.scale, "metrics: exponential histogram point")
    base_log2 = 2.0 ** -point.scale  # log2 of the bucket base 2^(2^-scale)
    counts: list[int] = []
    bounds: list[float] = []
    negative = list(point.negative.bucket_counts)
    for j in range(len(negative) - 1, -1, -1):  # most negative first; bucket (-base^(i+1), -base^i]
        counts.append(negative[j])
        bounds.append(-_power(base_log2, point.negative.offset + j))
    counts.append(point.zero_count)
    bounds.append(point.zero_threshold)
    for j, count in enumerate(point.positive.bucket_counts):  # bucket (base^i, base^(i+1)]
        counts.append(count)
        bounds.append(_power(base_log2, point.positive.offset + j + 1))
    counts.append(0)
    return counts, bounds


def _exponential(point: Any, parts: MetricParts) -> Values:
    counts, bounds = exponential_buckets(point)
    parts.bucket_counts.extend(counts)
    parts.bounds.extend(bounds)
    total = point.sum if point.HasField("sum") else 0.0
    count = point.count
    return (total / count if count else 0.0, count, total, _optional(point, "min"), _optional(point, "max"),
            len(counts), len(bounds), 0)


def _summary(point: Any, parts: MetricParts) -> Values:
    lowest = highest = None
    n = 0
    for q in point.quantile_values:
        parts.quantiles.append(q.quantile)
        parts.quantile_values.append(q.value)
        n += 1
        if q.quantile == 0.0:  # the spec: quantile 0 is the minimum, 1 the maximum
            lowest = q.value
        elif q.quantile == 1.0:
            highest = q.value
    count = point.count
    return point.sum / count if count else 0.0, count, point.sum, lowest, highest, 0, 0, n


_POINT_VALUES = {
    "gauge": _number,
    "sum": _number,
    "histogram": _histogram,
    "exponential_histogram": _exponential,
    "summary": _summary,
}
