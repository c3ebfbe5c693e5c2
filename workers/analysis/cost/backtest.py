"""Rolling-origin backtest of the daily cost forecast against the naive last-value forecast.

At each origin the forecaster sees only the days before it and predicts the next `horizon`
days; MAPE is taken over every (origin, day) pair whose actual value is not zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from workers.analysis.cost.forecast import forecast_daily


@dataclass(frozen=True)
class Backtest:
    mape_model: float  # percent
    mape_naive: float  # percent
    origins: int
    points: int  # (origin, day) pairs scored
    skipped_zero_actuals: int
    methods: tuple[str, ...]  # forecast method used at each origin
    horizon: int

    @property
    def model_beats_naive(self) -> bool:
        return self.mape_model < self.mape_naive


def _mape(actual: np.ndarray, predicted: np.ndarray) -> float:
    return float(np.mean(np.abs(actual - predicted) / np.abs(actual)) * 100)


def backtest(history: Sequence[float] | np.ndarray, horizon: int = 7, min_train: int = 28, step: int = 7) -> Backtest:
    values = np.asarray(history, dtype=np.float64)
    if min_train < 1 or horizon < 1 or step < 1:
        raise ValueError("horizon, min_train and step must be >= 1")
    if len(values) < min_train + horizon:
        raise ValueError(f"need at least min_train + horizon = {min_train + horizon} days, got {len(values)}")
    actual, model, naive, methods = [], [], [], []
    anchor = date(2000, 1, 1)  # dates do not matter to the fit, only the order of days
    for origin in range(min_train, len(values) - horizon + 1, step):
        forecast = forecast_daily(values[:origin], horizon, anchor + timedelta(days=origin - 1))
        actual.append(values[origin : origin + horizon])
        model.append(forecast.mean)
        naive.append(np.full(horizon, values[origin - 1]))
        methods.append(forecast.method)
    a, m, nv = (np.concatenate(x) for x in (actual, model, naive))
    scored = a != 0
    return Backtest(
        _mape(a[scored], m[scored]) if scored.any() else float("nan"),
        _mape(a[scored], nv[scored]) if scored.any() else float("nan"),
        len(methods), int(scored.sum()), int((~scored).sum()), tuple(methods), horizon,
    )  # fmt: skip
