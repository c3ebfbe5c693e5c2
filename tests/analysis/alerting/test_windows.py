"""Maintenance windows: one-off spans and weekly local times, daylight saving included."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from workers.analysis.alerting import MaintenanceWindow, TimeOfDay, WindowError

PARIS = ZoneInfo("Europe/Paris")


def at(*args: int, tz: ZoneInfo = PARIS) -> float:
    return datetime(*args, tzinfo=tz).timestamp()


def test_one_off_window_mutes_only_its_models_inside_its_span() -> None:
    w = MaintenanceWindow("upgrade", models=("gpt-4o",), starts_at=1000, ends_at=2000)
    assert w.mutes({"model_id": "gpt-4o"}, 1000)
    assert not w.mutes({"model_id": "gpt-4o"}, 2000)
    assert not w.mutes({"model_id": "claude"}, 1500)
    assert MaintenanceWindow("all", starts_at=0, ends_at=10).mutes({"model_id": "anything"}, 5)


def test_recurring_window_follows_local_time_across_daylight_saving() -> None:
    # Saturdays 02:00-04:00 in Paris; 2026-03-28 is before the spring change (UTC+1), 2026-04-04 after (UTC+2)
    w = MaintenanceWindow("backup", weekdays=(5,), times=((TimeOfDay(2), TimeOfDay(4)),), timezone="Europe/Paris")
    for day in (28, 4):
        month = 3 if day == 28 else 4
        assert not w.active(at(2026, month, day, 1, 59))
        assert w.active(at(2026, month, day, 2, 0))
        assert w.active(at(2026, month, day, 3, 59))
        assert not w.active(at(2026, month, day, 4, 0))
    assert not w.active(at(2026, 3, 27, 3, 0))  # a Friday
    # the same instant in UTC: 02:30 Paris in summer is 00:30 UTC
    assert w.active(at(2026, 4, 4, 0, 30, tz=ZoneInfo("UTC")))


def test_weekdays_alone_cover_whole_days_and_midnight_ends_a_day() -> None:
    weekend = MaintenanceWindow("weekend", weekdays=(5, 6), timezone="UTC")
    assert weekend.active(at(2026, 12, 5, 0, 0, tz=ZoneInfo("UTC")))
    assert not weekend.active(at(2026, 12, 7, 0, 0, tz=ZoneInfo("UTC")))
    night = MaintenanceWindow("night", times=((TimeOfDay(22), TimeOfDay(24)), (TimeOfDay(0), TimeOfDay(6))))
    assert night.active(at(2026, 12, 5, 23, 59, tz=ZoneInfo("UTC")))
    assert night.active(at(2026, 12, 6, 0, 0, tz=ZoneInfo("UTC")))
    assert not night.active(at(2026, 12, 6, 6, 0, tz=ZoneInfo("UTC")))


@pytest.mark.parametrize(("kwargs", "says"), [
    ({}, "either one-off"),
    ({"starts_at": 5, "ends_at": 5}, "starts_at before ends_at"),
    ({"starts_at": 1, "ends_at": 5, "weekdays": (1,)}, "either one-off"),
    ({"weekdays": (7,)}, "weekdays are 0"),
    ({"times": ((TimeOfDay(22), TimeOfDay(6)),)}, "split a range across midnight"),
    ({"weekdays": (1,), "timezone": "Mars/Olympus"}, "is not a time zone"),
])
def test_bad_windows_say_what_is_wrong(kwargs: dict[str, object], says: str) -> None:
    with pytest.raises(WindowError, match=says):
        MaintenanceWindow("w", **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["25:00", "24:30", "7", "ab:cd", "12:60"])
def test_times_of_day_are_checked(text: str) -> None:
    with pytest.raises(WindowError):
        TimeOfDay.parse(text)
