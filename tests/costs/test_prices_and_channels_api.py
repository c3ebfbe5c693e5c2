"""Behaviour of the price override and notification channel endpoints beyond their status codes:
editing or deleting an override changes what new spans cost and what `pyflare reprice` writes;
channels are listed per project, edited and deleted, and a deleted channel leaves its budgets."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
from clickhouse_connect.driver.client import Client
from rest_framework.test import APIClient

from tests.analysis.cost.prices import genai_usd, usd
from tests.costs.calls import Call, genai, payload, record, span_ids
from tests.costs.pipeline import ingest
from tests.webapp.conftest import World
from webapp.cli import main as pyflare
from workers.ingest.pricing import ProjectBooks, SpanPricing, control_plane_overrides

NOW = time.time_ns()
MINUTE = 60 * 1_000_000_000


def _client(world: World, project: str = "own") -> APIClient:
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=(world.own if project == "own" else world.other).keys["admin"])
    return client


def _cost_of(store: Client, span: str) -> Decimal:
    return store.query("SELECT total_cost_usd FROM costs FINAL WHERE span_id = {s:String}",
                       parameters={"s": span}).result_rows[0][0]  # fmt: skip


def _reprice(monkeypatch: pytest.MonkeyPatch, settings: object, project: str) -> None:
    monkeypatch.setenv("PYFLARE_CLICKHOUSE_URL", settings.url)  # type: ignore[attr-defined]
    monkeypatch.setenv("PYFLARE_CLICKHOUSE_DATABASE", settings.database)  # type: ignore[attr-defined]
    assert pyflare(["reprice", "--project", project, "--no-progress"]) == 0


def test_editing_and_deleting_an_override_reprices_new_and_stored_spans(
    world: World, cost_store: Client, ch_settings: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    project, admin = world.own.project.slug, _client(world)
    pricing = SpanPricing(ProjectBooks(control_plane_overrides, refresh_seconds=0))

    def call(minutes_ago: int) -> str:
        spans = record([Call(genai("gpt-4o-mini-2024-07-18", "openai", 10_000, 1_000), NOW - minutes_ago * MINUTE)],
                       project)  # fmt: skip
        ingest(cost_store, [payload(spans)], pricing)
        return span_ids(spans)[0][1]

    created = admin.post("/api/v1/costs/prices", {"model": "gpt-4o-mini", "provider": "openai",
                                                  "input_usd_per_mtok": "0.10", "output_usd_per_mtok": "0.40"},
                         format="json")  # fmt: skip
    assert created.status_code == 201, created.content
    price = created.json()["id"]
    first = call(30)
    assert _cost_of(cost_store, first) == usd(10_000, "0.10") + usd(1_000, "0.40")

    patched = admin.patch(f"/api/v1/costs/prices/{price}", {"output_usd_per_mtok": "1.00"}, format="json")
    assert patched.status_code == 200 and Decimal(patched.json()["output_usd_per_mtok"]) == Decimal("1.00")
    assert Decimal(admin.get(f"/api/v1/costs/prices/{price}").json()["input_usd_per_mtok"]) == Decimal("0.10")
    second = call(20)
    edited = usd(10_000, "0.10") + usd(1_000, "1.00")
    assert _cost_of(cost_store, second) == edited  # new spans: the edited price
    assert _cost_of(cost_store, first) != edited  # stored ones: unchanged until reprice
    _reprice(monkeypatch, ch_settings, project)
    assert _cost_of(cost_store, first) == edited

    assert admin.delete(f"/api/v1/costs/prices/{price}").status_code == 204
    assert admin.get(f"/api/v1/costs/prices/{price}").status_code == 404
    assert admin.get("/api/v1/costs/prices").json() == []
    table = genai_usd("gpt-4o-mini", "openai", 10_000, 1_000)  # the published price again
    third = call(10)
    assert _cost_of(cost_store, third) == table
    _reprice(monkeypatch, ch_settings, project)
    assert [_cost_of(cost_store, s) for s in (first, second, third)] == [table, table, table]


def test_channels_are_listed_per_project_edited_and_deleted(world: World, cost_store: Client) -> None:
    admin, theirs = _client(world), _client(world, "other")
    ops = admin.post("/api/v1/notification-channels", {"name": "ops", "url": "https://hooks.example.com/ops"},
                     format="json").json()  # fmt: skip
    finance = admin.post("/api/v1/notification-channels", {"name": "finance", "url": "https://hooks.example.com/fin"},
                         format="json").json()  # fmt: skip
    other = theirs.post("/api/v1/notification-channels", {"name": "x", "url": "https://hooks.example.com/x"},
                        format="json").json()  # fmt: skip
    listed = admin.get("/api/v1/notification-channels").json()
    assert sorted((c["name"], c["url"], c["enabled"], c["kind"]) for c in listed) == [
        ("finance", "https://hooks.example.com/fin", True, "webhook"),
        ("ops", "https://hooks.example.com/ops", True, "webhook")]  # fmt: skip
    assert [c["name"] for c in theirs.get("/api/v1/notification-channels").json()] == ["x"]

    edited = admin.patch(f"/api/v1/notification-channels/{ops['id']}",
                         {"enabled": False, "url": "https://hooks.example.com/ops-2"}, format="json")  # fmt: skip
    assert edited.status_code == 200
    again = admin.get(f"/api/v1/notification-channels/{ops['id']}").json()
    assert (again["name"], again["url"], again["enabled"]) == ("ops", "https://hooks.example.com/ops-2", False)
    assert admin.patch(f"/api/v1/notification-channels/{other['id']}", {"enabled": False},
                       format="json").status_code == 404  # fmt: skip
    assert theirs.get(f"/api/v1/notification-channels/{other['id']}").json()["enabled"] is True

    budget = admin.post("/api/v1/costs/budgets", {"name": "all", "dimension": "global", "period": "daily",
                                                  "limit_usd": "10", "channels": [ops["id"], finance["id"]]},
                        format="json").json()  # fmt: skip
    assert admin.delete(f"/api/v1/notification-channels/{finance['id']}").status_code == 204
    assert admin.get(f"/api/v1/notification-channels/{finance['id']}").status_code == 404
    assert [c["name"] for c in admin.get("/api/v1/notification-channels").json()] == ["ops"]
    assert admin.get(f"/api/v1/costs/budgets/{budget['id']}").json()["channels"] == [ops["id"]]
    assert theirs.delete(f"/api/v1/notification-channels/{ops['id']}").status_code == 404  # not theirs
    assert admin.get(f"/api/v1/notification-channels/{ops['id']}").status_code == 200
