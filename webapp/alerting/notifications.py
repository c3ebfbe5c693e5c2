"""From a dispatcher notification to the channel-independent message the channel layer delivers.

`message_for` turns one group's notification into an `AlertMessage`; `deliver(channel, message)`
(webapp.costs.senders) sends it through the channel's kind (webhook with Alertmanager's body, Slack,
PagerDuty, email, Alertmanager forwarding) under the channel's rate limit.
"""

from __future__ import annotations

from collections.abc import Mapping

from webapp.costs.senders import deliver
from workers.analysis.alerting import AlertItem, AlertMessage, Notification, common

__all__ = ["deliver", "message_for"]
MAX_ALERTS = 500  # per message: a storm is summarised as "and N more"


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
