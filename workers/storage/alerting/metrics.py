"""The values alert rules decide on, computed in ClickHouse per series of the rule's group-by labels.

Span metrics count inference spans (spans naming a model) unless the rule's filters say otherwise,
read each stored span once (a re-delivered copy is not a second request), and take latency
percentiles exactly (R-7, numpy's default). `cost_usd` comes from the exact cost store, so a provider
call recorded twice is priced once. Drift metrics read each model's newest drift run that ended in
the window. Every value a rule gives travels as a bound parameter; identifiers come from fixed maps.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import pairwise
from typing import Any

from clickhouse_connect.driver.client import Client

from workers.analysis.alerting.rules import Metric, PatternRule, Query, SeriesKey
from workers.storage.costs.reads import CostScope, grouped

_NS = 1_000_000_000
SPAN_COLUMNS = {"model_id": "model_id", "service": "service_name", "environment": "environment",
                "provider": "provider", "operation": "operation", "team": "team", "feature_id": "feature_id"}
COST_GROUPS = {"model_id": "model", "provider": "provider", "feature_id": "feature", "team": "team",
               "environment": "environment"}
COST_FILTERS = {"model_id": "model_id", "provider": "provider", "feature_id": "feature_id", "team": "team",
                "environment": "environment"}
_AGGREGATES = {
    Metric.REQUEST_COUNT: "toFloat64(count())",
    Metric.ERROR_RATE: "if(count() = 0, NULL, countIf(status_code = 'error') / count())",
    Metric.LATENCY_P50_MS: "quantileExactInclusive(0.5)(duration_ns) / 1e6",
    Metric.LATENCY_P95_MS: "quantileExactInclusive(0.95)(duration_ns) / 1e6",
    Metric.LATENCY_P99_MS: "quantileExactInclusive(0.99)(duration_ns) / 1e6",
    Metric.INPUT_TOKENS: "toFloat64(sum(ifNull(input_tokens, 0)))",
    Metric.OUTPUT_TOKENS: "toFloat64(sum(ifNull(output_tokens, 0)))",
}
_PATTERN_COLUMNS = {("spans", "status_message"): "status_message", ("spans", "name"): "name",
                    ("spans", "output_preview"): "output_preview", ("spans", "status_code"): "status_code",
                    ("logs", "body"): "body", ("logs", "severity_text"): "severity_text"}


class UnsupportedQuery(ValueError):
    """A metric asked for a label its store does not carry (e.g. cost by service)."""


def _key(group_by: Sequence[str], values: Sequence[Any]) -> SeriesKey:
    return tuple(sorted(zip(group_by, (str(v) for v in values), strict=True)))


def _evenly_spaced(windows: Sequence[tuple[float, float]]) -> tuple[int, int, int] | None:
    """(first start, step, length) in ns when the windows, oldest first, are evenly spaced and equally
    long, as a preview's are: then a row's window is arithmetic, not one condition per window."""
    if len(windows) < 3:
        return None
    starts = [int(s * _NS) for s, _ in windows]
    lengths = {int(e * _NS) - s for s, (_, e) in zip(starts, windows, strict=True)}
    step, length = starts[1] - starts[0], min(lengths)
    uneven = max(lengths) - length > 2 or any(abs(b - a - step) > 2 for a, b in pairwise(starts))  # ns rounding
    if step <= 0 or length > step + 2 or uneven:  # overlapping windows keep one condition each
        return None
    return starts[0], step, min(length, step)


def _window_where(params: dict[str, Any], column: str, windows: Sequence[tuple[float, float]]) -> str:
    even = _evenly_spaced(windows)
    if even is not None:
        params["w0"], params["wstep"], params["wlen"] = even
        params["wend"] = even[0] + (len(windows) - 1) * even[1] + even[2]
        return (f"({column} >= fromUnixTimestamp64Nano({{w0:Int64}}, 'UTC')"
                f" AND {column} < fromUnixTimestamp64Nano({{wend:Int64}}, 'UTC')"
                f" AND (toUnixTimestamp64Nano({column}) - {{w0:Int64}}) % {{wstep:Int64}} < {{wlen:Int64}})")
    parts = []
    for i, (start, end) in enumerate(windows):
        params[f"s{i}"], params[f"e{i}"] = int(start * _NS), int(end * _NS)
        parts.append(f"({column} >= fromUnixTimestamp64Nano({{s{i}:Int64}}, 'UTC')"
                     f" AND {column} < fromUnixTimestamp64Nano({{e{i}:Int64}}, 'UTC'))")
    return "(" + " OR ".join(parts) + ")"


def _window_index(params: Mapping[str, Any], column: str, windows: Sequence[tuple[float, float]]) -> str:
    """Which window a row falls in; `params` are those `_window_where` bound for the same windows."""
    count = len(windows)
    if count == 1:
        return "0"
    if "wstep" in params:  # evenly spaced: arithmetic
        return f"intDiv(toUnixTimestamp64Nano({column}) - {{w0:Int64}}, {{wstep:Int64}})"
    arms = ", ".join(f"{column} >= fromUnixTimestamp64Nano({{s{i}:Int64}}, 'UTC')"
                     f" AND {column} < fromUnixTimestamp64Nano({{e{i}:Int64}}, 'UTC'), {i}" for i in range(count))
    return f"multiIf({arms}, -1)"


def _filters(params: dict[str, Any], filters: Mapping[str, str], columns: Mapping[str, str]) -> list[str]:
    where = []
    for i, (name, value) in enumerate(sorted(filters.items())):
        if name not in columns:
            raise UnsupportedQuery(f"filtering on {name!r} is not possible for this metric")
        params[f"f{i}"] = value
        where.append(f"{columns[name]} = {{f{i}:String}}")
    return where


PER_WINDOW_QUERY = frozenset({Metric.COST_USD, Metric.DRIFT_SEVERITY, Metric.FEATURE_DRIFT_SHARE})  # not one query


def window_values(client: Client, project: str, query: Query,
                  windows: Sequence[tuple[float, float]]) -> list[dict[SeriesKey, float | None]]:
    """The metric per series in each [start, end) window (epoch seconds), in the order given."""
    if not windows:
        return []
    metric = Metric(query.metric)
    if metric is Metric.COST_USD:
        return [_cost_values(client, project, query, w) for w in windows]
    if metric in PER_WINDOW_QUERY:
        return [_drift_values(client, project, query, w) for w in windows]
    params: dict[str, Any] = {"project": project}
    where = ["project = {project:String}", _window_where(params, "start_time", windows)]
    if "model_id" not in query.filters:
        where.append("model_id != ''")
    where += _filters(params, query.filters, SPAN_COLUMNS)
    groups = [SPAN_COLUMNS[g] for g in query.group_by]
    keys = ", ".join([_window_index(params, "start_time", windows) + " AS w", *groups])
    sql = (
        f"SELECT {keys}, {_AGGREGATES[metric]} FROM ("
        f"  SELECT * FROM spans WHERE {' AND '.join(where)}"
        "   ORDER BY _ingested_at DESC LIMIT 1 BY project, trace_id, span_id"
        f") GROUP BY {', '.join(['w', *groups])}"
    )
    out: list[dict[SeriesKey, float | None]] = [{} for _ in windows]
    for row in client.query(sql, parameters=params).result_rows:
        index = int(row[0])
        if 0 <= index < len(windows):
            value = row[-1]
            out[index][_key(query.group_by, row[1:-1])] = None if value is None else float(value)
    return out


Values = dict[SeriesKey, float | None]


def _cost_values(client: Client, project: str, query: Query, window: tuple[float, float]) -> Values:
    for name in (*query.filters, *query.group_by):
        if name not in COST_FILTERS:
            raise UnsupportedQuery(f"cost_usd cannot be filtered or grouped by {name!r}")
    scope = CostScope(project, int(window[0] * _NS), int(window[1] * _NS),
                      filters={COST_FILTERS[k]: v for k, v in query.filters.items()})
    groups = [COST_GROUPS[g] for g in query.group_by]
    return {
        _key(query.group_by, [row.key[g] for g in groups]): float(row.totals.total_cost_usd)
        for row in grouped(client, scope, groups)
    }


def _drift_values(client: Client, project: str, query: Query, window: tuple[float, float]) -> Values:
    params: dict[str, Any] = {"project": project, "s": int(window[0] * 1000), "e": int(window[1] * 1000)}
    model_filter = ""
    if "model_id" in query.filters:
        params["model"] = query.filters["model_id"]
        model_filter = " AND model_id = {model:String}"
    if Metric(query.metric) is Metric.DRIFT_SEVERITY:
        value = "maxIf(severity, feature = '')"
    else:
        value = ("if(countIf(drift_type = 'feature' AND feature != '') = 0, NULL,"
                 " countIf(drift_type = 'feature' AND feature != '' AND drifted)"
                 " / countIf(drift_type = 'feature' AND feature != ''))")
    sql = (
        f"SELECT model_id, {value} FROM drift_results WHERE project = {{project:String}}{model_filter}"
        " AND (model_id, run_id) IN ("
        "   SELECT model_id, argMax(run_id, (window_end, time)) FROM drift_results"
        "   WHERE project = {project:String}"
        "     AND window_end >= fromUnixTimestamp64Milli({s:Int64}, 'UTC')"
        f"    AND window_end < fromUnixTimestamp64Milli({{e:Int64}}, 'UTC'){model_filter} GROUP BY model_id)"
        " GROUP BY model_id"
    )
    out: dict[SeriesKey, float | None] = {}
    for model_id, found in client.query(sql, parameters=params).result_rows:
        key: SeriesKey = (("model_id", str(model_id)),) if query.group_by else ()
        out[key] = None if found is None else float(found)
    return out


def pattern_counts(client: Client, project: str, rule: PatternRule, end: float) -> dict[SeriesKey, float]:
    """How many spans or log records in [end - window, end) have the rule's field matching its regex."""
    return pattern_window_counts(client, project, rule, [(end - rule.window, end)])[0]


