"""A project price override changes the price of spans ingested after it, and `pyflare reprice`
brings stored history in line: costs, spans.cost_usd, the rollup and the trace summaries.

The override is created through the API (as an admin would), ingest reads it from the control
plane, and the CLI command runs in-process against the test's database.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from clickhouse_connect.driver.client import Client
from rest_framework.test import APIClient

from tests.analysis.cost.prices import usd
from tests.costs.calls import Call, genai, payload, record, span_ids
from tests.costs.pipeline import ingest
from tests.webapp.conftest import World
from webapp.cli import main as pyflare
from workers.ingest.pricing import ProjectBooks, SpanPricing, control_plane_overrides
from workers.storage.costs import reads, rollup
from workers.storage.traces.reader import ClientReader
from workers.storage.traces.reads import trace_summaries

NOW = time.time_ns()
HOUR = 3_600 * 1_000_000_000
MINI = ("0.15", "0.60")  # gpt-4o-mini, published
NEGOTIATED = ("0.10", "0.40")  # the project's contract price


def _calls(model: str, n: int, start: int) -> list[Call]:
    return [Call(genai(model, "openai", 1_000 + i, 100 + i), start + i * 60 * 1_000_000_000) for i in range(n)]


def _cost(i: int, prices: tuple[str, str]) -> Decimal:
    """spans.cost_usd: the exact cost (0041)."""
    return _usd(i, prices)


def _usd(i: int, prices: tuple[str, str]) -> Decimal:
    return usd(1_000 + i, prices[0]) + usd(100 + i, prices[1])


def _admin(world: World) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=world.own.keys["admin"])
    return client


def test_override_prices_new_spans_and_reprice_fixes_history(
    world: World, cost_store: Client, ch_settings: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = world.own.project.slug
    before = record(_calls("gpt-4o-mini-2024-07-18", 5, NOW - 2 * HOUR) + _calls("unknown-llm", 2, NOW - 2 * HOUR),
                    project)  # fmt: skip
    pricing = SpanPricing(ProjectBooks(control_plane_overrides, refresh_seconds=0))
    ingest(cost_store, [payload(before)], pricing)
    rollup.settle(cost_store)
    old = {k: _cost(i, MINI) for i, k in enumerate(span_ids(before)[:5])}

    admin = _admin(world)
    created = admin.post("/api/v1/costs/prices", {"model": "gpt-4o-mini", "provider": "openai",
                                                  "input_usd_per_mtok": NEGOTIATED[0],
                                                  "output_usd_per_mtok": NEGOTIATED[1]}, format="json")  # fmt: skip
    assert created.status_code == 201, created.content
    custom = admin.post("/api/v1/costs/prices", {"model": "unknown-llm", "input_usd_per_mtok": "2",
                                                 "output_usd_per_mtok": "8"}, format="json")  # fmt: skip
    assert custom.status_code == 201, custom.content

    after = record(_calls("gpt-4o-mini", 3, NOW - 30 * 60 * 1_000_000_000), project)
    ingest(cost_store, [payload(after)], pricing)
    # as the periodic job would: these may fall in an hour already settled, on another day than the
    # repriced history (early in a UTC day), which only a settle run brings into the rollup
    rollup.settle(cost_store)
    stored = dict(cost_store.query("SELECT span_id, cost_usd FROM spans FINAL").result_rows)
    for i, (_t, s) in enumerate(span_ids(after)):
        assert stored[s] == _cost(i, NEGOTIATED)  # future spans: the override
    for (_t, s), cost in old.items():
        assert stored[s] == cost  # history untouched until reprice
    assert [stored[s] for _t, s in span_ids(before)[5:]] == [None, None]

    monkeypatch.setenv("PYFLARE_CLICKHOUSE_URL", ch_settings.url)  # type: ignore[attr-defined]
    monkeypatch.setenv("PYFLARE_CLICKHOUSE_DATABASE", ch_settings.database)  # type: ignore[attr-defined]
    assert pyflare(["reprice", "--project", project, "--no-progress"]) == 0

    stored = dict(cost_store.query("SELECT span_id, cost_usd FROM spans FINAL").result_rows)
    for i, (_t, s) in enumerate(span_ids(before)[:5]):
        assert stored[s] == _cost(i, NEGOTIATED)
    for i, (_t, s) in enumerate(span_ids(before)[5:]):
        assert stored[s] == _cost(i, ("2", "8"))
    want = sum((_usd(i, NEGOTIATED) for i in range(5)), Decimal(0)) + sum(_usd(i, ("2", "8")) for i in range(2)) + sum(
        _usd(i, NEGOTIATED) for i in range(3))  # fmt: skip
    scope = reads.CostScope(project, NOW - 3 * HOUR, NOW + HOUR)
    assert reads.totals(cost_store, scope).total_cost_usd == want  # exact, not a sum of rounded spans
    assert reads.totals(cost_store, scope).unpriced_requests == 0
    settled = cost_store.query("SELECT sum(total_cost_usd) FROM costs_hourly WHERE dimension = ''").result_rows[0][0]
    until = rollup.read_state(cost_store).settled_until_ns
    assert settled == cost_store.query(  # the rollup agrees with the re-priced costs of the settled hours
        "SELECT sum(total_cost_usd) FROM costs FINAL WHERE start_time < fromUnixTimestamp64Nano({u:Int64}, 'UTC')",
        parameters={"u": until}).result_rows[0][0]  # fmt: skip
    assert settled >= sum(_usd(i, NEGOTIATED) for i in range(5)) + sum(_usd(i, ("2", "8")) for i in range(2))
    summaries = {t.trace_id: t.cost_usd for t in trace_summaries(ClientReader(cost_store), project, limit=100)}
    for (trace, s) in span_ids(before):
        assert summaries[trace] == stored[s]

    versions = cost_store.query("SELECT count() FROM costs").result_rows[0][0]
    assert pyflare(["reprice", "--project", project, "--no-progress"]) == 0
    assert cost_store.query("SELECT count() FROM costs").result_rows[0][0] == versions  # idempotent: nothing written


def test_reprice_limited_to_a_model_leaves_other_models_alone(
    world: World, cost_store: Client, ch_settings: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = world.own.project.slug
    spans = record(_calls("gpt-4o-mini", 2, NOW - HOUR) + _calls("gpt-4.1-nano", 2, NOW - HOUR), project)
    ingest(cost_store, [payload(spans)])
    before = dict(cost_store.query("SELECT span_id, cost_usd FROM spans FINAL").result_rows)
    for model in ("gpt-4o-mini", "gpt-4.1-nano"):
        response = _admin(world).post("/api/v1/costs/prices", {"model": model, "input_usd_per_mtok": "9",
                                                               "output_usd_per_mtok": "9"}, format="json")  # fmt: skip
        assert response.status_code == 201
    monkeypatch.setenv("PYFLARE_CLICKHOUSE_URL", ch_settings.url)  # type: ignore[attr-defined]
    monkeypatch.setenv("PYFLARE_CLICKHOUSE_DATABASE", ch_settings.database)  # type: ignore[attr-defined]
    assert pyflare(["reprice", "--model", "gpt-4o-mini", "--no-progress"]) == 0
    after = dict(cost_store.query("SELECT span_id, cost_usd FROM spans FINAL").result_rows)
    ids = [s for _t, s in span_ids(spans)]
    assert [after[s] for s in ids[:2]] == [_cost(i, ("9", "9")) for i in range(2)]
    assert [after[s] for s in ids[2:]] == [before[s] for s in ids[2:]]


def test_invalid_overrides_are_refused_with_the_reason(world: World) -> None:
    admin = _admin(world)
    first = {"model": "gpt-4o", "input_usd_per_mtok": "1", "output_usd_per_mtok": "2",
             "effective_from": "2025-01-01T00:00:00Z"}  # fmt: skip
    assert admin.post("/api/v1/costs/prices", first, format="json").status_code == 201
    overlapping = dict(first, effective_from="2025-06-01T00:00:00Z")
    response = admin.post("/api/v1/costs/prices", overlapping, format="json")
    assert response.status_code == 400
    assert "overlap" in response.json()["message"]
    too_dear = {"model": "x", "input_usd_per_mtok": "1000.5", "output_usd_per_mtok": "1"}
    assert admin.post("/api/v1/costs/prices", too_dear, format="json").status_code == 400


def test_reprice_prices_embedding_rows_stored_unpriced_by_the_old_pricer(
    world: World, cost_store: Client, ch_settings: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What the old pricer stored for an embedding call: tokens in, nothing out, priced = 0, no reason.
    from tests.costs.factory import cost_row, insert_costs

    project = world.own.project.slug
    at = datetime.fromtimestamp((NOW - HOUR) // 1_000_000_000, UTC)
    rows = [cost_row(project, at, 0, model_id="text-embedding-3-small", provider="openai", input_tokens=tokens,
                     output_tokens=0, priced=0, unpriced_reason="", price_id="") for tokens in (10, 8_000)]  # fmt: skip
    insert_costs(cost_store, rows)
    monkeypatch.setenv("PYFLARE_CLICKHOUSE_URL", ch_settings.url)  # type: ignore[attr-defined]
    monkeypatch.setenv("PYFLARE_CLICKHOUSE_DATABASE", ch_settings.database)  # type: ignore[attr-defined]
    assert pyflare(["reprice", "--project", project, "--no-progress"]) == 0
    got = cost_store.query("SELECT input_tokens, priced, total_cost_usd FROM costs FINAL ORDER BY input_tokens")
    assert got.result_rows == [(10, 1, usd(10, "0.02")), (8_000, 1, usd(8_000, "0.02"))]
