"""`GET /dashboard/summary` on the real ClickHouse engine (chdb): random traces inside and around the
range (duplicate deliveries, missing roots, another project), cost rows, drift monitors; every
expected figure is computed here in Python (numpy for the percentiles) from the inserted rows."""

from __future__ import annotations

import random
import time
from collections import defaultdict
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from clickhouse_connect.driver.client import Client

from tests.costs.factory import cost_row, insert_costs
from tests.storage.spans import span_row, span_table
from tests.webapp.conftest import World
from tests.webapp.telemetry import client_for
from webapp.drift.models import DriftMonitor

HOUR = 3_600_000_000_000
NOW = time.time_ns()
END = NOW - NOW % HOUR - HOUR  # a whole-hour range ending an hour ago: [START, END)
START = END - 6 * HOUR
SERVICES = ["chat-api", "rag", "scorer"]


def _traces(rng: random.Random, project: str, count: int) -> list[dict[str, Any]]:
    rows = []
    for _ in range(count):
        trace_id = f"{rng.getrandbits(128):032x}"
        begin = rng.randrange(START - HOUR, END + HOUR)  # some outside the range
        parent = ""
        for i in range(rng.randint(1, 5)):
            span_id = f"{rng.getrandbits(64):016x}"
            at = begin + i * rng.randrange(1_000_000, 400_000_000)
            row = dict(project=project, trace_id=trace_id, span_id=span_id,
                       parent_span_id=parent if i else rng.choice(["", "", "", "0123456789abcdef"]),
                       service_name=rng.choice(SERVICES), start_time=at,
                       end_time=at + rng.randrange(1_000_000, 3_000_000_000),
                       status_code="error" if rng.random() < 0.08 else "ok")  # fmt: skip
            rows.append(row)
            parent = span_id
            if rng.random() < 0.05:
                rows.append(dict(row))  # delivered twice
    return rows


RNG = random.Random(404)
OWN = _traces(RNG, "own", 400)
OTHER = _traces(RNG, "other", 80)


def _expected(rows: list[dict[str, Any]]) -> dict[str, Any]:
    by_trace: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        if START <= r["start_time"] < END:
            by_trace[r["trace_id"]].append(r)
    durations, errors, services = [], 0, defaultdict(list)
    for spans in by_trace.values():
        ms = (max(s["end_time"] for s in spans) - min(s["start_time"] for s in spans)) / 1e6
        failed = any(s["status_code"] == "error" for s in spans)
        root = min(spans, key=lambda s: (s["parent_span_id"] != "", s["start_time"], s["span_id"]))
        durations.append(ms)
        errors += failed
        services[root["service_name"]].append((ms, failed))
    return {
        "count": len(by_trace),
        "errors": errors,
        "p50": float(np.percentile(durations, 50)),
        "p95": float(np.percentile(durations, 95)),
        "services": sorted(
            (
                (name, len(v), sum(f for _, f in v), float(np.percentile([m for m, _ in v], 95)))
                for name, v in services.items()
            ),
            key=lambda s: (-s[1], s[0]),
        ),
    }


EMBEDDING_USD = Decimal("0.00000018")  # 9 tokens at $0.02 per million
COSTS = [
    cost_row("own", START + HOUR + 5, 120_000, model_id="gpt-4o", input_tokens=500, output_tokens=50),
    cost_row("own", START + 2 * HOUR, 30_000, model_id="claude-3-5-sonnet", input_tokens=300, output_tokens=70),
    cost_row("own", END - 1, 7_000, model_id="gpt-4o", input_tokens=100, output_tokens=10, user_id="u1"),
    cost_row("own", START + 3 * HOUR, 0, model_id="text-embedding-3-small", input_tokens=9, output_tokens=0,
             input_cost_usd=EMBEDDING_USD, total_cost_usd=EMBEDDING_USD),  # below a micro-dollar
    cost_row("own", END + 10, 999_000, model_id="gpt-4o"),  # after the range
    cost_row("other", START + HOUR, 555_000, model_id="gpt-4o"),
]  # fmt: skip


@pytest.fixture(scope="module")
def stored(module_storage: Client) -> Client:
    module_storage.insert_arrow("spans", span_table([span_row(**r) for r in OWN + OTHER]))
    insert_costs(module_storage, COSTS)
    return module_storage


