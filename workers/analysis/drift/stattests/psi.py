"""Population Stability Index over reference-quantile bins (numerical) or categories (categorical).

PSI = sum (cur% - ref%) * ln(cur% / ref%), with empty shares replaced by `epsilon`. Works from raw
data, an uploaded histogram (exactly as from raw data with the same bins) or category counts; from a
quantile sketch the bins are cut at the sketch's knots nearest to the deciles.
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


def score(summary: Histogram | CategoryCounts, current: Any, epsilon: float = 1e-4) -> Measurement:
    paired = paired_counts(summary, current)
    ref, cur = paired.shares()
    ref = np.where(ref == 0, epsilon, ref)
    cur = np.where(cur == 0, epsilon, cur)
    psi = float(np.sum((cur - ref) * np.log(cur / ref)))
    details = {
        "n_reference": summary.count,
        "n_current": int(paired.current.sum()),
        "missing_current": paired.missing_current,
        "bins": len(paired.labels),
        "histogram": paired.chart(),
    }
    return Measurement(psi, None, details)


PSI = register(
    StatTest(
        name="psi",
        display_name="Population Stability Index",
        feature_types=frozenset({FeatureType.NUMERICAL, FeatureType.CATEGORICAL}),
        default_threshold=0.2,
        drift_when=DriftWhen.SCORE_ABOVE,
        summarise_fn=summarise,
        score_fn=score,
        summary_kinds=(Histogram.kind, CategoryCounts.kind),
        reference_forms=(Histogram.kind, CategoryCounts.kind, SortedSample.kind, QuantileSketch.kind),
        exactness="exact from raw data, histograms and category counts; from a quantile sketch the bin "
        "masses are the sketch's probability steps",
    )
)
