"""Span metrics of many rules at once: one ClickHouse query per query shape (window, the labels a rule
groups or filters by) computes every metric the rules of that shape need, for every filter value
they name; each rule's series are then picked out of the shared rows. The values are those of
`metrics.window_values` for each rule alone (grouping also by the filtered labels and keeping the
rows of the filter's value is the same as filtering first), read once per shape instead of once per
rule — what makes a thousand rules per minute cheap. Only span metrics share; cost and drift metrics
are read per rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from clickhouse_connect.driver.client import Client

from workers.analysis.alerting.rules import Metric, Query, SeriesKey
from workers.storage.alerting.metrics import _AGGREGATES, SPAN_COLUMNS, UnsupportedQuery, _key, _window_where

Values = dict[SeriesKey, float | None]
_READ = {"start_time", "status_code", "duration_ns", "input_tokens", "output_tokens", "model_id"}


def shares(query: Query) -> bool:
    """Whether the query can be read together with others (a span metric over known labels)."""
    return Metric(query.metric) in _AGGREGATES and all(n in SPAN_COLUMNS for n in (*query.filters, *query.group_by))


def shared_window_values(client: Client, project: str, queries: Sequence[Query], end: float) -> list[Values]:
    """The metric per series over [end - window, end) for each query (all must `share`), in order."""
    shapes: dict[tuple[float, tuple[str, ...], frozenset[str]], list[int]] = {}
    for i, query in enumerate(queries):
        if not shares(query):
            raise UnsupportedQuery(f"{query.metric} by {query.group_by} cannot be read with other rules")
        labels = tuple(sorted({*query.group_by, *query.filters}))
        shapes.setdefault((query.window, labels, frozenset(query.filters)), []).append(i)
    out: list[Values] = [{} for _ in queries]
    for (window, labels, filtered), members in shapes.items():
        rows = _shape_rows(client, project, [queries[i] for i in members], window, labels, filtered, end)
        for i in members:
            out[i] = _pick(queries[i], labels, rows)
    return out


def _shape_rows(client: Client, project: str, queries: list[Query], window: float, labels: tuple[str, ...],
                filtered: frozenset[str], end: float) -> list[tuple[Any, ...]]:  # fmt: skip
    """Rows of (label values..., one value per metric in `metrics` order) for one shape."""
    metrics = sorted({q.metric for q in queries})
    params: dict[str, Any] = {"project": project}
    where = ["project = {project:String}", _window_where(params, "start_time", [(end - window, end)])]
    if "model_id" not in filtered:
        where.append("model_id != ''")
    for j, name in enumerate(sorted(filtered)):
        params[f"v{j}"] = sorted({q.filters[name] for q in queries})
        where.append(f"{SPAN_COLUMNS[name]} IN {{v{j}:Array(String)}}")
    columns = [SPAN_COLUMNS[name] for name in labels]
    read = ", ".join(sorted(_READ | set(columns) | {"project", "trace_id", "span_id", "_ingested_at"}))
    aggregates = ", ".join(f"{_AGGREGATES[Metric(m)]} AS m{k}" for k, m in enumerate(metrics))
    keys = ", ".join(["0 AS w", *columns])
    sql = (
        f"SELECT {keys}, {aggregates} FROM ("
        f"  SELECT {read} FROM spans WHERE {' AND '.join(where)}"
        "   ORDER BY _ingested_at DESC LIMIT 1 BY project, trace_id, span_id"
        f") GROUP BY {', '.join(['w', *columns])}"
    )
    result = client.query(sql, parameters=params).result_rows
    width = len(columns)
    return [(*row[1:1 + width], *(dict(zip(metrics, row[1 + width:], strict=True)),)) for row in result]


def _pick(query: Query, labels: tuple[str, ...], rows: list[tuple[Any, ...]]) -> Values:
    position = {name: k for k, name in enumerate(labels)}
    out: Values = {}
    for row in rows:
        if any(str(row[position[name]]) != value for name, value in query.filters.items()):
            continue
        value = row[-1][query.metric]
        out[_key(query.group_by, [row[position[g]] for g in query.group_by])] = None if value is None else float(value)
    return out
