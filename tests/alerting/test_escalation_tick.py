"""Escalation scheduled by the dispatcher tick, against real local receivers on a virtual clock: an
alert nobody acknowledged reaches the escalation target once the delay after the first channel's
notification has passed (not before, and only once; a chain steps on from there); an acknowledged
alert never escalates."""

from __future__ import annotations

from clickhouse_connect.driver.client import Client

from tests.alerting import channel_receivers as receivers
from tests.alerting.channel_receivers import Receiver
from tests.alerting.conftest import seed
from tests.alerting.test_notification_timing import T0, errors
from tests.alerting.world import rule
from tests.webapp.conftest import World
from webapp.alerting.models import Alert
from webapp.alerting.pipeline import acknowledge, tick
from webapp.costs.models import NotificationChannel
from webapp.projects.models import Project

receiver = receivers.receiver  # fixture


def _chain(project: Project, receiver: Receiver) -> NotificationChannel:
    """oncall -> lead after 120 s -> manager after 300 s; the rule notifies oncall."""
    manager = NotificationChannel.objects.create(project=project, name="manager", url=receiver.url("/manager"))
    lead = NotificationChannel.objects.create(project=project, name="lead", url=receiver.url("/lead"),
                                              escalate_to=manager, escalate_after_seconds=300)  # fmt: skip
    return NotificationChannel.objects.create(project=project, name="oncall", url=receiver.url("/oncall"),
                                              escalate_to=lead, escalate_after_seconds=120)  # fmt: skip


def _errors_rule(project: Project, oncall: NotificationChannel) -> None:
    seed_config = {"metric": "error_rate", "operator": ">", "value": 0.1, "window": "10m", "group_by": ["model_id"]}
    rule(project, "errors", "threshold", seed_config, group_wait=0.0, channels=[oncall])


def test_an_unacknowledged_alert_escalates_along_the_chain(world: World, store: Client, receiver: Receiver) -> None:
    project = world.own.project
    seed(store, project.slug, errors("bad", T0 - 290))  # error rate 0.5 while in the 10-minute window
    _errors_rule(project, _chain(project, receiver))

    def paths() -> list[str]:
        return [r.path for r in receiver.received]

    assert tick(store, T0).errors == []
    assert paths() == ["/oncall"]
    tick(store, T0 + 119)
    assert paths() == ["/oncall"]  # not before the delay
    report = tick(store, T0 + 120)
    assert paths() == ["/oncall", "/lead"] and report.notifications == 1
    escalated = receiver.received[1].body
    assert [a["labels"]["model_id"] for a in escalated["alerts"]] == ["bad"]
    assert escalated["alerts"][0]["annotations"]["escalated"] == "unacknowledged"
    tick(store, T0 + 200)
    assert paths() == ["/oncall", "/lead"]  # the lead is told once
    tick(store, T0 + 419)
    assert paths() == ["/oncall", "/lead"]  # the next step is timed from the lead's notification (120 + 300)
    tick(store, T0 + 420)
    assert paths() == ["/oncall", "/lead", "/manager"]
    told = store.query("SELECT channel, actor FROM alert_events WHERE event = 'notified' ORDER BY time").result_rows
    assert told == [("oncall", ""), ("lead", "escalation"), ("manager", "escalation")]


def test_an_acknowledged_alert_never_escalates(world: World, store: Client, receiver: Receiver) -> None:
    project = world.own.project
    seed(store, project.slug, errors("bad", T0 - 290))
    _errors_rule(project, _chain(project, receiver))
    tick(store, T0)
    acknowledge(Alert.objects.get(project=project), T0 + 60, "alice")
    for later in (T0 + 120, T0 + 300, T0 + 500):
        tick(store, later)
    assert [r.path for r in receiver.received] == ["/oncall"]
