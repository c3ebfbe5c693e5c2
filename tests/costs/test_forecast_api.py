"""`GET /costs/forecast` on a seeded synthetic seasonal series: the weekly-seasonal forecast beats
the naive last-value forecast in its own backtest, per project and per model."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
from clickhouse_connect.driver.client import Client
from rest_framework.test import APIClient

from tests.costs.factory import cost_row, insert_costs
from tests.webapp.conftest import World

DAYS = 84
TODAY = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def seasonal_series(seed: int, level: float) -> np.ndarray:
    """Weekdays busy, weekends quiet, a slow upward trend and 5 % noise (micro-dollars per day)."""
    rng = np.random.default_rng(seed)
    week = np.array([1.0, 1.15, 1.2, 1.1, 0.95, 0.35, 0.3])
    first = TODAY - timedelta(days=DAYS)
    shape = week[[(first + timedelta(days=i)).weekday() for i in range(DAYS)]]
    trend = 1 + 0.004 * np.arange(DAYS)
    return np.round(level * shape * trend * rng.normal(1, 0.05, DAYS))


def _seed(client: Client, series: dict[str, np.ndarray]) -> None:
    rows = []
    for model, values in series.items():
        for i, value in enumerate(values):
            day = TODAY - timedelta(days=DAYS - i)
            for part in range(3):  # several spans a day, spread over the day
                rows.append(cost_row("own", day + timedelta(hours=3 + 7 * part), int(value) // 3, model_id=model))
    insert_costs(client, rows)


def test_forecast_beats_naive_on_a_seasonal_series(world: World, cost_store: Client) -> None:
    big, small = seasonal_series(1, 3_000_000), seasonal_series(2, 400_000)
    _seed(cost_store, {"gpt-4o": big, "gpt-4o-mini": small})
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=world.own.keys["developer"])

    project = client.get("/api/v1/costs/forecast", {"horizon_days": 14}).json()
    assert project["method"] == "ets_damped_trend_weekly" and project["history_days"] == DAYS
    assert len(project["days"]) == 14 and project["days"][0]["day"] == TODAY.date().isoformat()
    tested = project["backtest"]
    assert tested["beats_naive"] and tested["mape_model"] < tested["mape_naive"]
    assert all(d["lower_usd"] <= d["mean_usd"] <= d["upper_usd"] for d in project["days"])
    weekly_means = [d["mean_usd"] for d in project["days"][:7]]
    weekend = [d["mean_usd"] for d in project["days"][:7]
               if datetime.fromisoformat(d["day"]).weekday() >= 5]  # fmt: skip
    assert max(weekend) < min(m for m in weekly_means if m not in weekend)  # the weekly shape is kept

    model = client.get("/api/v1/costs/forecast", {"model_id": "gpt-4o-mini", "horizon_days": 7}).json()
    history = (small // 3) * 3  # three equal spans a day, as seeded
    assert np.allclose(model["history"], history / 1e6)
    assert model["backtest"]["beats_naive"]
    assert model["total_mean_usd"] < project["total_mean_usd"]


def test_short_history_has_no_backtest(world: World, cost_store: Client) -> None:
    insert_costs(cost_store, [cost_row("own", TODAY - timedelta(days=d, hours=-5), 100_000) for d in (1, 2, 3)])
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=world.own.keys["admin"])
    body = client.get("/api/v1/costs/forecast", {"horizon_days": 3}).json()
    assert (body["backtest"], body["history_days"], body["method"]) == (None, 3, "naive")  # flat: nothing to fit
    assert [d["mean_usd"] for d in body["days"]] == [0.1, 0.1, 0.1]
    assert client.get("/api/v1/costs/forecast", {"horizon_days": 0}).status_code == 400
