"""Trace reads: the trace list (two phases), a trace's spans and its summary, for every reader.

List, phase 1 picks the page on `trace_summary` (small rows per trace and hour): the sort key and
trace-level filters are merged per trace; span-level filters (service, model, environment, user,
session, attributes, preview text, error status) become `trace_id IN (spans subquery)`. Newest-first
listings read hour windows back from the newest hour (or the cursor), sized from the rows per hour
and widened until the page is full, so first pages touch a few thousand rows, not every trace.
Phase 2 summarises the page's traces exactly from their distinct spans.

A trace that began before a window (or before `start_time`) but has spans inside it shows up in
phase 1 with a partial start; phase 2 finds its earlier summary rows and drops it from this page
(it is listed where its true start belongs, or not at all when that is before `start_time`).
Every statement binds user input as server-side parameters and filters on the project.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from workers.storage.traces.duplicates import FINAL_SETTINGS as _FINAL_SETTINGS
from workers.storage.traces.duplicates import duplicate_spans_sql, mark_duplicates
from workers.storage.traces.reader import RowReader
from workers.storage.traces.summary import TraceSummary, summarise
from workers.storage.traces.windows import Window, hour_of, plan_windows

SortField = Literal["time", "duration", "cost"]

_USAGE_ONCE = "arrayFilter((u, i) -> i = 1 OR u.1 != us[i - 1].1, us, arrayEnumerate(us))"  # one usage tuple per span
# one per provider call inside the trace (usage tuple .7 is the response id, 0041)
_CALLS_ONCE = (f"arrayFilter((u, i) -> u.7 = '' OR indexOf(arrayMap(x -> x.7, {_USAGE_ONCE}), u.7) = i, "
               f"{_USAGE_ONCE}, arrayEnumerate({_USAGE_ONCE}))")  # fmt: skip
_SORT_KEYS: dict[str, str] = {
    "time": "toUnixTimestamp64Nano(min(start_time))",
    "duration": "toUnixTimestamp64Nano(max(end_time)) - toUnixTimestamp64Nano(min(start_time))",
    "cost": f"toInt64(arraySum(u -> u.5, {_CALLS_ONCE}) * 1000000000000)",  # pico-dollars
}


@dataclass(frozen=True)
class TraceFilters:
    since_ns: int | None = None
    until_ns: int | None = None
    min_duration_ns: int | None = None
    max_duration_ns: int | None = None
    status: Literal["ok", "error"] | None = None
    service: str | None = None
    model_id: str | None = None
    environment: str | None = None
    user_id: str | None = None
    session_id: str | None = None
    attributes: tuple[tuple[str, str], ...] = ()
    text: str | None = None

    def span_predicates(self, params: dict[str, Any]) -> list[str]:
        """One SQL predicate per span-level filter; a trace matches when each holds on some span."""
        preds = []
        for column in ("service_name", "model_id", "environment", "user_id", "session_id"):
            value = getattr(self, "service" if column == "service_name" else column)
            if value is not None:
                params[f"f_{column}"] = value
                preds.append(f"{column} = {{f_{column}:String}}")
        for i, (key, value) in enumerate(self.attributes):
            params[f"ak{i}"], params[f"av{i}"] = key, value
            preds.append(
                f"(mapContains(attributes, {{ak{i}:String}}) AND attributes[{{ak{i}:String}}] = {{av{i}:String}})"
            )
        if self.text is not None:
            params["f_text"] = self.text
            preds.append(
                "(positionCaseInsensitiveUTF8(input_preview, {f_text:String}) > 0"
                " OR positionCaseInsensitiveUTF8(output_preview, {f_text:String}) > 0)"
            )
        return preds

    @property
    def only_time(self) -> bool:
        return self == TraceFilters(since_ns=self.since_ns, until_ns=self.until_ns)


@dataclass(frozen=True)
class TraceSort:
    field: SortField = "time"
    descending: bool = True


@dataclass
class TracePage:
    traces: list[TraceSummary]
    next_key: list[Any] | None  # [sort key, trace id] of the last trace consumed, when more follow
    windows: list[int | None] = field(default_factory=list)  # first hour of each window read (None: all)


def list_traces(
    reader: RowReader,
    project: str,
    filters: TraceFilters,
    sort: TraceSort,
    limit: int,
    after: Sequence[Any] | None = None,
) -> TracePage:
    """One page of the project's traces after the cursor key `after` ([sort key, trace id])."""
    plan = plan_windows(reader, project, filters, limit, after) if sort.field == "time" and sort.descending else None
    span = plan.first_span if plan else 0
    window = plan.window(span) if plan else Window(None)
    tried: list[int | None] = []
    while True:
        tried.append(window.lower_ns)
        candidates = _pick_page(reader, project, filters, sort, limit, after, window)
        if len(candidates) > limit or plan is None or window.lower_ns is None:
            break
        # too few in this window: widen in proportion to what it held (16x when nothing matched)
        found = len(candidates)
        span *= 16 if not found else max(2, -(-3 * (limit + 1) // (2 * found)))
        window = plan.window(span)
    consumed = candidates[:limit]
    lower = window.lower_ns
    if filters.since_ns is not None:
        lower = max(lower or 0, hour_of(filters.since_ns))
    exact = _summaries(reader, project, [trace_id for trace_id, _ in consumed], lower)
    rows = [exact[trace_id] for trace_id, _ in consumed if trace_id in exact]
    next_key = [consumed[-1][1], consumed[-1][0]] if len(candidates) > limit else None
    return TracePage(rows, next_key, tried)


_TIME_COLUMNS = {"start_time", "end_time"}


def _pick_page(
    reader: RowReader,
    project: str,
    filters: TraceFilters,
    sort: TraceSort,
    limit: int,
    after: Sequence[Any] | None,
    window: Window,
) -> list[tuple[str, int]]:
    """Phase 1: up to limit+1 (trace id, sort key) in listing order from the window's summary rows."""
    params: dict[str, Any] = {"project": project, "limit": limit + 1}
    where = ["project = {project:String}"]
    having: list[str] = []
    lower = window.lower_ns
    if filters.since_ns is not None:
        params["since"] = filters.since_ns
        having.append("toUnixTimestamp64Nano(min(start_time)) >= {since:Int64}")
        lower = max(lower or 0, hour_of(filters.since_ns))
    span_lower = None
    if lower is not None:
        params["lower"] = lower
        where.append("start_hour >= fromUnixTimestamp64Nano({lower:Int64}, 'UTC')")
        span_lower = "fromUnixTimestamp64Nano({lower:Int64}, 'UTC')"
    if window.upper_ns is not None:
        params["upper"] = window.upper_ns
        where.append("start_hour <= fromUnixTimestamp64Nano({upper:Int64}, 'UTC')")
    if filters.until_ns is not None:
        params["until"] = filters.until_ns
        having.append("toUnixTimestamp64Nano(min(start_time)) <= {until:Int64}")
    more_where, more_having = summary_conditions(filters, params, span_lower)
    where += more_where
    having += more_having
    direction = "DESC" if sort.descending else "ASC"
    if after is not None:
        params["after_key"], params["after_id"] = int(after[0]), str(after[1])
        having.append(f"(k, trace_id) {'<' if sort.descending else '>'} ({{after_key:Int64}}, {{after_id:String}})")
    usage, with_dups = "", ""
    if sort.field == "cost":  # calls repeated from another span (this trace's or another's) add nothing
        with_dups = f"WITH {duplicate_spans_sql()} AS dups "
        usage = ("arrayFilter(u -> u.7 = '' OR NOT has(dups, (trace_id, u.1)),"
                 " arraySort(groupUniqArrayIfMerge(usage))) AS us, ")
    sql = (
        f"{with_dups}SELECT trace_id, {usage}{_SORT_KEYS[sort.field]} AS k FROM trace_summary"
        f" WHERE {' AND '.join(where)} GROUP BY trace_id"
        + (f" HAVING {' AND '.join(having)}" if having else "")
        + f" ORDER BY k {direction}, trace_id {direction} LIMIT {{limit:UInt32}}"
    )
    return [(r[0], int(r[-1])) for r in reader.rows(sql, params, _FINAL_SETTINGS if with_dups else None)]


def summary_conditions(
    filters: TraceFilters, params: dict[str, Any], span_lower: str | None
) -> tuple[list[str], list[str]]:
    """WHERE and HAVING conditions on `trace_summary` grouped by trace for every filter but the time
    range: span-level filters and error status as trace id sets, durations over the merged rows."""
    where: list[str] = []
    having: list[str] = []
    preds = filters.span_predicates(params)
    if preds:
        where.append(f"trace_id IN ({_matching_traces(preds, span_lower)})")
    if filters.status is not None:
        errors = _matching_traces(["status_code = 'error'"], span_lower)
        where.append(f"trace_id {'IN' if filters.status == 'error' else 'NOT IN'} ({errors})")
    if filters.min_duration_ns is not None:
        params["min_dur"] = filters.min_duration_ns
        having.append(f"({_SORT_KEYS['duration']}) >= {{min_dur:Int64}}")
    if filters.max_duration_ns is not None:
        params["max_dur"] = filters.max_duration_ns
        having.append(f"({_SORT_KEYS['duration']}) <= {{max_dur:Int64}}")
    return where, having


def _matching_traces(preds: list[str], span_lower: str | None) -> str:
    time = f" AND start_time >= {span_lower}" if span_lower else ""
    base = f"SELECT trace_id FROM spans WHERE project = {{project:String}}{time}"
    if len(preds) == 1:
        return f"{base} AND {preds[0]}"
    any_of = " OR ".join(f"({p})" for p in preds)
    every = " AND ".join(f"max({p})" for p in preds)
    return f"{base} AND ({any_of}) GROUP BY trace_id HAVING {every}"


def attribute_values(
    reader: RowReader, project: str, trace_ids: list[str], keys: list[str]
) -> dict[str, dict[str, str]]:
    """Per trace, the value of each attribute key on its earliest span that has it (list columns)."""
    if not trace_ids or not keys:
        return {}
    sql = (
        "SELECT trace_id, k, argMin(attributes[k], start_time) FROM spans ARRAY JOIN {keys:Array(String)} AS k"
        " WHERE project = {project:String} AND trace_id IN {ids:Array(String)} AND mapContains(attributes, k)"
        " GROUP BY trace_id, k"
    )
    out: dict[str, dict[str, str]] = {}
    for trace_id, key, value in reader.rows(sql, {"project": project, "ids": trace_ids, "keys": keys}):
        out.setdefault(trace_id, {})[key] = value
    return out


# Phase 2 reads the page's spans and summarises them here (the latest delivery of a span wins),
# which measured faster than grouping in ClickHouse; the same `summarise` serves trace detail.
_SUMMARY_COLUMNS = (
    "trace_id", "span_id", "parent_span_id", "name", "service_name", "start_time", "end_time", "status_code",
    "model_id", "input_tokens", "output_tokens", "total_tokens", "cost_usd", "response_id",
)  # fmt: skip


def _summaries(
    reader: RowReader, project: str, trace_ids: list[str], lower_ns: int | None = None
) -> dict[str, TraceSummary]:
    """Phase 2: exact summaries of these traces from their distinct spans. With `lower_ns` (an hour),
    only spans from then on are read and traces with summary rows before it are left out: they
    began earlier and were seen in part (that check reads trace ids only)."""
    if not trace_ids:
        return {}
    params: dict[str, Any] = {"project": project, "ids": trace_ids}
    condition = "trace_id IN {ids:Array(String)}"
    partial = "0"
    if lower_ns is not None:
        params["lower"] = lower_ns
        condition += " AND start_time >= fromUnixTimestamp64Nano({lower:Int64}, 'UTC')"
        partial = (
            "trace_id IN (SELECT trace_id FROM trace_summary WHERE project = {project:String}"
            " AND start_hour < fromUnixTimestamp64Nano({lower:Int64}, 'UTC') AND trace_id IN {ids:Array(String)})"
        )
    columns = ", ".join(f"toUnixTimestamp64Nano({c})" if c in _TIME_COLUMNS else c for c in _SUMMARY_COLUMNS)
    sql = (
        f"SELECT {columns}, toUnixTimestamp64Milli(_ingested_at), {partial}"
        f" FROM spans WHERE project = {{project:String}} AND {condition}"
    )
    latest: dict[tuple[str, str], tuple[int, dict[str, Any]]] = {}
    partial_ids: set[str] = set()
    for row in reader.rows(sql, params):
        span = dict(zip(_SUMMARY_COLUMNS, row, strict=False))
        if row[-1]:
            partial_ids.add(span["trace_id"])
        key = (span["trace_id"], span["span_id"])
        if key not in latest or row[-2] >= latest[key][0]:
            latest[key] = (row[-2], span)
    by_trace: dict[str, list[dict[str, Any]]] = {}
    for (trace_id, _), (_, span) in latest.items():
        by_trace.setdefault(trace_id, []).append(span)
    mark_duplicates(reader, project, [s for spans in by_trace.values() for s in spans])
    return {t: summarise(spans) for t, spans in by_trace.items() if t not in partial_ids}


SPAN_COLUMNS: tuple[str, ...] = (
    "trace_id", "span_id", "parent_span_id", "trace_state", "name", "kind", "start_time", "end_time",
    "duration_ns", "service_name", "scope_name", "scope_version", "status_code", "status_message", "model_id",
    "model_version", "provider", "inference_type", "operation", "input_preview", "output_preview", "input_hash",
    "response_id", "input_tokens", "output_tokens", "total_tokens", "cache_read_tokens", "cache_creation_tokens",
    "reasoning_tokens", "cost_usd", "finish_reasons", "user_id", "session_id", "feature_id", "team",
    "environment", "prediction", "prediction_score", "features", "embedding_dim", "attributes", "resource",
    "events", "links",
)  # fmt: skip


def _select_list() -> str:
    out = []
    for name in SPAN_COLUMNS:
        if name in _TIME_COLUMNS:
            out.append(f"toUnixTimestamp64Nano({name}) AS {name}_ns")
        elif name == "events":
            out.append("arrayMap(e -> (toUnixTimestamp64Nano(e.1), e.2, e.3), events) AS events_ns")
        else:
            out.append(name)
    return ", ".join(out)


def trace_spans(
    reader: RowReader,
    project: str,
    trace_id: str,
    limit: int,
    after: Sequence[Any] | None = None,
    span_ids: Sequence[str] | None = None,
) -> list[dict[str, Any]]:
    """Distinct spans of one trace ordered by (start, span id), at most `limit`, after a cursor key,
    only `span_ids` when given. The latest delivery of a span wins; times are unix nanoseconds."""
    params: dict[str, Any] = {"project": project, "trace_id": trace_id, "limit": limit}
    where = "project = {project:String} AND trace_id = {trace_id:String}"
    if span_ids is not None:
        params["span_ids"] = list(span_ids)
        where += " AND span_id IN {span_ids:Array(String)}"
    if after is not None:
        params["after_start"], params["after_id"] = int(after[0]), str(after[1])
        where += " AND (start_time_ns, span_id) > ({after_start:Int64}, {after_id:String})"
    sql = (
        f"SELECT {_select_list()} FROM spans WHERE {where}"
        " ORDER BY start_time_ns, span_id, _ingested_at DESC LIMIT 1 BY span_id LIMIT {limit:UInt32}"
    )
    # a point read: one thread is as fast alone and leaves the other cores to concurrent requests
    spans = [dict(zip(SPAN_COLUMNS, row, strict=True)) for row in reader.rows(sql, params, {"max_threads": 1})]
    mark_duplicates(reader, project, spans)
    return spans


def trace_summary_of(reader: RowReader, project: str, trace_id: str) -> TraceSummary | None:
    return _summaries(reader, project, [trace_id]).get(trace_id)


def trace_summaries(
    reader: RowReader,
    project: str,
    limit: int = 50,
    since_ns: int | None = None,
    until_ns: int | None = None,
    trace_ids: Sequence[str] | None = None,
) -> list[TraceSummary]:
    """Summaries of the project's newest traces that started in [since_ns, until_ns], newest first
    (the trace list's first page); with `trace_ids`, those traces only (still within the bounds)."""
    if trace_ids is None:
        window = TraceFilters(since_ns=since_ns, until_ns=until_ns)
        return list_traces(reader, project, window, TraceSort(), limit).traces
    found = _summaries(reader, project, list(dict.fromkeys(trace_ids))).values()
    lowest, highest = since_ns if since_ns is not None else -1, until_ns if until_ns is not None else 2**63
    inside = [s for s in found if lowest <= s.start_ns <= highest]
    return sorted(inside, key=lambda s: (-s.start_ns, s.trace_id))[:limit]
