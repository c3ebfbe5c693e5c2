"""Links back to PyFlare in notifications, from PYFLARE_PUBLIC_URL: PyFlare itself (Alertmanager's
externalURL) and, per alert, the page that shows it (its generatorURL; Slack's and email's "open").
Without a public URL there are no links: a receiver gets no address it could not open.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from django.conf import settings


def public_url() -> str:
    return str(settings.PUBLIC_URL)


def page_link(project: str, page: str, **query: str) -> str:
    """The UI page `page` of `project` (e.g. "alerts", "drift"), with `query`; "" without a public URL."""
    base = public_url()
    if not base:
        return ""
    search = urlencode({k: v for k, v in query.items() if v})
    return f"{base}/p/{quote(project, safe='')}/{page}" + (f"?{search}" if search else "")


def alert_link(project: str, labels: dict[str, str], resolved: bool) -> str:
    """The alerts page filtered to the alert's rule (or source) and state."""
    state = "resolved" if resolved else "firing"
    return page_link(project, "alerts", status=state, rule_id=labels.get("rule_id", ""))
