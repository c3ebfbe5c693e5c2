"""Drift alerts: a scored window that crosses any threshold opens an alert and notifies the monitor's
webhook channels once; later drifted windows only update it; the first clean window resolves it.

"Once" holds across workers and re-runs of the same window: at most one firing alert per monitor
is a database constraint, and only the run that creates it sends notifications. Channels are the
costs app's NotificationChannel and its sender registry (webhooks), shared with budget alerts.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from webapp.costs.notify import CHANNEL_KINDS, DeliveryError
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


def notify(alert: DriftAlert, outcome: RunOutcome) -> None:
    """One attempt per enabled channel of the monitor, each recorded (retries: the alerting issue)."""
    payload = alert_payload(alert, outcome)
    for channel in alert.monitor.channels.filter(enabled=True):
        status, error = None, ""
        try:
            status = CHANNEL_KINDS[channel.kind](channel.url, payload)
        except DeliveryError as exc:
            status, error = exc.status, str(exc)
        except KeyError:
            error = f"unknown channel kind {channel.kind!r}"
        delivered = status is not None and 200 <= status < 300 and not error
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


def drift_alert_hook(monitor: DriftMonitor, outcome: RunOutcome) -> str | None:
    """Open, update or resolve the monitor's alert for a scored window; returns what happened."""
    crossed = bool(outcome.drifted_types or outcome.drifted_features)
    window_end = from_ns(outcome.window_end_ns)
    current = DriftAlert.objects.filter(monitor=monitor, status=DriftAlert.FIRING).first()
    if not crossed:
        if current is None or window_end <= current.last_window_end:
            return None
        DriftAlert.objects.filter(pk=current.pk).update(status=DriftAlert.RESOLVED, resolved_at=timezone.now())
        return "resolved"
    severity = outcome.severity or 0.0
    if current is not None:
        if window_end > current.last_window_end:
            current.windows += 1
            current.last_window_end = window_end
        current.severity, current.max_severity = severity, max(current.max_severity, severity)
        current.drifted_types, current.drifted_features = outcome.drifted_types, outcome.drifted_features
        current.save()
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
    notify(alert, outcome)
    return "fired"
