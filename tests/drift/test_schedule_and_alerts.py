"""The schedule (which windows are scored, and only once) and the alert episode (fires once, resolves,
fires again), with notifications to a real local webhook and a failing one."""

from __future__ import annotations

import time
import uuid
from typing import Any

import numpy as np
import pytest
from clickhouse_connect.driver.client import Client

from tests.drift.conftest import WebhookReceiver
from tests.storage.spans import span_row, span_table
from tests.webapp.conftest import World
from tests.webapp.telemetry import client_for
from webapp.alerting.models import Alert
from webapp.costs.models import NotificationChannel
from webapp.drift.job import NS, claim_window, from_ns, is_due, scheduled_window
from webapp.drift.models import DriftAlert, DriftAlertDelivery, DriftMonitor
from workers.schedule import JOBS, beat_schedule
from workers.tasks.drift import dispatch_due

MODEL = "scheduled"
WINDOW = 300 * NS
RNG = np.random.default_rng(8)


def store_values(store: Client, start: int, values: np.ndarray) -> None:
    rows = [
        span_row(project="own", model_id=MODEL, trace_id=uuid.uuid4().hex, span_id=uuid.uuid4().hex[:16],
                 start_time=start + i * 10_000_000, features=[("x", repr(float(v)))])
        for i, v in enumerate(values)
    ]  # fmt: skip
    store.insert_arrow("spans", span_table(rows))


def monitor_with_reference(world: World, channel_url: str | None = None) -> DriftMonitor:
    client = client_for(world, "operator")
    body: dict = {"window": "5m"}
    if channel_url:
        body["channels"] = [
            NotificationChannel.objects.create(project=world.own.project, name="hook", url=channel_url).pk
        ]
    assert client.put(f"/api/v1/drift/{MODEL}/monitor", body, format="json").status_code == 201
    upload = {"features": {"x": {"values": RNG.normal(0, 1, 500).tolist()}}}
    assert client.post(f"/api/v1/drift/{MODEL}/reference", upload, format="json").status_code == 201
    return DriftMonitor.objects.select_related("project", "reference").get(model_id=MODEL)


def test_the_beat_entry_dispatches_each_window_once(world: World, store: Client) -> None:
    assert beat_schedule()["dispatch-drift-monitors"]["task"] == "drift.dispatch_due"
    assert next(j for j in JOBS if j.task == "drift.dispatch_due").expires() < 60
    monitor = monitor_with_reference(world)
    t0 = (time.time_ns() - 20 * WINDOW) // 1000 * 1000  # the monitor keeps window ends in microseconds
    store_values(store, t0, RNG.normal(0, 1, 200))
    now = t0 + WINDOW
    assert is_due(monitor, now)
    first = dispatch_due(now_ns=now)
    assert first["dispatched"] == [monitor.pk] and first["results"][0]["n_rows"] == 200
    assert first["results"][0]["window_start_ns"] == now - WINDOW
    assert dispatch_due(now_ns=now + WINDOW - 1)["dispatched"] == []  # the window has not elapsed yet
    second = dispatch_due(now_ns=now + WINDOW)["results"][0]
    assert (second["window_start_ns"], second["window_end_ns"]) == (now, now + WINDOW)  # consecutive windows
    assert second["status"] == "skipped" and second["n_rows"] == 0

    # after a long pause the next window is the last one, not everything since
    monitor.refresh_from_db()
    later = now + 10 * WINDOW
    assert scheduled_window(monitor, later) == (later - WINDOW, later)

    # a window is claimed once: a second worker holding the same state loses the compare-and-set
    stale = DriftMonitor.objects.get(pk=monitor.pk)
    fresh = DriftMonitor.objects.get(pk=monitor.pk)
    assert claim_window(fresh, later) is True
    assert claim_window(stale, later) is False
    assert DriftMonitor.objects.get(pk=monitor.pk).last_window_end == from_ns(later)

    DriftMonitor.objects.filter(pk=monitor.pk).update(enabled=False)
    assert dispatch_due(now_ns=later + 5 * WINDOW)["dispatched"] == []
    DriftMonitor.objects.filter(pk=monitor.pk).update(enabled=True, reference=None)
    assert dispatch_due(now_ns=later + 5 * WINDOW)["dispatched"] == []