def pattern_window_counts(client: Client, project: str, rule: PatternRule,
                          windows: Sequence[tuple[float, float]]) -> list[dict[SeriesKey, float]]:
    """The rule's match counts per series in each [start, end) window (disjoint), in one query."""
    if not windows:
        return []
    params: dict[str, Any] = {"project": project, "pattern": rule.pattern}
    table, time_column, columns = ("spans", "start_time", SPAN_COLUMNS) if rule.source == "spans" else (
        "logs", "time", {"service": "service_name"})
    where = ["project = {project:String}", _window_where(params, time_column, windows),
             f"match({_PATTERN_COLUMNS[(rule.source, rule.field)]}, {{pattern:String}})"]
    where += _filters(params, rule.filters, columns)
    groups = [columns[g] for g in rule.group_by]
    select = ", ".join([_window_index(params, time_column, windows) + " AS w", *groups, "toFloat64(count())"])
    source = f"{table} WHERE {' AND '.join(where)}"
    if rule.source == "spans":  # a re-delivered span is one span
        source = (f"(SELECT * FROM spans WHERE {' AND '.join(where)}"
                  " ORDER BY _ingested_at DESC LIMIT 1 BY project, trace_id, span_id)")
    sql = f"SELECT {select} FROM {source} GROUP BY {', '.join(['w', *groups])}"
    out: list[dict[SeriesKey, float]] = [{} for _ in windows]
    for row in client.query(sql, parameters=params).result_rows:
        index = int(row[0])
        if 0 <= index < len(windows) and row[-1]:
            out[index][_key(rule.group_by, row[1:-1])] = float(row[-1])
    return out
