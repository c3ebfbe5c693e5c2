"""Daily cost forecast with a prediction interval, chosen by how much history a series has.

    >= 28 days  ETS(A,Ad,A): additive errors, damped trend, weekly seasonality (statsmodels ETSModel)
    14-27 days  ETS(A,Ad,N): damped trend, no seasonality (too few weeks to estimate the weekly shape)
     3-13 days  ETS(A,N,N): simple exponential smoothing
     1-2 days   naive: the last day repeated, no interval (lower = upper = mean)
Any model that fails to fit falls back to the next simpler one. Costs cannot be negative, so the
mean and the bounds are clipped at zero.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np

SEASON = 7
_SPECS: tuple[tuple[str, int, dict[str, object]], ...] = (  # (method, min history days, ETSModel arguments)
    ("ets_damped_trend_weekly", 4 * SEASON,
     {"trend": "add", "damped_trend": True, "seasonal": "add", "seasonal_periods": SEASON}),
    ("ets_damped_trend", 2 * SEASON, {"trend": "add", "damped_trend": True}),
    ("ets_simple", 3, {}),
)  # fmt: skip


@dataclass(frozen=True)
class Forecast:
    first_day: date  # the day after the last day of history
    mean: np.ndarray  # one value per day, same unit as the history (e.g. micro-dollars)
    lower: np.ndarray
    upper: np.ndarray
    level: float  # interval coverage, e.g. 0.9
    method: str
    history_days: int

    @property
    def days(self) -> list[date]:
        return [self.first_day + timedelta(days=i) for i in range(len(self.mean))]

    def total_between(self, start: datetime, end: datetime) -> float:
        """Forecast spend over [start, end), pro-rating partly covered days (for budget projections)."""
        total = 0.0
        origin = datetime(self.first_day.year, self.first_day.month, self.first_day.day, tzinfo=UTC)
        for i, value in enumerate(self.mean):
            day_start = origin + timedelta(days=i)
            overlap = min(end, day_start + timedelta(days=1)) - max(start, day_start)
            if overlap > timedelta(0):
                total += float(value) * (overlap / timedelta(days=1))
        return total


def _fit(values: np.ndarray, spec: Mapping[str, object], horizon: int, level: float) -> tuple[np.ndarray, ...]:
    # Imported here: statsmodels and pandas take ~1 s to import, and the ingest path never forecasts.
    import pandas as pd  # type: ignore[import-untyped]
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel  # type: ignore[import-untyped]

    series = pd.Series(values, index=pd.RangeIndex(len(values)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter on short or flat series
        fitted = ETSModel(series, error="add", **spec).fit(disp=False)
        frame = fitted.get_prediction(start=len(values), end=len(values) + horizon - 1).summary_frame(alpha=1 - level)
    mean, lower, upper = (frame[c].to_numpy(dtype=np.float64) for c in ("mean", "pi_lower", "pi_upper"))
    if not (np.isfinite(mean).all() and np.isfinite(lower).all() and np.isfinite(upper).all()):
        raise ValueError("non-finite forecast")
    return mean, lower, upper


def forecast_daily(
    history: Sequence[float] | np.ndarray, horizon_days: int, last_day: date, level: float = 0.9
) -> Forecast:
    """Forecast the `horizon_days` days after `last_day`, the last complete day of `history`."""
    if horizon_days < 1:
        raise ValueError("horizon_days must be >= 1")
    if not 0 < level < 1:
        raise ValueError("level must be between 0 and 1")
    values = np.asarray(history, dtype=np.float64)
    first_day = last_day + timedelta(days=1)
    n = len(values)
    for method, min_days, spec in _SPECS:
        if n < min_days or np.ptp(values[-min_days:]) == 0:
            continue  # a flat window has no variance to fit; the naive forecast is exact for it
        try:
            mean, lower, upper = _fit(values, spec, horizon_days, level)
        except (ValueError, np.linalg.LinAlgError):
            continue
        zero = np.zeros(1)
        return Forecast(first_day, np.maximum(mean, zero), np.maximum(lower, zero), np.maximum(upper, zero),
                        level, method, n)  # fmt: skip
    flat = np.full(horizon_days, values[-1] if n else 0.0)
    return Forecast(first_day, flat, flat.copy(), flat.copy(), level, "naive" if n else "empty", n)


def forecast_many(
    series: Mapping[str, Sequence[float] | np.ndarray], horizon_days: int, last_day: date, level: float = 0.9
) -> dict[str, Forecast]:
    """One forecast per series (per project, per model...)."""
    return {name: forecast_daily(values, horizon_days, last_day, level) for name, values in series.items()}
