"""ClickHouse reads behind the metrics endpoints.

Aggregations, by metric type:
- gauge and sum: over the stored data point values (for cumulative sums that is the running
  total, so max/last describe it best); p50/p95/p99 are exact percentiles of those values with
  linear interpolation (numpy's default, ClickHouse quantileExactInclusive).
- histogram and exponential_histogram: count = observations, sum = sum of observations,
  avg = sum/count, min/max = recorded min/max, p50/p95/p99 from the merged bucket counts
  (webapp.metrics.histogram). Cumulative points are turned into per-point increases against the
  previous point of the same series (same start time and boundaries) read up to `lookback` before
  the range; a cumulative point without such a predecessor counts whole only if its series
  started inside the read range, else not at all (its increase is unknown).
- summary (always cumulative in OTLP): count/sum/avg from the points' count and sum as for
  cumulative histograms, min/max from the stored 0 and 1 quantiles; percentiles are refused
  (stored quantiles cannot be merged).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Literal

from webapp.api.telemetry import run_query
from webapp.metrics.histogram import Histogram, quantile

Aggregation = Literal["sum", "avg", "count", "min", "max", "p50", "p95", "p99"]
AGGREGATIONS: tuple[str, ...] = ("sum", "avg", "count", "min", "max", "p50", "p95", "p99")
PERCENTILES = {"p50": 0.5, "p95": 0.95, "p99": 0.99}
NUMBER_TYPES = ("gauge", "sum")
HISTOGRAM_TYPES = ("histogram", "exponential_histogram")
MAX_SERIES = 100


class UnsupportedAggregation(ValueError):
    """The aggregation does not apply to this metric's type; the message says what does."""


@dataclass(frozen=True)
class MetricInfo:
    name: str
    type: str
    unit: str
    description: str
    temporality: str
    last_value: float
    last_time_ns: int
    series_count: int
    point_count: int

    @classmethod
    def absent(cls, name: str) -> MetricInfo:
        """A metric the project has no points of."""
        return cls(name, "", "", "", "", 0.0, 0, 0, 0)


@dataclass(frozen=True)
class SeriesQuery:
    name: str
    since_ns: int
    until_ns: int
    step_ns: int
    aggregation: Aggregation
    group_by: str | None = None  # service | model_id | attr.<key> | resource.<key>
    service: str | None = None
    model_id: str | None = None
    attributes: tuple[tuple[str, str], ...] = ()


@dataclass
class Series:
    group: dict[str, str]
    points: list[tuple[int, float | None]]  # (interval start ns, value)


@dataclass
class SeriesResult:
    info: MetricInfo
    series: list[Series]
    truncated: bool
    percentile_source: str | None  # data_points | histogram_buckets, for percentile aggregations


_SERIES_KEY = "sipHash64(service_name, model_id, attributes, resource, scope_name)"


def list_metrics(
    project: str,
    since_ns: int | None = None,
    until_ns: int | None = None,
    service: str | None = None,
    text: str | None = None,
    limit: int = 1000,
    after: str | None = None,
    name: str | None = None,
) -> list[MetricInfo]:
    """Metric names of the project (by name), with their latest type, unit, value and series count."""
    params: dict[str, Any] = {"project": project, "limit": limit}
    where = ["project = {project:String}"]
    conditions = {
        "since": (since_ns, "time >= fromUnixTimestamp64Nano({since:Int64}, 'UTC')"),
        "until": (until_ns, "time <= fromUnixTimestamp64Nano({until:Int64}, 'UTC')"),
        "service": (service, "service_name = {service:String}"),
        "text": (text, "positionCaseInsensitiveUTF8(metric_name, {text:String}) > 0"),
        "after": (after, "metric_name > {after:String}"),
        "name": (name, "metric_name = {name:String}"),
    }
    for key, (value, condition) in conditions.items():
        if value is not None:
            params[key] = value
            where.append(condition)
    sql = f"""
        SELECT metric_name, argMax(metric_type, time), argMax(unit, time), argMax(description, time),
               argMax(temporality, time), argMax(value, time), toUnixTimestamp64Nano(max(time)),
               uniqExact({_SERIES_KEY}), count()
        FROM metrics WHERE {" AND ".join(where)}
        GROUP BY metric_name ORDER BY metric_name LIMIT {{limit:UInt32}}
    """
    return [
        MetricInfo(r[0], r[1], r[2], r[3], r[4], float(r[5]), int(r[6]), int(r[7]), int(r[8]))
        for r in run_query(sql, params)
    ]


