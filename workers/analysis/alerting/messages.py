"""What a channel is asked to deliver: one group's notification, independent of the channel kind.

The alerting job builds an `AlertMessage` from a dispatcher `Notification`; each channel kind turns it
into its own payload (an Alertmanager-compatible webhook body, a Slack message, a PagerDuty event, an
email, alerts forwarded to an Alertmanager).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class AlertItem:
    fingerprint: str
    labels: Mapping[str, str]
    annotations: Mapping[str, str]
    starts_at: float  # epoch seconds
    ends_at: float | None  # None while firing
    status: str  # "firing" or "resolved"
    url: str = ""  # where to look at it in PyFlare (alert or rule page)


@dataclass(frozen=True)
class AlertMessage:
    project: str
    receiver: str  # the channel's name
    group_key: str
    group_labels: Mapping[str, str]
    common_labels: Mapping[str, str]
    common_annotations: Mapping[str, str]
    alerts: tuple[AlertItem, ...]
    external_url: str = ""  # PyFlare's base URL
    truncated: int = 0  # alerts left out of the message (channels cap their size)
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def status(self) -> str:
        """"firing" while any alert of the message fires, else "resolved" (Alertmanager's rule)."""
        return "firing" if any(a.status == "firing" for a in self.alerts) else "resolved"

    @property
    def dedup_key(self) -> str:
        """A stable key for the group (PagerDuty's dedup_key): the same for trigger and resolve."""
        return hashlib.sha256(f"{self.project}\x00{self.group_key}".encode()).hexdigest()


def common(maps: list[Mapping[str, str]]) -> dict[str, str]:
    """The pairs every map shares (Alertmanager's commonLabels / commonAnnotations)."""
    if not maps:
        return {}
    shared = dict(maps[0])
    for m in maps[1:]:
        shared = {k: v for k, v in shared.items() if m.get(k) == v}
    return shared
