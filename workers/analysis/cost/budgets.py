"""Budgets: UTC period boundaries and a pure evaluator that alerts once per threshold per period.

The caller (a Celery beat task) supplies the spend so far and the (period_start, threshold) pairs
it has already alerted on, and stores the crossings it gets back; a new period has a new start,
so it starts fresh without any reset job.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from fractions import Fraction


class BudgetDimension(StrEnum):
    GLOBAL = "global"
    MODEL = "model"
    USER = "user"
    FEATURE = "feature"
    TEAM = "team"
    ENVIRONMENT = "environment"


class BudgetPeriod(StrEnum):
    HOURLY = "hourly"
    DAILY = "daily"
    WEEKLY = "weekly"  # ISO weeks: Monday 00:00 UTC
    MONTHLY = "monthly"  # calendar months


@dataclass(frozen=True)
class Budget:
    dimension: BudgetDimension
    value: str  # the model / user / ... the budget is for; '' for global
    period: BudgetPeriod
    limit_micros: int
    thresholds: tuple[float, ...] = (50, 80, 100)  # percent of the limit
    id: str = ""  # storage identifier, carried into crossings

    def __post_init__(self) -> None:
        object.__setattr__(self, "dimension", BudgetDimension(self.dimension))
        object.__setattr__(self, "period", BudgetPeriod(self.period))
        object.__setattr__(self, "thresholds", tuple(sorted(set(self.thresholds))))
        if self.limit_micros <= 0:
            raise ValueError(f"budget {self.id or self.value!r}: limit_micros must be > 0")
        if not self.thresholds or self.thresholds[0] <= 0:
            raise ValueError(f"budget {self.id or self.value!r}: thresholds must be positive percentages")
        if (self.dimension is BudgetDimension.GLOBAL) != (self.value == ""):
            raise ValueError(f"budget {self.id!r}: a global budget has no value, every other dimension needs one")


def _utc(now: datetime) -> datetime:
    if now.tzinfo is None:
        raise ValueError(f"{now.isoformat()} has no timezone; budgets are evaluated in UTC")
    return now.astimezone(UTC)


def period_bounds(period: BudgetPeriod | str, now: datetime) -> tuple[datetime, datetime]:
    """[start, end) of the period containing `now`, in UTC."""
    now = _utc(now)
    period = BudgetPeriod(period)
    if period is BudgetPeriod.HOURLY:
        start = now.replace(minute=0, second=0, microsecond=0)
        return start, start + timedelta(hours=1)
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if period is BudgetPeriod.DAILY:
        return day, day + timedelta(days=1)
    if period is BudgetPeriod.WEEKLY:
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=7)
    start = day.replace(day=1)
    end = start.replace(year=start.year + 1, month=1) if start.month == 12 else start.replace(month=start.month + 1)
    return start, end


@dataclass(frozen=True)
class Projection:
    spend_micros: int  # projected spend at the end of the period
    overage_micros: int  # max(0, projected - limit)
    method: str  # "forecast" | "run_rate"


def project(
    budget: Budget, spend_micros: int, now: datetime, forecast_remaining_micros: int | None = None
) -> Projection:
    """End-of-period spend: spend so far plus the forecast for the rest of the period, or the
    run rate so far stretched over the whole period when there is no forecast."""
    start, end = period_bounds(budget.period, now)
    if forecast_remaining_micros is not None:
        total, method = spend_micros + max(0, forecast_remaining_micros), "forecast"
    else:
        elapsed = (_utc(now) - start) / timedelta(microseconds=1)
        length = (end - start) / timedelta(microseconds=1)
        total = spend_micros if elapsed <= 0 else round(spend_micros * length / elapsed)
        method = "run_rate"
    return Projection(total, max(0, total - budget.limit_micros), method)


@dataclass(frozen=True)
class Crossing:
    budget_id: str
    dimension: BudgetDimension
    value: str
    period_start: datetime
    period_end: datetime
    threshold: float  # percent
    spend_micros: int
    limit_micros: int
    percent_used: float
    projection: Projection
    highest: bool  # the highest threshold crossed in this evaluation: notify this one, record all

    @property
    def key(self) -> tuple[datetime, float]:
        """What to add to `already_alerted` once stored."""
        return (self.period_start, self.threshold)


def evaluate(
    budget: Budget,
    spend_so_far_micros: int,
    now: datetime,
    already_alerted: Collection[tuple[datetime, float]],
    forecast: int | None = None,
) -> list[Crossing]:
    """Thresholds reached in the current period and not alerted yet, lowest first.

    `forecast` is the forecast spend (micro-dollars) for the rest of the period; without it the
    projection is the run rate."""
    start, end = period_bounds(budget.period, now)
    reached = [
        t for t in budget.thresholds
        if spend_so_far_micros * 100 >= Fraction(str(t)) * budget.limit_micros and (start, t) not in already_alerted
    ]  # fmt: skip
    if not reached:
        return []
    projection = project(budget, spend_so_far_micros, now, forecast)
    percent = spend_so_far_micros * 100 / budget.limit_micros
    return [
        Crossing(budget.id, budget.dimension, budget.value, start, end, t, spend_so_far_micros,
                 budget.limit_micros, percent, projection, t == reached[-1])
        for t in reached
    ]  # fmt: skip


@dataclass(frozen=True)
class BudgetStatus:
    period_start: datetime
    period_end: datetime
    spend_micros: int
    limit_micros: int
    remaining_micros: int
    percent_used: float
    thresholds_reached: tuple[float, ...]
    projection: Projection


def status(budget: Budget, spend_so_far_micros: int, now: datetime, forecast: int | None = None) -> BudgetStatus:
    """What the budgets API shows for one budget right now."""
    start, end = period_bounds(budget.period, now)
    return BudgetStatus(
        start, end, spend_so_far_micros, budget.limit_micros, budget.limit_micros - spend_so_far_micros,
        spend_so_far_micros * 100 / budget.limit_micros,
        tuple(t for t in budget.thresholds if spend_so_far_micros * 100 >= Fraction(str(t)) * budget.limit_micros),
        project(budget, spend_so_far_micros, now, forecast),
    )  # fmt: skip
