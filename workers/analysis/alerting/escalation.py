"""Escalation: an alert still firing and unacknowledged `after` seconds after its channel was notified
is sent to the channel's escalation target too; that target may escalate further (a chain), each
step timed from when the previous channel was notified. A channel is escalated to at most once per
alert, and chains that loop stop at the first repeat."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class EscalationStep:
    to_channel: int
    after: float  # seconds


@dataclass(frozen=True)
class AlertState:
    fingerprint: str
    status: str  # "firing", "acknowledged" or "resolved"
    notified: Mapping[int, float] = field(default_factory=dict)  # channel id -> first notified at


@dataclass(frozen=True)
class Escalation:
    fingerprint: str
    from_channel: int
    to_channel: int
    due_at: float


def escalations_due(alerts: list[AlertState], policy: Mapping[int, EscalationStep], now: float) -> list[Escalation]:
    """The escalations to send now, ordered by due time. `policy` maps a channel id to its step;
    an alert escalates only while firing (an acknowledged or resolved alert never does)."""
    due: list[Escalation] = []
    for alert in alerts:
        if alert.status != "firing":
            continue
        for channel, notified_at in alert.notified.items():
            step = policy.get(channel)
            if step is None or step.to_channel in alert.notified or step.to_channel == channel:
                continue
            at = notified_at + step.after
            if at <= now:
                due.append(Escalation(alert.fingerprint, channel, step.to_channel, at))
    due.sort(key=lambda e: (e.due_at, e.fingerprint, e.to_channel))
    seen: set[tuple[str, int]] = set()
    unique = []
    for e in due:  # two channels escalating to the same target: send once
        if (e.fingerprint, e.to_channel) not in seen:
            seen.add((e.fingerprint, e.to_channel))
            unique.append(e)
    return unique
