"""Notification channels may not point at loopback, private, link-local or metadata destinations:
refused with a 400 naming the URL when saved, refused again at delivery (recorded without any
connection detail), unless the admin setting allows them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from clickhouse_connect.driver.client import Client
from rest_framework.test import APIClient

from tests.costs.conftest import Webhook
from tests.costs.factory import cost_row, insert_costs
from tests.costs.test_budgets import DAY1, _budget
from tests.webapp.conftest import World
from webapp.costs.budget_runs import evaluate_all
from webapp.costs.models import AlertDelivery, NotificationChannel
from webapp.costs.notify import attempt_delivery

CHANNELS = "/api/v1/notification-channels"


def _admin(world: World) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=world.own.keys["admin"])
    return client


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://[::1]/hook",
        "http://0.0.0.0:9000/",
        "http://169.254.169.254/latest/meta-data/",
        "http://metadata.google.internal/computeMetadata/v1/",
        "http://10.0.0.8/internal",
        "http://[fd00::8]/internal",
        "http://localhost:6379/",
    ],
)
def test_private_destinations_are_refused_when_a_channel_is_saved(world: World, url: str) -> None:
    response = _admin(world).post(CHANNELS, {"name": "sneaky", "url": url}, format="json")
    assert response.status_code == 400, response.content
    assert "destination not allowed" in str(response.json()["details"]["url"])
    assert not NotificationChannel.objects.filter(name="sneaky").exists()


def test_changing_a_channel_to_a_private_destination_is_refused(world: World) -> None:
    admin = _admin(world)
    created = admin.post(CHANNELS, {"name": "ops", "url": "https://hooks.example.com/a"}, format="json")
    assert created.status_code == 201
    changed = admin.patch(f"{CHANNELS}/{created.json()['id']}", {"url": "http://192.168.0.1/"}, format="json")
    assert changed.status_code == 400 and "private address" in changed.json()["message"]
    assert NotificationChannel.objects.get(pk=created.json()["id"]).url == "https://hooks.example.com/a"


def test_the_admin_setting_allows_private_destinations(world: World, settings: object) -> None:
    settings.OUTBOUND_ALLOW_PRIVATE = True  # type: ignore[attr-defined]
    response = _admin(world).post(CHANNELS, {"name": "lan", "url": "http://10.0.0.8/hook"}, format="json")
    assert response.status_code == 201
    # cloud metadata stays refused
    metadata = _admin(world).post(CHANNELS, {"name": "md", "url": "http://169.254.169.254/"}, format="json")
    assert metadata.status_code == 400


def test_delivery_refuses_a_destination_that_became_private(
    world: World, cost_store: Client, webhook: Webhook, settings: object
) -> None:
    budget = _budget(world, webhook)  # saved while loopback was allowed (the webhook fixture)
    settings.OUTBOUND_ALLOW_CIDRS = []  # type: ignore[attr-defined]
    insert_costs(cost_store, [cost_row(world.own.project.slug, DAY1 + timedelta(hours=8), 900_000)])
    [delivery_id] = evaluate_all(cost_store, DAY1 + timedelta(hours=9)).deliveries
    attempt_delivery(delivery_id)
    assert webhook.received == []
    delivery = AlertDelivery.objects.get(pk=delivery_id)
    expected = ("destination not allowed: the URL's host resolves to a loopback address"
                " (to reach it, add its network to PYFLARE_OUTBOUND_ALLOW_CIDRS"
                " or set PYFLARE_OUTBOUND_ALLOW_PRIVATE=true)")
    assert delivery.last_error == expected
    alerts = _admin(world).get(f"/api/v1/costs/budgets/{budget.pk}/alerts").json()
    [shown] = [d for a in alerts for d in a["deliveries"]]
    assert shown["last_error"] == expected  # no address, port or errno in what the API shows
