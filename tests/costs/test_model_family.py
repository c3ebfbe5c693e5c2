"""Dated and versioned model ids group under their family in /costs, with drill-down to the exact ids,
and a budget on a model counts every variant of it."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from decimal import Decimal

from clickhouse_connect.driver.client import Client
from rest_framework.test import APIClient

from tests.analysis.cost.prices import to_micros, usd
from tests.costs.calls import Call, genai, payload, record
from tests.costs.pipeline import ingest
from tests.webapp.conftest import World
from workers.storage.costs import rollup

NOW = time.time_ns()
MINUTE = 60 * 1_000_000_000


def _admin(world: World) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=world.own.keys["admin"])
    return client


def _spend(world: World, cost_store: Client) -> dict[str, Decimal]:
    calls = [  # gpt-4o-mini: $0.15 / $0.60 per 1M tokens, whatever the snapshot
        Call(genai("gpt-4o-mini-2024-07-18", "openai", 10_000, 500), NOW - 3 * MINUTE),
        Call(genai("gpt-4o-mini", "openai", 20_000, 100), NOW - 2 * MINUTE),
        Call(genai("GPT-4o-Mini-2024-07-18", "openai", 5, 1), NOW - 2 * MINUTE),
        Call(genai("gpt-4o-2024-08-06", "openai", 1_000, 100), NOW - MINUTE),
    ]
    ingest(cost_store, [payload(record(calls, world.own.project.slug))])
    rollup.settle(cost_store)
    mini = usd(10_000 + 20_000 + 5, "0.15") + usd(500 + 100 + 1, "0.60")
    return {"gpt-4o-mini": mini, "gpt-4o": usd(1_000, "2.50") + usd(100, "10.00")}


def _range() -> dict[str, str]:
    return {"start_time": datetime.fromtimestamp((NOW - 3_600 * 10**9) / 1e9, UTC).isoformat(),
            "end_time": datetime.fromtimestamp((NOW + MINUTE) / 1e9, UTC).isoformat()}  # fmt: skip


def test_costs_group_by_family_and_drill_down_to_exact_ids(world: World, cost_store: Client) -> None:
    want = _spend(world, cost_store)
    admin = _admin(world)
    families = admin.get("/api/v1/costs", {**_range(), "group_by": "model_family"}).json()
    got = {g["key"]["model_family"]: (g["cost_micros"], g["requests"]) for g in families["groups"]}
    assert got == {"gpt-4o-mini": (to_micros(want["gpt-4o-mini"]), 3), "gpt-4o": (to_micros(want["gpt-4o"]), 1)}
    drill = admin.get("/api/v1/costs", {**_range(), "group_by": "model", "model_family": "gpt-4o-mini"}).json()
    assert {g["key"]["model"]: g["requests"] for g in drill["groups"]} == {
        "gpt-4o-mini-2024-07-18": 1, "gpt-4o-mini": 1, "GPT-4o-Mini-2024-07-18": 1}  # fmt: skip
    assert drill["total_cost_micros"] == to_micros(want["gpt-4o-mini"])
    exact = admin.get("/api/v1/costs", {**_range(), "group_by": "model"}).json()
    assert len(exact["groups"]) == 4  # the exact ids stay apart when asked for


def test_a_budget_on_a_model_counts_its_dated_variants(world: World, cost_store: Client) -> None:
    want = _spend(world, cost_store)
    admin = _admin(world)
    for value in ("gpt-4o-mini", "gpt-4o-mini-2024-07-18"):
        body = {"name": f"mini {value}", "dimension": "model", "value": value, "period": "monthly", "limit_usd": "100"}
        created = admin.post("/api/v1/costs/budgets", body, format="json")
        assert created.status_code == 201, created.content
        status = admin.get(f"/api/v1/costs/budgets/{created.json()['id']}/status").json()
        assert status["spend_micros"] == to_micros(want["gpt-4o-mini"]), value
