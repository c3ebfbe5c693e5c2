"""Groups, alerts and notification logs of one project in memory, driven by the grouping rules.

The alerting job loads this state from storage, pushes the alerts its rules produced, asks which
notifications are due, reports deliveries and stores the state back; tests drive it with a virtual
clock. Routes are alert rules: each names its group policy and its channels.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from workers.analysis.alerting.grouping import (
    Alert,
    Batch,
    GroupPolicy,
    GroupState,
    LogEntry,
    flush,
    forget_sent,
    group_key,
    group_labels,
    merge,
    needs_notify,
    payload_alerts,
    receive,
    sent_entry,
    without,
)
from workers.analysis.alerting.labels import Labels


@dataclass(frozen=True)
class Channel:
    name: str
    send_resolved: bool = True


@dataclass(frozen=True)
class Route:
    name: str  # e.g. the rule's id
    policy: GroupPolicy
    channels: tuple[Channel, ...]


@dataclass(frozen=True)
class Notification:
    """One channel's notification about one group: what to deliver, and the log entry to keep once
    it is delivered."""

    route: str
    channel: Channel
    batch: Batch
    alerts: tuple[Alert, ...]  # what the channel receives (empty: log only, nothing to send)
    entry: LogEntry


@dataclass
class Dispatcher:
    routes: dict[str, Route]
    groups: dict[str, GroupState] = field(default_factory=dict)
    alerts: dict[str, dict[str, Alert]] = field(default_factory=dict)  # group key -> fingerprint -> alert
    logs: dict[tuple[str, str], LogEntry] = field(default_factory=dict)  # (group key, channel) -> entry
    group_routes: dict[str, str] = field(default_factory=dict)  # group key -> route name
    # group key -> (the flushed batch, channels whose delivery of it is outstanding)
    pending: dict[str, tuple[Batch, set[str]]] = field(default_factory=dict)

    def push(self, route_name: str, alert: Alert, now: float) -> str:
        """An alert from a route's evaluation; returns its group key."""
        route = self.routes[route_name]
        key = group_key(route.name, route.policy, alert.labels)
        held = self.alerts.setdefault(key, {})
        held[alert.fingerprint] = merge(held.get(alert.fingerprint), alert, now)
        self.groups[key] = receive(self.groups.get(key), key, group_labels(route.policy, alert.labels), alert,
                                   now, route.policy)
        self.group_routes[key] = route.name
        return key

    def next_flush(self) -> float | None:
        return min((g.next_flush for g in self.groups.values()), default=None)

    def flush_due(self, now: float, muted: Callable[[Labels, Sequence[Labels]], bool] | None = None
                  ) -> list[Notification]:
        """The notifications of every group due at `now` (each group's next flush is rescheduled).

        `muted(labels, firing)` says whether an alert is silenced, inhibited (by one of the `firing`
        label sets of the project) or in maintenance; muted alerts are left out of notifications.
        """
        firing_now = [a.labels for held in self.alerts.values() for a in held.values() if not a.resolved(now)]
        out: list[Notification] = []
        for key in sorted(k for k, g in self.groups.items() if g.next_flush <= now):
            route = self.routes[self.group_routes[key]]
            full, self.groups[key] = flush(self.groups[key], self.alerts[key].values(), now, route.policy)
            batch = full
            if muted is not None:
                batch = without(full, [a.fingerprint for a in full.alerts if muted(a.labels, firing_now)])
            due = [] if not batch.alerts else [
                Notification(route.name, channel, batch, tuple(payload_alerts(batch, channel.send_resolved)),
                             sent_entry(batch, now))
                for channel in route.channels
                if needs_notify(self.logs.get((key, channel.name)), batch, now, route.policy.repeat_interval,
                                channel.send_resolved)
            ]
            # once every due channel has it (at once when none is), the resolved alerts of the flush
            # leave the group, muted ones included
            self.pending[key] = (full, {n.channel.name for n in due})
            if not due:
                self._settle(key)
            out += due
        return out

    def delivered(self, notification: Notification) -> None:
        """A notification reached its channel (or had nothing to send): log it. Once every channel of
        the batch has it, the resolved alerts it carried leave the group."""
        key = notification.batch.key
        self.logs[(key, notification.channel.name)] = notification.entry
        if key not in self.pending:
            return  # another channel of the flush failed: the next flush decides again
        _, awaiting = self.pending[key]
        awaiting.discard(notification.channel.name)
        if not awaiting:
            self._settle(key)

    def failed(self, notification: Notification) -> None:
        """A channel could not be reached: its log is unchanged, so the next flush of the group
        offers the notification again; channels that succeeded are not sent it again."""
        self.pending.pop(notification.batch.key, None)

    def _settle(self, key: str) -> None:
        batch, _ = self.pending.pop(key)
        held = forget_sent(self.alerts.get(key, {}), batch)
        if held:
            self.alerts[key] = held
        else:  # nothing left: the group ends; a later alert starts a new one
            self.alerts.pop(key, None)
            self.groups.pop(key, None)
            self.group_routes.pop(key, None)
            for log_key in [k for k in self.logs if k[0] == key]:
                del self.logs[log_key]
