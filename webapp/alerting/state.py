"""A project's dispatcher, loaded from and stored back to the control-plane database.

Groups (next flush, what each channel was last told) are `AlertGroup` rows; the alerts a group holds
are the `Alert` rows with `in_group` set. Channels are named by their id.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from webapp.alerting.models import Alert, AlertGroup, AlertRule
from webapp.projects.models import Project
from workers.analysis.alerting import Alert as HeldAlert
from workers.analysis.alerting import Channel, Dispatcher, GroupState, LogEntry, Route


def held(row: Alert) -> HeldAlert:
    return HeldAlert(labels=dict(row.labels), starts_at=row.starts_at.timestamp(),
                     ends_at=row.ends_at.timestamp() if row.ends_at else math.inf,
                     annotations=dict(row.annotations), updated_at=row.updated_at.timestamp())  # fmt: skip


def route(rule: AlertRule) -> Route:
    channels = tuple(Channel(str(c.pk)) for c in rule.channels.all() if c.enabled)
    return Route(str(rule.pk), rule.policy(), channels)


def load(project: Project, rules: Iterable[AlertRule], rows: Iterable[Alert]) -> Dispatcher:
    dispatcher = Dispatcher({str(r.pk): route(r) for r in rules})
    for group in AlertGroup.objects.filter(project=project):
        if str(group.rule_id) not in dispatcher.routes:
            continue
        dispatcher.groups[group.key] = GroupState(group.key, dict(group.labels), group.next_flush, group.has_flushed)
        dispatcher.group_routes[group.key] = str(group.rule_id)
        for channel, entry in group.logs.items():
            dispatcher.logs[(group.key, channel)] = LogEntry(frozenset(entry["firing"]), frozenset(entry["resolved"]),
                                                             entry["at"])  # fmt: skip
    for row in rows:
        if row.in_group and row.group_key in dispatcher.groups:
            dispatcher.alerts.setdefault(row.group_key, {})[row.fingerprint] = held(row)
    return dispatcher


def store(project: Project, dispatcher: Dispatcher, rows: Iterable[Alert]) -> None:
    """Write the groups back and mark which alert rows their groups still hold."""
    logs: dict[str, dict[str, dict[str, object]]] = {}
    for (key, channel), entry in dispatcher.logs.items():
        logs.setdefault(key, {})[channel] = {"firing": sorted(entry.firing), "resolved": sorted(entry.resolved),
                                             "at": entry.at}  # fmt: skip
    for key, group in dispatcher.groups.items():
        AlertGroup.objects.update_or_create(project=project, key=key, defaults={
            "rule_id": int(dispatcher.group_routes[key]), "labels": dict(group.labels),
            "next_flush": group.next_flush, "has_flushed": group.has_flushed, "logs": logs.get(key, {}),
        })  # fmt: skip
    AlertGroup.objects.filter(project=project).exclude(key__in=list(dispatcher.groups)).delete()
    for row in rows:
        kept = dispatcher.alerts.get(row.group_key, {}).get(row.fingerprint)
        in_group = kept is not None and abs(kept.starts_at - row.starts_at.timestamp()) < 1e-3
        if in_group != row.in_group:
            row.in_group = in_group
            row.save(update_fields=["in_group"])
