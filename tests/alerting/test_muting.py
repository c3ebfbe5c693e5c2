"""A silence and a maintenance window each keep exactly the alerts they match out of notifications;
an inhibition rule mutes its target while the source fires and lets it through once the source is
resolved. Real webhook receiver, virtual clock."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from clickhouse_connect.driver.client import Client

from tests.alerting.conftest import seed
from tests.alerting.test_notification_timing import errors
from tests.alerting.world import hook, rule
from tests.costs.conftest import Webhook
from tests.webapp.conftest import World
from webapp.alerting.models import Alert, InhibitionRule, MaintenanceWindow, Silence
from webapp.alerting.pipeline import resolve, tick

T0 = float(int(time.time()))
BY_MODEL = {"metric": "error_rate", "operator": ">", "value": 0.1, "group_by": ["model_id"]}


def notified_models(webhook: Webhook) -> list[str]:
    return sorted(a["labels"]["model_id"] for m in webhook.received for a in m["alerts"])


def test_a_silence_and_a_window_mute_exactly_what_they_match(world: World, store: Client, webhook: Webhook) -> None:
    project = world.own.project
    seed(store, project.slug, errors("silenced", T0 - 290) + errors("serviced", T0 - 280) + errors("loud", T0 - 270))
    rule(project, "errors", "threshold", BY_MODEL, channels=[hook(project, webhook.url)], group_by=["model_id"],
         group_wait=5, group_interval=60, repeat_interval=3600)
    now = datetime.fromtimestamp(T0, UTC)
    silence = Silence(project=project, matchers=['model_id=~"silen.*"'], starts_at=now - timedelta(minutes=1),
                      ends_at=now + timedelta(minutes=3), created_by="ops@own.example", comment="known issue")
    silence.full_clean()
    silence.save()
    window = MaintenanceWindow(project=project, name="upgrade", model_ids=["serviced"],
                               starts_at=now - timedelta(minutes=1), ends_at=now + timedelta(hours=1))
    window.full_clean()
    window.save()
    # a window for another project's same model mutes nothing here
    MaintenanceWindow.objects.create(project=world.other.project, name="theirs", model_ids=["loud"],
                                     starts_at=now - timedelta(minutes=1), ends_at=now + timedelta(hours=1))

    tick(store, T0)
    tick(store, T0 + 6)
    assert notified_models(webhook) == ["loud"]
    muted = {a.model_id: a.muted_by for a in Alert.objects.filter(project=project)}
    assert muted == {"silenced": [f"silence:{silence.pk}"], "serviced": [f"window:{window.pk}"], "loud": []}

    silence.expire(datetime.fromtimestamp(T0 + 100, UTC))
    tick(store, T0 + 101)  # silence over: its alert is told at its group's next flush; the window holds
    assert notified_models(webhook) == ["loud", "silenced"]


def test_inhibition_mutes_the_target_while_the_source_fires(world: World, store: Client, webhook: Webhook) -> None:
    project = world.own.project
    seed(store, project.slug, errors("m1", T0 - 290))
    channel = hook(project, webhook.url)
    outage = rule(project, "outage", "threshold", {**BY_MODEL, "value": 0.4}, severity="critical",
                  channels=[channel], group_wait=5, group_interval=60, evaluation_interval=3600)
    rule(project, "errors", "threshold", BY_MODEL, severity="warning", channels=[channel], group_wait=5,
         group_interval=60)
    inhibition = InhibitionRule(project=project, name="outage hides errors", source_matchers=['severity="critical"'],
                                target_matchers=['severity="warning"'], equal=["model_id"])
    inhibition.full_clean()
    inhibition.save()

    tick(store, T0)
    tick(store, T0 + 6)
    assert [m["alerts"][0]["labels"]["alertname"] for m in webhook.received] == ["outage"]
    target = Alert.objects.get(rule__name="errors")
    assert target.muted_by == ["inhibited"]

    resolve(Alert.objects.get(rule=outage), T0 + 30, "ops@own.example")  # the source ends (by hand)
    tick(store, T0 + 67)  # both groups flush: the outage's resolution, and the unmuted target
    names = sorted((a["labels"]["alertname"], a["status"]) for m in webhook.received[1:] for a in m["alerts"])
    assert names == [("errors", "firing"), ("outage", "resolved")]
    target.refresh_from_db()
    assert target.muted_by == []
