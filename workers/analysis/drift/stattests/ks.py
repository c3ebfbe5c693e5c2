"""Two-sample Kolmogorov-Smirnov test for numerical features.

Reference: sorted values (exact D, O(m log n) per window) or a quantile sketch (D within the sketch's
largest probability step of the exact value; the p-value uses the sketch's sample count).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from workers.analysis.drift.kolmogorov import ks_pvalue, ks_statistic
from workers.analysis.drift.registry import StatTest, register
from workers.analysis.drift.summaries import QuantileSketch, SortedSample, Summary, numeric_values
from workers.analysis.drift.types import DriftConfigError, DriftWhen, FeatureType, Measurement


def summarise(reference: Any, feature_type: FeatureType) -> Summary:
    if isinstance(reference, SortedSample | QuantileSketch):
        return reference
    return SortedSample.from_values(reference)


def score(summary: SortedSample | QuantileSketch, current: Any, method: str = "auto") -> Measurement:
    values, missing = numeric_values(current)
    if values.size == 0:
        raise DriftConfigError("the current window has no finite values to compare")
    d = ks_statistic(summary.cdf_limits, values)
    p, d_used, used = ks_pvalue(d, summary.count, int(values.size), method)
    details: dict[str, Any] = {
        "n_reference": summary.count,
        "n_current": int(values.size),
        "missing_current": missing,
        "p_value_method": used,
    }
    if isinstance(summary, QuantileSketch):
        details["statistic_error_bound"] = summary.resolution
    return Measurement(float(np.float64(d_used)), p, details)


KS = register(
    StatTest(
        name="ks",
        display_name="Kolmogorov-Smirnov",
        feature_types=frozenset({FeatureType.NUMERICAL}),
        default_threshold=0.05,
        drift_when=DriftWhen.P_BELOW,
        summarise_fn=summarise,
        score_fn=score,
        summary_kinds=(SortedSample.kind, QuantileSketch.kind),
        reference_forms=(SortedSample.kind, QuantileSketch.kind),
        exactness="exact D and p (as scipy ks_2samp auto) from sorted values; from a quantile sketch D is "
        "within the largest probability step of the sketch",
    )
)
