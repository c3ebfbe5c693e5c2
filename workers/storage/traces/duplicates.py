"""One provider call traced twice: which span is the call's first, and which spans duplicate it.

Spans sharing a response id (`spans.response_id`, the provider's `gen_ai.response.id`) within a
project are one call; its first span is the earliest by (start time, trace id, span id), the same
rule as the cost readers' `costs_once` (workers/storage/costs/rollup.py). Priced calls are found in
`costs` (response ids are bloom-indexed there, 0023); the spans at hand count too, so a call whose
spans were never priced is still read once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from workers.storage.traces.reader import RowReader

CallKey = tuple[int, str, str]  # (start ns, trace id, span id): the smallest is the call's first span
FINAL_SETTINGS = {"do_not_merge_across_partitions_select_final": 1}


def first_spans(reader: RowReader, project: str, response_ids: Sequence[str]) -> dict[str, CallKey]:
    """response id -> the priced call's first span among the project's `costs` rows."""
    if not response_ids:
        return {}
    rows = reader.rows(
        "SELECT response_id, argMin((toUnixTimestamp64Nano(start_time), trace_id, span_id),"
        " (start_time, trace_id, span_id)) FROM costs FINAL"
        " WHERE project = {project:String} AND response_id IN {ids:Array(String)} GROUP BY response_id",
        {"project": project, "ids": list(dict.fromkeys(response_ids))},
        FINAL_SETTINGS,
    )
    return {r[0]: (int(r[1][0]), r[1][1], r[1][2]) for r in rows}


def mark_duplicates(reader: RowReader, project: str, spans: list[dict[str, Any]]) -> None:
    """Set each span's `duplicate_of`: {trace_id, span_id} of its call's first span when that is
    another span, else None. `spans` carry trace_id, span_id, start_time (ns) and response_id."""
    ids = [s["response_id"] for s in spans if s["response_id"]]
    first = first_spans(reader, project, ids) if ids else {}
    for s in spans:
        if s["response_id"]:
            own: CallKey = (int(s["start_time"]), s["trace_id"], s["span_id"])
            first[s["response_id"]] = min(first.get(s["response_id"], own), own)
    for s in spans:
        found = first.get(s["response_id"]) if s["response_id"] else None
        other = found is not None and found[1:] != (s["trace_id"], s["span_id"])
        s["duplicate_of"] = {"trace_id": found[1], "span_id": found[2]} if found and other else None


def duplicate_spans_sql() -> str:
    """A scalar subquery: (trace id, span id) of every priced span of {project:String} that repeats
    an earlier span's call (all but each response id's first), for summary-level sums."""
    return (
        "(SELECT groupArray((d.2, d.3)) FROM (SELECT arrayJoin(arrayPopFront(arraySort(groupArray("
        "(start_time, trace_id, span_id))))) AS d FROM costs FINAL"
        " WHERE project = {project:String} AND response_id != '' GROUP BY response_id HAVING count() > 1))"
    )
