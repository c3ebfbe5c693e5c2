"""An email about a group notification: subject, plain text and HTML. The SMTP sender wraps these in
a MIME message; nothing here does I/O."""

from __future__ import annotations

import html
from dataclasses import dataclass

from workers.analysis.alerting.messages import AlertMessage
from workers.analysis.alerting.payloads.summary import clip, describe, title
from workers.analysis.alerting.payloads.timestamps import rfc3339

SUBJECT_LIMIT = 200


@dataclass(frozen=True)
class EmailContent:
    subject: str
    text: str
    html: str


def email_content(message: AlertMessage) -> EmailContent:
    subject = clip(title(message).replace("\r", " ").replace("\n", " "), SUBJECT_LIMIT)
    lines, items = [subject, "", f"Project: {message.project}"], []
    for status in ("firing", "resolved"):
        group = [a for a in message.alerts if a.status == status]
        if not group:
            continue
        lines += ["", f"{status.capitalize()} ({len(group)}):"]
        items.append(f"<h3>{status.capitalize()} ({len(group)})</h3><ul>")
        for a in group:
            since = f"since {rfc3339(a.starts_at)}" + (f", ended {rfc3339(a.ends_at)}" if a.ends_at else "")
            lines.append(f"- {describe(a)} [{since}]" + (f" {a.url}" if a.url else ""))
            link = f' <a href="{html.escape(a.url)}">open</a>' if a.url else ""
            items.append(f"<li>{html.escape(describe(a))} <small>{since}</small>{link}</li>")
        items.append("</ul>")
    if message.truncated:
        lines += ["", f"{message.truncated} more alert(s) not shown."]
        items.append(f"<p>{message.truncated} more alert(s) not shown.</p>")
    if message.external_url:
        lines += ["", f"PyFlare: {message.external_url}"]
        items.append(f'<p><a href="{html.escape(message.external_url)}">PyFlare</a></p>')
    body = f"<h2>{html.escape(subject)}</h2><p>Project: {html.escape(message.project)}</p>{''.join(items)}"
    return EmailContent(subject, "\n".join(lines) + "\n", f"<html><body>{body}</body></html>")
