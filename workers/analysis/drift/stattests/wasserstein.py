"""Normed Wasserstein distance: W1(reference, current) / std(reference) (population std).

W1 = integral |F - G| dx is computed in O(m log n) against the sorted reference: between two current
points G is a constant g, and |F - g| integrates in closed form from prefix sums of the reference,
split where F crosses g. From a quantile sketch the reference is its interpolated quantile function.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from workers.analysis.drift.registry import StatTest, register
from workers.analysis.drift.summaries import QuantileSketch, SortedSample, Summary, numeric_values
from workers.analysis.drift.types import DriftConfigError, DriftWhen, FeatureType, Measurement


def summarise(reference: Any, feature_type: FeatureType) -> Summary:
    if isinstance(reference, SortedSample | QuantileSketch):
        return reference
    return SortedSample.from_values(reference)


def wasserstein_1(reference: SortedSample, current: np.ndarray) -> float:
    ref = reference.values
    n = ref.size
    shift = float(ref[n // 2])  # centre values so prefix sums stay small (W1 is shift-invariant)
    sums = _centred_prefix_sums(reference, shift)

    def area_below(t: np.ndarray) -> np.ndarray:
        # integral of F from -inf to t: (1/n) * sum over r <= t of (t - r)
        k = np.searchsorted(ref, t, side="right")
        return (k * (t - shift) - sums[k]) / n

    values, counts = np.unique(current, return_counts=True)
    m = current.size
    cum = np.cumsum(counts)
    total = float(area_below(values[:1])[0])  # G = 0 before the first current value
    # G = 1 after the last current value: integral of (1 - F) = (1/n) * sum over r > last of (r - last)
    k_last = np.searchsorted(ref, values[-1], side="right")
    total += float(((sums[n] - sums[k_last]) - (n - k_last) * (values[-1] - shift)) / n)
    if values.size > 1:
        a, b, level = values[:-1], values[1:], cum[:-1] / m
        # F crosses the level g = c/m at the k-th smallest reference value, k = ceil(c * n / m)
        k = (cum[:-1] * n + m - 1) // m
        t = np.clip(ref[np.minimum(k, n) - 1], a, b)
        phi_a, phi_t, phi_b = area_below(a), area_below(t), area_below(b)
        below = level * (t - a) - (phi_t - phi_a)
        above = (phi_b - phi_t) - level * (b - t)
        total += float(np.sum(below) + np.sum(above))
    return total


def _centred_prefix_sums(reference: SortedSample, shift: float) -> np.ndarray:
    return reference.cached(
        f"prefix_sums@{shift!r}", lambda: np.concatenate(([0.0], np.cumsum(reference.values - shift)))
    )


def score(summary: SortedSample | QuantileSketch, current: Any, sketch_points: int = 100_000) -> Measurement:
    values, missing = numeric_values(current)
    if values.size == 0:
        raise DriftConfigError("the current window has no finite values to compare")
    sample = summary.pseudo_sample(sketch_points) if isinstance(summary, QuantileSketch) else summary
    distance = wasserstein_1(sample, values)
    std = sample.std
    # a constant reference makes any movement an infinite relative drift
    normed = distance / std if std > 0 else (0.0 if distance == 0 else float("inf"))
    details = {
        "n_reference": summary.count,
        "n_current": int(values.size),
        "missing_current": missing,
        "wasserstein": distance,
        "reference_std": std,
        "approximate": isinstance(summary, QuantileSketch),
    }
    return Measurement(normed, None, details)


WASSERSTEIN = register(
    StatTest(
        name="wasserstein",
        display_name="Wasserstein distance (normed)",
        feature_types=frozenset({FeatureType.NUMERICAL}),
        default_threshold=0.1,
        drift_when=DriftWhen.SCORE_ABOVE,
        summarise_fn=summarise,
        score_fn=score,
        summary_kinds=(SortedSample.kind, QuantileSketch.kind),
        reference_forms=(SortedSample.kind, QuantileSketch.kind),
        exactness="exact from sorted values; from a quantile sketch the reference quantile function is "
        "interpolated between knots",
    )
)
