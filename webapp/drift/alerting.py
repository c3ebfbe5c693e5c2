"""Drift alerts: a scored window that crosses any threshold opens an alert and notifies the monitor's
channels once; later drifted windows only update it; the first clean window resolves it.

The alert is an alert of the alerting system (webapp.alerting.sources): an `Alert` of source
"drift" labelled with the model and monitor, in the alerts centre and `alert_events`, delivered by
the alerting senders to any channel kind (a webhook body is Alertmanager's, plus the drift fields it
always carried). `DriftAlert` stays the episode's drift detail. "Once" holds across workers and
re-runs of the same window: at most one firing episode per monitor is a database constraint, and
only the run that creates it sends notifications.
"""

from __future__ import annotations

import logging
from typing import Any

from clickhouse_connect.driver.client import Client
from django.db import IntegrityError, transaction
from django.utils import timezone

from webapp.alerting import sources
from webapp.alerting.models import Alert
from webapp.costs.errors import DeliveryError
from webapp.costs.senders import send
from webapp.drift.job import RunOutcome
from webapp.drift.models import DriftAlert, DriftAlertDelivery, DriftMonitor
from workers.analysis.drift.monitor.window import from_ns

log = logging.getLogger("pyflare.drift")


def alert_payload(alert: DriftAlert, outcome: RunOutcome) -> dict[str, Any]:
    return {
        "type": "drift.detected",
        "status": alert.status,
        "alert_id": alert.pk,
        "project": alert.project.slug,
        "model_id": alert.monitor.model_id,
        "title": alert.title,
        "severity": alert.severity,
        "overall_status": outcome.overall_status,
        "drifted_types": alert.drifted_types,
        "drifted_features": alert.drifted_features,
        "window_start": from_ns(outcome.window_start_ns).isoformat(),
        "window_end": from_ns(outcome.window_end_ns).isoformat(),
        "run_id": outcome.run_id,
    }


def labels(monitor: DriftMonitor) -> dict[str, str]:
    """The alert's identity: one per monitor; each episode is a new occurrence of it."""
    return {"alertname": "DriftDetected", "model_id": monitor.model_id, "monitor": str(monitor.pk),
            "severity": "warning"}  # fmt: skip


def _annotations(alert: DriftAlert, outcome: RunOutcome) -> dict[str, str]:
    return {"summary": alert.title, "drift_severity": f"{alert.severity:.4f}",
            "drifted_types": ", ".join(alert.drifted_types), "drifted_features": ", ".join(alert.drifted_features),
            "window_end": from_ns(outcome.window_end_ns).isoformat(), "run_id": outcome.run_id or ""}  # fmt: skip


def notify(alert: DriftAlert, outcome: RunOutcome, row: Alert, client: Client | None = None) -> None:
    """One attempt per enabled channel of the monitor through the alerting senders, each recorded."""
    payload = alert_payload(alert, outcome)
    for channel in alert.monitor.channels.filter(enabled=True):
        status, error = None, ""
        try:
            status = send(channel, sources.message(row, channel.name, f"drift:{alert.monitor_id}:{alert.pk}"),
                          webhook_fields=payload)  # fmt: skip
        except DeliveryError as exc:
            status, error = exc.status, str(exc)
        delivered = not error and (status is None or 200 <= status < 300)  # email has no HTTP status
        if delivered:
            sources.notified(client, row, channel.name)
        DriftAlertDelivery.objects.create(
            alert=alert, channel=channel, target=channel.url, response_status=status, last_error=error,
            status=DriftAlertDelivery.DELIVERED if delivered else DriftAlertDelivery.FAILED,
            attempted_at=timezone.now(),
        )  # fmt: skip
        if not delivered:
            log.warning("drift alert %s: webhook %s failed: %s", alert.pk, channel.url, error)


def _title(monitor: DriftMonitor, outcome: RunOutcome) -> str:
    parts = [f"{kind} drift" for kind in outcome.drifted_types]
    if outcome.drifted_features:
        parts.append("features " + ", ".join(outcome.drifted_features[:10]))
    return f"Drift on {monitor.model_id}: {'; '.join(parts)}"[:500]


def drift_alert_hook(monitor: DriftMonitor, outcome: RunOutcome, client: Client | None = None) -> str | None:
    """Open, update or resolve the monitor's alert for a scored window; returns what happened."""
    crossed = bool(outcome.drifted_types or outcome.drifted_features)
    window_end = from_ns(outcome.window_end_ns)
    current = DriftAlert.objects.filter(monitor=monitor, status=DriftAlert.FIRING).first()
    if not crossed:
        if current is None or window_end <= current.last_window_end:
            return None
        DriftAlert.objects.filter(pk=current.pk).update(status=DriftAlert.RESOLVED, resolved_at=timezone.now())
        sources.resolve_open(client, monitor.project, sources.DRIFT, labels(monitor))
        return "resolved"
    severity = outcome.severity or 0.0
    if current is not None:
        if window_end > current.last_window_end:
            current.windows += 1
            current.last_window_end = window_end
        current.severity, current.max_severity = severity, max(current.max_severity, severity)
        current.drifted_types, current.drifted_features = outcome.drifted_types, outcome.drifted_features
        current.save()
        sources.open_alert(client, monitor.project, sources.DRIFT, labels(monitor), _annotations(current, outcome),
                           "warning", severity)  # fmt: skip
        return "ongoing"
    try:
        with transaction.atomic():
            alert = DriftAlert.objects.create(
                monitor=monitor, project=monitor.project, title=_title(monitor, outcome), severity=severity,
                max_severity=severity, drifted_types=outcome.drifted_types, drifted_features=outcome.drifted_features,
                first_window_start=from_ns(outcome.window_start_ns), last_window_end=window_end,
                run_id=outcome.run_id or "",
            )  # fmt: skip
    except IntegrityError:
        return "ongoing"  # another worker opened it a moment ago and notifies
    row = sources.open_alert(client, monitor.project, sources.DRIFT, labels(monitor), _annotations(alert, outcome),
                             "warning", severity)  # fmt: skip
    notify(alert, outcome, row, client)
    return "fired"
