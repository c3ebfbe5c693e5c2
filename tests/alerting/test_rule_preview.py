"""The rule editor's preview (POST /api/v1/alerts/rules/preview): an unsaved rule's metric over the
last day, per series, each point the value over the rule's window as the rule would have seen it.
Expected values are counted in Python from the seeded spans; spans sit mid-window so the seconds
between seeding and the request do not move them across a boundary."""

from __future__ import annotations

import itertools
import time
from datetime import datetime
from typing import Any

from clickhouse_connect.driver.client import Client
from rest_framework.test import APIClient

from tests.alerting.conftest import seed
from tests.webapp.conftest import World

STEP = 300.0  # a 5m window previews at 288 instants 5 min apart: its windows tile the day
URL = "/api/v1/alerts/rules/preview"


def rows(model: str, ago: float, total: int, errors: int) -> list[dict[str, Any]]:
    """`total` spans of `model` around `ago` seconds before now (inside one 5 minute window)."""
    now = time.time()
    return [{"service": "chat", "model": model, "start": now - ago - 120 - i, "ms": 10.0, "input": 1, "output": 1,
             "error": "boom" if i < errors else None} for i in range(total)]  # fmt: skip


def ask(api: APIClient, world: World, body: dict[str, Any], role: str = "developer") -> Any:
    api.credentials(HTTP_X_API_KEY=world.own.keys[role])
    return api.post(URL, body, format="json")


def test_threshold_preview_gives_each_series_its_value_per_window(world: World, api: APIClient, store: Client) -> None:
    plan = {("a", 1): (10, 5), ("a", 10): (4, 0), ("b", 3): (8, 2)}  # (model, steps ago): (spans, errors)
    data = [row for (model, k), (n, e) in plan.items() for row in rows(model, k * STEP, n, e)]
    seed(store, world.own.project.slug, data)
    seed(store, world.other.project.slug, rows("a", 2 * STEP, 6, 6))  # another project's: never shown
    answer = ask(
        api,
        world,
        {
            "rule_type": "threshold",
            "config": {"metric": "error_rate", "operator": ">", "value": 0.3, "window": "5m", "group_by": ["model_id"]},
        },
    )
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert (body["metric"], body["window"], body["operator"], body["threshold"]) == ("error_rate", "5m", ">", 0.3)
    assert [s["labels"] for s in body["series"]] == [{"model_id": "a"}, {"model_id": "b"}]
    for series in body["series"]:
        points = series["points"]
        assert len(points) == 288
        ends = [datetime.fromisoformat(p["end"]).timestamp() for p in points]
        assert all(abs((b - a) - STEP) < 1e-6 for a, b in itertools.pairwise(ends))
        model = series["labels"]["model_id"]
        expected = {287 - k: e / n for (m, k), (n, e) in plan.items() if m == model}  # newest point is index 287
        got = {i: p["value"] for i, p in enumerate(points) if p["value"] is not None}
        assert got == expected


def test_pattern_preview_counts_matches_and_draws_its_value(world: World, api: APIClient, store: Client) -> None:
    seed(store, world.own.project.slug, rows("a", 2 * STEP, 7, 3))
    body = ask(
        api,
        world,
        {
            "rule_type": "pattern",
            "config": {
                "source": "spans",
                "field": "status_message",
                "pattern": "bo+m",
                "operator": ">=",
                "value": 2,
                "window": "5m",
            },
        },
    ).json()
    assert (body["metric"], body["threshold"], len(body["series"])) == ("match_count", 2, 1)
    values = [p["value"] for p in body["series"][0]["points"]]
    assert values[285] == 3 and sum(values) == 3  # no match elsewhere is a count of 0, as the rule sees it


def test_bad_preview_requests_are_400s_naming_the_field(world: World, api: APIClient, store: Client) -> None:
    cases = [
        ({"rule_type": "threshold", "config": {"metric": "happiness", "operator": ">", "value": 1}}, "config",
         "metric 'happiness'"),
        ({"rule_type": "threshold", "config": {"metric": "cost_usd", "operator": ">", "value": 1,
                                               "group_by": ["service"]}}, "config", "service"),
        ({"rule_type": "composite", "config": {"expression": "1"}}, "rule_type", "composite"),
        ({"config": {}}, "rule_type", "required"),
    ]  # fmt: skip
    for body, field, words in cases:
        answer = ask(api, world, body)
        assert answer.status_code == 400, (body, answer.json())
        assert words in str(answer.json()["details"][field]), answer.json()


def test_preview_needs_alerts_read(world: World, api: APIClient, store: Client) -> None:
    body = {"rule_type": "threshold", "config": {"metric": "request_count", "operator": ">", "value": 1}}
    assert ask(api, world, body, role="viewer").status_code == 403
    assert ask(api, world, body, role="developer").status_code == 200


def test_a_cost_preview_reads_fewer_windows_half_an_hour_apart(world: World, api: APIClient, store: Client) -> None:
    from tests.costs.factory import cost_row, insert_costs

    at = int((time.time() - 2 * 1800 - 120) * 1e9)  # inside the window two points before the newest
    insert_costs(store, [cost_row(world.own.project.slug, at, 250_000, model_id="gpt-4o")])
    body = ask(api, world, {"rule_type": "threshold",
                            "config": {"metric": "cost_usd", "operator": ">", "value": 1, "window": "5m"}}).json()
    (series,) = body["series"]
    ends = [datetime.fromisoformat(p["end"]).timestamp() for p in series["points"]]
    assert len(ends) == 48 and all(abs((b - a) - 1800) < 1e-6 for a, b in itertools.pairwise(ends))
    assert {i: p["value"] for i, p in enumerate(series["points"]) if p["value"]} == {45: 0.25}
