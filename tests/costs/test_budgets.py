"""Budget evaluation (the service the beat task calls): a threshold alerts once per period, the
next period starts fresh, only the highest threshold crossed at once is sent, and webhook
deliveries retry with backoff and record their failures. Spend is real `costs` rows in ClickHouse;
the webhook is a real HTTP server.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from clickhouse_connect.driver.client import Client
from django.core.exceptions import ValidationError

from tests.costs.conftest import Webhook
from tests.costs.factory import cost_row, insert_costs
from tests.webapp.conftest import World
from webapp.alerting.models import Alert
from webapp.costs.budget_runs import evaluate_all
from webapp.costs.models import AlertDelivery, Budget, BudgetAlert, NotificationChannel
from webapp.costs.notify import attempt_delivery

DAY1 = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=10)


def _budget(world: World, webhook: Webhook, **values: object) -> Budget:
    channel, _ = NotificationChannel.objects.get_or_create(project=world.own.project, name="hook", url=webhook.url)
    fields = {"name": "daily gpt-4o", "dimension": "model", "value": "gpt-4o", "period": "daily",
              "limit_usd": "1.00", "thresholds": [50, 80, 100]} | values  # fmt: skip
    budget = Budget(project=world.own.project, **fields)
    budget.full_clean()
    budget.save()
    budget.channels.add(channel)
    return budget


def _deliver_all(ids: list[int]) -> list[str]:
    return [attempt_delivery(i).status for i in ids]


def test_threshold_alerts_once_per_period_and_the_next_period_starts_fresh(
    world: World, cost_store: Client, webhook: Webhook
) -> None:
    budget = _budget(world, webhook)
    slug = world.own.project.slug
    insert_costs(cost_store, [cost_row(slug, DAY1 + timedelta(hours=8), 600_000),
                              cost_row(slug, DAY1 + timedelta(hours=9), 250_000),
                              cost_row(slug, DAY1 + timedelta(hours=9), 900_000, model_id="claude-3-5-haiku"),
                              cost_row("other", DAY1 + timedelta(hours=9), 900_000)])  # fmt: skip
    first = evaluate_all(cost_store, DAY1 + timedelta(hours=12))
    assert len(first.alerts) == 2 and len(first.deliveries) == 1  # 50 % and 80 % stored; 80 % sent
    assert _deliver_all(first.deliveries) == ["delivered"]
    assert [(p["threshold_percent"], p["spend_usd"], p["budget"]["value"]) for p in webhook.received] == [
        (80.0, 0.85, "gpt-4o")]  # fmt: skip
    alerts = BudgetAlert.objects.filter(budget=budget).order_by("threshold")
    assert [(float(a.threshold), a.notified, a.spend_micros) for a in alerts] == [(50, False, 850_000),
                                                                                 (80, True, 850_000)]  # fmt: skip

    for hour in (13, 18, 23):  # beat keeps evaluating the same day
        again = evaluate_all(cost_store, DAY1 + timedelta(hours=hour, minutes=59))
        assert again.alerts == [] and again.deliveries == []
    assert len(webhook.received) == 1

    day2 = DAY1 + timedelta(days=1)
    insert_costs(cost_store, [cost_row(slug, day2 + timedelta(hours=1), 820_000)])
    second = evaluate_all(cost_store, day2 + timedelta(hours=2))
    assert _deliver_all(second.deliveries) == ["delivered"]
    assert [p["threshold_percent"] for p in webhook.received] == [80.0, 80.0]
    assert webhook.received[1]["period_start"] == day2.isoformat()
    assert evaluate_all(cost_store, day2 + timedelta(hours=5)).alerts == []
    assert BudgetAlert.objects.filter(budget=budget).count() == 4

    # one pipeline: each crossing is an alert of the alerting system, firing until its period ends
    rows = Alert.objects.filter(source="budget").order_by("starts_at", "labels__threshold")
    assert [(r.labels["period_start"], r.labels["threshold"], r.state) for r in rows] == [
        (DAY1.isoformat(), "50", "resolved"), (DAY1.isoformat(), "80", "resolved"),
        (day2.isoformat(), "50", "firing"), (day2.isoformat(), "80", "firing")]  # fmt: skip
    sent = [p["alerts"][0]["fingerprint"] for p in webhook.received]
    assert sent == [rows[1].fingerprint, rows[3].fingerprint]  # the delivered body names the alert
    events = cost_store.query("SELECT event, count() FROM alert_events WHERE source = 'budget' GROUP BY event"
                              " ORDER BY event").result_rows  # fmt: skip
    assert events == [("firing", 4), ("notified", len(webhook.received)), ("resolved", 2)]  # each delivery once


def test_crossing_a_second_threshold_later_in_the_period_alerts_for_it_alone(
    world: World, cost_store: Client, webhook: Webhook
) -> None:
    budget = _budget(world, webhook, dimension="global", value="", thresholds=[80, 100])
    slug = world.own.project.slug
    insert_costs(cost_store, [cost_row(slug, DAY1 + timedelta(hours=1), 810_000)])
    _deliver_all(evaluate_all(cost_store, DAY1 + timedelta(hours=2)).deliveries)
    insert_costs(cost_store, [cost_row(slug, DAY1 + timedelta(hours=3), 300_000, model_id="o3")])
    later = evaluate_all(cost_store, DAY1 + timedelta(hours=4))
    _deliver_all(later.deliveries)
    assert [p["threshold_percent"] for p in webhook.received] == [80.0, 100.0]
    last = BudgetAlert.objects.filter(budget=budget).order_by("-threshold").first()
    assert last is not None and last.spend_micros == 1_110_000 and last.projection_method == "run_rate"
    assert last.projected_overage_micros > 0


def test_failed_webhooks_retry_with_backoff_and_are_recorded(
    world: World, cost_store: Client, webhook: Webhook, settings: object
) -> None:
    settings.WEBHOOK_BACKOFF_SECONDS = 3  # type: ignore[attr-defined]
    settings.WEBHOOK_MAX_ATTEMPTS = 3  # type: ignore[attr-defined]
    _budget(world, webhook)
    insert_costs(cost_store, [cost_row(world.own.project.slug, DAY1 + timedelta(hours=1), 900_000)])
    [delivery_id] = evaluate_all(cost_store, DAY1 + timedelta(hours=2)).deliveries
    webhook.replies = [503, 500]
    assert [attempt_delivery(delivery_id).retry_in for _ in range(2)] == [3.0, 6.0]
    outcome = attempt_delivery(delivery_id)
    assert (outcome.status, outcome.retry_in) == ("delivered", None)
    delivery = AlertDelivery.objects.get(pk=delivery_id)
    assert (delivery.attempts, delivery.response_status, len(webhook.received)) == (3, 200, 1)
    assert attempt_delivery(delivery_id).status == "delivered" and len(webhook.received) == 1  # never twice

    insert_costs(cost_store, [cost_row(world.own.project.slug, DAY1 + timedelta(days=1, hours=1), 900_000)])
    [failing] = evaluate_all(cost_store, DAY1 + timedelta(days=1, hours=2)).deliveries
    webhook.replies = [500, 500, 500]
    outcomes = [attempt_delivery(failing) for _ in range(3)]
    assert [o.status for o in outcomes] == ["pending", "pending", "failed"] and outcomes[-1].retry_in is None
    failed = AlertDelivery.objects.get(pk=failing)
    assert failed.attempts == 3 and failed.response_status == 500 and "HTTP 500" in failed.last_error


def test_a_broken_budget_or_unreachable_channel_never_stops_the_run(
    world: World, cost_store: Client, webhook: Webhook
) -> None:
    good = _budget(world, webhook)
    Budget.objects.filter(pk=good.pk).update(thresholds=["eighty"])  # corrupted behind the model's back
    other = _budget(world, webhook, name="team", dimension="team", value="growth", thresholds=[50])
    other.channels.set([NotificationChannel.objects.create(project=world.own.project, name="dead",
                                                           url="http://127.0.0.1:9/nothing")])  # fmt: skip
    insert_costs(cost_store, [cost_row(world.own.project.slug, DAY1 + timedelta(hours=1), 600_000, team="growth")])
    report = evaluate_all(cost_store, DAY1 + timedelta(hours=2))
    assert len(report.errors) == 1 and f"budget {good.pk}" in report.errors[0]
    [delivery_id] = report.deliveries
    outcome = attempt_delivery(delivery_id)
    assert outcome.status == "pending" and outcome.retry_in is not None
    assert AlertDelivery.objects.get(pk=delivery_id).last_error == "connection failed"  # no address, no errno


@pytest.mark.parametrize(("values", "field"), [
    ({"dimension": "global", "value": "gpt-4o"}, "value"),
    ({"dimension": "user", "value": ""}, "value"),
    ({"thresholds": []}, "thresholds"),
    ({"thresholds": [0, 80]}, "thresholds"),
])  # fmt: skip
def test_budget_validation_names_the_field(world: World, values: dict[str, object], field: str) -> None:
    fields = {"name": "b", "dimension": "model", "value": "m", "period": "daily", "limit_usd": "1"} | values
    budget = Budget(project=world.own.project, **fields)
    with pytest.raises(ValidationError) as caught:
        budget.full_clean()
    assert field in caught.value.message_dict


def test_projections_use_the_hourly_refreshed_forecast(world: World, cost_store: Client, webhook: Webhook) -> None:
    from webapp.costs.forecasting import refresh_budget_forecasts
    from webapp.costs.models import BudgetForecast

    # Half past the previous hour: the row written five minutes earlier is then in the same hour, day and
    # month as `now` whatever the clock says when the test runs.
    now = datetime.now(UTC).replace(minute=30, second=0, microsecond=0) - timedelta(hours=1)
    budget = _budget(world, webhook, period="monthly", limit_usd="1000", thresholds=[1])
    hourly = _budget(world, webhook, name="hourly", period="hourly")
    noon = now.replace(hour=12, minute=0)  # one row at noon of each of the 40 days before `now`'s day, so the
    insert_costs(cost_store, [cost_row(world.own.project.slug, noon - timedelta(days=d), 2_000_000 + 50_000 * d)
                              for d in range(1, 41)])  # history is 40 days at any time of day  # fmt: skip
    assert refresh_budget_forecasts(cost_store, now) == 1  # hourly budgets project by run rate
    forecast = BudgetForecast.objects.get(budget=budget)
    assert forecast.first_day == now.date() and len(forecast.daily_micros) == 35 and forecast.history_days == 40
    insert_costs(cost_store, [cost_row(world.own.project.slug, now - timedelta(minutes=5), 20_000_000)])
    evaluate_all(cost_store, now)
    alert = BudgetAlert.objects.get(budget=budget)
    assert alert.projection_method == "forecast"
    days_left = (datetime(now.year + now.month // 12, now.month % 12 + 1, 1, tzinfo=UTC) - now) / timedelta(days=1)
    rest = alert.projected_spend_micros - alert.spend_micros
    assert 1_000_000 * days_left < rest < 4_000_000 * days_left  # about 2 USD a day for the rest of the month
    assert {a.projection_method for a in BudgetAlert.objects.filter(budget=hourly)} == {"run_rate"}


def test_deliveries_never_attempted_are_handed_out_again(world: World, cost_store: Client, webhook: Webhook) -> None:
    _budget(world, webhook)
    insert_costs(cost_store, [cost_row(world.own.project.slug, DAY1 + timedelta(hours=1), 900_000)])
    [lost] = evaluate_all(cost_store, DAY1 + timedelta(hours=2)).deliveries  # the process died before sending
    assert evaluate_all(cost_store, DAY1 + timedelta(hours=3)).deliveries == []  # too recent to be lost
    BudgetAlert.objects.update(created_at=datetime.now(UTC) - timedelta(minutes=11))
    assert evaluate_all(cost_store, DAY1 + timedelta(hours=4)).deliveries == [lost]
    assert _deliver_all([lost, lost]) == ["delivered", "delivered"] and len(webhook.received) == 1
