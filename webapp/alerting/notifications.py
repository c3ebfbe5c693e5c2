"""From a dispatcher notification to a delivered message.

`message_for` turns one group's notification into the channel-independent `AlertMessage`.
`deliver(channel, message)` is the channel layer's entry point; until the channel kinds of the
channels work (Slack, PagerDuty, email, Alertmanager forwarding) land, webhooks are delivered here
with an Alertmanager-compatible body (version "4"), so existing receivers work.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from webapp.costs.models import NotificationChannel
from webapp.costs.notify import USER_AGENT, DeliveryError
from webapp.outbound import OutboundError, client_from_settings
from workers.analysis.alerting import AlertItem, AlertMessage, Notification, common

MAX_ALERTS = 500  # per message: a storm is summarised as "and N more"


def _iso(epoch: float | None) -> str:
    if epoch is None or not math.isfinite(epoch):
        return "0001-01-01T00:00:00Z"  # Alertmanager's zero time: still firing
    return datetime.fromtimestamp(epoch, UTC).isoformat().replace("+00:00", "Z")


def message_for(project: str, receiver: str, notification: Notification, now: float,
                external_url: str = "", links: Mapping[str, str] | None = None) -> AlertMessage:
    alerts = notification.alerts[:MAX_ALERTS]
    items = tuple(
        AlertItem(a.fingerprint, dict(a.labels), dict(a.annotations), a.starts_at,
                  None if not a.resolved(now) else a.ends_at, "resolved" if a.resolved(now) else "firing",
                  (links or {}).get(a.fingerprint, ""))
        for a in alerts
    )  # fmt: skip
    return AlertMessage(
        project=project, receiver=receiver, group_key=notification.batch.key,
        group_labels=dict(notification.batch.labels), common_labels=common([dict(a.labels) for a in alerts]),
        common_annotations=common([dict(a.annotations) for a in alerts]), alerts=items, external_url=external_url,
        truncated=len(notification.alerts) - len(alerts),
    )  # fmt: skip


def webhook_body(message: AlertMessage) -> dict[str, Any]:
    """Alertmanager's webhook payload (version 4), plus the PyFlare project."""
    return {
        "version": "4", "groupKey": message.group_key, "truncatedAlerts": message.truncated,
        "status": message.status, "receiver": message.receiver, "groupLabels": dict(message.group_labels),
        "commonLabels": dict(message.common_labels), "commonAnnotations": dict(message.common_annotations),
        "externalURL": message.external_url, "project": message.project,
        "alerts": [{
            "status": a.status, "labels": dict(a.labels), "annotations": dict(a.annotations),
            "startsAt": _iso(a.starts_at), "endsAt": _iso(a.ends_at), "generatorURL": a.url,
            "fingerprint": a.fingerprint,
        } for a in message.alerts],
    }  # fmt: skip


def deliver(channel: NotificationChannel, message: AlertMessage) -> None:
    """Send the message to the channel once; DeliveryError when it did not arrive."""
    if channel.kind != "webhook":
        raise DeliveryError(f"channel kind {channel.kind!r} is not supported by this build (webhook is)")
    try:
        client_from_settings().post_json(channel.url, webhook_body(message), {"User-Agent": USER_AGENT})
    except OutboundError as exc:
        raise DeliveryError(str(exc), exc.status) from None
