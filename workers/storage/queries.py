"""Reads that need more than one table scan's worth of care, starting with trace summaries.

trace_summary holds set states per (project, hour, trace); a trace that crosses an hour has
several rows, so summaries are merged per trace. `span_set` has a tuple per span (span_id,
start_time, has_parent, name, service_name, model_id, is_error), `usage` one per usage-carrying
span (span_id, input, output, total tokens, exact cost_usd, priced, response_id; migration 0041).
Counts are of distinct span ids, models and services of all tuples, the root is the first span
without a parent by (start, span id). Token and cost totals count each span once even if it was
delivered twice with different values (the first tuple per span id wins), and the cost counts one
provider call (spans sharing a response id inside the trace) once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from clickhouse_connect.driver.client import Client

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class TraceSummary:
    project: str
    trace_id: str
    start_time_ns: int
    end_time_ns: int
    span_count: int
    error_count: int
    root_name: str  # earliest span without a parent; the earliest span if the root is missing
    root_service: str
    input_tokens: int
    output_tokens: int
    total_tokens: int
    cost_usd: Decimal | None  # exact; None when no span of the trace was priced
    models: tuple[str, ...]
    services: tuple[str, ...]

    @property
    def duration_ns(self) -> int:
        return self.end_time_ns - self.start_time_ns

    @property
    def has_error(self) -> bool:
        return self.error_count > 0


_MERGED = """
SELECT
    trace_id,
    toUnixTimestamp64Nano(min(start_time)) AS start_ns,
    toUnixTimestamp64Nano(max(end_time)) AS end_ns,
    groupUniqArrayMerge(span_set) AS span_tuples,
    length(arrayDistinct(arrayMap(s -> s.span_id, span_tuples))) AS span_count,
    length(arrayDistinct(arrayMap(s -> s.span_id, arrayFilter(s -> s.is_error = 1, span_tuples)))) AS error_count,
    arraySort(s -> (s.has_parent, s.start_time, s.span_id), span_tuples)[1] AS root,
    arraySort(groupUniqArrayIfMerge(usage)) AS usage_sorted,
    arrayFilter((u, i) -> i = 1 OR u.1 != usage_sorted[i - 1].1, usage_sorted, arrayEnumerate(usage_sorted))
        AS usage_once,
    arrayFilter((u, i) -> u.7 = '' OR indexOf(arrayMap(x -> x.7, usage_once), u.7) = i, usage_once,
        arrayEnumerate(usage_once)) AS calls_once,
    arraySort(arrayDistinct(arrayFilter(m -> m != '', arrayMap(s -> s.model_id, span_tuples)))) AS models,
    arraySort(arrayDistinct(arrayMap(s -> s.service_name, span_tuples))) AS services
FROM trace_summary
WHERE project = {project:String} AND trace_id IN (%(candidates)s)
GROUP BY trace_id
HAVING %(having)s
"""

_RESULT = """
SELECT
    trace_id, start_ns, end_ns, span_count, error_count, root.name, root.service_name,
    arraySum(u -> u.2, usage_once), arraySum(u -> u.3, usage_once), arraySum(u -> u.4, usage_once),
    arraySum(u -> u.5, calls_once), arrayExists(u -> u.6 = 1, usage_once),
    models, services
FROM (%(merged)s)
ORDER BY start_ns DESC, trace_id
LIMIT {limit:UInt32}
"""


def trace_summaries(
    client: Client,
    project: str,
    limit: int = 50,
    since: datetime | None = None,
    until: datetime | None = None,
    trace_ids: Sequence[str] | None = None,
) -> list[TraceSummary]:
    """Summaries of the project's newest traces that started in [since, until], newest first.

    With `trace_ids`, only those traces (still bounded by since/until when given).
    """
    params: dict[str, Any] = {"project": project, "limit": limit}
    time_filter = ["1"]
    if since is not None:
        params["since"] = _ns(since)
        time_filter.append("min(start_time) >= fromUnixTimestamp64Nano({since:Int64}, 'UTC')")
    if until is not None:
        params["until"] = _ns(until)
        time_filter.append("min(start_time) <= fromUnixTimestamp64Nano({until:Int64}, 'UTC')")
    having = " AND ".join(time_filter)
    if trace_ids is not None:
        params["trace_ids"] = list(trace_ids)
        candidates = "{trace_ids:Array(String)}"
    else:
        candidates = _candidates(having, since is not None, until is not None)
    merged = _MERGED % {"candidates": candidates, "having": having}
    rows = client.query(_RESULT % {"merged": merged}, parameters=params).result_rows
    return [
        TraceSummary(
            project=project,
            trace_id=r[0],
            start_time_ns=int(r[1]),
            end_time_ns=int(r[2]),
            span_count=int(r[3]),
            error_count=int(r[4]),
            root_name=r[5],
            root_service=r[6],
            input_tokens=int(r[7]),
            output_tokens=int(r[8]),
            total_tokens=int(r[9]),
            cost_usd=Decimal(r[10]) if r[11] else None,
            models=tuple(r[12]),
            services=tuple(r[13]),
        )
        for r in rows
    ]


def _candidates(having: str, has_since: bool, has_until: bool) -> str:
    # Cheap first pass on the (project, start_hour) key; the outer query re-merges every row of
    # each candidate trace, so a trace that crosses an hour is never summarised from part of it.
    hour_filter = ""
    if has_since:
        hour_filter += " AND start_hour >= toStartOfHour(fromUnixTimestamp64Nano({since:Int64}, 'UTC'))"
    if has_until:
        hour_filter += " AND start_hour <= fromUnixTimestamp64Nano({until:Int64}, 'UTC')"
    return (
        "SELECT trace_id FROM trace_summary"
        f" WHERE project = {{project:String}}{hour_filter}"
        f" GROUP BY trace_id HAVING {having}"
        " ORDER BY min(start_time) DESC LIMIT {limit:UInt32}"
    )


def _ns(moment: datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError("since/until must be timezone-aware datetimes")
    return (moment - _EPOCH) // timedelta(microseconds=1) * 1_000
