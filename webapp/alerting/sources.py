"""Alerts raised outside rule evaluation — drift episodes (webapp.drift) and budget crossings
(webapp.costs) — as alerts of the one alerting system: an `Alert` row per occurrence of a label set
(source "drift" or "budget"), listed, acknowledged and resolved through /api/v1/alerts like rule
alerts; every state change an `alert_events` row (and a Kafka `pyflare.alerts` record in scale mode);
notifications through the alerting senders (`webapp.costs.senders.send`), any channel kind.

The raising app keeps its domain record (the drift episode, the budget crossing) and its "once"
guarantee (a database constraint); this module owns the alert's identity and lifecycle.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from clickhouse_connect.driver.client import Client

from webapp.alerting.links import alert_link, page_link, public_url
from webapp.alerting.models import Alert
from webapp.alerting.models.alerts import FIRING, RESOLVED
from webapp.projects.models import Project
from workers.analysis.alerting import AlertItem, AlertMessage, fingerprint
from workers.storage.alerting.events import AlertEvent, write_events

DRIFT, BUDGET = "drift", "budget"
log = logging.getLogger("pyflare.alerting")


def _moment(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def event(row: Alert, kind: str, now: float, **extra: Any) -> AlertEvent:
    """One state change of an alert (any source), as `alert_events` stores it."""
    return AlertEvent(
        project=row.project.slug, time=now, event=kind, alert_id=row.pk, fingerprint=row.fingerprint,
        state=row.state, starts_at=row.starts_at.timestamp(), ends_at=row.ends_at.timestamp() if row.ends_at else None,
        source=row.source, rule_id=row.rule_id or 0, severity=row.severity, model_id=row.model_id, value=row.value,
        labels=dict(row.labels), annotations=dict(row.annotations), group_key=row.group_key, **extra,
    )  # fmt: skip


def record(client: Client | None, events: Sequence[AlertEvent]) -> None:
    """Store the events (and publish them in scale mode); without a client nothing is written."""
    if client is None or not events:
        return
    from workers.tasks.alerting import publisher  # the process's Kafka producer, when configured

    write_events(client, events)
    try:
        publish = publisher()
        if publish is not None:
            publish(events)
    except Exception:  # the broker being away must not lose the alert: alert_events has it
        log.warning("alert events of %s not published to Kafka", events[0].project, exc_info=True)


def open_alert(client: Client | None, project: Project, source: str, labels: Mapping[str, str],
               annotations: Mapping[str, str], severity: str, value: float | None,
               now: float | None = None) -> Alert:  # fmt: skip
    """The open occurrence of `labels`, refreshed, or a new one (recorded as `firing`)."""
    now = time.time() if now is None else now
    row = find_open(project, source, labels)
    labels = {**labels, "source": source}
    if row is not None:
        row.annotations, row.value, row.updated_at = dict(annotations), value, _moment(now)
        row.save(update_fields=["annotations", "value", "updated_at"])
        return row
    row = Alert.objects.create(
        project=project, source=source, fingerprint=fingerprint(labels), labels=labels, annotations=dict(annotations),
        severity=severity, model_id=labels.get("model_id", ""), state=FIRING, value=value, starts_at=_moment(now),
        updated_at=_moment(now), in_group=False,
    )  # fmt: skip
    record(client, [event(row, "firing", now, actor=source)])
    return row


def resolve_open(client: Client | None, project: Project, source: str, labels: Mapping[str, str],
                 now: float | None = None) -> Alert | None:  # fmt: skip
    """Resolve the open occurrence of `labels` (by evaluation of its source); None when none is open."""
    row = find_open(project, source, labels)
    if row is not None:
        resolve_rows(client, [row], now)
    return row


def find_open(project: Project, source: str, labels: Mapping[str, str]) -> Alert | None:
    """The open occurrence of `labels` from `source`, if any."""
    fp = fingerprint({**labels, "source": source})
    return Alert.objects.filter(project=project, fingerprint=fp).exclude(state=RESOLVED).first()


def resolve_rows(client: Client | None, rows: Sequence[Alert], now: float | None = None) -> None:
    now = time.time() if now is None else now
    for row in rows:
        row.state, row.ends_at, row.updated_at, row.resolved_by = RESOLVED, _moment(now), _moment(now), "evaluation"
        row.save(update_fields=["state", "ends_at", "updated_at", "resolved_by"])
    record(client, [event(row, "resolved", now, actor=row.source) for row in rows])


def notified(client: Client | None, row: Alert, channel: str, now: float | None = None) -> None:
    record(client, [event(row, "notified", time.time() if now is None else now, channel=channel)])


def message(row: Alert, receiver: str, group_key: str) -> AlertMessage:
    """The alert as every channel kind receives it: a group of one."""
    ends = row.ends_at.timestamp() if row.state == RESOLVED and row.ends_at else None
    item = AlertItem(row.fingerprint, dict(row.labels), dict(row.annotations), row.starts_at.timestamp(), ends,
                     "firing" if ends is None else "resolved", source_link(row))
    return AlertMessage(project=row.project.slug, receiver=receiver, group_key=group_key,
                        group_labels={"alertname": row.labels.get("alertname", "")}, common_labels=dict(row.labels),
                        common_annotations=dict(row.annotations), alerts=(item,),
                        external_url=public_url())  # fmt: skip


def source_link(row: Alert) -> str:
    """Where a person looks at what raised the alert: the model's drift page, the budget on the costs page."""
    if row.source == DRIFT:
        return page_link(row.project.slug, "drift", model=row.model_id or row.labels.get("model_id", ""))
    if row.source == BUDGET:
        return page_link(row.project.slug, "costs")
    return alert_link(row.project.slug, dict(row.labels), row.state == RESOLVED)
