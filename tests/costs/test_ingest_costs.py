"""Costs at ingest equal hand-computed costs from the providers' published prices.

Spans come from the real OpenTelemetry SDK through the real ingest loop into the ClickHouse engine,
with real model names (dated snapshots, routing suffixes) and the three attribute sources PyFlare
reads: OTel GenAI, OpenInference and the PyFlare SDK's own attributes. Prices below are the
published list prices (USD per million tokens), typed here independently of the price table.
"""

from __future__ import annotations

import time

import pytest
from clickhouse_connect.driver.client import Client

from tests.analysis.cost.prices import usd
from tests.costs.calls import Call, genai, openinference, payload, pyflare_sdk, record, span_ids
from tests.costs.pipeline import ingest
from workers.storage.costs import reads

NOW = time.time_ns()
MINUTE = 60 * 1_000_000_000

# Published prices: OpenAI (gpt-4o-mini, o3-mini), Anthropic (Claude 3.5 Sonnet), Google (Gemini 2.0 Flash).
GPT_4O_MINI = {"input": "0.15", "cached": "0.075", "output": "0.60"}
O3_MINI = {"input": "1.10", "cached": "0.55", "output": "4.40"}
CLAUDE_35_SONNET = {"input": "3.00", "cache_read": "0.30", "cache_write": "3.75", "output": "15.00"}
GEMINI_20_FLASH = {"input": "0.10", "cached": "0.025", "output": "0.40"}

# (call, expected exact dollars) — usage conventions: GenAI/OpenInference input includes cache reads and
# writes; OpenAI output includes reasoning; Gemini reports reasoning apart from output.
CASES = {
    "genai dated gpt-4o-mini with cached input": (
        Call(genai("gpt-4o-mini-2024-07-18", "openai", 12_000, 1_500, cache_read=8_000), NOW - 5 * MINUTE),
        usd(4_000, GPT_4O_MINI["input"]) + usd(8_000, GPT_4O_MINI["cached"])
        + usd(1_500, GPT_4O_MINI["output"]),
    ),
    "genai dated o3-mini with reasoning inside output": (
        Call(genai("o3-mini-2025-01-31", "openai", 2_000, 5_000, reasoning=4_000), NOW - 4 * MINUTE),
        usd(2_000, O3_MINI["input"]) + usd(1_000, O3_MINI["output"]) + usd(4_000, O3_MINI["output"]),
    ),
    "openinference claude with cache reads and writes": (
        Call(openinference("claude-3-5-sonnet-20241022", "anthropic", 10_000, 800, cache_read=6_000,
                           cache_write=1_000), NOW - 3 * MINUTE),
        usd(3_000, CLAUDE_35_SONNET["input"]) + usd(6_000, CLAUDE_35_SONNET["cache_read"])
        + usd(1_000, CLAUDE_35_SONNET["cache_write"]) + usd(800, CLAUDE_35_SONNET["output"]),
    ),
    "pyflare sdk gemini stable version with separate reasoning": (
        Call(pyflare_sdk("gemini-2.0-flash-001", "gcp.gemini", 40_000, 2_000, reasoning=500, user="ada@example.com",
                         feature="search", team="growth", environment="prod"), NOW - 2 * MINUTE),
        usd(40_000, GEMINI_20_FLASH["input"]) + usd(2_000, GEMINI_20_FLASH["output"])
        + usd(500, GEMINI_20_FLASH["output"]),
    ),
}  # fmt: skip


def _stored(client: Client, table: str, column: str) -> dict[tuple[str, str], object]:
    rows = client.query(f"SELECT trace_id, span_id, {column} FROM {table} FINAL").result_rows
    return {(r[0], r[1]): r[2] for r in rows}


@pytest.mark.parametrize("case", list(CASES))
def test_span_cost_equals_the_published_price(ch_migrated: Client, case: str) -> None:
    call, expected = CASES[case]
    spans = record([call], project="acme")
    ingest(ch_migrated, [payload(spans)])
    key = span_ids(spans)[0]
    assert _stored(ch_migrated, "spans", "cost_usd") == {key: expected}  # exact (0041)
    assert _stored(ch_migrated, "costs", "total_cost_usd") == {key: expected}  # exact
    parts = ch_migrated.query("SELECT input_cost_usd + output_cost_usd = total_cost_usd, priced FROM costs").result_rows
    assert parts == [(True, 1)]


def test_a_batch_of_all_sources_adds_up_and_is_attributed(ch_migrated: Client) -> None:
    spans = record([c for c, _ in CASES.values()], project="acme")
    pricing = ingest(ch_migrated, [payload(spans)])
    total = sum(expected for _, expected in CASES.values())
    scope = reads.CostScope("acme", NOW - 3_600 * 1_000_000_000, NOW + MINUTE)
    totals = reads.totals(ch_migrated, scope)
    assert (totals.total_cost_usd, totals.requests, totals.priced_requests) == (total, 4, 4)
    assert pricing.stats.priced == 4 and pricing.stats.unpriced == 0
    gemini = reads.grouped(ch_migrated, scope, ["user", "feature", "team", "environment", "model"])
    attributed = {tuple(g.key.values()): g.totals.total_cost_usd for g in gemini}
    assert attributed[("ada@example.com", "search", "growth", "prod", "gemini-2.0-flash-001")] == CASES[
        "pyflare sdk gemini stable version with separate reasoning"][1]  # fmt: skip
    tokens = ch_migrated.query(
        "SELECT sum(cache_read_tokens), sum(cache_creation_tokens), sum(reasoning_tokens) FROM costs"
    ).result_rows
    assert tokens == [(14_000, 1_000, 4_500)]


def test_unknown_model_is_unpriced_and_counted_never_zero(ch_migrated: Client) -> None:
    calls = [Call(genai("acme-llm-9000", "acme", 1_000, 100), NOW - MINUTE),
             Call(genai("gpt-4o-mini", "openai", 1_000, 100), NOW - MINUTE),
             Call({"http.request.method": "GET"}, NOW - MINUTE, name="GET /health")]  # fmt: skip
    spans = record(calls, project="acme")
    pricing = ingest(ch_migrated, [payload(spans)])
    costs = _stored(ch_migrated, "spans", "cost_usd")
    unknown, known, http = span_ids(spans)
    assert costs[unknown] is None and costs[http] is None
    assert costs[known] == usd(1_000, GPT_4O_MINI["input"]) + usd(100, GPT_4O_MINI["output"])
    assert (pricing.stats.priced, pricing.stats.unpriced, pricing.stats.no_usage) == (1, 1, 1)
    assert pricing.stats.unpriced_models == {("acme", "acme-llm-9000", "acme"): 1}
    scope = reads.CostScope("acme", NOW - 3_600 * 1_000_000_000, NOW + MINUTE)
    totals = reads.totals(ch_migrated, scope)
    assert (totals.requests, totals.unpriced_requests) == (2, 1)  # the HTTP span has no usage: not a request
    listed = reads.unpriced_models(ch_migrated, scope)
    assert [(m.model_id, m.provider, m.spans, m.input_tokens) for m in listed] == [("acme-llm-9000", "acme", 1, 1000)]
    assert "acme" in listed[0].reason and "override" in listed[0].reason
