"""A model's status and severity: any drifted feature or type is at least a warning, severity follows the
strongest drift, the dataset-drift share alone decides `drifted` for features.

Expected severities are worked out by hand from the formula in verdict.py (weights: concept 1.0,
prediction 0.8, feature 0.6, embedding 0.6).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import ks_2samp

from workers.analysis.drift import (
    DriftTypeScore,
    Signal,
    build_reference,
    feature_drift,
    magnitude,
    model_verdict,
    type_level,
)

NAMES = ["a", "b", "c", "d", "e", "f"]


def features(drifted: dict[str, float], calm: float = 0.1) -> list[Signal]:
    """Six feature signals: the named ones drifted with the given magnitude, the rest calm."""
    return [Signal("feature", n, drifted.get(n, calm), n in drifted) for n in NAMES]


def feature_type(n_drifted: int, drift_share: float = 0.5) -> DriftTypeScore:
    share = n_drifted / len(NAMES)
    return DriftTypeScore(share, drift_share, share >= drift_share)


def test_two_of_six_features_far_past_their_threshold_is_a_warning_not_healthy() -> None:
    # the reported case: share 1/3 < 0.5, both at p < 1e-20 (magnitude 1)
    verdict = model_verdict({"feature": feature_type(2)}, features({"b": 1.0, "e": 1.0}))
    assert verdict.status == "warning"
    assert verdict.combined == pytest.approx(0.6 * (2 / 6))  # 0.2: what the model reported before
    assert verdict.severity == pytest.approx(0.6)  # the strongest drift: 0.6 x 1.0
    assert verdict.strongest is not None and verdict.strongest.feature in {"b", "e"}


def test_the_reported_case_from_real_ks_results() -> None:
    rng = np.random.default_rng(16)  # the four calm features stay well above p = 0.05
    reference = {n: rng.normal(0, 1, 2000) for n in NAMES}
    current = {n: rng.normal(0, 1, 1500) for n in NAMES}
    current["b"] = rng.normal(1.0, 1, 1500)
    current["e"] = rng.normal(-0.8, 1, 1500)
    refs = [build_reference(n, v, "numerical", feature_method="ks") for n, v in reference.items()]
    report = feature_drift(refs, current)
    assert sorted(report.drifted_features) == ["b", "e"] and not report.drifted
    for name in ("b", "e"):
        assert ks_2samp(reference[name], current[name]).pvalue < 1e-20  # independent check of the setup
        assert magnitude(report.results[name]) == 1.0
    signals = [Signal("feature", n, magnitude(r), r.drifted) for n, r in report.results.items()]
    verdict = model_verdict({"feature": report.type_score()}, signals)
    assert (verdict.status, verdict.severity) == ("warning", pytest.approx(0.6))


def test_one_feature_just_past_its_threshold_is_a_warning() -> None:
    verdict = model_verdict({"feature": feature_type(1)}, features({"c": 0.5}))
    assert verdict.status == "warning"
    assert verdict.severity == pytest.approx(0.3)  # 0.6 x 0.5, above the combined 0.6 x 1/6


def test_no_drifted_signal_keeps_the_combined_severity() -> None:
    verdict = model_verdict({"feature": feature_type(0)}, features({}, calm=0.45))
    assert verdict.status == "healthy" and verdict.strongest is None
    assert verdict.severity == 0.0 == verdict.combined
    # several types near (not past) their thresholds: warning from the combined severity alone
    near = {"feature": feature_type(0), "prediction": DriftTypeScore(0.4, 0.5, False)}
    verdict = model_verdict(near, features({}, calm=0.45))
    assert verdict.severity == pytest.approx(0.8 * 0.4) and verdict.status == "warning"
    calm = {"prediction": DriftTypeScore(0.3, 0.5, False)}
    assert model_verdict(calm).status == "healthy" and model_verdict(calm).severity == pytest.approx(0.24)


@pytest.mark.parametrize(
    ("n_drifted", "drift_share", "status", "combined"),
    [
        (2, 0.5, "warning", 0.6 * 2 / 6),
        (3, 0.5, "drifted", 0.6 * 0.5),  # the share reaches drift_share: drifted
        (6, 0.5, "drifted", 0.6),
        (1, 0.3, "warning", 0.6 * 0.5 * (1 / 6) / 0.3),  # below the share: 0.5 x share / drift_share
        (2, 0.3, "drifted", 0.6 * (0.5 + 0.5 * (2 / 6 - 0.3) / 0.7)),  # above it: towards 1 at share 1
    ],
)
def test_the_dataset_drift_share_decides_drifted(
    n_drifted: int, drift_share: float, status: str, combined: float
) -> None:
    drifted = dict.fromkeys(NAMES[:n_drifted], 0.7)
    verdict = model_verdict({"feature": feature_type(n_drifted, drift_share)}, features(drifted))
    assert verdict.status == status
    assert verdict.combined == pytest.approx(combined)
    assert verdict.severity == pytest.approx(max(combined, 0.6 * 0.7))


def test_a_drifted_type_counts_at_least_at_its_threshold() -> None:
    # concept drift can be significant with a tiny drop (magnitude 0.1): still drifted, severity >= 1.0 x 0.5
    verdict = model_verdict({"concept": DriftTypeScore(0.1, 0.5, True), "feature": feature_type(0)}, features({}))
    assert verdict.status == "drifted" and verdict.severity == pytest.approx(0.5)
    prediction = model_verdict({"prediction": DriftTypeScore(0.9, 0.5, True)})
    assert prediction.status == "drifted" and prediction.severity == pytest.approx(0.8 * 0.9)
    both = model_verdict({"prediction": DriftTypeScore(0.9, 0.5, True)}, features({"a": 1.0}))
    assert both.severity == pytest.approx(1 - (1 - 0.8 * 0.9))  # strongest 0.72 > feature 0.6
    assert both.strongest == Signal("prediction", "", 0.9, True)


def test_severity_grows_with_the_strongest_drift() -> None:
    levels = [model_verdict({"feature": feature_type(1)}, features({"a": m})).severity for m in (0.5, 0.7, 0.9, 1.0)]
    assert levels == sorted(levels) and levels[0] < levels[-1]
    assert model_verdict({}).status == "healthy" and model_verdict({}).severity == 0.0


def test_type_level_maps_the_threshold_to_one_half() -> None:
    assert type_level(DriftTypeScore(0.3, 0.3, True)) == pytest.approx(0.5)
    assert type_level(DriftTypeScore(0.15, 0.3, False)) == pytest.approx(0.25)
    assert type_level(DriftTypeScore(1.0, 0.3, True)) == pytest.approx(1.0)
    assert type_level(DriftTypeScore(0.7, 0.5, True)) == pytest.approx(0.7)  # 0.5 thresholds: unchanged
    assert type_level(DriftTypeScore(1.0, 1.0, True)) == 1.0
    assert type_level(DriftTypeScore(0.5, 1.0, False)) == pytest.approx(0.25)
