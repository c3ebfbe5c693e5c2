"""Which span is a provider call's first: for the trace view, the span every other span with the same
response id (the same call traced twice) duplicates. The same rule as the cost readers' `costs_once`:
the earliest (start time, trace id, span id) of the project's rows with that response id."""

from __future__ import annotations

from collections.abc import Sequence

from clickhouse_connect.driver.client import Client

_FINAL_SETTINGS = {"do_not_merge_across_partitions_select_final": 1}


def first_spans(client: Client, project: str, response_ids: Sequence[str]) -> dict[str, tuple[str, str]]:
    """response id -> (trace id, span id) of the call's first span."""
    if not response_ids:
        return {}
    rows = client.query(
        "SELECT response_id, argMin((trace_id, span_id), (start_time, trace_id, span_id)) FROM costs FINAL "
        "WHERE project = {project:String} AND response_id IN {ids:Array(String)} GROUP BY response_id",
        parameters={"project": project, "ids": list(dict.fromkeys(response_ids))},
        settings=_FINAL_SETTINGS,
    ).result_rows
    return {r[0]: (r[1][0], r[1][1]) for r in rows}
