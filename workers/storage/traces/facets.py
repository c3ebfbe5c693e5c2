"""Facet counts of the trace list: per value of service, model, status, environment and user, how
many traces match the current filters with that facet's own filter left out (standard faceting, so
a selected value still shows its siblings). A trace counts under a value when some span of it has
that value, the list's own rule, so choosing a value lists exactly the counted traces.

All value facets are one statement (a GROUP BY per facet column, each over its own trace set); status
is error (some span failed) or ok (none did).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from workers.storage.traces.reader import RowReader
from workers.storage.traces.reads import TraceFilters, summary_conditions
from workers.storage.traces.windows import hour_of

# facet name -> (TraceFilters field, spans column)
FACETS: dict[str, tuple[str, str]] = {
    "service": ("service", "service_name"),
    "model": ("model_id", "model_id"),
    "environment": ("environment", "environment"),
    "user": ("user_id", "user_id"),
    "session": ("session_id", "session_id"),
}
TOP = 20  # values per facet, most traces first


def _trace_set(filters: TraceFilters, params: dict[str, Any]) -> str | None:
    """SQL of the ids of the traces matching `filters` (None: every trace of the project).

    Times are the trace's start (its earliest span), exactly as the list reads them: a trace with
    summary rows before `start_time`'s hour that reach into it began earlier and is left out."""
    if filters == TraceFilters():
        return None
    where = ["project = {project:String}"]
    having: list[str] = []
    span_lower = None
    if filters.since_ns is not None:
        params["since"], params["since_hour"] = filters.since_ns, hour_of(filters.since_ns)
        span_lower = "fromUnixTimestamp64Nano({since:Int64}, 'UTC')"
        where.append("start_hour >= fromUnixTimestamp64Nano({since_hour:Int64}, 'UTC')")
        where.append(
            "trace_id NOT IN (SELECT trace_id FROM trace_summary WHERE project = {project:String}"
            " AND start_hour < fromUnixTimestamp64Nano({since_hour:Int64}, 'UTC') AND trace_id IN"
            " (SELECT trace_id FROM trace_summary WHERE project = {project:String}"
            " AND start_hour >= fromUnixTimestamp64Nano({since_hour:Int64}, 'UTC')))"
        )
        having.append("toUnixTimestamp64Nano(min(start_time)) >= {since:Int64}")
    if filters.until_ns is not None:
        params["until"] = filters.until_ns
        where.append("start_hour <= fromUnixTimestamp64Nano({until:Int64}, 'UTC')")
        having.append("toUnixTimestamp64Nano(min(start_time)) <= {until:Int64}")
    more_where, more_having = summary_conditions(filters, params, span_lower)
    where += more_where
    having += more_having
    return (
        f"SELECT trace_id FROM trace_summary WHERE {' AND '.join(where)} GROUP BY trace_id"
        + (f" HAVING {' AND '.join(having)}" if having else "")
    )


def _span_scope(filters: TraceFilters, params: dict[str, Any]) -> str:
    """WHERE of the spans read for counting: the project, spans from the start bound on (a trace's
    spans start at or after the trace), and the trace set."""
    where = "project = {project:String}"
    if filters.since_ns is not None:
        params["since"] = filters.since_ns
        where += " AND start_time >= fromUnixTimestamp64Nano({since:Int64}, 'UTC')"
    traces = _trace_set(filters, params)
    return where + (f" AND trace_id IN ({traces})" if traces else "")


def _facet_select(name: str, filters: TraceFilters, params: dict[str, Any]) -> str:
    column = FACETS[name][1]
    # traces are told apart by a 64-bit hash of their id: grouping on it is ~2x faster than on the
    # 32-character text, and a collision among a project's traces is beyond likely (2^-64 per pair)
    return (
        f"(SELECT '{name}' AS facet, toString({column}) AS value, uniqExact(cityHash64(trace_id)) AS n FROM spans"
        f" WHERE {_span_scope(filters, params)} AND {column} != '' GROUP BY {column} ORDER BY n DESC, value"
        f" LIMIT {TOP})"
    )


def _status_counts(reader: RowReader, project: str, filters: TraceFilters) -> list[tuple[str, int]]:
    params: dict[str, Any] = {"project": project}
    sql = (
        "SELECT uniqExact(cityHash64(trace_id)), uniqExactIf(cityHash64(trace_id), status_code = 'error') FROM spans"
        f" WHERE {_span_scope(filters, params)}"
    )
    total, failed = reader.rows(sql, params)[0]
    counts = [("error", int(failed)), ("ok", int(total) - int(failed))]
    return sorted([c for c in counts if c[1]], key=lambda c: (-c[1], c[0]))


def facet_counts(reader: RowReader, project: str, filters: TraceFilters) -> dict[str, list[tuple[str, int]]]:
    """Per facet, (value, traces) pairs, most traces first (at most TOP per facet). One statement:
    a GROUP BY per facet column (each over the filters without its own), faster than one ARRAY JOIN."""
    params: dict[str, Any] = {"project": project}
    parts = [_facet_select(name, replace(filters, **{field: None}), params) for name, (field, _) in FACETS.items()]
    out: dict[str, list[tuple[str, int]]] = {name: [] for name in FACETS}
    for facet, value, n in reader.rows(" UNION ALL ".join(parts), params):
        out[facet].append((value, int(n)))
    for pairs in out.values():
        pairs.sort(key=lambda p: (-p[1], p[0]))
    out["status"] = _status_counts(reader, project, replace(filters, status=None))
    return out


def matching_count(reader: RowReader, project: str, filters: TraceFilters) -> int:
    """How many traces match every filter."""
    params: dict[str, Any] = {"project": project}
    sql = f"SELECT uniqExact(cityHash64(trace_id)) FROM spans WHERE {_span_scope(filters, params)}"
    return int(reader.rows(sql, params)[0][0])
