"""Hour windows for newest-first trace pages: where they start, how big the first one is, how they grow.

Newest-first pages read `trace_summary` rows of a window of hours back from the newest hour (or the
cursor's), so a first page touches a few thousand rows instead of every trace. The first window is
the fewest newest hours holding limit+1 summary rows; reads.list_traces widens it until the
page is full, and the last window reads everything, so the plan only decides cost, never results.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from workers.storage.traces.reader import RowReader

if TYPE_CHECKING:
    from workers.storage.traces.reads import TraceFilters

HOUR_NS = 3_600_000_000_000
_MAX_HOURS = 24 * 400  # hours inspected when planning windows; older data joins the last window


def hour_of(ns: int) -> int:
    return ns - ns % HOUR_NS


@dataclass(frozen=True)
class Window:
    lower_ns: int | None  # first summary hour read; None: from `start_time` (or everything)
    upper_ns: int | None = None  # last hour read, when only the traces' starts matter


@dataclass(frozen=True)
class WindowPlan:
    """Where newest-first windows start and how they grow (hours as unix ns)."""

    newest: int  # the newest hour holding a trace (at or before the cursor / end_time)
    first_span: int  # hours in the first window: the fewest newest hours with limit+1 summary rows
    stop: int | None  # a window reaching this hour reads everything instead
    upper: int | None  # last hour to read (the cursor's or end_time's) when only starts matter

    def window(self, span: int) -> Window:
        lower = self.newest - (span - 1) * HOUR_NS
        if lower <= 0 or (self.stop is not None and lower <= self.stop):
            return Window(None, self.upper)  # reads everything: the widening always ends here
        return Window(lower, self.upper)


def plan_windows(
    reader: RowReader, project: str, filters: TraceFilters, limit: int, after: Sequence[Any] | None
) -> WindowPlan | None:
    """Newest-first pages read hour windows back from the newest hour; this sizes the first one
    from the summary rows per hour (key columns only). None when there is nothing to list."""
    anchor = int(after[0]) if after is not None else filters.until_ns
    hours = _rows_per_hour(reader, project)
    if anchor is not None:
        hours = [(h, n) for h, n in hours if h <= hour_of(anchor)]
    if not hours:
        return None
    seen, span = 0, len(hours)
    for i, (_, rows) in enumerate(hours):
        seen += rows
        if seen > limit:
            span = i + 1
            break
    stops = [hours[-1][0]] if len(hours) < _MAX_HOURS else []
    if filters.since_ns is not None:
        stops.append(hour_of(filters.since_ns))
    return WindowPlan(
        newest=hours[0][0],
        first_span=span,
        stop=max(stops) if stops else None,
        # only from the request itself: the cached counts may predate the newest hour
        upper=hour_of(anchor) if anchor is not None and filters.only_time else None,
    )


_HOURS_TTL_S = 2.0
_hours_cache: dict[tuple[str, str], tuple[float, list[tuple[int, int]]]] = {}  # (database, project)


def _rows_per_hour(reader: RowReader, project: str) -> list[tuple[int, int]]:
    """(hour ns, summary rows), newest first. Cached for two seconds: the counts only size windows
    (a stale count costs a retry, never a wrong page; the last window always reads everything)."""
    now = time.monotonic()
    key = (reader.database, project)
    cached = _hours_cache.get(key)
    if cached is not None and cached[0] > now:
        return cached[1]
    sql = (
        "SELECT toUnixTimestamp(start_hour) AS h, count() FROM trace_summary WHERE project = {project:String}"
        " GROUP BY h ORDER BY h DESC LIMIT {max_hours:UInt32}"
    )
    rows = reader.rows(sql, {"project": project, "max_hours": _MAX_HOURS})
    hours = [(int(h) * 1_000_000_000, int(n)) for h, n in rows]
    _hours_cache[key] = (now + _HOURS_TTL_S, hours)
    return hours
