"""Durations written as `30s`, `5m`, `1h`, `1d`, `1w` (one unit, as Alertmanager and Prometheus users
write them)."""

from __future__ import annotations

import re

_DURATION = re.compile(r"\s*(\d+)\s*(s|m|h|d|w)\s*\Z")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


class DurationError(ValueError):
    pass


def parse_duration(text: str | int | float, *, name: str = "duration", minimum: float = 1.0,
                   maximum: float = 90 * 86400) -> float:
    """Seconds of `text` (numbers are seconds already); out of [minimum, maximum] is an error."""
    if isinstance(text, bool):
        raise DurationError(f"{name} must be a duration like '5m', not {text!r}")
    if isinstance(text, int | float):
        seconds = float(text)
    else:
        found = _DURATION.match(str(text))
        if found is None:
            raise DurationError(
                f"{name} {text!r} is not a duration: write a number and one of s, m, h, d, w (e.g. '5m')"
            )
        seconds = float(int(found.group(1)) * _SECONDS[found.group(2)])
    if not minimum <= seconds <= maximum:
        raise DurationError(f"{name} must be between {format_duration(minimum)} and {format_duration(maximum)}")
    return seconds


def format_duration(seconds: float) -> str:
    for unit in ("w", "d", "h", "m"):
        if seconds >= _SECONDS[unit] and seconds % _SECONDS[unit] == 0:
            return f"{int(seconds // _SECONDS[unit])}{unit}"
    return f"{seconds:g}s"
