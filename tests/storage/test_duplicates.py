"""At-least-once delivery: duplicate spans collapse, and trace summaries stay exact."""

from __future__ import annotations

import random
import time
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pyarrow as pa
from clickhouse_connect.driver.client import Client

from tests.storage.spans import span_row, span_table
from workers.storage.traces.reader import ClientReader
from workers.storage.traces.reads import trace_summaries
from workers.storage.traces.summary import TraceSummary
from workers.storage.writer import ClickHouseWriter

HOUR_NS = 3_600_000_000_000


def random_traces(rng: random.Random, traces: int, base_ns: int, project: str = "demo") -> list[dict[str, Any]]:
    """Traces of 1-6 spans; some lack a root, some cross an hour boundary, tokens/cost sometimes missing."""
    rows = []
    for t in range(traces):
        trace_id = f"{rng.getrandbits(128):032x}"
        start = base_ns + rng.randrange(0, 3 * HOUR_NS)
        if t % 5 == 0:  # straddle the next hour boundary
            start = (start // HOUR_NS + 1) * HOUR_NS - 500_000_000
        root_id = f"{rng.getrandbits(64):016x}"
        has_root = t % 7 != 3
        for s in range(rng.randint(1, 6)):
            begin = start + s * 200_000_000 + rng.randrange(1_000_000)
            llm = rng.random() < 0.6
            row: dict[str, Any] = {
                "project": project,
                "trace_id": trace_id,
                "span_id": root_id if s == 0 else f"{rng.getrandbits(64):016x}",
                "parent_span_id": "" if s == 0 and has_root else root_id if s else f"{rng.getrandbits(64):016x}",
                "name": f"op-{s}",
                "service_name": rng.choice(["chat-api", "rag-worker", "scorer"]),
                "start_time": begin,
                "end_time": begin + rng.randrange(1_000_000, 900_000_000),
                "status_code": "error" if rng.random() < 0.15 else "ok",
                "model_id": rng.choice(["gpt-4o", "claude-3-5-sonnet", ""]) if llm else "",
            }
            if llm:
                row["input_tokens"] = rng.choice([None, rng.randrange(2000)])
                row["output_tokens"] = rng.choice([None, rng.randrange(800)])
                row["total_tokens"] = rng.choice([None, rng.randrange(3000)])
                row["cost_usd"] = rng.choice([None, Decimal(rng.randrange(50_000_000_000)) / 10**12])  # pico
            rows.append(span_row(**row))
    return rows


def expected_summaries(rows: list[dict[str, Any]]) -> dict[str, TraceSummary]:
    """The summary of each trace computed directly from distinct spans."""
    spans: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for row in rows:
        spans[row["trace_id"]][row["span_id"]] = row
    out = {}
    for trace_id, by_id in spans.items():
        items = list(by_id.values())
        roots = [r for r in items if r["parent_span_id"] == ""] or items
        root = min(roots, key=lambda r: r["start_time"])
        usage = [
            r
            for r in items
            if any(r.get(k) is not None for k in ("input_tokens", "output_tokens", "total_tokens", "cost_usd"))
        ]
        priced = [r["cost_usd"] for r in usage if r["cost_usd"] is not None]
        out[trace_id] = TraceSummary(
            trace_id=trace_id,
            start_ns=min(r["start_time"] for r in items),
            end_ns=max(r["end_time"] for r in items),
            span_count=len(items),
            error_count=sum(r["status_code"] == "error" for r in items),
            root_name=root["name"],
            root_service=root["service_name"],
            input_tokens=sum(r["input_tokens"] or 0 for r in usage),
            output_tokens=sum(r["output_tokens"] or 0 for r in usage),
            total_tokens=sum(
                r["total_tokens"]
                if r["total_tokens"] is not None
                else (r["input_tokens"] or 0) + (r["output_tokens"] or 0)
                for r in usage
            ),
            cost_usd=sum(priced, Decimal(0)) if priced else None,
            models=tuple(sorted({r["model_id"] for r in items if r["model_id"]})),
            services=tuple(sorted({r["service_name"] for r in items})),
        )
    return out


def deliver_with_duplicates(client: Client, rows: list[dict[str, Any]], rng: random.Random,
                            shape: Callable[[pa.Table], pa.Table] = lambda t: t) -> None:  # fmt: skip
    """Insert in batches, then re-deliver a third of the spans in later, shuffled batches (each batch
    passed through `shape`: an older table's columns)."""
    writer = ClickHouseWriter(client)
    for i in range(0, len(rows), 40):
        writer.write("spans", shape(span_table(rows[i : i + 40])))
    again = rng.sample(rows, len(rows) // 3)
    for i in range(0, len(again), 25):
        writer.write("spans", shape(span_table(again[i : i + 25])))


def test_duplicate_spans_collapse(ch_migrated: Client) -> None:
    rng = random.Random(7)
    rows = random_traces(rng, 30, time.time_ns() - 4 * HOUR_NS)
    deliver_with_duplicates(ch_migrated, rows, rng)
    distinct = {(r["trace_id"], r["span_id"]) for r in rows}
    assert ch_migrated.command("SELECT count() FROM spans FINAL") == len(distinct)
    tokens = sum(r["input_tokens"] or 0 for r in rows)
    assert ch_migrated.command("SELECT sum(input_tokens) FROM spans FINAL") == tokens
    ch_migrated.command("OPTIMIZE TABLE spans FINAL")
    assert ch_migrated.command("SELECT count() FROM spans") == len(distinct)


def test_duplicates_inside_one_batch_collapse(ch_migrated: Client) -> None:
    rows = random_traces(random.Random(5), 10, time.time_ns() - HOUR_NS)
    ClickHouseWriter(ch_migrated).write("spans", span_table(rows + rows[::2]))
    assert ch_migrated.command("SELECT count() FROM spans FINAL") == len(rows)
    summaries = trace_summaries(ClientReader(ch_migrated), "demo", limit=100)
    assert {s.trace_id: s for s in summaries} == expected_summaries(rows)


def test_trace_summary_is_exact_under_duplicates(ch_migrated: Client) -> None:
    rng = random.Random(11)
    rows = random_traces(rng, 40, time.time_ns() - 4 * HOUR_NS)
    deliver_with_duplicates(ch_migrated, rows, rng)
    expected = expected_summaries(rows)
    got = trace_summaries(ClientReader(ch_migrated), "demo", limit=1000)
    assert {s.trace_id: s for s in got} == expected
    assert [s.start_ns for s in got] == sorted((s.start_ns for s in got), reverse=True)
    assert any(len({r["start_time"] // HOUR_NS for r in rows if r["trace_id"] == t}) > 1 for t in expected)
    # Merged parts give the same answer as unmerged ones.
    ch_migrated.command("OPTIMIZE TABLE trace_summary FINAL")
    assert {s.trace_id: s for s in trace_summaries(ClientReader(ch_migrated), "demo", limit=1000)} == expected


def test_trace_summaries_limit_window_and_ids(ch_migrated: Client) -> None:
    rng = random.Random(3)
    base = time.time_ns() - 4 * HOUR_NS
    rows = random_traces(rng, 40, base) + random_traces(rng, 5, base, project="other")
    deliver_with_duplicates(ch_migrated, rows, rng)
    expected = expected_summaries([r for r in rows if r["project"] == "demo"])
    newest = sorted(expected.values(), key=lambda s: s.start_ns, reverse=True)

    assert trace_summaries(ClientReader(ch_migrated), "demo", limit=5) == newest[:5]

    since_ns = base + HOUR_NS + 123_456_000
    until_ns = base + 2 * HOUR_NS + 654_321_000
    in_window = [s for s in newest if since_ns <= s.start_ns <= until_ns]
    got = trace_summaries(ClientReader(ch_migrated), "demo", limit=1000, since_ns=since_ns, until_ns=until_ns)
    assert 0 < len(in_window) < len(newest)
    assert got == in_window

    wanted = [newest[3].trace_id, newest[-1].trace_id]
    got = trace_summaries(ClientReader(ch_migrated), "demo", trace_ids=wanted)
    assert {s.trace_id for s in got} == set(wanted)
    assert trace_summaries(ClientReader(ch_migrated), "other", trace_ids=wanted) == []