def metric_info(project: str, name: str) -> MetricInfo | None:
    rows = list_metrics(project, name=name, limit=1)
    return rows[0] if rows else None


def _group_expression(group_by: str | None, params: dict[str, Any]) -> str:
    if group_by is None:
        return "''"
    if group_by == "service":
        return "toString(service_name)"
    if group_by == "model_id":
        return "toString(model_id)"
    kind, key = group_by.split(".", 1)
    params["group_key"] = key
    column = "attributes" if kind == "attr" else "resource"
    return f"{column}[{{group_key:String}}]"


def _filters(q: SeriesQuery, info: MetricInfo, params: dict[str, Any]) -> list[str]:
    params.update({"name": q.name, "type": info.type})
    where = ["project = {project:String}", "metric_name = {name:String}", "metric_type = {type:String}"]
    if q.service is not None:
        params["service"] = q.service
        where.append("service_name = {service:String}")
    if q.model_id is not None:
        params["model_id"] = q.model_id
        where.append("model_id = {model_id:String}")
    for i, (key, value) in enumerate(q.attributes):
        params[f"ak{i}"], params[f"av{i}"] = key, value
        where.append(f"mapContains(attributes, {{ak{i}:String}}) AND attributes[{{ak{i}:String}}] = {{av{i}:String}}")
    return where


def time_series(project: str, q: SeriesQuery, info: MetricInfo) -> SeriesResult:
    if not info.point_count:
        return SeriesResult(info, [], False, None)
    if info.type in NUMBER_TYPES:
        rows, source = _number_series(project, q, info), "data_points"
    elif info.type in HISTOGRAM_TYPES or info.type == "summary":
        if info.type == "summary" and q.aggregation in PERCENTILES:
            raise UnsupportedAggregation(
                "summary metrics carry precomputed quantiles that cannot be merged across points; "
                "use aggregation sum, avg, count, min or max"
            )
        rows, source = _distribution_series(project, q, info), "histogram_buckets"
    else:
        raise UnsupportedAggregation(f"metrics of type {info.type!r} cannot be aggregated")
    by_group: dict[str, list[tuple[int, float | None]]] = defaultdict(list)
    for group, bucket, value in rows:
        by_group[group].append((bucket, value))
    groups = sorted(by_group)
    truncated = len(groups) > MAX_SERIES
    label = q.group_by or ""
    series = [Series({label: g} if label else {}, sorted(by_group[g])) for g in groups[:MAX_SERIES]]
    return SeriesResult(info, series, truncated, source if q.aggregation in PERCENTILES else None)


_NUMBER_AGGREGATES = {
    "sum": "sum(value)",
    "avg": "avg(value)",
    "count": "toFloat64(count())",
    "min": "min(value)",
    "max": "max(value)",
    "p50": "quantileExactInclusive(0.5)(value)",
    "p95": "quantileExactInclusive(0.95)(value)",
    "p99": "quantileExactInclusive(0.99)(value)",
}


def _number_series(project: str, q: SeriesQuery, info: MetricInfo) -> list[tuple[str, int, float | None]]:
    params: dict[str, Any] = {"project": project, "since": q.since_ns, "until": q.until_ns, "step": q.step_ns}
    where = _filters(q, info, params)
    group = _group_expression(q.group_by, params)
    sql = f"""
        SELECT {group} AS g, intDiv(toUnixTimestamp64Nano(time), {{step:Int64}}) * {{step:Int64}} AS b,
               {_NUMBER_AGGREGATES[q.aggregation]}
        FROM metrics
        WHERE {" AND ".join(where)}
          AND time >= fromUnixTimestamp64Nano({{since:Int64}}, 'UTC')
          AND time < fromUnixTimestamp64Nano({{until:Int64}}, 'UTC')
        GROUP BY g, b
    """
    return [(r[0], int(r[1]), float(r[2])) for r in run_query(sql, params)]


