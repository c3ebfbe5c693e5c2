"""Span previews completed from `span_content`: GenAI text that arrived in log records.

A span whose own input or output preview is empty shows the text its log records carried (joined
in record order), whichever of the two arrived first; finish reasons likewise. The span's own
values always win.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from workers.storage.traces.reader import RowReader
from workers.telemetry.log_content import join_content
from workers.telemetry.options import NormaliseOptions

_PREVIEW_CHARS = NormaliseOptions.from_env().preview_chars


def with_logged_content(
    reader: RowReader, project: str, trace_id: str, spans: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """`spans` (rows of workers.storage.traces.reads.trace_spans, one trace) with empty previews filled in place."""
    wanting = [s["span_id"] for s in spans if not s["input_preview"] or not s["output_preview"]]
    if not wanting:
        return spans
    rows = reader.rows(
        "SELECT span_id, direction, toUnixTimestamp64Nano(time), event_name, text, finish_reasons FROM span_content"
        " WHERE project = {project:String} AND trace_id = {trace_id:String} AND span_id IN {ids:Array(String)}"
        " ORDER BY span_id, time",
        {"project": project, "trace_id": trace_id, "ids": wanting},
        {"max_threads": 1},
    )
    by_span: dict[str, list[tuple[str, int, str, str, list[str]]]] = defaultdict(list)
    for span_id, *row in rows:
        by_span[span_id].append(tuple(row))  # type: ignore[arg-type]
    for span in spans:
        found = by_span.get(span["span_id"])
        if not found:
            continue
        joined = join_content(found, _PREVIEW_CHARS)
        if not span["input_preview"]:
            span["input_preview"] = joined.input
        if not span["output_preview"]:
            span["output_preview"] = joined.output
        if not len(span["finish_reasons"]):
            span["finish_reasons"] = list(joined.finish_reasons)
    return spans
