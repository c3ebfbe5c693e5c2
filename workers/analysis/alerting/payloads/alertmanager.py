"""Alerts forwarded to an existing Alertmanager: the body of its `POST /api/v2/alerts` (a list of
postable alerts). A firing alert carries no end time, so Alertmanager keeps it until its
resolve_timeout or until PyFlare sends it again resolved (with `endsAt`)."""

from __future__ import annotations

from typing import Any

from workers.analysis.alerting.messages import AlertMessage
from workers.analysis.alerting.payloads.timestamps import rfc3339


def alertmanager_alerts(message: AlertMessage) -> list[dict[str, Any]]:
    alerts = []
    for item in message.alerts:
        alert: dict[str, Any] = {
            "labels": dict(item.labels),
            "annotations": dict(item.annotations),
            "startsAt": rfc3339(item.starts_at),
        }
        if item.url:
            alert["generatorURL"] = item.url
        if item.status == "resolved" and item.ends_at is not None:
            alert["endsAt"] = rfc3339(item.ends_at)
        alerts.append(alert)
    return alerts
