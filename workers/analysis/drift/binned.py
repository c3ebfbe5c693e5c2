"""Reference and current counts over the same bins or categories, shared by PSI, chi-squared and JS.

Numerical features use the reference's bins (`Histogram`); categorical features use the reference's
categories plus any category that is new in the current window (with a reference count of 0).
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np

from workers.analysis.drift.summaries import (
    CategoryCounts,
    Histogram,
    QuantileSketch,
    SortedSample,
    Summary,
    count_categories,
    numeric_values,
)
from workers.analysis.drift.types import DriftConfigError, FeatureType


@dataclass(frozen=True)
class PairedCounts:
    labels: list[Hashable]
    reference: np.ndarray
    current: np.ndarray
    missing_current: int

    def shares(self) -> tuple[np.ndarray, np.ndarray]:
        return self.reference / self.reference.sum(), self.current / self.current.sum()

    def chart(self) -> dict[str, Any]:
        """Reference vs current shares per bin, ready for a bar chart."""
        ref, cur = self.shares()
        return {"labels": [str(label) for label in self.labels], "reference": ref.tolist(), "current": cur.tolist()}


def bin_labels(cuts: np.ndarray) -> list[Hashable]:
    if cuts.size == 0:
        return ["all"]
    edges = [f"{c:.6g}" for c in cuts]
    middle = [f"[{a}, {b})" for a, b in pairwise(edges)]
    return [f"< {edges[0]}", *middle, f">= {edges[-1]}"]


def paired_counts(summary: Summary, current: Any) -> PairedCounts:
    if isinstance(summary, Histogram):
        values, missing = numeric_values(current)
        counts = summary.bin_counts(values).astype(np.float64)
        result = PairedCounts(bin_labels(summary.cuts), summary.counts, counts, missing)
    elif isinstance(summary, CategoryCounts):
        found, missing = count_categories(current)
        labels, ref, cur = summary.align(found)
        result = PairedCounts(labels, ref, cur, missing)
    else:
        raise DriftConfigError(f"binned tests need a histogram or category counts, got {summary.kind!r}")
    if result.current.sum() <= 0:
        raise DriftConfigError("the current window has no values to compare")
    return result


def binned_summary(reference: Any, feature_type: FeatureType, bins: int, min_per_bin: int = 5) -> Summary:
    """Histogram (numerical: reference-quantile bins) or category counts (categorical) of a reference.

    Bins shrink for small references so each holds about `min_per_bin` reference values.
    """
    if isinstance(reference, Histogram | CategoryCounts):
        return reference
    if isinstance(reference, QuantileSketch):
        return Histogram.from_sketch(reference, bins)
    if isinstance(reference, SortedSample):
        reference = reference.values
    if feature_type is FeatureType.CATEGORICAL:
        return CategoryCounts.from_values(reference)
    values, _ = numeric_values(reference)
    return Histogram.from_quantile_bins(values, max(1, min(bins, values.size // max(1, min_per_bin))))
