"""Rates such as `20/min` or `10/15min`: a count and the length of the window it applies to."""

from __future__ import annotations

import re
from dataclasses import dataclass

_UNITS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hour": 3600,
          "d": 86400, "day": 86400}  # fmt: skip
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([a-z]+?)s?\s*$")


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int


def parse_rate(text: str) -> Rate:
    match = _RATE.match(text.lower())
    if not match or match.group(3) not in _UNITS or int(match.group(1)) < 1:
        raise ValueError("expected N/period such as 20/min, 10/15min, 100/h or 500/day")
    multiple = int(match.group(2) or 1)
    if multiple < 1:
        raise ValueError("the period length must be at least 1")
    return Rate(int(match.group(1)), multiple * _UNITS[match.group(3)])
