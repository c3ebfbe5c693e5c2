"""Escalation, run by the dispatcher tick: an alert still firing (not acknowledged, not muted) a
channel's `escalate_after_seconds` after that channel was first told is sent to the channel's
`escalate_to` target. When each channel was told comes from the `notified` events in
`alert_events`, so a chain steps on from the previous channel and each target is told once."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from clickhouse_connect.driver.client import Client

from webapp.alerting.models import Alert
from webapp.alerting.models.alerts import FIRING
from webapp.costs.channel_delivery import escalation_policy
from webapp.costs.errors import DeliveryError
from webapp.costs.models import NotificationChannel
from workers.analysis.alerting import AlertItem, AlertMessage, common
from workers.analysis.alerting.escalation import AlertState, escalations_due
from workers.storage.alerting.events import AlertEvent, first_notified

Send = Callable[[NotificationChannel, Any], None]
EventOf = Callable[..., AlertEvent]


def escalate(client: Client, project_id: int, slug: str, rows: Sequence[Alert], now: float, send: Send,
             event: EventOf, pending: Sequence[AlertEvent]) -> tuple[int, int, list[AlertEvent]]:  # fmt: skip
    """Send the escalations due now; (sent, failed, events). `pending`: this tick's events, not yet stored."""
    policy = escalation_policy(project_id)
    candidates = [r for r in rows if r.state == FIRING and not r.muted_by]
    if not policy or not candidates:
        return 0, 0, []
    channels = {c.name: c for c in NotificationChannel.objects.filter(project_id=project_id)}
    told = first_notified(client, slug, [r.pk for r in candidates])
    for e in pending:
        if e.event == "notified" and e.channel:
            told.setdefault(e.alert_id, {}).setdefault(e.channel, e.time)
    states = [AlertState(r.fingerprint, r.state, {channels[name].pk: at for name, at in told.get(r.pk, {}).items()
                                                  if name in channels}) for r in candidates]  # fmt: skip
    by_fingerprint = {r.fingerprint: r for r in candidates}
    targets: dict[int, list[Alert]] = {}
    for due in escalations_due(states, policy, now):
        targets.setdefault(due.to_channel, []).append(by_fingerprint[due.fingerprint])
    by_id = {c.pk: c for c in channels.values()}
    sent = failed = 0
    events: list[AlertEvent] = []
    for channel_id, alerts in targets.items():
        channel = by_id[channel_id]
        try:
            send(channel, escalation_message(slug, channel.name, alerts))
        except DeliveryError as exc:  # not recorded as told: the next tick tries again
            failed += 1
            events += [event(r, "notify_failed", now, channel=channel.name, actor=str(exc)[:300]) for r in alerts]
            continue
        sent += 1
        events += [event(r, "notified", now, channel=channel.name, actor="escalation") for r in alerts]
    return sent, failed, events


def escalation_message(project: str, receiver: str, alerts: Sequence[Alert]) -> AlertMessage:
    items = tuple(AlertItem(a.fingerprint, dict(a.labels), {**a.annotations, "escalated": "unacknowledged"},
                            a.starts_at.timestamp(), None, "firing") for a in alerts)  # fmt: skip
    labels = [dict(a.labels) for a in alerts]
    return AlertMessage(project=project, receiver=receiver, group_key=f"escalation:{receiver}",
                        group_labels=common(labels), common_labels=common(labels),
                        common_annotations=common([dict(i.annotations) for i in items]), alerts=items)  # fmt: skip
