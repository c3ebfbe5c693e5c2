"""JSON shapes of traces and spans as the API returns them, built as plain dicts (fast for large
traces); the serializers in webapp.traces.api.serializers document the same shapes for OpenAPI.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from webapp.api.params import ns_to_iso
from workers.storage.costs.reads import micros
from workers.storage.traces.summary import TraceSummary

_PICO = Decimal("1e-12")  # stored costs are exact to the pico-dollar (Decimal(38, 12))
MAX_TREE_DEPTH = 100  # deeper spans hang under their ancestor at this depth, flagged `flattened`


def costs(usd: Decimal | None) -> dict[str, Any]:
    """A stored exact cost as the API gives it: whole micro-dollars (rounded half up), USD rounded to
    nano-dollars for display, and the exact decimal string (null when not priced)."""
    if usd is None:
        return {"cost_micros": None, "cost_usd": None, "cost_usd_exact": None}
    exact = Decimal(usd).quantize(_PICO)
    return {"cost_micros": micros(exact), "cost_usd": float(round(exact, 9)), "cost_usd_exact": f"{exact:f}"}


def trace_summary(row: TraceSummary) -> dict[str, Any]:
    return {
        "trace_id": row.trace_id,
        "name": row.root_name,
        "service_name": row.root_service,
        "start_time": ns_to_iso(row.start_ns),
        "end_time": ns_to_iso(row.end_ns),
        "start_time_unix_nano": row.start_ns,
        "end_time_unix_nano": row.end_ns,
        "duration_ms": row.duration_ns / 1e6,
        "span_count": row.span_count,
        "error_count": row.error_count,
        "status": "error" if row.error_count else "ok",
        "model_id": row.models[0] if row.models else "",
        "models": list(row.models),
        "services": list(row.services),
        "input_tokens": row.input_tokens,
        "output_tokens": row.output_tokens,
        "total_tokens": row.total_tokens,
        **costs(row.cost_usd),
    }


def span(raw: dict[str, Any]) -> dict[str, Any]:
    """A span row (as read by workers.storage.traces.reads.trace_spans) in its API shape."""
    out = dict(raw)
    out["start_time_unix_nano"] = int(raw["start_time"])
    out["end_time_unix_nano"] = int(raw["end_time"])
    out["start_time"] = ns_to_iso(raw["start_time"])
    out["end_time"] = ns_to_iso(raw["end_time"])
    out["duration_ms"] = int(raw["duration_ns"]) / 1e6
    out.update(costs(raw["cost_usd"]))
    out["events"] = [
        {"time": ns_to_iso(t), "time_unix_nano": int(t), "name": name, "attributes": dict(attributes)}
        for t, name, attributes in raw["events"]
    ]
    out["links"] = [  # named tuples arrive as dicts
        {
            "trace_id": link["trace_id"],
            "span_id": link["span_id"],
            "trace_state": link["trace_state"],
            "attributes": dict(link["attributes"]),
        }
        for link in raw["links"]
    ]
    for name in ("attributes", "resource", "features"):
        out[name] = dict(raw[name])
    out["finish_reasons"] = list(raw["finish_reasons"])
    return out


def span_tree(spans: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Nest spans (API shape, ordered by start) under their parents; spans whose parent is not in
    the trace are roots. Iterative, so long parent chains and cycles cannot blow the stack."""
    by_id = {s["span_id"]: s for s in spans}
    children: dict[str, list[dict[str, Any]]] = {}
    roots = []
    for s in spans:
        s["children"] = []
        parent = s["parent_span_id"]
        if parent and parent in by_id and parent != s["span_id"]:
            children.setdefault(parent, []).append(s)
        else:
            roots.append(s)
    placed: set[str] = set()
    pending = [(r, r, 0) for r in reversed(roots)]  # (span, node to attach children to, depth)
    while True:
        while pending:
            node, holder, depth = pending.pop()
            if node["span_id"] in placed:
                continue
            placed.add(node["span_id"])
            for child in reversed(children.get(node["span_id"], [])):
                if child["span_id"] in placed:
                    continue  # the root a cycle was broken at
                if depth + 1 >= MAX_TREE_DEPTH:
                    child["flattened"] = True
                    holder["children"].append(child)
                    pending.append((child, holder, depth))
                else:
                    node["children"].append(child)
                    pending.append((child, child, depth + 1))
        # spans caught in a parent cycle were never reached from a root: list them as roots
        stranded = [s for s in spans if s["span_id"] not in placed]
        if not stranded:
            break
        roots.append(stranded[0])
        pending.append((stranded[0], stranded[0], 0))
    for s in spans:
        s["children"].sort(key=lambda c: (c["start_time_unix_nano"], c["span_id"]))
    roots.sort(key=lambda c: (c["start_time_unix_nano"], c["span_id"]))
    return roots