def _summary(world: World, role: str, **params: Any) -> dict[str, Any]:
    client = client_for(world, role)
    response = client.get("/api/v1/dashboard/summary", {"start_time": START, "end_time": END, **params})
    assert response.status_code == 200, response.content[:400]
    return response.json()


def test_request_figures_match_an_independent_computation(
    world: World, telemetry_store: Client, stored: Client
) -> None:
    body = _summary(world, "developer")
    want = _expected(OWN)
    got = body["requests"]
    assert (got["count"], got["errors"]) == (want["count"], want["errors"])
    assert got["error_rate"] == pytest.approx(want["errors"] / want["count"])
    assert got["p50_ms"] == pytest.approx(want["p50"]) and got["p95_ms"] == pytest.approx(want["p95"])
    assert [(s["service"], s["requests"], s["errors"]) for s in body["services"]] == [s[:3] for s in want["services"]]
    assert [s["p95_ms"] for s in body["services"]] == pytest.approx([s[3] for s in want["services"]])
    assert body["bucket_seconds"] == 300  # six hours in at most 120 buckets
    assert sum(b["requests"] for b in body["series"]) == want["count"]
    assert sum(b["errors"] for b in body["series"]) == want["errors"]


def test_costs_come_from_the_cost_store_scoped_like_the_costs_page(
    world: World, telemetry_store: Client, stored: Client
) -> None:
    everyone = _summary(world, "developer")["costs"]
    assert everyone["scope"] == "all"
    assert everyone["cost_micros"] == 157_000 and everyone["requests"] == 4
    assert everyone["cost_usd"] == float(Decimal("0.157") + EMBEDDING_USD)  # exact, not rounded to micros
    assert (everyone["input_tokens"], everyone["output_tokens"]) == (909, 130)
    assert [(m["model_id"], m["cost_micros"], m["cost_usd"]) for m in everyone["models"]] == [
        ("gpt-4o", 127_000, 0.127), ("claude-3-5-sonnet", 30_000, 0.03),
        ("text-embedding-3-small", 0, float(EMBEDDING_USD))]
    assert sum(b["cost_micros"] for b in everyone["series"]) == 157_000 and everyone["period"] == "hour"
    assert [b["cost_usd"] for b in everyone["series"] if b["cost_micros"] == 0] == [float(EMBEDDING_USD)]
    # a viewer's key reads its own costs only (none: a key is no user), and sees the rest
    viewer = _summary(world, "viewer")
    assert viewer["costs"]["scope"] == "own" and viewer["costs"]["cost_micros"] == 0
    assert viewer["requests"]["count"] == _expected(OWN)["count"]


def test_drift_status_per_model_and_sections_hidden_by_role(
    world: World, telemetry_store: Client, stored: Client
) -> None:
    DriftMonitor.objects.create(project=world.own.project, model_id="churn-v2", last_status="drift")
    DriftMonitor.objects.create(project=world.other.project, model_id="not-mine")
    body = _summary(world, "developer")
    assert [(d["model_id"], d["status"]) for d in body["drift"]] == [("churn-v2", "drift")]
    assert body["hidden"] == {}
    operator = _summary(world, "operator")  # reads traces and drift, not costs
    assert operator["costs"] is None and operator["hidden"] == {"costs": "costs:read:own"}


def test_another_project_sees_only_its_own(world: World, telemetry_store: Client, stored: Client) -> None:
    client = client_for(world, "developer", side="other")
    body = client.get("/api/v1/dashboard/summary", {"start_time": START, "end_time": END}).json()
    assert body["requests"]["count"] == _expected(OTHER)["count"]
    assert body["costs"]["cost_micros"] == 555_000


@pytest.mark.parametrize(
    ("params", "named"),
    [({"start_time": "yesterday"}, "start_time"), ({"start_time": END, "end_time": START}, "start_time"),
     ({"start_time": 0, "end_time": END}, "start_time"), ({"range": "24h"}, "range")],
)  # fmt: skip
def test_bad_input_is_a_400_naming_the_parameter(
    world: World, telemetry_store: Client, stored: Client, params: dict[str, Any], named: str
) -> None:
    response = client_for(world, "developer").get("/api/v1/dashboard/summary", params)
    assert response.status_code == 400, response.content[:300]
    assert named in response.json()["details"], response.json()
