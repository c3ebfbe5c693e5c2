"""Notification timing through the pipeline with a real local webhook receiver, on a virtual clock
(each tick is given its time): group_wait batches a new group, group_interval paces later members,
repeat_interval re-sends an unchanged group, and the resolution is notified once.

Span data sits at fixed times around T0; later ticks see it leave the rule's 5-minute window.
"""

from __future__ import annotations

import time
from typing import Any

from clickhouse_connect.driver.client import Client

from tests.alerting.conftest import seed
from tests.alerting.world import hook, rule
from tests.costs.conftest import Webhook
from tests.webapp.conftest import World
from webapp.alerting.pipeline import tick

T0 = float(int(time.time()))


def errors(model: str, start: float, count: int = 20, step: float = 14.0) -> list[dict[str, Any]]:
    """`count` requests of `model` from `start`, every other one an error (error rate 0.5)."""
    return [{"service": "chat", "model": model, "start": start + i * step, "ms": 50.0, "input": 1, "output": 1,
             "error": "upstream timeout" if i % 2 else None} for i in range(count)]  # fmt: skip


def statuses(hook_: Webhook) -> list[tuple[str, list[tuple[str, str]]]]:
    """Each received notification: its status and its alerts' (model_id, status), sorted."""
    return [(m["status"], sorted((a["labels"].get("model_id", ""), a["status"]) for a in m["alerts"]))
            for m in hook_.received]


def test_group_wait_batches_and_group_interval_paces_new_members(world: World, store: Client,
                                                                  webhook: Webhook) -> None:
    project = world.own.project
    seed(store, project.slug, errors("m1", T0 - 290) + errors("m2", T0 - 280) + errors("m3", T0 + 100, 10, 3))
    channel = hook(project, webhook.url)
    rule(project, "errors", "threshold", {"metric": "error_rate", "operator": ">", "value": 0.1,
                                          "group_by": ["model_id"]},
         channels=[channel], group_wait=30, group_interval=60, repeat_interval=3600)  # one group for the rule

    tick(store, T0)  # m1 and m2 fire together: the new group waits
    tick(store, T0 + 29.5)
    assert webhook.received == []
    tick(store, T0 + 30.2)  # group_wait elapsed: one notification with both
    assert statuses(webhook) == [("firing", [("m1", "firing"), ("m2", "firing")])]
    assert webhook.received[0]["version"] == "4" and webhook.received[0]["receiver"] == "hook"

    tick(store, T0 + 90.3)  # a flush with nothing new: no notification
    tick(store, T0 + 130)  # m3 joins (its spans start at T0 + 100); the next flush is at T0 + 150.3
    assert len(webhook.received) == 1
    tick(store, T0 + 150.4)
    assert statuses(webhook)[1] == ("firing", [("m1", "firing"), ("m2", "firing"), ("m3", "firing")])
    tick(store, T0 + 210.5)  # nothing changed: no notification before repeat_interval
    assert len(webhook.received) == 2


def test_repeat_interval_and_one_resolve_notification(world: World, store: Client, webhook: Webhook) -> None:
    project = world.own.project
    seed(store, project.slug, errors("m1", T0 - 290))
    channel = hook(project, webhook.url)
    rule(project, "errors", "threshold", {"metric": "error_rate", "operator": ">", "value": 0.1},
         channels=[channel], group_wait=30, group_interval=60, repeat_interval=150)

    for at in (T0, T0 + 31, T0 + 95, T0 + 160, T0 + 190):
        tick(store, at)
    assert len(webhook.received) == 1  # at T0 + 31; T0 + 160 is 129 s later, below repeat_interval
    tick(store, T0 + 221)  # a flush 190 s after the last notification: repeated
    assert statuses(webhook) == [("firing", [("", "firing")])] * 2

    tick(store, T0 + 400)  # the window holds no span any more: resolved, and told at once (flush due)
    assert len(webhook.received) == 3
    resolved = webhook.received[2]
    assert resolved["status"] == "resolved" and resolved["alerts"][0]["endsAt"].startswith(
        time.strftime("%Y-%m-%dT%H:%M", time.gmtime(T0 + 400)))
    for at in (T0 + 470, T0 + 800, T0 + 5000):
        tick(store, at)
    assert len(webhook.received) == 3  # the group ended with its resolution


def test_notifications_link_back_to_pyflare_at_its_public_url(world: World, store: Client, webhook: Webhook,
                                                               settings: Any) -> None:
    settings.PUBLIC_URL = "https://pyflare.example"
    project = world.own.project
    seed(store, project.slug, errors("m1", T0 - 290))
    made = rule(project, "errors", "threshold", {"metric": "error_rate", "operator": ">", "value": 0.1},
                channels=[hook(project, webhook.url)], group_wait=0, group_interval=60, repeat_interval=3600)
    tick(store, T0)
    tick(store, T0 + 400)  # resolved: its link shows resolved alerts
    fired, resolved = webhook.received
    page = f"https://pyflare.example/p/{project.slug}/alerts"
    assert fired["externalURL"] == resolved["externalURL"] == "https://pyflare.example"
    assert fired["alerts"][0]["generatorURL"] == f"{page}?status=firing&rule_id={made.pk}"
    assert resolved["alerts"][0]["generatorURL"] == f"{page}?status=resolved&rule_id={made.pk}"


def test_without_a_public_url_no_link_is_made_up(world: World, store: Client, webhook: Webhook) -> None:
    project = world.own.project
    seed(store, project.slug, errors("m1", T0 - 290))
    rule(project, "errors", "threshold", {"metric": "error_rate", "operator": ">", "value": 0.1},
         channels=[hook(project, webhook.url)], group_wait=0)
    tick(store, T0)
    (fired,) = webhook.received
    assert fired["externalURL"] == "" and fired["alerts"][0]["generatorURL"] == ""


def test_a_failed_delivery_is_offered_again_at_the_next_flush(world: World, store: Client,
                                                              webhook: Webhook) -> None:
    project = world.own.project
    seed(store, project.slug, errors("m1", T0 - 290))
    channel = hook(project, webhook.url)
    rule(project, "errors", "threshold", {"metric": "error_rate", "operator": ">", "value": 0.1},
         channels=[channel], group_wait=10, group_interval=60, repeat_interval=3600)
    webhook.replies = [500]
    tick(store, T0)
    report = tick(store, T0 + 11)
    assert (report.failed, webhook.received) == (1, [])
    tick(store, T0 + 40)
    assert webhook.received == []  # before the group's next flush
    tick(store, T0 + 71.5)
    assert statuses(webhook) == [("firing", [("", "firing")])]
    events = store.query("SELECT event, channel FROM alert_events WHERE event LIKE 'notif%' ORDER BY time").result_rows
    assert events == [("notify_failed", "hook"), ("notified", "hook")]
