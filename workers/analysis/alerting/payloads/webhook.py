"""The webhook body: Alertmanager's webhook payload (version "4"), so receivers written for
Alertmanager (its webhook_config) accept PyFlare's notifications unchanged."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workers.analysis.alerting.messages import AlertItem, AlertMessage
from workers.analysis.alerting.payloads.timestamps import rfc3339

WEBHOOK_VERSION = "4"


def webhook_alert(item: AlertItem) -> dict[str, Any]:
    return {
        "status": item.status,
        "labels": dict(item.labels),
        "annotations": dict(item.annotations),
        "startsAt": rfc3339(item.starts_at),
        "endsAt": rfc3339(item.ends_at),
        "generatorURL": item.url,
        "fingerprint": item.fingerprint,
    }


def webhook_payload(message: AlertMessage, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The JSON body; `extra` adds top-level fields a receiver of an older PyFlare body still reads
    (budget alerts keep theirs). Alertmanager's own fields always win over `extra`."""
    body: dict[str, Any] = dict(extra or {})
    body.update({
        "version": WEBHOOK_VERSION,
        "groupKey": message.group_key,
        "truncatedAlerts": message.truncated,
        "status": message.status,
        "receiver": message.receiver,
        "groupLabels": dict(message.group_labels),
        "commonLabels": dict(message.common_labels),
        "commonAnnotations": dict(message.common_annotations),
        "externalURL": message.external_url,
        "alerts": [webhook_alert(item) for item in message.alerts],
    })
    return body
