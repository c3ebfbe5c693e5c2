"""From a dispatcher notification to the channel-independent message the channel layer delivers.

`message_for` turns one group's notification into an `AlertMessage`; `deliver(channel, message)`
(webapp.costs.senders) sends it through the channel's kind (webhook with Alertmanager's body, Slack,
PagerDuty, email, Alertmanager forwarding) under the channel's rate limit.
"""

from __future__ import annotations

from webapp.alerting.links import alert_link, public_url
from webapp.costs.senders import deliver
from workers.analysis.alerting import AlertItem, AlertMessage, Notification, common

__all__ = ["deliver", "message_for"]
MAX_ALERTS = 500  # per message: a storm is summarised as "and N more"


def message_for(project: str, receiver: str, notification: Notification, now: float) -> AlertMessage:
    """The message of one group's notification; each alert links to the alerts page showing it."""
    alerts = notification.alerts[:MAX_ALERTS]
    items = tuple(
        AlertItem(a.fingerprint, dict(a.labels), dict(a.annotations), a.starts_at,
                  None if not a.resolved(now) else a.ends_at, "resolved" if a.resolved(now) else "firing",
                  alert_link(project, dict(a.labels), a.resolved(now)))
        for a in alerts
    )  # fmt: skip
    return AlertMessage(
        project=project, receiver=receiver, group_key=notification.batch.key,
        group_labels=dict(notification.batch.labels), common_labels=common([dict(a.labels) for a in alerts]),
        common_annotations=common([dict(a.annotations) for a in alerts]), alerts=items, external_url=public_url(),
        truncated=len(notification.alerts) - len(alerts),
    )  # fmt: skip
