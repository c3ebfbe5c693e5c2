"""Channel payloads: one pure builder per channel kind, each turning an `AlertMessage` into the body
that kind's receiver expects. Delivery (HTTP, SMTP, retries, rate limits) lives in webapp.costs.senders.
"""

from workers.analysis.alerting.payloads.alertmanager import alertmanager_alerts
from workers.analysis.alerting.payloads.email import EmailContent, email_content
from workers.analysis.alerting.payloads.pagerduty import PAGERDUTY_SEVERITIES, pagerduty_event
from workers.analysis.alerting.payloads.slack import slack_payload
from workers.analysis.alerting.payloads.timestamps import rfc3339
from workers.analysis.alerting.payloads.webhook import WEBHOOK_VERSION, webhook_payload

__all__ = [
    "PAGERDUTY_SEVERITIES",
    "WEBHOOK_VERSION",
    "EmailContent",
    "alertmanager_alerts",
    "email_content",
    "pagerduty_event",
    "rfc3339",
    "slack_payload",
    "webhook_payload",
]
