"""Budget periods in UTC and threshold crossings that alert exactly once per period."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from workers.analysis.cost import Budget, BudgetDimension, BudgetPeriod, evaluate, period_bounds, project, status


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("period", "now", "start", "end"),
    [
        ("hourly", utc(2025, 3, 5, 14, 59, 59), utc(2025, 3, 5, 14), utc(2025, 3, 5, 15)),
        ("daily", utc(2025, 3, 5, 0, 0), utc(2025, 3, 5), utc(2025, 3, 6)),
        ("weekly", utc(2025, 3, 9, 23, 59), utc(2025, 3, 3), utc(2025, 3, 10)),  # Sunday -> week of Monday 3rd
        ("weekly", utc(2025, 3, 10, 0, 0), utc(2025, 3, 10), utc(2025, 3, 17)),  # Monday starts a week
        ("monthly", utc(2025, 2, 28, 23), utc(2025, 2, 1), utc(2025, 3, 1)),
        ("monthly", utc(2024, 12, 31, 12), utc(2024, 12, 1), utc(2025, 1, 1)),
        # 01:30 in UTC+2 on 1 July is still 30 June in UTC
        ("daily", datetime(2025, 7, 1, 1, 30, tzinfo=timezone(timedelta(hours=2))), utc(2025, 6, 30), utc(2025, 7, 1)),
    ],
)
def test_period_bounds_are_utc_with_monday_weeks(period: str, now: datetime, start: datetime, end: datetime) -> None:
    assert period_bounds(period, now) == (start, end)


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone"):
        period_bounds("daily", datetime(2025, 1, 1))


def test_80_percent_alerts_exactly_once_per_period_and_the_next_period_starts_fresh() -> None:
    budget = Budget(BudgetDimension.MODEL, "gpt-4o", BudgetPeriod.DAILY, limit_micros=10_000_000, id="b1")
    alerted: set[tuple[datetime, float]] = set()
    notified: list[tuple[datetime, float]] = []
    # a beat tick every 10 minutes for two days; spend grows by $0.10 per tick and resets each day
    for tick in range(2 * 24 * 6):
        now = utc(2025, 3, 5) + timedelta(minutes=10 * tick)
        spend = (tick % (24 * 6) + 1) * 100_000
        for crossing in evaluate(budget, spend, now, alerted):
            alerted.add(crossing.key)
            if crossing.highest:
                notified.append(crossing.key)
    day1, day2 = utc(2025, 3, 5), utc(2025, 3, 6)
    assert notified == [(day1, 50), (day1, 80), (day1, 100), (day2, 50), (day2, 80), (day2, 100)]
    assert alerted == set(notified)


def test_a_jump_past_several_thresholds_records_all_and_flags_the_highest() -> None:
    budget = Budget("team", "search", "weekly", limit_micros=1_000_000)
    crossings = evaluate(budget, 1_200_000, utc(2025, 3, 5, 12), already_alerted={(utc(2025, 3, 3), 50)})
    assert [(c.threshold, c.highest) for c in crossings] == [(80, False), (100, True)]
    assert crossings[0].percent_used == 120.0 and crossings[0].period_start == utc(2025, 3, 3)
    assert [c.threshold for c in evaluate(budget, 799_999, utc(2025, 3, 5), set())] == [50]


def test_threshold_boundary_is_inclusive_and_exact() -> None:
    budget = Budget("global", "", "monthly", limit_micros=3, thresholds=(33.4, 66.7))
    # 1/3 = 33.33 % < 33.4 %, 2/3 = 66.67 % < 66.7 % — exact arithmetic, no float rounding up
    assert evaluate(budget, 1, utc(2025, 1, 1), set()) == []
    assert [c.threshold for c in evaluate(budget, 2, utc(2025, 1, 1), set())] == [33.4]


def test_projection_from_run_rate_and_from_forecast() -> None:
    budget = Budget("user", "u1", "daily", limit_micros=10_000_000)
    # 6 hours into the day, $3 spent: run rate -> $12 by midnight, $2 over
    run = project(budget, 3_000_000, utc(2025, 3, 5, 6))
    assert (run.spend_micros, run.overage_micros, run.method) == (12_000_000, 2_000_000, "run_rate")
    forecast = project(budget, 3_000_000, utc(2025, 3, 5, 6), forecast_remaining_micros=5_000_000)
    assert (forecast.spend_micros, forecast.overage_micros, forecast.method) == (8_000_000, 0, "forecast")
    crossing = evaluate(budget, 8_000_000, utc(2025, 3, 5, 18), set(), forecast=4_000_000)[-1]
    assert crossing.projection.spend_micros == 12_000_000 and crossing.projection.overage_micros == 2_000_000


def test_status_reports_what_the_api_shows() -> None:
    budget = Budget("environment", "prod", "hourly", limit_micros=2_000_000)
    s = status(budget, 1_700_000, utc(2025, 3, 5, 10, 30))
    assert (s.period_start, s.period_end) == (utc(2025, 3, 5, 10), utc(2025, 3, 5, 11))
    assert (s.remaining_micros, s.percent_used, s.thresholds_reached) == (300_000, 85.0, (50, 80))
    assert s.projection.spend_micros == 3_400_000


@pytest.mark.parametrize(
    "kwargs",
    [
        {"dimension": "global", "value": "x"},
        {"dimension": "model", "value": ""},
        {"dimension": "region", "value": "eu"},
        {"period": "yearly"},
        {"limit_micros": 0},
        {"thresholds": (0, 50)},
    ],
)
def test_invalid_budgets_are_refused(kwargs: dict[str, object]) -> None:
    base: dict[str, object] = {"dimension": "model", "value": "gpt-4o", "period": "daily", "limit_micros": 1}
    with pytest.raises(ValueError):
        Budget(**(base | kwargs))  # type: ignore[arg-type]
