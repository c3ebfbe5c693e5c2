"""Objects the generated RBAC matrix acts on for the costs app's `/{id}` paths (one per project)."""

from __future__ import annotations

from collections.abc import Callable

from webapp.costs.models import Budget, NotificationChannel, PriceOverride
from webapp.projects.models import Project


def _budget(project: Project) -> str:
    budget = Budget.objects.create(project=project, name="matrix", dimension="global", value="", period="daily",
                                   limit_usd="10", thresholds=[80])  # fmt: skip
    return str(budget.pk)


def _price(project: Project) -> str:
    row = PriceOverride.objects.create(project=project, model="matrix-model", input_usd_per_mtok="1",
                                       output_usd_per_mtok="2")  # fmt: skip
    return str(row.pk)


def _channel(project: Project) -> str:
    channel = NotificationChannel.objects.create(project=project, name="matrix", url="https://hooks.example.com/x")
    return str(channel.pk)


COST_TARGETS: dict[str, Callable[[Project], str]] = {
    "budgets": _budget,
    "prices": _price,
    "notification-channels": _channel,
}
