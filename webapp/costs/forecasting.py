"""Daily cost forecasts: for the API (per project or model, with a backtest against the naive
forecast) and for budget projections (cached per budget, refreshed hourly by a beat job).

History is whole UTC days up to yesterday, read from the rollup; today is partial and left out.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from clickhouse_connect.driver.client import Client

from webapp.costs.budget_runs import budget_filters, to_ns
from webapp.costs.models import Budget, BudgetForecast
from workers.analysis.cost import Backtest, Forecast, backtest, forecast_daily
from workers.storage.costs.reads import CostScope, daily_micros

log = logging.getLogger("pyflare.costs.forecasts")
BACKTEST_HORIZON = 7
BACKTEST_MIN_TRAIN = 28
BUDGET_HISTORY_DAYS = 90
BUDGET_HORIZON_DAYS = 35  # covers the rest of any month


@dataclass(frozen=True)
class CostForecast:
    history: list[int]  # micro-dollars per day, oldest first
    first_history_day: date
    forecast: Forecast
    backtest: Backtest | None  # None when the history is too short


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def history_scope(project: str, filters: dict[str, str], first: date, last: date) -> CostScope:
    return CostScope(project, to_ns(_midnight(first)), to_ns(_midnight(last + timedelta(days=1))), filters)


def cost_forecast(client: Client, project: str, filters: dict[str, str], today: date, horizon_days: int,
                  history_days: int, level: float, with_backtest: bool = True) -> CostForecast:  # fmt: skip
    last = today - timedelta(days=1)
    first = last - timedelta(days=history_days - 1)
    history = daily_micros(client, history_scope(project, filters, first, last), first, last)
    while history and history[0] == 0:  # days before the first cost are no history, not zero spend
        history.pop(0)
        first += timedelta(days=1)
    forecast = forecast_daily(history, horizon_days, last, level)
    tested = None
    if with_backtest and len(history) >= BACKTEST_MIN_TRAIN + BACKTEST_HORIZON:
        tested = backtest(history, BACKTEST_HORIZON, BACKTEST_MIN_TRAIN, BACKTEST_HORIZON)
    return CostForecast(history, first, forecast, tested)


def finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def refresh_budget_forecasts(client: Client, now: datetime) -> int:
    """Refit the forecast of every enabled non-hourly budget; returns how many were stored."""
    stored = 0
    today = now.astimezone(UTC).date()
    for budget in Budget.objects.filter(enabled=True).exclude(period="hourly").select_related("project"):
        try:
            result = cost_forecast(client, budget.project.slug, budget_filters(budget), today, BUDGET_HORIZON_DAYS,
                                   BUDGET_HISTORY_DAYS, 0.9, with_backtest=False)  # fmt: skip
        except Exception:
            log.exception("forecast of budget %s failed", budget.pk)
            continue
        # The forecast starts today: today's own spend is measured, the projection uses the rest.
        values: list[Any] = [max(0.0, float(v)) for v in result.forecast.mean]
        BudgetForecast.objects.update_or_create(budget=budget, defaults={
            "computed_at": now, "first_day": result.forecast.first_day, "daily_micros": values,
            "method": result.forecast.method, "history_days": len(result.history)})  # fmt: skip
        stored += 1
    return stored
