"""The values storage can keep, checked where client values are decoded.

docs/ingestion.md ("What is refused at intake") lists them for users.

A request holding a value outside these limits is refused whole with a `DecodeError` naming the
item, the field and the accepted range: a 400 / INVALID_ARGUMENT at the receivers, a dead letter
with that reason on the Kafka path. Nothing is clamped and nothing is accepted only to be dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from workers.telemetry.errors import DecodeError

# Arrow timestamp[ns] and ClickHouse DateTime64(9) are int64 nanoseconds (ends 2262-04-11).
MAX_TIME_NS = 2**63 - 1
# TTL expressions compute toDateTime(time) + retention; DateTime is UInt32 seconds (ends 2106-02-07).
DATETIME_END_NS = (2**32 - 1) * 1_000_000_000
DAY_NS = 86_400 * 1_000_000_000
# Exponential histogram scales the OTLP data model allows.
MIN_SCALE, MAX_SCALE = -10, 20
ZERO_TRACE_ID = "0" * 32
ZERO_SPAN_ID = "0" * 16


def iso(ns: int) -> str:
    """A nanosecond time as readable UTC (or the raw number when no calendar holds it)."""
    try:
        return datetime.fromtimestamp(ns / 1e9, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, ValueError, OSError):
        return f"{ns} ns"


@dataclass(frozen=True)
class TimeWindow:
    """Times the retention TTL keeps: rows outside would be deleted at insert, so they are refused.

    `retention_days` None means no TTL applies (normaliser unit use): only the int64 limit holds.
    """

    earliest: int
    latest: int
    retention_days: int | None = None

    def check(self, value: int, what: str) -> None:
        if self.earliest <= value <= self.latest:
            return
        if value > self.latest:
            why = f"after the last storable time {iso(self.latest)}"
        else:
            why = (f"older than the retention of {self.retention_days} days (PYFLARE_RETENTION_DAYS), "
                   f"i.e. before {iso(self.earliest)}: it would be deleted at once")
        raise DecodeError(f"{what} {value} ({iso(value)}) is {why}")


def time_window(retention_days: int | None, now_ns: int) -> TimeWindow:
    if retention_days is None:
        return TimeWindow(0, MAX_TIME_NS)
    span = retention_days * DAY_NS
    return TimeWindow(max(now_ns - span, 0), min(MAX_TIME_NS, DATETIME_END_NS - span), retention_days)


def check_time(value: int, what: str) -> None:
    """A time column without TTL: only the int64 limit applies."""
    if value > MAX_TIME_NS:
        raise DecodeError(f"{what} {value} is beyond the largest storable time {MAX_TIME_NS} ({iso(MAX_TIME_NS)})")


def check_scale(scale: int, what: str) -> None:
    if not MIN_SCALE <= scale <= MAX_SCALE:
        raise DecodeError(f"{what} has exponential histogram scale {scale}; the OTLP data model allows "
                          f"{MIN_SCALE} to {MAX_SCALE}")