def test_an_alert_fires_once_per_episode(world: World, store: Client, webhook: WebhookReceiver,
                                         settings: Any) -> None:
    settings.PUBLIC_URL = "https://pyflare.example"
    monitor_with_reference(world, webhook.url)
    operator = client_for(world, "operator")
    t0 = time.time_ns() - 20 * WINDOW

    def window(index: int, shift: float) -> dict:
        start = t0 + index * WINDOW
        store_values(store, start, RNG.normal(shift, 1, 200))
        body = {"start": str(start), "end": str(start + WINDOW)}
        return operator.post(f"/api/v1/drift/{MODEL}/run", body, format="json").json()

    assert window(0, 0.0)["alert"] is None
    assert window(1, 2.0)["alert"] == "fired"
    assert window(2, 2.0)["alert"] == "ongoing"
    assert [p["status"] for p in webhook.posts] == ["firing"]
    assert webhook.posts[0]["drifted_features"] == ["x"] and webhook.posts[0]["severity"] > 0
    slug = world.own.project.slug  # the notification links to the model's drift page
    assert webhook.posts[0]["alerts"][0]["generatorURL"] == f"https://pyflare.example/p/{slug}/drift?model={MODEL}"
    assert window(3, 0.0)["alert"] == "resolved"
    assert window(4, 2.5)["alert"] == "fired"
    assert len(webhook.posts) == 2
    alerts = list(DriftAlert.objects.order_by("id"))
    assert [(a.status, a.windows) for a in alerts] == [("resolved", 2), ("firing", 1)]
    assert DriftAlertDelivery.objects.filter(status="delivered").count() == 2

    # one pipeline: each episode is an occurrence of one alert (its label set) of the alerting system
    rows = list(Alert.objects.filter(source="drift").order_by("id"))
    assert [(r.state, r.resolved_by, r.labels["model_id"]) for r in rows] == [("resolved", "evaluation", MODEL),
                                                                             ("firing", "", MODEL)]  # fmt: skip
    assert len({r.fingerprint for r in rows}) == 1
    assert [p["alerts"][0]["fingerprint"] for p in webhook.posts] == [rows[0].fingerprint] * 2  # Alertmanager body
    listed = operator.get("/api/v1/alerts", {"status": "firing"}).json()["alerts"]
    assert [(a["id"], a["source"]) for a in listed] == [(rows[1].pk, "drift")]
    assert client_for(world, "operator", side="other").get(f"/api/v1/alerts/{rows[1].pk}").status_code == 404
    events = store.query("SELECT event, channel FROM alert_events WHERE source = 'drift' ORDER BY time, event")
    assert events.result_rows == [("firing", ""), ("notified", "hook"), ("resolved", ""), ("firing", ""),
                                  ("notified", "hook")]  # fmt: skip


def test_a_failing_webhook_is_recorded_and_does_not_fail_the_run(world: World, store: Client) -> None:
    unreachable = WebhookReceiver()
    url = unreachable.url
    unreachable.close()  # nothing listens there any more
    monitor_with_reference(world, url)
    start = time.time_ns() - 20 * WINDOW
    store_values(store, start, RNG.normal(3.0, 1, 200))
    body = {"start": str(start), "end": str(start + WINDOW)}
    outcome = client_for(world, "operator").post(f"/api/v1/drift/{MODEL}/run", body, format="json").json()
    assert outcome["status"] == "scored" and outcome["alert"] == "fired"
    delivery = DriftAlertDelivery.objects.get()
    assert delivery.status == "failed" and delivery.target == url and delivery.last_error


def test_in_scale_mode_the_beat_only_queues_runs(world: World, store: Client) -> None:
    from workers.celery import app

    monitor = monitor_with_reference(world)
    eager = app.conf.task_always_eager  # read first: the app loads Django settings lazily
    app.conf.task_always_eager = False  # the in-memory broker keeps the messages; no worker takes them
    try:
        queued = dispatch_due(now_ns=time.time_ns())
    finally:
        app.conf.task_always_eager = eager
    assert queued == {"dispatched": [monitor.pk], "results": [None]}
    assert DriftMonitor.objects.get(pk=monitor.pk).last_window_end is None  # claimed by the worker that runs it


def test_a_failed_run_gives_its_window_back(world: World, store: Client, ch_settings) -> None:
    from clickhouse_connect.driver.exceptions import ClickHouseError

    from webapp.drift.dispatch import run_due
    from workers.storage.clickhouse import StorageSettings, connect, disconnect

    monitor = monitor_with_reference(world)
    gone = StorageSettings(url=ch_settings.url, database=f"{ch_settings.database}_gone")
    broken = connect(gone)
    broken.command(f"DROP DATABASE `{gone.database}`")  # every read of this client now fails
    try:
        with pytest.raises(ClickHouseError):
            run_due(monitor.pk, time.time_ns(), client=broken)
    finally:
        disconnect(gone)
    assert DriftMonitor.objects.get(pk=monitor.pk).last_window_end is None
    assert dispatch_due(now_ns=time.time_ns())["dispatched"] == [monitor.pk]
