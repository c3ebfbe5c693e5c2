"""Chi-squared test of homogeneity between reference and current category (or bin) counts.

Categories whose smaller expected count, min(n_ref, n_cur) * share, is below `min_expected` are
pooled into one "other" column (merged with the smallest column while it stays too small). The result
equals scipy.stats.chi2_contingency(2 x k pooled table, correction=False): reference sampling noise is
part of the test, so small references keep their nominal false-positive rate.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.stats import chi2

from workers.analysis.drift.binned import binned_summary, paired_counts
from workers.analysis.drift.registry import StatTest, register
from workers.analysis.drift.summaries import (
    CategoryCounts,
    Histogram,
    QuantileSketch,
    SortedSample,
    Summary,
    numeric_values,
)
from workers.analysis.drift.types import DriftWhen, FeatureType, Measurement

OTHER = "other"


def summarise(reference: Any, feature_type: FeatureType, bins: int = 10, max_categories: int = 20) -> Summary:
    """Numerical features with at most `max_categories` distinct values keep them as categories;
    other numerical features are cut into `bins` reference-quantile bins."""
    if isinstance(reference, SortedSample):
        reference = reference.values
    if feature_type is FeatureType.NUMERICAL and not isinstance(reference, Summary):
        values, _ = numeric_values(reference)
        if np.unique(values).size <= max_categories:
            return CategoryCounts.from_values(values)
    return binned_summary(reference, feature_type, bins)


@dataclass(frozen=True)
class PooledTable:
    columns: list[Hashable]  # kept categories, then OTHER when something was pooled
    reference: np.ndarray
    current: np.ndarray
    pooled: list[Hashable]  # categories merged into OTHER


def pool_rare(labels: list[Hashable], ref: np.ndarray, cur: np.ndarray, min_expected: float) -> PooledTable:
    """Pool columns whose smallest expected cell count is below `min_expected` into OTHER."""
    smaller_side, total = min(ref.sum(), cur.sum()), ref.sum() + cur.sum()
    rare = smaller_side * (ref + cur) / total < min_expected
    if not rare.any():
        return PooledTable(list(labels), ref, cur, [])
    keep = ~rare
    columns = [label for label, k in zip(labels, keep, strict=True) if k]
    out_ref, out_cur = ref[keep], cur[keep]
    other_ref, other_cur = float(ref[rare].sum()), float(cur[rare].sum())
    pooled = [label for label, r in zip(labels, rare, strict=True) if r]
    # an OTHER column that is still too small absorbs the smallest kept column, repeatedly
    while out_ref.size and smaller_side * (other_ref + other_cur) / total < min_expected:
        smallest = int(np.argmin(out_ref + out_cur))
        other_ref += out_ref[smallest]
        other_cur += out_cur[smallest]
        pooled.append(columns.pop(smallest))
        out_ref, out_cur = np.delete(out_ref, smallest), np.delete(out_cur, smallest)
    return PooledTable([*columns, OTHER], np.append(out_ref, other_ref), np.append(out_cur, other_cur), pooled)


def score(summary: CategoryCounts | Histogram, current: Any, min_expected: float = 5.0) -> Measurement:
    paired = paired_counts(summary, current)
    table = pool_rare(paired.labels, paired.reference, paired.current, min_expected)
    details: dict[str, Any] = {
        "n_reference": summary.count,
        "n_current": int(paired.current.sum()),
        "missing_current": paired.missing_current,
        "columns": table.columns,
        "pooled": table.pooled,
        "histogram": paired.chart(),
    }
    if len(table.columns) < 2:
        details["dof"] = 0
        return Measurement(0.0, 1.0, details)
    observed = np.vstack((table.reference, table.current))
    expected = observed.sum(axis=1, keepdims=True) * observed.sum(axis=0, keepdims=True) / observed.sum()
    stat = float(np.sum((observed - expected) ** 2 / expected))
    dof = len(table.columns) - 1
    details["dof"] = dof
    return Measurement(stat, float(chi2.sf(stat, dof)), details)


CHI_SQUARE = register(
    StatTest(
        name="chisquare",
        display_name="Chi-squared (rare categories pooled)",
        feature_types=frozenset({FeatureType.CATEGORICAL, FeatureType.NUMERICAL}),
        default_threshold=0.05,
        drift_when=DriftWhen.P_BELOW,
        summarise_fn=summarise,
        score_fn=score,
        summary_kinds=(CategoryCounts.kind, Histogram.kind),
        reference_forms=(CategoryCounts.kind, Histogram.kind, SortedSample.kind, QuantileSketch.kind),
        exactness="exact from raw data, category counts or histograms (equals chi2_contingency on the "
        "pooled 2 x k table, correction=False)",
    )
)
