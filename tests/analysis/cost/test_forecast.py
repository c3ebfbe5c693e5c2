"""Daily cost forecast: beats the naive forecast on a seasonal series; simpler models on short ones."""

from __future__ import annotations

from datetime import UTC, date, datetime

import numpy as np
import pytest

from workers.analysis.cost import Forecast, backtest, forecast_daily, forecast_many

WEEKLY = np.array([30.0, 35.0, 25.0, 20.0, 10.0, -55.0, -65.0])  # weekday peaks, quiet weekends


def seasonal_series(days: int, seed: int = 20250305) -> tuple[np.ndarray, np.ndarray]:
    """(observed, noise-free) daily spend: level + trend + weekly seasonality + Gaussian noise."""
    t = np.arange(days)
    truth = 200.0 + 1.5 * t + WEEKLY[t % 7]
    return truth + np.random.default_rng(seed).normal(0.0, 8.0, days), truth


def test_forecast_beats_naive_last_value_on_a_seasonal_series() -> None:
    observed, _ = seasonal_series(140)
    report = backtest(observed, horizon=7, min_train=56, step=7)
    assert report.origins == 12 and report.points == 84 and report.skipped_zero_actuals == 0
    assert set(report.methods) == {"ets_damped_trend_weekly"}
    assert report.model_beats_naive
    assert report.mape_model < report.mape_naive / 2, (report.mape_model, report.mape_naive)


def test_naive_mape_in_the_report_is_the_textbook_one() -> None:
    observed, _ = seasonal_series(70)
    report = backtest(observed, horizon=7, min_train=56, step=7)
    # origins 56 and 63: the naive forecast repeats days 55 and 62
    actual = np.concatenate([observed[56:63], observed[63:70]])
    naive = np.concatenate([np.full(7, observed[55]), np.full(7, observed[62])])
    assert report.mape_naive == pytest.approx(float(np.mean(np.abs(actual - naive) / actual) * 100))


def test_interval_covers_the_holdout_and_the_weekly_shape_is_learnt() -> None:
    observed, truth = seasonal_series(140)
    f = forecast_daily(observed[:112], 28, last_day=date(2025, 6, 30), level=0.9)
    assert f.method == "ets_damped_trend_weekly" and f.history_days == 112 and f.days[0] == date(2025, 7, 1)
    assert np.all(f.lower <= f.mean) and np.all(f.mean <= f.upper) and np.all(f.upper > f.lower)
    holdout = observed[112:]
    coverage = np.mean((holdout >= f.lower) & (holdout <= f.upper))
    assert coverage >= 0.75, coverage
    assert np.corrcoef(f.mean, truth[112:])[0, 1] > 0.95


@pytest.mark.parametrize(
    ("days", "method"),
    [(0, "empty"), (2, "naive"), (3, "ets_simple"), (13, "ets_simple"), (14, "ets_damped_trend"),
     (27, "ets_damped_trend"), (28, "ets_damped_trend_weekly")],
)  # fmt: skip
def test_short_series_fall_back_to_simpler_models(days: int, method: str) -> None:
    observed, _ = seasonal_series(days)
    f = forecast_daily(observed, 10, last_day=date(2025, 3, 1))
    assert f.method == method and len(f.mean) == 10
    if method in {"empty", "naive"}:
        assert np.array_equal(f.lower, f.mean) and np.array_equal(f.upper, f.mean)
        assert np.all(f.mean == (observed[-1] if days else 0.0))
    else:
        assert np.all(f.upper > f.lower)


def test_flat_and_falling_series_never_forecast_negative_spend() -> None:
    flat = forecast_daily(np.zeros(40), 7, last_day=date(2025, 3, 1))
    assert flat.method == "naive" and np.all(flat.mean == 0)
    falling = forecast_daily(np.linspace(100.0, 2.0, 60) + np.random.default_rng(1).normal(0, 1, 60), 60,
                             last_day=date(2025, 3, 1))  # fmt: skip
    assert np.all(falling.mean >= 0) and np.all(falling.lower >= 0)


def test_total_between_pro_rates_partial_days() -> None:
    f = Forecast(date(2025, 3, 6), np.array([24.0, 48.0]), np.zeros(2), np.zeros(2), 0.9, "naive", 5)
    # half of 6 March and a quarter of 7 March
    assert f.total_between(datetime(2025, 3, 6, 12, tzinfo=UTC), datetime(2025, 3, 7, 6, tzinfo=UTC)) == 24.0
    assert f.total_between(datetime(2025, 3, 1, tzinfo=UTC), datetime(2025, 4, 1, tzinfo=UTC)) == 72.0


def test_one_forecast_per_series() -> None:
    observed, _ = seasonal_series(30)
    out = forecast_many({"gpt-4o": observed, "new-model": observed[:2]}, 7, last_day=date(2025, 3, 1))
    assert {k: v.method for k, v in out.items()} == {"gpt-4o": "ets_damped_trend_weekly", "new-model": "naive"}


def test_backtest_needs_enough_history() -> None:
    with pytest.raises(ValueError, match="at least"):
        backtest(np.ones(30), horizon=7, min_train=28)
