"""Human-readable lines shared by the Slack, PagerDuty and email bodies."""

from __future__ import annotations

from collections.abc import Mapping

from workers.analysis.alerting.messages import AlertItem, AlertMessage


def alert_name(labels: Mapping[str, str]) -> str:
    return labels.get("alertname") or labels.get("rule") or "alert"


def title(message: AlertMessage) -> str:
    """`[FIRING:2] HighErrorRate model_id=gpt-4o` — Alertmanager's default title shape."""
    firing = sum(1 for a in message.alerts if a.status == "firing")
    count = f":{firing}" if message.status == "firing" else ""
    firing_first = sorted(message.alerts, key=lambda a: a.status != "firing")
    name = message.common_labels.get("alertname") or alert_name(firing_first[0].labels if firing_first else {})
    groups = " ".join(f"{k}={v}" for k, v in sorted(message.group_labels.items()) if k != "alertname")
    return f"[{message.status.upper()}{count}] {name}" + (f" {groups}" if groups else "")


def describe(item: AlertItem) -> str:
    """One alert: its summary (or description) and its labels."""
    text = item.annotations.get("summary") or item.annotations.get("description") or alert_name(item.labels)
    labels = ", ".join(f"{k}={v}" for k, v in sorted(item.labels.items()))
    return f"{text} ({labels})" if labels else text


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
