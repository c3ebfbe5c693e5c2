"""Rules, channels and alert reads the pipeline tests share."""

from __future__ import annotations

from typing import Any

from webapp.alerting.models import Alert, AlertRule
from webapp.costs.models import NotificationChannel
from webapp.projects.models import Project


def rule(project: Project, name: str, rule_type: str, config: dict[str, Any], **fields: Any) -> AlertRule:
    """A rule saved through full_clean (as the API and admin save them)."""
    channels = fields.pop("channels", [])
    made = AlertRule(project=project, name=name, rule_type=rule_type, config=config,
                     **{"evaluation_interval": 10.0, **fields})  # fmt: skip
    made.full_clean()
    made.save()
    made.channels.set(channels)
    return made


def hook(project: Project, url: str, name: str = "hook") -> NotificationChannel:
    return NotificationChannel.objects.create(project=project, name=name, url=url)


def firing(rule_: AlertRule) -> set[str]:
    """Model ids of the rule's open alerts."""
    return {a.model_id for a in Alert.objects.filter(rule=rule_).exclude(state="resolved")}
