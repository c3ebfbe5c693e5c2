"""PagerDuty Events API v2: one event per group notification. The dedup_key is stable for the group
(trigger and resolve share it, so PagerDuty keeps one incident per group); a group with no firing
alert left sends `resolve`."""

from __future__ import annotations

from typing import Any

from workers.analysis.alerting.messages import AlertMessage
from workers.analysis.alerting.payloads.summary import clip, describe, title

PAGERDUTY_SEVERITIES = ("critical", "error", "warning", "info")
SUMMARY_LIMIT = 1024  # PagerDuty truncates payload.summary at 1024 characters
MAX_DETAILED_ALERTS = 20


def pagerduty_event(message: AlertMessage, routing_key: str, severity: str = "error",
                    source: str = "") -> dict[str, Any]:  # fmt: skip
    if severity not in PAGERDUTY_SEVERITIES:
        raise ValueError(f"severity must be one of {', '.join(PAGERDUTY_SEVERITIES)}")
    event: dict[str, Any] = {"routing_key": routing_key, "dedup_key": message.dedup_key}
    if message.status == "resolved":
        event["event_action"] = "resolve"
        return event
    firing = [a for a in message.alerts if a.status == "firing"]
    event["event_action"] = "trigger"
    event["payload"] = {
        "summary": clip(title(message), SUMMARY_LIMIT),
        "source": source or f"pyflare/{message.project}",
        "severity": severity,
        "group": message.group_key,
        "custom_details": {
            "firing": [describe(a) for a in firing[:MAX_DETAILED_ALERTS]],
            "num_firing": len(firing),
            "num_resolved": len(message.alerts) - len(firing),
            "common_labels": dict(message.common_labels),
            "common_annotations": dict(message.common_annotations),
        },
    }
    event["client"] = "PyFlare"
    if message.external_url:
        event["client_url"] = message.external_url
    links = [{"href": a.url, "text": clip(describe(a), 200)} for a in firing[:MAX_DETAILED_ALERTS] if a.url]
    if links:
        event["links"] = links
    return event
