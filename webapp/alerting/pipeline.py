"""One tick of the alerting pipeline, for every project with rules or pending groups.

Per project: evaluate the rules that are due (composite rules last, on what fires after the others),
merge findings into alerts by fingerprint (resolving those no longer found), hand changes to the
pure dispatcher, mute what silences, maintenance windows and inhibition rules match, deliver the
notifications that are due, store alerts and group state, and escalate what stayed unacknowledged
past a channel's escalation delay (webapp.alerting.escalating). Every state change becomes an
`AlertEvent`, written to ClickHouse (and published, in scale mode) at the end of the tick.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from clickhouse_connect.driver.client import Client
from django.db import transaction
from django.db.models import Q

from webapp.alerting import state
from webapp.alerting.escalating import escalate
from webapp.alerting.evaluation import evaluate_rule, shared_threshold_values
from webapp.alerting.models import Alert, AlertRule, InhibitionRule, MaintenanceWindow, Silence
from webapp.alerting.models.alerts import ACKNOWLEDGED, FIRING, RESOLVED
from webapp.alerting.notifications import deliver, message_for
from webapp.alerting.sources import event
from webapp.costs.errors import DeliveryError
from webapp.costs.models import NotificationChannel
from webapp.projects.models import Project
from workers.analysis.alerting import Finding, Labels, RuleConfigError, RuleType, fingerprint, inhibited
from workers.storage.alerting.events import AlertEvent, write_events
from workers.storage.alerting.metrics import UnsupportedQuery

log = logging.getLogger("pyflare.alerting")
Send = Callable[[NotificationChannel, Any], None]
Publish = Callable[[Sequence[AlertEvent]], None]


@dataclass
class TickReport:
    rules: int = 0
    opened: int = 0
    resolved: int = 0
    notifications: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)
    events: list[AlertEvent] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"rules": self.rules, "opened": self.opened, "resolved": self.resolved,
                "notifications": self.notifications, "failed": self.failed, "errors": self.errors}  # fmt: skip


def moment(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def tick(client: Client, now: float | None = None, send: Send = deliver, publish: Publish | None = None
         ) -> TickReport:  # fmt: skip
    now = time.time() if now is None else now
    report = TickReport()
    projects = Project.objects.filter(
        Q(alert_rules__enabled=True) | Q(alert_groups__isnull=False)
    ).distinct()  # fmt: skip
    for project in projects:
        try:
            run_project(client, project, now, report, send)
        except Exception as exc:  # one project's failure must not stop the others
            log.exception("alerting tick of project %s failed", project.slug)
            report.errors.append(f"{project.slug}: {type(exc).__name__}: {exc}")
    record(client, report.events, publish)
    return report


def record(client: Client, events: Sequence[AlertEvent], publish: Publish | None) -> None:
    write_events(client, events)
    if publish is not None and events:
        publish(events)


def run_project(client: Client, project: Project, now: float, report: TickReport, send: Send) -> None:
    rules = list(AlertRule.objects.filter(project=project).select_related("project").prefetch_related("channels"))
    rows = list(Alert.objects.filter(project=project).filter(Q(in_group=True) | ~Q(state=RESOLVED))
                .select_related("project"))  # fmt: skip
    with transaction.atomic():  # one commit for the evaluation's many row writes, none held while sending
        changed = _evaluate_due(client, project, rules, rows, now, report)
        dispatcher = state.load(project, rules, rows)
        for row in changed:
            if row.rule_id is not None and str(row.rule_id) in dispatcher.routes:
                key = dispatcher.push(str(row.rule_id), state.held(row), now)
                if key != row.group_key:
                    row.group_key = key
                    row.save(update_fields=["group_key"])
        muted = _muting(project, rows, now, report)
    channels = {str(c.pk): c for r in rules for c in r.channels.all()}
    by_fingerprint = {r.fingerprint: r for r in rows if r.in_group or r.open}
    for notification in dispatcher.flush_due(now, muted):
        if not notification.alerts:
            dispatcher.delivered(notification)  # nothing for this channel (no resolutions wanted)
            continue
        channel = channels[notification.channel.name]
        message = message_for(project.slug, channel.name, notification, now)
        sent = [by_fingerprint[a.fingerprint] for a in notification.alerts if a.fingerprint in by_fingerprint]
        try:
            send(channel, message)
        except DeliveryError as exc:
            dispatcher.failed(notification)
            report.failed += 1
            log.warning("alert group %s to channel %s failed: %s", notification.batch.key, channel.name, exc)
            report.events += [event(r, "notify_failed", now, channel=channel.name, actor=str(exc)[:300]) for r in sent]
            continue
        dispatcher.delivered(notification)
        report.notifications += 1
        for row in sent:
            row.last_notified_at = moment(now)
            row.save(update_fields=["last_notified_at"])
            report.events.append(event(row, "notified", now, channel=channel.name))
    with transaction.atomic():
        state.store(project, dispatcher, rows)
    sent, failed, escalated = escalate(client, project.pk, project.slug, rows, now, send, event, report.events)
    report.notifications, report.failed, report.events = (report.notifications + sent, report.failed + failed,
                                                          report.events + escalated)  # fmt: skip


def _evaluate_due(client: Client, project: Project, rules: list[AlertRule], rows: list[Alert], now: float,
                  report: TickReport) -> list[Alert]:  # fmt: skip
    due = [r for r in rules if r.enabled and (r.next_evaluation_at is None or r.next_evaluation_at <= now)]
    due.sort(key=lambda r: r.rule_type == RuleType.COMPOSITE)  # composites decide on the others' outcome
    changed: list[Alert] = []
    shared = shared_threshold_values(client, project.slug, due, now)  # one query per shape, not per rule
    open_by_rule: dict[int, dict[str, Alert]] = {}  # kept current by _merge: no rescan of every alert per rule
    for row in rows:
        if row.open and row.rule_id is not None:
            open_by_rule.setdefault(row.rule_id, {})[row.fingerprint] = row
    for rule in due:
        report.rules += 1
        firing = {str(pk): True for pk, open_rows in open_by_rule.items() if open_rows}
        rule.next_evaluation_at = now + rule.evaluation_interval
        rule.last_evaluated_at = moment(now)
        try:
            findings = evaluate_rule(client, rule, now, firing, shared.get(rule.pk))
        except (RuleConfigError, UnsupportedQuery) as exc:
            rule.last_error = str(exc)
            report.errors.append(f"{project.slug} rule {rule.pk}: {exc}")
        else:
            rule.last_error = ""
            changed += _merge(rule, findings, rows, open_by_rule.setdefault(rule.pk, {}), now, report)
        rule.save(update_fields=["next_evaluation_at", "last_evaluated_at", "last_error"])
    return changed


def _merge(rule: AlertRule, findings: list[Finding], rows: list[Alert], open_rows: dict[str, Alert], now: float,
           report: TickReport) -> list[Alert]:  # fmt: skip
    """Open or refresh an alert per firing finding; resolve the rule's open alerts (`open_rows`, by
    fingerprint, updated here) no longer found."""
    changed: list[Alert] = []
    seen: set[str] = set()
    for finding in findings:
        if not finding.firing:
            continue
        labels = rule.alert_labels(dict(finding.labels))
        fp = fingerprint(labels)
        seen.add(fp)
        annotations = {**{k: str(v) for k, v in rule.annotations.items()}, "detail": finding.detail}
        row = open_rows.get(fp)
        if row is None:
            row = Alert.objects.create(
                project=rule.project, rule=rule, fingerprint=fp, labels=labels, annotations=annotations,
                severity=rule.severity, model_id=labels.get("model_id", ""), state=FIRING, value=finding.value,
                starts_at=moment(now), updated_at=moment(now),
            )  # fmt: skip
            rows.append(row)
            open_rows[fp] = row
            report.opened += 1
            report.events.append(event(row, "firing", now, actor="evaluation"))
        else:
            row.annotations, row.value, row.updated_at = annotations, finding.value, moment(now)
            row.save(update_fields=["annotations", "value", "updated_at"])
        changed.append(row)
    for fp, row in list(open_rows.items()):
        if fp not in seen:
            del open_rows[fp]
            resolve(row, now, "evaluation")
            report.resolved += 1
            report.events.append(event(row, "resolved", now, actor="evaluation"))
            changed.append(row)
    return changed


def resolve(row: Alert, now: float, by: str) -> None:
    row.state, row.ends_at, row.updated_at, row.resolved_by = RESOLVED, moment(now), moment(now), by
    row.save(update_fields=["state", "ends_at", "updated_at", "resolved_by"])


def acknowledge(row: Alert, now: float, by: str) -> None:
    row.state, row.acknowledged_by, row.acknowledged_at = ACKNOWLEDGED, by, moment(now)
    row.save(update_fields=["state", "acknowledged_by", "acknowledged_at"])


def _muting(project: Project, rows: list[Alert], now: float, report: TickReport
            ) -> Callable[[Labels, Sequence[Labels]], bool]:  # fmt: skip
    """The dispatcher's `muted` test, and each open alert's `muted_by` stored for the alerts centre."""
    silences = [s.spec() for s in Silence.objects.filter(project=project, ends_at__gt=moment(now),
                                                           starts_at__lte=moment(now))]  # fmt: skip
    windows = [(w.pk, w.spec()) for w in MaintenanceWindow.objects.filter(project=project, enabled=True)]
    inhibitions = [i.spec() for i in InhibitionRule.objects.filter(project=project, enabled=True)]

    def reasons(labels: Labels, firing: Sequence[Labels]) -> list[str]:
        out = [f"silence:{s.id}" for s in silences if s.mutes(labels, now)]
        out += [f"window:{pk}" for pk, w in windows if w.mutes(labels, now)]
        if inhibitions and inhibited(labels, inhibitions, firing):
            out.append("inhibited")
        return out

    firing_now = [r.labels for r in rows if r.open]
    for row in rows:
        why = reasons(row.labels, firing_now) if row.open else []
        if why != row.muted_by:
            row.muted_by = why
            row.save(update_fields=["muted_by"])
    return lambda labels, firing: bool(reasons(labels, firing))
