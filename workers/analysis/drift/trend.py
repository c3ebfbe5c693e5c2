"""Trend of a drift score over past windows: stable, increasing or decreasing.

Theil-Sen slope (median of pairwise slopes, robust to single outlying windows) of score vs window
index; the trend is increasing when the slope is at least `min_slope` per window AND its confidence
interval excludes 0, decreasing symmetrically, otherwise stable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from scipy.stats import theilslopes


class Trend(StrEnum):
    STABLE = "stable"
    INCREASING = "increasing"
    DECREASING = "decreasing"


@dataclass(frozen=True)
class TrendResult:
    trend: Trend
    slope: float  # score units per window
    low: float
    high: float


def score_trend(
    scores: Sequence[float], min_slope: float = 0.01, min_points: int = 4, confidence: float = 0.9
) -> TrendResult:
    """Trend of `scores` (oldest first); NaN entries are skipped, too few points give stable."""
    values = np.asarray(scores, dtype=np.float64)
    index = np.arange(values.size, dtype=np.float64)
    keep = np.isfinite(values)
    if keep.sum() < min_points:
        return TrendResult(Trend.STABLE, 0.0, 0.0, 0.0)
    slope, _, low, high = theilslopes(values[keep], index[keep], alpha=confidence)
    if slope >= min_slope and low > 0:
        trend = Trend.INCREASING
    elif slope <= -min_slope and high < 0:
        trend = Trend.DECREASING
    else:
        trend = Trend.STABLE
    return TrendResult(trend, float(slope), float(low), float(high))