def lookback_ns(step_ns: int) -> int:
    return max(step_ns, 15 * 60 * 1_000_000_000)


def _distribution_series(project: str, q: SeriesQuery, info: MetricInfo) -> list[tuple[str, int, float | None]]:
    params: dict[str, Any] = {
        "project": project,
        "since": q.since_ns,
        "until": q.until_ns,
        "step": q.step_ns,
        "read_from": max(0, q.since_ns - lookback_ns(q.step_ns)),
    }
    where = _filters(q, info, params)
    group = _group_expression(q.group_by, params)
    # Increase of each point over the previous point of its series, when that one continues it.
    increases = f"""
        SELECT {group} AS g, intDiv(t, {{step:Int64}}) * {{step:Int64}} AS b, explicit_bounds AS bounds,
               continues OR NOT cumulative OR start_ns >= {{read_from:Int64}} AS usable,
               if(continues, arrayMap((x, y) -> toUInt64(if(x >= y, x - y, 0)), bucket_counts, prev_counts),
                  bucket_counts) AS dc,
               if(continues, toUInt64(count - least(count, prev_count)), count) AS dn,
               if(continues, toFloat64(sum - prev_sum), sum) AS ds,
               min AS mn, max AS mx
        FROM (
            SELECT *, toUnixTimestamp64Nano(time) AS t, toUnixTimestamp64Nano(start_time) AS start_ns,
                   temporality = 'cumulative' OR metric_type = 'summary' AS cumulative,
                   cumulative AND prev_start = start_ns AND prev_bounds = explicit_bounds
                       AND length(prev_counts) = length(bucket_counts) AS continues
            FROM (
                SELECT *,
                    lagInFrame(bucket_counts) OVER w AS prev_counts,
                    lagInFrame(count) OVER w AS prev_count,
                    lagInFrame(sum) OVER w AS prev_sum,
                    lagInFrame(toUnixTimestamp64Nano(start_time), 1, toInt64(-1)) OVER w AS prev_start,
                    lagInFrame(explicit_bounds) OVER w AS prev_bounds
                FROM metrics
                WHERE {" AND ".join(where)}
                  AND time >= fromUnixTimestamp64Nano({{read_from:Int64}}, 'UTC')
                  AND time < fromUnixTimestamp64Nano({{until:Int64}}, 'UTC')
                WINDOW w AS (PARTITION BY {_SERIES_KEY} ORDER BY time ROWS BETWEEN 1 PRECEDING AND CURRENT ROW)
            )
        )
        WHERE t >= {{since:Int64}}
    """
    sql = f"""
        SELECT g, b, bounds, sumForEachIf(dc, usable), sumIf(dn, usable), sumIf(ds, usable),
               minIf(mn, usable), maxIf(mx, usable), countIf(usable)
        FROM ({increases})
        GROUP BY g, b, bounds
    """
    merged: dict[tuple[str, int], list[tuple[Any, ...]]] = defaultdict(list)
    for r in run_query(sql, params):
        if r[8]:
            merged[(r[0], int(r[1]))].append(r)
    return [(g, b, _distribution_value(q.aggregation, parts)) for (g, b), parts in merged.items()]


def _distribution_value(aggregation: str, parts: list[tuple[Any, ...]]) -> float | None:
    count = sum(int(p[4]) for p in parts)
    total = sum(float(p[5]) for p in parts)
    if aggregation == "count":
        return float(count)
    if aggregation == "sum":
        return total
    if aggregation == "avg":
        return total / count if count else None
    lows = [float(p[6]) for p in parts if p[6] is not None]
    highs = [float(p[7]) for p in parts if p[7] is not None]
    if aggregation == "min":
        return min(lows) if lows else None
    if aggregation == "max":
        return max(highs) if highs else None
    histograms = [
        Histogram(list(p[2]), [int(c) for c in p[3]], float(p[6]) if p[6] is not None else None,
                  float(p[7]) if p[7] is not None else None)
        for p in parts
    ]  # fmt: skip
    return quantile(histograms, PERCENTILES[aggregation])
