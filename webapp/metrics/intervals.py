"""Interval strings (`30s`, `5m`, `1h`, `1d`) for time series, and the automatic choice when the
caller gives none."""

from __future__ import annotations

import re

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86_400}
_INTERVAL = re.compile(r"^([1-9][0-9]{0,6})([smhd])$")
MAX_INTERVAL_S = 31 * 86_400
MAX_POINTS = 2000  # intervals per series in one response
NICE_STEPS_S = (1, 5, 10, 30, 60, 300, 600, 1800, 3600, 6 * 3600, 12 * 3600, 86_400, 7 * 86_400)
AUTO_POINTS = 120


def parse_interval(text: str) -> int:
    """Seconds in an interval such as 90s, 5m, 1h or 1d."""
    match = _INTERVAL.match(text.strip())
    if not match:
        raise ValueError(f"{text[:20]!r} is not an interval; use a whole number and s, m, h or d, e.g. 30s, 5m, 1h, 1d")
    seconds = int(match.group(1)) * UNITS[match.group(2)]
    if seconds > MAX_INTERVAL_S:
        raise ValueError("an interval is at most 31d")
    return seconds


def auto_interval(range_s: float) -> int:
    for step in NICE_STEPS_S:
        if range_s / step <= AUTO_POINTS:
            return step
    return NICE_STEPS_S[-1]


def format_interval(seconds: int) -> str:
    for unit in ("d", "h", "m"):
        if seconds % UNITS[unit] == 0:
            return f"{seconds // UNITS[unit]}{unit}"
    return f"{seconds}s"
