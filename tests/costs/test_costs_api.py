"""The /costs API over stored costs: totals, groups and periods add up to the rows stored, viewers
see only their own costs, projects never see each other's, budgets and channels are CRUD-able
with clear 400s, and the CSV export holds the exact amounts."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from clickhouse_connect.driver.client import Client
from rest_framework.test import APIClient

from tests.costs.factory import cost_row, insert_costs, ns
from tests.webapp.conftest import World
from webapp.costs.models import Budget, NotificationChannel
from workers.storage.costs import rollup

NOW = datetime.now(UTC).replace(minute=30, second=0, microsecond=0)
D2 = NOW - timedelta(days=2)
D1 = NOW - timedelta(days=1)


def _client(world: World, role: str = "admin", project: str = "own") -> APIClient:
    client = APIClient()
    side = world.own if project == "own" else world.other
    client.credentials(HTTP_X_API_KEY=side.keys[role])
    return client


def _range(start: datetime = D2 - timedelta(hours=1), end: datetime = NOW + timedelta(hours=1)) -> dict[str, str]:
    return {"start_time": start.isoformat(), "end_time": end.isoformat()}


@pytest.fixture
def spend(world: World, cost_store: Client) -> list[dict[str, Any]]:
    rows = [
        cost_row("own", D2, 1_000_000, model_id="gpt-4o", user_id="viewer@own.example", team="growth",
                 dimensions=[("tier", "gold")]),
        cost_row("own", D2, 250_000, model_id="gpt-4o-mini", user_id="developer@own.example", team="growth",
                 dimensions=[("tier", "free")]),
        cost_row("own", D1, 2_000_000, model_id="gpt-4o", user_id="developer@own.example", team="core",
                 dimensions=[("tier", "gold")]),
        cost_row("own", D1, 0, model_id="mystery", provider="acme", priced=0, unpriced_reason="not in the table"),
        cost_row("other", D1, 7_000_000, model_id="gpt-4o", user_id="viewer@own.example"),
    ]  # fmt: skip
    insert_costs(cost_store, rows)
    rollup.settle(cost_store)  # D2 and D1 come from the rollup, nothing from the tail
    return rows


def test_summary_totals_groups_and_periods(world: World, spend: list[dict[str, Any]], settings: Any) -> None:
    settings.COST_DIMENSIONS = ["tier"]
    body = _client(world).get("/api/v1/costs", {**_range(), "group_by": ["model", "dim.tier"]}).json()
    assert (body["total_cost_micros"], body["total_requests"], body["totals"]["unpriced_requests"]) == (3_250_000, 4, 1)
    assert body["total_cost_usd"] == 3.25 and body["average_cost_per_request_usd"] == pytest.approx(3.25 / 3)
    assert body["total_cost_usd_exact"] == body["totals"]["cost_usd_exact"] == "3.250000000000"
    groups = {(g["key"]["model"], g["key"]["dim.tier"]): g["cost_micros"] for g in body["groups"]}
    assert groups == {("gpt-4o", "gold"): 3_000_000, ("gpt-4o-mini", "free"): 250_000}  # only spans with a tier
    assert [g["cost_micros"] for g in body["groups"]] == [3_000_000, 250_000]  # most expensive first
    tiers = _client(world).get("/api/v1/costs", {**_range(), "group_by": "dim.tier"}).json()["groups"]
    assert {g["key"]["dim.tier"]: g["cost_micros"] for g in tiers} == {"gold": 3_000_000, "free": 250_000}
    periods = {p["period"]: p["cost_micros"] for p in body["by_period"]}
    assert periods == {D2.date().isoformat(): 1_250_000, D1.date().isoformat(): 2_000_000}
    hourly = _client(world).get("/api/v1/costs", {**_range(), "group_by": ["hour", "team"]}).json()
    assert {(g["key"]["hour"], g["key"]["team"]) for g in hourly["groups"] if g["cost_micros"]} == {
        (D2.strftime("%Y-%m-%dT%H:00:00Z"), "growth"), (D1.strftime("%Y-%m-%dT%H:00:00Z"), "core")}  # fmt: skip
    unknown = _client(world).get("/api/v1/costs", {"group_by": "dim.region"})
    assert unknown.status_code == 400 and "not a configured cost dimension" in unknown.json()["message"]


def test_breakdown_has_shares_and_the_rest(world: World, spend: list[dict[str, Any]]) -> None:
    body = _client(world).get("/api/v1/costs/breakdown", {**_range(), "dimension": "user", "limit": 1}).json()
    assert [(i["value"], i["cost_micros"], round(i["share_percent"], 2)) for i in body["items"]] == [
        ("developer@own.example", 2_250_000, 69.23)]  # fmt: skip
    assert body["other"]["cost_micros"] == 1_000_000 and body["total_cost_micros"] == 3_250_000
    assert (body["total_cost_usd"], body["total_cost_usd_exact"]) == (3.25, "3.250000000000")  # dollars, not micros
    assert _client(world).get("/api/v1/costs/breakdown", {"dimension": "day"}).status_code == 400


def test_csv_export_has_exact_amounts(world: World, spend: list[dict[str, Any]]) -> None:
    response = _client(world).get("/api/v1/costs/export", {**_range(), "group_by": ["day", "model"]})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    got = {(r["day"], r["model"]): r["total_cost_usd"] for r in rows}
    assert got == {(D1.date().isoformat(), "gpt-4o"): "2.000000000000",
                   (D2.date().isoformat(), "gpt-4o"): "1.000000000000",
                   (D2.date().isoformat(), "gpt-4o-mini"): "0.250000000000",
                   (D1.date().isoformat(), "mystery"): "0.000000000000"}  # fmt: skip


@pytest.mark.parametrize(("role", "scope", "cost"), [
    ("developer", "all", 3_250_000),  # costs:read
    ("viewer", "own", 1_000_000),  # costs:read:own, signed in as viewer@own.example
])  # fmt: skip
def test_viewers_see_only_their_own_costs(world: World, spend: list[dict[str, Any]], role: str, scope: str,
                                          cost: int) -> None:  # fmt: skip
    client = APIClient()
    client.force_login(world.own.members[role])
    body = client.get("/api/v1/costs", {**_range(), "group_by": "user"}, HTTP_X_PYFLARE_PROJECT="own").json()
    assert (body["scope"], body["total_cost_micros"]) == (scope, cost)
    someone_else = client.get("/api/v1/costs", {**_range(), "user_id": "developer@own.example"},
                              HTTP_X_PYFLARE_PROJECT="own").json()  # fmt: skip
    assert someone_else["total_cost_micros"] == (2_250_000 if role == "developer" else 0)


def test_a_viewer_key_acts_for_nobody_and_sees_no_costs(world: World, spend: list[dict[str, Any]]) -> None:
    body = _client(world, "viewer").get("/api/v1/costs", _range()).json()
    assert (body["scope"], body["total_cost_micros"], body["total_requests"]) == ("own", 0, 0)
    assert _client(world, "viewer").get("/api/v1/costs/forecast").status_code == 403


def test_projects_never_see_each_others_costs_or_settings(world: World, spend: list[dict[str, Any]]) -> None:
    other = _client(world, "admin", "other")
    assert other.get("/api/v1/costs", _range()).json()["total_cost_micros"] == 7_000_000
    budget = Budget.objects.create(project=world.other.project, name="theirs", dimension="global", value="",
                                   period="daily", limit_usd="5")  # fmt: skip
    channel = NotificationChannel.objects.create(project=world.other.project, name="theirs", url="https://x.example")
    mine = _client(world)
    for path in (f"/api/v1/costs/budgets/{budget.pk}", f"/api/v1/costs/budgets/{budget.pk}/status",
                 f"/api/v1/notification-channels/{channel.pk}"):  # fmt: skip
        assert mine.get(path).status_code == 404, path
    assert mine.delete(f"/api/v1/costs/budgets/{budget.pk}").status_code == 404
    borrowed = mine.post("/api/v1/costs/budgets", {"name": "b", "dimension": "global", "period": "daily",
                                                   "limit_usd": "1", "channels": [channel.pk]}, format="json")
    assert borrowed.status_code == 400 and "channels" in borrowed.json()["details"]
    assert Budget.objects.filter(project=world.other.project).count() == 1


def test_budget_crud_and_status(world: World, spend: list[dict[str, Any]], cost_store: Client) -> None:
    admin = _client(world)
    channel = admin.post("/api/v1/notification-channels", {"name": "ops", "url": "https://hooks.example.com/a"},
                         format="json").json()  # fmt: skip
    created = admin.post("/api/v1/costs/budgets", {"name": "gpt-4o monthly", "dimension": "model", "value": "gpt-4o",
                                                   "period": "monthly", "limit_usd": "4.00", "thresholds": [80, 50],
                                                   "channels": [channel["id"]]}, format="json")  # fmt: skip
    assert created.status_code == 201, created.content
    budget = created.json()
    assert (budget["limit_micros"], budget["thresholds"], budget["channels"]) == (4_000_000, [50, 80], [channel["id"]])
    month_start = datetime.now(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    insert_costs(cost_store, [cost_row("own", max(datetime.now(UTC) - timedelta(minutes=1), month_start), 1_500_000)])
    status = admin.get(f"/api/v1/costs/budgets/{budget['id']}/status").json()
    in_month = sum(round(r["total_cost_usd"] * 1_000_000) for r in spend
                   if r["project"] == "own" and r["model_id"] == "gpt-4o" and r["start_time"] >= ns(month_start))
    assert status["spend_micros"] == in_month + 1_500_000
    assert status["percent_used"] == pytest.approx(status["spend_micros"] / 40_000)
    assert status["projection"]["method"] == "run_rate"
    patched = admin.patch(f"/api/v1/costs/budgets/{budget['id']}", {"limit_usd": "8.00"}, format="json")
    assert patched.json()["limit_micros"] == 8_000_000
    bad = admin.patch(f"/api/v1/costs/budgets/{budget['id']}", {"dimension": "global"}, format="json")
    assert bad.status_code == 400 and "value" in bad.json()["details"]
    assert admin.get(f"/api/v1/costs/budgets/{budget['id']}/alerts").json() == []
    assert _client(world, "developer").patch(f"/api/v1/costs/budgets/{budget['id']}", {}).status_code == 403
    assert admin.delete(f"/api/v1/costs/budgets/{budget['id']}").status_code == 204
    assert admin.get("/api/v1/costs/budgets").json() == []


def test_unpriced_models_are_listed(world: World, spend: list[dict[str, Any]]) -> None:
    models = _client(world).get("/api/v1/costs/unpriced", _range()).json()["models"]
    assert [(m["model_id"], m["provider"], m["spans"], m["reason"]) for m in models] == [
        ("mystery", "acme", 1, "not in the table")]  # fmt: skip


def test_recommendations_rest_on_numbers(world: World, cost_store: Client) -> None:
    now = datetime.now(UTC) - timedelta(hours=1)
    repeated = [cost_row("own", now, 40_000, input_hash="ab" * 32, model_id="gpt-4o") for _ in range(5)]
    insert_costs(cost_store, repeated)
    body = _client(world).get("/api/v1/costs/recommendations").json()
    caching = [r for r in body["recommendations"] if r["kind"] == "cache_repeated_prompt"]
    assert len(caching) == 1
    assert caching[0]["saving_micros"] == 160_000  # 4 of 5 identical calls at 40,000 micro-USD each
    assert caching[0]["evidence"]["count"] == 5 and caching[0]["evidence"]["total_cost_micros"] == 200_000
