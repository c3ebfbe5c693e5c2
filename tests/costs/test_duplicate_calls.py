"""One provider call traced twice (two instrumentations of one client: the same `gen_ai.response.id`
on two spans, in separate traces and batches) is counted once in /costs, before and after the
rollup settles; the trace API still has both spans and marks the later one as a duplicate."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from decimal import Decimal

from clickhouse_connect.driver.client import Client
from rest_framework.test import APIClient

from tests.analysis.cost.prices import to_micros, usd
from tests.costs.calls import Call, genai, openinference, payload, record, span_ids
from tests.costs.pipeline import ingest
from tests.webapp.conftest import World
from workers.storage.costs import rollup

NOW = time.time_ns()
HOUR = 3_600 * 1_000_000_000
RESPONSE = "chatcmpl-9xY2abc"


def _admin(world: World) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=world.own.keys["admin"])
    return client


def test_a_call_traced_twice_is_counted_once(world: World, cost_store: Client) -> None:
    project = world.own.project.slug
    at = NOW - 2 * HOUR
    first = record([Call({**genai("gpt-4o-mini", "openai", 1_000, 100), "gen_ai.response.id": RESPONSE}, at)], project)
    second = record([Call({**openinference("gpt-4o-mini", "openai", 1_000, 100), "gen_ai.response.id": RESPONSE},
                          at + 2_000_000)], project)  # fmt: skip
    other = record([Call({**genai("gpt-4o-mini", "openai", 1_000, 100), "gen_ai.response.id": "chatcmpl-other"},
                         at + 5_000_000), Call(genai("gpt-4o-mini", "openai", 1_000, 100), at + 6_000_000)], project)
    ingest(cost_store, [payload(first)])
    ingest(cost_store, [payload(second + other)])  # another batch, another trace
    one_call = usd(1_000, "0.15") + usd(100, "0.60")
    window = {"start_time": datetime.fromtimestamp((NOW - 3 * HOUR) / 1e9, UTC).isoformat(),
              "end_time": datetime.fromtimestamp((NOW + HOUR) / 1e9, UTC).isoformat()}  # fmt: skip
    for settle in (False, True):
        if settle:
            rollup.settle(cost_store)
        body = _admin(world).get("/api/v1/costs", window).json()
        assert (body["total_requests"], body["total_cost_micros"]) == (3, to_micros(3 * one_call)), settle
        by_model = _admin(world).get("/api/v1/costs", {**window, "group_by": "model"}).json()["groups"]
        assert [(g["key"]["model"], g["requests"]) for g in by_model] == [("gpt-4o-mini", 3)]
    stored = cost_store.query("SELECT count() FROM costs FINAL WHERE response_id = {r:String}",
                              parameters={"r": RESPONSE}).result_rows[0][0]  # fmt: skip
    assert stored == 2  # both spans keep their row: nothing a client sent is dropped

    (trace_a, span_a), (trace_b, span_b) = span_ids(first)[0], span_ids(second)[0]
    original = _admin(world).get(f"/api/v1/traces/{trace_a}").json()
    duplicate = _admin(world).get(f"/api/v1/traces/{trace_b}").json()
    assert _span(original, span_a)["duplicate_of"] is None
    assert _span(duplicate, span_b)["duplicate_of"] == {"trace_id": trace_a, "span_id": span_a}
    assert _span(duplicate, span_b)["response_id"] == RESPONSE
    # both spans keep their own price; trace sums count the call once, on its first span
    assert _span(duplicate, span_b)["cost_usd_exact"] == _span(original, span_a)["cost_usd_exact"] == _exact(one_call)
    assert (original["cost_usd_exact"], duplicate["cost_usd_exact"]) == (_exact(one_call), _exact(Decimal(0)))
    listed = {t["trace_id"]: t for t in _admin(world).get("/api/v1/traces", {"limit": 50}).json()["traces"]}
    assert (listed[trace_a]["cost_usd_exact"], listed[trace_b]["cost_usd_exact"]) == (_exact(one_call),
                                                                                      _exact(Decimal(0)))  # fmt: skip
    assert sum(Decimal(t["cost_usd_exact"] or 0) for t in listed.values()) == 3 * one_call  # as /costs


def _exact(usd: Decimal) -> str:
    return f"{usd.quantize(Decimal('1e-12')):f}"


def _span(trace: dict, span_id: str) -> dict:
    return next(s for s in trace["spans"] if s["span_id"] == span_id)


def test_sorting_by_cost_counts_a_call_traced_twice_once(world: World, cost_store: Client) -> None:
    # trace B repeats trace A's call (another instrumentation) and makes a small call of its own: B
    # costs only that small call, so it sorts below A; counting the repeat would put it above A.
    project = world.own.project.slug
    at = NOW - HOUR
    response = "chatcmpl-sorted-once"
    trace_a = record([Call({**genai("gpt-4o", "openai", 2_000, 100), "gen_ai.response.id": response}, at)], project)
    trace_b = record([
        Call({**openinference("gpt-4o", "openai", 2_000, 100), "gen_ai.response.id": response}, at + 1_000_000),
        Call(genai("gpt-4o-mini", "openai", 10, 0), at + 2_000_000),
    ], project, one_trace=True)  # fmt: skip
    trace_c = record([Call(genai("gpt-4o-mini", "openai", 1_000, 0), at + 3_000_000)], project)
    ingest(cost_store, [payload(trace_a)])
    ingest(cost_store, [payload(trace_b + trace_c)])
    cost = {
        span_ids(trace_a)[0][0]: usd(2_000, "2.50") + usd(100, "10.00"),
        span_ids(trace_b)[0][0]: usd(10, "0.15"),  # its own call only
        span_ids(trace_c)[0][0]: usd(1_000, "0.15"),
    }
    newest_first = sorted(cost, key=lambda t: (cost[t], t), reverse=True)
    for order, expected in (("desc", newest_first), ("asc", newest_first[::-1])):
        seen: list[str] = []
        cursor = None
        while True:  # one trace per page: the cursor's sort key must count the call once too
            params = {"sort": "cost", "order": order, "limit": 1, **({"cursor": cursor} if cursor else {})}
            body = _admin(world).get("/api/v1/traces", params).json()
            seen += [t["trace_id"] for t in body["traces"] if t["trace_id"] in cost]
            for t in body["traces"]:
                if t["trace_id"] in cost:
                    assert t["cost_usd_exact"] == _exact(cost[t["trace_id"]])
            cursor = body.get("next_cursor")
            if not cursor:
                break
        assert seen == expected, order
