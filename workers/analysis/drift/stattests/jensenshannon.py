"""Jensen-Shannon distance (base 2, so in [0, 1]) between reference and current shares.

Numerical features share the reference's quantile bins; categorical features the union of categories.
Equals scipy.spatial.distance.jensenshannon(ref_counts, cur_counts, base=2) on the same bins.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from workers.analysis.drift.binned import binned_summary, paired_counts
from workers.analysis.drift.registry import StatTest, register
from workers.analysis.drift.summaries import CategoryCounts, Histogram, QuantileSketch, SortedSample, Summary
from workers.analysis.drift.types import DriftWhen, FeatureType, Measurement


def summarise(reference: Any, feature_type: FeatureType, bins: int = 10, min_per_bin: int = 5) -> Summary:
    return binned_summary(reference, feature_type, bins, min_per_bin)


def _kl_to_mixture(p: np.ndarray, m: np.ndarray) -> float:
    mask = p > 0  # 0 * log(0 / m) = 0
    return float(np.sum(p[mask] * np.log2(p[mask] / m[mask])))


def score(summary: Histogram | CategoryCounts, current: Any) -> Measurement:
    paired = paired_counts(summary, current)
    ref, cur = paired.shares()
    mixture = (ref + cur) / 2.0
    divergence = (_kl_to_mixture(ref, mixture) + _kl_to_mixture(cur, mixture)) / 2.0
    details = {
        "n_reference": summary.count,
        "n_current": int(paired.current.sum()),
        "missing_current": paired.missing_current,
        "bins": len(paired.labels),
        "histogram": paired.chart(),
    }
    return Measurement(float(np.sqrt(max(divergence, 0.0))), None, details)


JENSEN_SHANNON = register(
    StatTest(
        name="jensenshannon",
        display_name="Jensen-Shannon distance",
        feature_types=frozenset({FeatureType.NUMERICAL, FeatureType.CATEGORICAL}),
        default_threshold=0.1,
        drift_when=DriftWhen.SCORE_ABOVE,
        summarise_fn=summarise,
        score_fn=score,
        summary_kinds=(Histogram.kind, CategoryCounts.kind),
        reference_forms=(Histogram.kind, CategoryCounts.kind, SortedSample.kind, QuantileSketch.kind),
        exactness="exact on the reference's bins or categories (raw data, histograms, category counts)",
    )
)
