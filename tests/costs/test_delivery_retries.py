"""Webhook retries are delayed tasks: with eager tasks (embedded mode) a failed attempt schedules the
next one on the in-process timer thread and returns at once, so the periodic-job thread never sleeps
through a backoff; a delivered alert is never sent again."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from clickhouse_connect.driver.client import Client

from tests.costs.conftest import Webhook
from tests.costs.factory import cost_row, insert_costs
from tests.costs.test_budgets import DAY1, _budget
from tests.webapp.conftest import World
from webapp.costs.budget_runs import evaluate_all
from webapp.costs.models import AlertDelivery
from workers.delayed import EMBEDDED, DelayedRunner
from workers.tasks.costs import deliver_alert

pytestmark = pytest.mark.usefixtures("transactional_db")  # the retry reads the rows from another thread


def _one_delivery(world: World, cost_store: Client, webhook: Webhook) -> int:
    _budget(world, webhook)
    insert_costs(cost_store, [cost_row(world.own.project.slug, DAY1 + timedelta(hours=8), 900_000)])
    [delivery_id] = evaluate_all(cost_store, DAY1 + timedelta(hours=9)).deliveries
    return delivery_id


def _settled(delivery_id: int, timeout: float = 30) -> AlertDelivery:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        # read only when the timer thread is idle: on SQLite's shared-cache test database a read here
        # while it writes makes that write fail at once ("table is locked")
        if EMBEDDED.pending() == 0:
            delivery = AlertDelivery.objects.get(pk=delivery_id)
            if delivery.status != AlertDelivery.PENDING:
                return delivery
        time.sleep(0.05)
    raise AssertionError(f"delivery {delivery_id} still pending after {timeout} s")


def test_a_failed_attempt_returns_at_once_and_retries_later(
    world: World, cost_store: Client, webhook: Webhook, settings: object
) -> None:
    settings.WEBHOOK_BACKOFF_SECONDS = 0.3  # type: ignore[attr-defined]
    webhook.replies = [500]
    delivery_id = _one_delivery(world, cost_store, webhook)

    assert deliver_alert.apply(args=[delivery_id]).get() == "pending"  # no sleep, no inline retry
    after_first = AlertDelivery.objects.get(pk=delivery_id)
    assert (after_first.attempts, after_first.last_error, after_first.response_status) == (1, "HTTP 500", 500)
    assert webhook.received == []

    delivered = _settled(delivery_id)  # the retry ran on the timer thread
    assert (delivered.status, delivered.attempts, delivered.last_error) == ("delivered", 2, "")
    assert len(webhook.received) == 1


def test_a_delivered_alert_is_never_sent_again(world: World, cost_store: Client, webhook: Webhook,
                                               settings: object) -> None:
    settings.PUBLIC_URL = "https://pyflare.example"  # type: ignore[attr-defined]
    delivery_id = _one_delivery(world, cost_store, webhook)
    assert deliver_alert.apply(args=[delivery_id]).get() == "delivered"
    assert deliver_alert.apply(args=[delivery_id]).get() == "delivered"  # a duplicated task message
    assert EMBEDDED.pending() == 0 and len(webhook.received) == 1
    (body,) = webhook.received  # links back to the costs page at the public URL
    assert body["externalURL"] == "https://pyflare.example"
    assert body["alerts"][0]["generatorURL"] == f"https://pyflare.example/p/{world.own.project.slug}/costs"
    delivery = AlertDelivery.objects.select_related("channel").get(pk=delivery_id)
    assert delivery.attempts == 1
    # the crossing's alert records the notification once: its history, and what escalation counts from
    told = cost_store.query("SELECT source, channel, labels['budget_id'], labels['threshold'] FROM alert_events "
                            "WHERE event = 'notified'").result_rows  # fmt: skip
    crossing = delivery.alert
    assert told == [("budget", delivery.channel.name, str(crossing.budget_id), f"{float(crossing.threshold):g}")]


def test_the_timer_runs_calls_in_due_order_on_its_own_thread() -> None:
    runner = DelayedRunner("test-delayed")
    ran: list[tuple[str, str]] = []
    done = threading.Event()
    runner.call_later(0.3, lambda: (ran.append(("late", threading.current_thread().name)), done.set()))
    runner.call_later(0.0, lambda: ran.append(("early", threading.current_thread().name)))
    runner.call_later(0.1, lambda: 1 / 0)  # a failing call is logged; the next ones still run
    assert done.wait(10)
    assert ran == [("early", "test-delayed"), ("late", "test-delayed")]


def test_a_task_that_meets_a_locked_database_runs_again() -> None:
    from celery import Celery
    from django.db import OperationalError

    from workers.delayed import run_later

    eager = Celery("test-locked", set_as_current=False)
    eager.conf.task_always_eager = True
    calls: list[str] = []
    done = threading.Event()

    @eager.task(name="test.flaky")
    def flaky(label: str) -> None:
        calls.append(label)
        if label == "locked" and calls.count("locked") < 3:  # locked twice, then through
            raise OperationalError("database table is locked: costs_channeldelivery")
        if label == "broken":
            raise OperationalError("no such table: costs_channeldelivery")  # not a lock: not run again
        done.set()

    runner = DelayedRunner("test-locked")
    run_later(flaky, ["broken"], 0, runner)
    run_later(flaky, ["locked"], 0.01, runner)
    assert done.wait(10)
    assert calls == ["broken", "locked", "locked", "locked"]
