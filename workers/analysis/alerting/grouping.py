"""Alert groups and the decision to notify, with Alertmanager's timing rules.

- `receive`: an alert joins the group of its group-by labels. A new group waits `group_wait` before
  its first notification, so alerts arriving together are sent together — unless the alert started
  more than `group_wait` ago, then the group is flushed at once.
- `flush` (when `GroupState.next_flush` is due): the group's alerts, split into firing and resolved;
  the next flush is `group_interval` later, so later changes are batched at that pace.
- `needs_notify`, per channel, against that channel's last notification of the group: only for a
  reason — the first firing alerts, a firing alert not sent before, alerts resolved (when the channel
  sends resolutions), everything resolved, or `repeat_interval` elapsed since the last one.
- `forget_sent`: after a successful notification, resolved alerts that were in it leave the group;
  an empty group is dropped, and a later alert starts a new one (with a new group_wait).

The caller persists `GroupState`, the alerts and one `LogEntry` per (group, channel); these functions
only compute.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from workers.analysis.alerting.labels import Labels, fingerprint

ALL_LABELS = "..."  # group_by value: one group per distinct label set


@dataclass(frozen=True)
class GroupPolicy:
    group_by: tuple[str, ...] = ()
    group_wait: float = 30.0
    group_interval: float = 300.0
    repeat_interval: float = 4 * 3600.0

    def __post_init__(self) -> None:
        for name, value in (("group_wait", self.group_wait), ("group_interval", self.group_interval),
                            ("repeat_interval", self.repeat_interval)):
            if not math.isfinite(value) or value < 0:
                raise ValueError(f"{name} must be a finite number of seconds >= 0, not {value!r}")
        if self.group_interval <= 0:
            raise ValueError("group_interval must be > 0")


@dataclass(frozen=True)
class Alert:
    labels: Mapping[str, str]
    starts_at: float
    ends_at: float = math.inf  # firing until resolved
    annotations: Mapping[str, str] = field(default_factory=dict)
    updated_at: float = 0.0

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.labels)

    def resolved(self, now: float) -> bool:
        return self.ends_at <= now


def merge(old: Alert | None, new: Alert, now: float) -> Alert:
    """The stored alert after `new` arrives for the same labels.

    Overlapping occurrences merge: the earliest start, the newer push's annotations, and the later end
    when both are resolved (or both still firing). A push that does not overlap the stored occurrence
    (it fired again after resolving) replaces it.
    """
    if old is None:
        return new
    overlaps = (old.starts_at < new.ends_at < old.ends_at) or (old.starts_at < new.starts_at < old.ends_at)
    if not overlaps:
        return new
    older, newer = (old, new) if old.updated_at <= new.updated_at else (new, old)
    ends_at = newer.ends_at
    if older.ends_at > newer.ends_at and (not newer.resolved(now) or older.resolved(now)):
        ends_at = older.ends_at
    return replace(newer, starts_at=min(older.starts_at, newer.starts_at), ends_at=ends_at)


def group_labels(policy: GroupPolicy, labels: Labels) -> dict[str, str]:
    if ALL_LABELS in policy.group_by:
        return dict(labels)
    return {name: labels[name] for name in policy.group_by if name in labels}


def group_key(route: str, policy: GroupPolicy, labels: Labels) -> str:
    """The group an alert of `route` (e.g. a rule id) belongs to."""
    return f"{route}:{fingerprint(group_labels(policy, labels))}"


@dataclass(frozen=True)
class GroupState:
    key: str
    labels: Mapping[str, str]
    next_flush: float
    has_flushed: bool = False


def receive(state: GroupState | None, key: str, labels: Labels, alert: Alert, now: float,
            policy: GroupPolicy) -> GroupState:
    """The group's state after `alert` joins it (a new group when `state` is None)."""
    if state is None:
        state = GroupState(key=key, labels=dict(labels), next_flush=now + policy.group_wait)
    if not state.has_flushed and alert.starts_at + policy.group_wait < now:
        state = replace(state, next_flush=min(state.next_flush, now))  # it has waited long enough already
    return state


@dataclass(frozen=True)
class Batch:
    key: str
    labels: Mapping[str, str]
    firing: tuple[Alert, ...]
    resolved: tuple[Alert, ...]

    @property
    def alerts(self) -> tuple[Alert, ...]:
        return self.firing + self.resolved


def flush(state: GroupState, alerts: Iterable[Alert], now: float, policy: GroupPolicy) -> tuple[Batch, GroupState]:
    """What the group holds at `now` (sorted by labels) and its state with the next flush scheduled."""
    ordered = sorted(alerts, key=lambda a: sorted(a.labels.items()))
    firing = tuple(a for a in ordered if not a.resolved(now))
    resolved = tuple(a for a in ordered if a.resolved(now))
    batch = Batch(state.key, state.labels, firing, resolved)
    return batch, replace(state, next_flush=now + policy.group_interval, has_flushed=True)


def without(batch: Batch, muted: Iterable[str]) -> Batch:
    """The batch without the alerts whose fingerprints are muted (silenced, inhibited, in maintenance)."""
    gone = set(muted)
    return replace(batch, firing=tuple(a for a in batch.firing if a.fingerprint not in gone),
                   resolved=tuple(a for a in batch.resolved if a.fingerprint not in gone))


@dataclass(frozen=True)
class LogEntry:
    """A channel's last notification of a group: what was firing and resolved, and when."""

    firing: frozenset[str]
    resolved: frozenset[str]
    at: float


def needs_notify(entry: LogEntry | None, batch: Batch, now: float, repeat_interval: float,
                 send_resolved: bool) -> bool:
    firing = {a.fingerprint for a in batch.firing}
    resolved = {a.fingerprint for a in batch.resolved}
    if entry is None:
        return bool(firing)  # never told about this group: resolved-only news means nothing to it
    if not firing <= entry.firing:
        return True  # something fires that was not in the last notification
    if not firing:
        return bool(entry.firing)  # all resolved: clear what the channel was last told
    if send_resolved and not resolved <= entry.resolved:
        return True
    return entry.at < now - repeat_interval


def sent_entry(batch: Batch, now: float) -> LogEntry:
    return LogEntry(frozenset(a.fingerprint for a in batch.firing),
                    frozenset(a.fingerprint for a in batch.resolved), now)


def payload_alerts(batch: Batch, send_resolved: bool) -> Sequence[Alert]:
    """What a channel receives: resolved alerts only if it sends resolutions (may be empty: nothing
    is sent then, but the log still records the batch)."""
    return batch.alerts if send_resolved else batch.firing


def forget_sent(alerts: Mapping[str, Alert], sent: Batch) -> dict[str, Alert]:
    """The group's alerts after a successful notification: the resolved ones it carried leave, unless
    they changed (fired again) meanwhile."""
    kept = dict(alerts)
    for alert in sent.resolved:
        if kept.get(alert.fingerprint) == alert:
            del kept[alert.fingerprint]
    return kept
