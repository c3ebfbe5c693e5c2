"""The compact JSON of a trace outline: one list per column, repeated strings (names, services,
models) as indexes into small dictionaries, parents as row indexes and times as nanosecond offsets
from the trace's first span, so a 100,000-span trace travels in a few megabytes and the browser
builds no per-span objects before it needs them.
"""

from __future__ import annotations

from typing import Any

from webapp.api.telemetry import telemetry_reader
from webapp.traces import shapes
from workers.storage.traces import reads
from workers.storage.traces.duplicates import mark_duplicates
from workers.storage.traces.outline import Outline
from workers.storage.traces.summary import summarise


def _encoded(values: list[str]) -> tuple[list[str], list[int]]:
    """Dictionary-encode strings: (distinct values in first-seen order, the index of each value)."""
    table: dict[str, int] = {}
    indexes = [table.setdefault(v, len(table)) for v in values]
    return list(table), indexes


def _spans(trace_id: str, cols: dict[str, list[Any]]) -> list[dict[str, Any]]:
    """The outline's spans as workers.storage.traces.summary.summarise reads them."""
    return [
        {
            "trace_id": trace_id,
            "span_id": cols["span_id"][i],
            "parent_span_id": cols["parent_span_id"][i],
            "name": cols["name"][i],
            "service_name": cols["service_name"][i],
            "start_time": cols["start_ns"][i],
            "end_time": cols["end_ns"][i],
            "status_code": "error" if cols["is_error"][i] else "ok",
            "model_id": cols["model_id"][i],
            "input_tokens": cols["input_tokens"][i],
            "output_tokens": cols["output_tokens"][i],
            "total_tokens": cols["total_tokens"][i],
            "cost_usd": cols["cost_usd"][i],
            "response_id": cols["response_id"][i],
        }
        for i in range(len(cols["span_id"]))
    ]


def outline_body(project: str, trace_id: str, outline: Outline, limit: int) -> dict[str, Any]:
    cols = outline.columns
    ids: list[str] = cols["span_id"]
    row_of = {span_id: i for i, span_id in enumerate(ids)}
    base = cols["start_ns"][0]
    names, name_ix = _encoded(cols["name"])
    service_names, service_ix = _encoded(cols["service_name"])
    models, model_ix = _encoded(["", *cols["model_id"]])  # index 0 is "no model"
    spans = _spans(trace_id, cols)
    mark_duplicates(telemetry_reader(), project, spans)  # a provider call traced twice is priced once
    summary = reads.trace_summary_of(telemetry_reader(), project, trace_id) if outline.truncated else None
    return {
        "trace": shapes.trace_summary(summary or summarise(spans)),
        "span_count": outline.span_count,
        "returned": len(ids),
        "truncated": outline.truncated,
        "limit": limit,
        "base_unix_nano": base,
        "names": names,
        "services": service_names,
        "models": models,
        "spans": {
            "span_id": ids,
            # a parent outside the outline (missing, or beyond the limit) makes the span a root
            "parent": [row_of.get(p, -1) if p else -1 for p in cols["parent_span_id"]],
            "name": name_ix,
            "service": service_ix,
            "model": model_ix[1:],
            "start": [s - base for s in cols["start_ns"]],
            "duration": [e - s for s, e in zip(cols["start_ns"], cols["end_ns"], strict=True)],
            "error": [1 if e else 0 for e in cols["is_error"]],
            "input_tokens": cols["input_tokens"],
            "output_tokens": cols["output_tokens"],
            "total_tokens": cols["total_tokens"],
            "cost_usd": [None if c is None else float(c) for c in cols["cost_usd"]],
            "duplicate": [1 if s["duplicate_of"] else 0 for s in spans],
        },
    }
