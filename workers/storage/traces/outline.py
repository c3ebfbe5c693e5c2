"""Reads behind a large trace's waterfall: the compact outline of every span, full rows of chosen
spans, and search within one trace.

The outline is read columnar (one list per column) so a 100,000-span trace is one small scan and no
per-row objects; a span delivered twice counts once (the latest delivery wins, as for the detail).
Reads go through a `RowReader` (reader.py), like every trace read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from workers.storage.traces.reader import RowReader

OUTLINE_COLUMNS = (
    "span_id", "parent_span_id", "name", "service_name", "start_ns", "end_ns", "is_error", "model_id",
    "input_tokens", "output_tokens", "total_tokens", "cost_usd", "response_id",
)  # fmt: skip

_OUTLINE_SQL = (
    "SELECT span_id, parent_span_id, name, service_name, toUnixTimestamp64Nano(start_time) AS start_ns,"
    " toUnixTimestamp64Nano(end_time) AS end_ns, status_code = 'error', model_id, input_tokens,"
    " output_tokens, total_tokens, cost_usd, response_id"
    " FROM spans WHERE project = {project:String} AND trace_id = {trace_id:String}"
    " ORDER BY start_ns, span_id, _ingested_at DESC LIMIT 1 BY span_id LIMIT {limit:UInt32}"
)


@dataclass(frozen=True)
class Outline:
    columns: dict[str, list[Any]]  # OUTLINE_COLUMNS -> values, spans ordered by (start, span id)
    span_count: int  # distinct spans of the trace, also those beyond the limit

    @property
    def truncated(self) -> bool:
        return len(self.columns["span_id"]) < self.span_count


def read_outline(reader: RowReader, project: str, trace_id: str, limit: int) -> Outline:
    """The earliest `limit` distinct spans of a trace, columnar; span_count counts all of them."""
    params = {"project": project, "trace_id": trace_id, "limit": limit + 1}
    rows = reader.rows(_OUTLINE_SQL, params)
    found = list(zip(*rows, strict=True)) or [() for _ in OUTLINE_COLUMNS]  # no rows: no columns either
    columns = {name: list(values) for name, values in zip(OUTLINE_COLUMNS, found, strict=True)}
    count = len(columns["span_id"])
    if count > limit:
        columns = {name: values[:limit] for name, values in columns.items()}
        sql = "SELECT uniqExact(span_id) FROM spans WHERE project = {project:String} AND trace_id = {trace_id:String}"
        count = int(reader.rows(sql, params)[0][0])
    return Outline(columns, count)


def search_trace(reader: RowReader, project: str, trace_id: str, text: str, limit: int) -> tuple[list[str], int]:
    """Span ids of a trace (start order, at most `limit`) whose id, name, service, model, status message,
    input/output preview or any attribute key or value contains `text` (case-insensitive), and
    how many spans match in all."""
    columns = ("span_id", "name", "service_name", "model_id", "status_message", "input_preview", "output_preview")
    match = " OR ".join(f"positionCaseInsensitiveUTF8({column}, {{text:String}}) > 0" for column in columns)
    attrs = (
        "arrayExists((k, v) -> positionCaseInsensitiveUTF8(k, {text:String}) > 0"
        " OR positionCaseInsensitiveUTF8(v, {text:String}) > 0, mapKeys(attributes), mapValues(attributes))"
    )
    # each span as the outline shows it (one delivery), then the matches among them
    sql = (
        f"SELECT span_id, start_time, count() OVER () FROM (SELECT {', '.join(columns)}, start_time, attributes"
        " FROM spans WHERE project = {project:String} AND trace_id = {trace_id:String}"
        " ORDER BY start_time, span_id, _ingested_at DESC LIMIT 1 BY span_id)"
        f" WHERE {match} OR {attrs} ORDER BY start_time, span_id LIMIT {{limit:UInt32}}"
    )
    rows = reader.rows(sql, {"project": project, "trace_id": trace_id, "text": text, "limit": limit})
    return [r[0] for r in rows], int(rows[0][2]) if rows else 0

