"""Maintenance windows: one-off spans or weekly recurring times in a time zone, muting the alerts of
the models they name (every alert of the project when they name none).

A recurring window is a set of weekdays and times of day in its zone, like Alertmanager's time
intervals: `weekdays=(0, 1, 2, 3, 4), times=((TimeOfDay(22, 0), TimeOfDay(24, 0)),)` is every weekday
night from 22:00 to midnight local time, daylight saving included. A range ends before its end
minute; a night across midnight is two ranges on consecutive days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from workers.analysis.alerting.labels import Labels

MODEL_LABEL = "model_id"


class WindowError(ValueError):
    """A window that cannot be used, with a message naming what is wrong."""


@dataclass(frozen=True, order=True)
class TimeOfDay:
    hour: int
    minute: int = 0

    def __post_init__(self) -> None:
        if not (0 <= self.hour <= 24 and 0 <= self.minute < 60) or (self.hour == 24 and self.minute):
            raise WindowError(f"{self.hour:02d}:{self.minute:02d} is not a time of day (00:00 to 24:00)")

    @property
    def minutes(self) -> int:
        return self.hour * 60 + self.minute

    @classmethod
    def parse(cls, text: str) -> TimeOfDay:
        try:
            hour, minute = text.split(":")
            return cls(int(hour), int(minute))
        except ValueError:
            raise WindowError(f"{text!r} is not a time of day: write HH:MM, e.g. 22:30") from None


@dataclass(frozen=True)
class MaintenanceWindow:
    name: str
    models: tuple[str, ...] = ()
    # one-off: epoch seconds
    starts_at: float | None = None
    ends_at: float | None = None
    # recurring: weekdays (0 = Monday) and local time ranges [start, end) in `timezone`
    weekdays: tuple[int, ...] = ()
    times: tuple[tuple[TimeOfDay, TimeOfDay], ...] = ()
    timezone: str = "UTC"

    def __post_init__(self) -> None:
        one_off = self.starts_at is not None or self.ends_at is not None
        recurring = bool(self.weekdays or self.times)
        if one_off == recurring:
            raise WindowError("a maintenance window is either one-off (starts_at and ends_at) or recurring "
                              "(weekdays and/or times), not both or neither")
        if one_off and (self.starts_at is None or self.ends_at is None or self.ends_at <= self.starts_at):
            raise WindowError("a one-off window needs starts_at before ends_at")
        if any(d not in range(7) for d in self.weekdays):
            raise WindowError("weekdays are 0 (Monday) to 6 (Sunday)")
        for start, end in self.times:
            if end <= start:
                raise WindowError(f"the range {start.hour:02d}:{start.minute:02d}-{end.hour:02d}:{end.minute:02d} "
                                  "ends before it starts; split a range across midnight in two")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise WindowError(f"{self.timezone!r} is not a time zone (e.g. Europe/Paris, UTC)") from None

    def active(self, now: float) -> bool:
        if self.starts_at is not None and self.ends_at is not None:
            return self.starts_at <= now < self.ends_at
        local = datetime.fromtimestamp(now, ZoneInfo(self.timezone))
        if self.weekdays and local.weekday() not in self.weekdays:
            return False
        if not self.times:
            return True
        minute = local.hour * 60 + local.minute
        return any(start.minutes <= minute < end.minutes for start, end in self.times)

    def mutes(self, labels: Labels, now: float) -> bool:
        if self.models and labels.get(MODEL_LABEL, "") not in self.models:
            return False
        return self.active(now)
