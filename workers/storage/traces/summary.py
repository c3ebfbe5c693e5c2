"""The summary of a trace, and the rules every trace reader sums spans by.

A redelivered span (at-least-once ingest) counts once; a provider call traced twice (spans sharing a
response id within a project, see duplicates.py) is priced once, on its first span: its duplicates
still show, marked `duplicate_of`, and add no cost. Tokens are the spans' own (each span once).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from workers.storage.costs.reads import micros


@dataclass(frozen=True)
class TraceSummary:
    trace_id: str
    start_ns: int
    end_ns: int
    span_count: int
    error_count: int
    root_name: str
    root_service: str
    input_tokens: int
    output_tokens: int
    total_tokens: int
    cost_usd: Decimal | None  # exact; each provider call once (duplicates of another span's call excluded)
    models: tuple[str, ...]
    services: tuple[str, ...]

    @property
    def duration_ns(self) -> int:
        return self.end_ns - self.start_ns

    @property
    def cost_micros(self) -> int | None:
        return None if self.cost_usd is None else micros(self.cost_usd)


def summarise(spans: list[dict[str, Any]]) -> TraceSummary:
    """The summary of a trace from its distinct spans (as `reads.trace_spans` returns them, marked by
    `duplicates.mark_duplicates`): root = earliest span without a parent, else the earliest span. The
    cost is exact and counts a provider call once: spans marked `duplicate_of` another add nothing."""
    root = min(spans, key=lambda s: (s["parent_span_id"] != "", s["start_time"], s["span_id"]))
    priced = [s for s in spans if s["cost_usd"] is not None]
    once = [Decimal(s["cost_usd"]) for s in priced if not s.get("duplicate_of")]

    def tokens(s: dict[str, Any]) -> int:
        if s["total_tokens"] is not None:
            return int(s["total_tokens"])
        return int(s["input_tokens"] or 0) + int(s["output_tokens"] or 0)

    return TraceSummary(
        trace_id=spans[0]["trace_id"],
        start_ns=min(int(s["start_time"]) for s in spans),
        end_ns=max(int(s["end_time"]) for s in spans),
        span_count=len(spans),
        error_count=sum(s["status_code"] == "error" for s in spans),
        root_name=root["name"],
        root_service=root["service_name"],
        input_tokens=sum(int(s["input_tokens"] or 0) for s in spans),
        output_tokens=sum(int(s["output_tokens"] or 0) for s in spans),
        total_tokens=sum(tokens(s) for s in spans),
        cost_usd=sum(once, Decimal(0)) if priced else None,
        models=tuple(sorted({s["model_id"] for s in spans if s["model_id"]})),
        services=tuple(sorted({s["service_name"] for s in spans})),
    )
