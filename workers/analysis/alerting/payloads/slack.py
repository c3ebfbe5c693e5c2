"""The Slack incoming-webhook body: a `text` fallback (notifications, old clients) and Block Kit
blocks — a header, one section per alert (at most MAX_ALERT_SECTIONS, the rest counted), a link."""

from __future__ import annotations

from typing import Any

from workers.analysis.alerting.messages import AlertMessage
from workers.analysis.alerting.payloads.summary import clip, describe, title

MAX_ALERT_SECTIONS = 20  # Slack allows 50 blocks a message; a few alerts are what a reader scans
HEADER_LIMIT, SECTION_LIMIT = 150, 3000  # Slack's limits on header and section text


def _escape(text: str) -> str:
    """Slack's mrkdwn treats &, < and > as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_payload(message: AlertMessage, channel: str = "", username: str = "") -> dict[str, Any]:
    heading = title(message)
    header = {"type": "plain_text", "text": clip(heading, HEADER_LIMIT)}
    blocks: list[dict[str, Any]] = [{"type": "header", "text": header}]
    for item in message.alerts[:MAX_ALERT_SECTIONS]:
        mark = ":red_circle:" if item.status == "firing" else ":large_green_circle:"
        line = f"{mark} *{item.status}* {_escape(describe(item))}"
        if item.url:
            line += f" <{item.url}|open>"
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": clip(line, SECTION_LIMIT)}})
    left_out = max(0, len(message.alerts) - MAX_ALERT_SECTIONS) + message.truncated
    context = f"project {_escape(message.project)}"
    if left_out:
        context += f" · {left_out} more alert(s) not shown"
    if message.external_url:
        context += f" · <{message.external_url}|PyFlare>"
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": clip(context, SECTION_LIMIT)}]})
    body: dict[str, Any] = {"text": heading, "blocks": blocks}
    if channel:
        body["channel"] = channel
    if username:
        body["username"] = username
    return body
