"""Objects the generated RBAC matrix acts on for the alerting app's `/{id}` paths (one per project)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from webapp.alerting.models import Alert, AlertRule, InhibitionRule, MaintenanceWindow, Silence
from webapp.projects.models import Project


def _alert(project: Project) -> str:
    now = datetime.now(UTC)
    return str(Alert.objects.create(project=project, fingerprint="matrix", labels={"alertname": "matrix"},
                                    starts_at=now, updated_at=now).pk)  # fmt: skip


def _rule(project: Project) -> str:
    return str(AlertRule.objects.create(project=project, name="matrix", rule_type="threshold",
                                        config={"metric": "error_rate", "operator": ">", "value": 0.1}).pk)  # fmt: skip


def _silence(project: Project) -> str:
    now = datetime.now(UTC)
    return str(Silence.objects.create(project=project, matchers=['model_id="m"'], starts_at=now,
                                      ends_at=now + timedelta(hours=1)).pk)  # fmt: skip


def _window(project: Project) -> str:
    return str(MaintenanceWindow.objects.create(project=project, name="matrix", weekdays=[5]).pk)


def _inhibition(project: Project) -> str:
    return str(InhibitionRule.objects.create(project=project, name="matrix", source_matchers=['a="1"'],
                                             target_matchers=['b="1"']).pk)  # fmt: skip


ALERT_TARGETS: dict[str, Callable[[Project], str]] = {
    "alerts": _alert,
    "rules": _rule,
    "silences": _silence,
    "maintenance": _window,
    "inhibitions": _inhibition,
}
