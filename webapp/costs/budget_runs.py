"""Budget evaluation: spend so far per budget (from the rollup plus the unsettled tail), the pure
evaluator, and alert records stored at most once per (budget, period, threshold). Each crossing is
also an alert of the alerting system (source "budget", webapp.alerting.sources), firing until its
period ends.

The highest threshold crossed in one evaluation gets a delivery per enabled channel; the caller
(the Celery task) sends them. Deliveries that were stored but never attempted (the process died
before sending) are handed out again after `STALE_PENDING`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
from clickhouse_connect.driver.client import Client
from django.db import IntegrityError, transaction
from django.utils import timezone

from webapp.alerting import sources
from webapp.alerting.models import Alert
from webapp.alerting.models.alerts import RESOLVED
from webapp.costs.models import AlertDelivery, Budget, BudgetAlert
from webapp.costs.models.budgets import DIMENSION_COLUMNS
from webapp.costs.notify import budget_annotations, budget_labels
from workers.analysis.cost import (
    BudgetDimension,
    BudgetPeriod,
    Crossing,
    Forecast,
    default_book,
    evaluate,
    period_bounds,
)
from workers.storage.costs.reads import CostScope, totals
from workers.storage.costs.rollup import read_state

log = logging.getLogger("pyflare.costs.budgets")
STALE_PENDING = timedelta(minutes=10)
FORECAST_MAX_AGE = timedelta(days=2)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_ns(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(microseconds=1) * 1000


def budget_filters(budget: Budget) -> dict[str, str]:
    """A model budget covers the model's family: every dated or versioned id of it."""
    dimension = BudgetDimension(budget.dimension)
    if dimension is BudgetDimension.GLOBAL:
        return {}
    if dimension is BudgetDimension.MODEL:
        return {"model_family": default_book().resolve(budget.value).family or budget.value}
    return {DIMENSION_COLUMNS[dimension]: budget.value}


def budget_scope(budget: Budget, start: datetime, end: datetime) -> CostScope:
    return CostScope(budget.project.slug, to_ns(start), max(to_ns(start), to_ns(end)), budget_filters(budget))


def period_spend(client: Client, budget: Budget, now: datetime, settled_until_ns: int | None = None) -> int:
    """Micro-dollars spent in the budget's current period up to `now`."""
    start, _end = period_bounds(budget.period, now)
    return totals(client, budget_scope(budget, start, now), settled_until_ns).total_cost_micros


def forecast_remaining(budget: Budget, now: datetime) -> int | None:
    """Forecast spend from now to the period's end, when a fresh forecast covers it (not hourly)."""
    if budget.period == BudgetPeriod.HOURLY:
        return None
    cached = getattr(budget, "forecast", None)
    if cached is None or now - cached.computed_at > FORECAST_MAX_AGE:
        return None
    _start, end = period_bounds(budget.period, now)
    mean = np.asarray(cached.daily_micros, dtype=np.float64)
    if cached.first_day + timedelta(days=len(mean)) < end.date():
        return None
    forecast = Forecast(cached.first_day, mean, mean, mean, 0.9, cached.method, cached.history_days)
    return round(forecast.total_between(now, end))


@dataclass
class EvaluationReport:
    budgets: int = 0
    alerts: list[int] = field(default_factory=list)
    deliveries: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"budgets": self.budgets, "alerts": self.alerts, "deliveries": self.deliveries, "errors": self.errors}


def _record(client: Client, budget: Budget, crossing: Crossing) -> tuple[BudgetAlert, list[int]] | None:
    """Store one crossing (and its deliveries) and open its alert in the alerting system; None when
    another run stored it first."""
    try:
        with transaction.atomic():
            alert = BudgetAlert.objects.create(
                budget=budget, project=budget.project, period_start=crossing.period_start,
                period_end=crossing.period_end, threshold=Decimal(str(crossing.threshold)),
                spend_micros=crossing.spend_micros, limit_micros=crossing.limit_micros,
                percent_used=crossing.percent_used, projected_spend_micros=crossing.projection.spend_micros,
                projected_overage_micros=crossing.projection.overage_micros,
                projection_method=crossing.projection.method, notified=crossing.highest,
            )  # fmt: skip
            deliveries = []
            if crossing.highest:
                for channel in budget.channels.filter(enabled=True):
                    deliveries.append(AlertDelivery.objects.create(alert=alert, channel=channel, target=channel.url).pk)
    except IntegrityError:
        return None
    sources.open_alert(client, budget.project, sources.BUDGET, budget_labels(alert), budget_annotations(alert),
                       budget_labels(alert)["severity"], alert.percent_used)  # fmt: skip
    return alert, deliveries


def resolve_ended(client: Client, budget: Budget, now: datetime) -> None:
    """A crossing's alert stays firing until its period ends; then the evaluation resolves it."""
    open_rows = Alert.objects.filter(project=budget.project, source=sources.BUDGET).exclude(state=RESOLVED)
    ended = [r for r in open_rows if r.labels.get("budget_id") == str(budget.pk)
             and datetime.fromisoformat(r.annotations.get("period_end", now.isoformat())) <= now]  # fmt: skip
    sources.resolve_rows(client, ended, now.timestamp())


def evaluate_budget(client: Client, budget: Budget, now: datetime, settled_until_ns: int | None = None,
                    report: EvaluationReport | None = None) -> EvaluationReport:  # fmt: skip
    report = report if report is not None else EvaluationReport()
    spec = budget.spec()
    start, _end = period_bounds(spec.period, now)
    resolve_ended(client, budget, now)
    spend = period_spend(client, budget, now, settled_until_ns)
    alerted = {(a.period_start, float(a.threshold)) for a in budget.alerts.filter(period_start=start)}
    for crossing in evaluate(spec, spend, now, alerted, forecast_remaining(budget, now)):
        stored = _record(client, budget, crossing)
        if stored is None:
            continue
        alert, deliveries = stored
        report.alerts.append(alert.pk)
        report.deliveries += deliveries
        log.info("budget %s (%s) reached %s %% of its %s limit: %d of %d micro-USD", budget.pk, budget.name,
                 crossing.threshold, spec.period, crossing.spend_micros, crossing.limit_micros)  # fmt: skip
    report.budgets += 1
    return report


def evaluate_all(client: Client, now: datetime) -> EvaluationReport:
    """Evaluate every enabled budget; one broken budget is reported and skipped, never fatal."""
    report = EvaluationReport()
    settled = read_state(client).settled_until_ns
    budgets = Budget.objects.filter(enabled=True).select_related("project", "forecast").order_by("id")
    for budget in budgets:
        try:
            evaluate_budget(client, budget, now, settled, report)
        except Exception as exc:
            log.exception("budget %s could not be evaluated", budget.pk)
            report.errors.append(f"budget {budget.pk}: {type(exc).__name__}: {exc}")
    # Wall-clock time, not the evaluated instant: `now` may be a period being evaluated late.
    stale = AlertDelivery.objects.filter(status=AlertDelivery.PENDING, attempts=0,
                                         alert__created_at__lt=timezone.now() - STALE_PENDING)  # fmt: skip
    report.deliveries += [pk for pk in stale.values_list("pk", flat=True) if pk not in report.deliveries]
    return report
