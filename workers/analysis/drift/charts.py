"""Reference vs current shares per bin for charts, whatever statistic scored the feature.

Numerical references are binned at their deciles (or an uploaded histogram's bins), categorical ones
by category; embeddings have no histogram. Pure; the API's per-feature endpoint serves the result.
"""

from __future__ import annotations

from typing import Any

from workers.analysis.drift.binned import paired_counts
from workers.analysis.drift.summaries import CategoryCounts, Histogram, QuantileSketch, SortedSample, Summary


def chart_bins(summary: Summary, bins: int = 10) -> Histogram | CategoryCounts | None:
    if isinstance(summary, Histogram | CategoryCounts):
        return summary
    if isinstance(summary, SortedSample):
        return summary.cached(f"chart_bins@{bins}", lambda: Histogram.from_quantile_bins(summary.values, bins))
    if isinstance(summary, QuantileSketch):
        return summary.cached(f"chart_bins@{bins}", lambda: Histogram.from_sketch(summary, bins))
    return None


def histogram_pair(summary: Summary, current: Any, bins: int = 10) -> dict[str, Any] | None:
    """{"labels", "reference", "current"} shares, or None for vector summaries."""
    binned = chart_bins(summary, bins)
    return None if binned is None else paired_counts(binned, current).chart()
