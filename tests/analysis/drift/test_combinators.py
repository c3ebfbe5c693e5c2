"""Feature, prediction and concept drift, severity and trend."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import t as student_t
from sklearn.metrics import f1_score

from workers.analysis.drift import (
    DriftConfigError,
    TestResult,
    Trend,
    build_reference,
    concept_drift_from_joint,
    concept_drift_from_labels,
    feature_drift,
    joint_drift,
    magnitude,
    overall_status,
    performance_drop,
    prediction_drift,
    prediction_reference,
    score_trend,
    severity,
)

COUNTRIES = np.array(["fr", "de", "us", "uk", "es"])
COUNTRY_P = np.array([0.3, 0.25, 0.2, 0.15, 0.1])


def window(rng: np.random.Generator, n: int, income_shift: float = 0.0, country_moved: float = 0.0) -> dict:
    p = COUNTRY_P.copy()
    p[0] -= country_moved
    p[-1] += country_moved
    return {
        "age": rng.normal(40, 12, n),
        "income": rng.lognormal(10 + income_shift * 0.5, 0.5, n),  # 0.5 sd of log-income per unit
        "tenure": rng.exponential(3.0, n),
        "score": rng.uniform(0, 1, n),
        "country": rng.choice(COUNTRIES, n, p=p),
        "plan": rng.choice(["free", "pro", "team"], n, p=[0.6, 0.3, 0.1]),
    }


TYPES = {"age": "numerical", "income": "numerical", "tenure": "numerical", "score": "numerical"}


@pytest.fixture(scope="module")
def references() -> list:
    rng = np.random.default_rng(0)
    ref = window(rng, 5000)
    return [build_reference(name, values, TYPES.get(name, "categorical")) for name, values in ref.items()]


def test_shift_in_two_inputs_marks_exactly_those_two(references: list) -> None:
    rng = np.random.default_rng(1)
    report = feature_drift(references, window(rng, 2000, income_shift=1.0, country_moved=0.1))
    assert report.drifted_features == ["income", "country"]
    assert report.share_drifted == pytest.approx(2 / 6)
    assert not report.drifted  # Evidently-style dataset drift needs half the features
    assert feature_drift(references, window(rng, 2000, 1.0, 0.1), drift_share=0.3).drifted
    calm = feature_drift(references, window(rng, 2000))
    assert calm.drifted_features == [] and calm.share_drifted == 0.0
    score = report.type_score()
    assert score.score == pytest.approx(2 / 6) and score.threshold == 0.5 and not score.is_drifted
    assert {name for name, value in score.feature_breakdown.items() if value >= 0.5} == {"income", "country"}


def test_missing_and_empty_features_are_reported_not_raised(references: list) -> None:
    rng = np.random.default_rng(2)
    current = window(rng, 500)
    del current["tenure"]
    current["age"] = np.full(10, np.nan)
    report = feature_drift(references, current)
    assert report.missing == ["tenure"]
    assert "no finite values" in report.errors["age"]
    assert set(report.results) == {"income", "score", "country", "plan"}
    assert report.to_dict()["features"]["plan"]["method"] == "jensenshannon"


def test_prediction_drift_for_classes_and_scores() -> None:
    rng = np.random.default_rng(3)
    classes = prediction_reference(rng.choice(["churn", "stay"], 3000, p=[0.2, 0.8]), "class", window_size=500)
    assert classes.method == "chisquare"
    assert not prediction_drift(classes, rng.choice(["churn", "stay"], 500, p=[0.2, 0.8])).drifted
    assert prediction_drift(classes, rng.choice(["churn", "stay"], 500, p=[0.35, 0.65])).drifted
    scores = prediction_reference(rng.beta(2, 5, 800), "score")
    assert scores.method == "ks"
    assert prediction_drift(scores, rng.beta(2.6, 5, 800)).drifted
    with pytest.raises(DriftConfigError, match="valid: class, score"):
        prediction_reference([1, 2], "probability")  # type: ignore[arg-type]


def labelled(rng: np.random.Generator, n: int, correct: int) -> tuple[np.ndarray, np.ndarray]:
    truth = rng.integers(0, 3, n)
    pred = truth.copy()
    wrong = rng.choice(n, n - correct, replace=False)
    pred[wrong] = (truth[wrong] + 1) % 3
    return truth, pred


def test_accuracy_drop_is_a_one_sided_two_proportion_z_test() -> None:
    rng = np.random.default_rng(4)
    ref_true, ref_pred = labelled(rng, 1000, 900)
    cur_true, cur_pred = labelled(rng, 200, 165)
    drop = performance_drop(ref_true, ref_pred, cur_true, cur_pred, metric="accuracy")
    pooled = (900 + 165) / 1200
    z = (0.9 - 0.825) / math.sqrt(pooled * (1 - pooled) * (1 / 1000 + 1 / 200))
    assert drop.p_value == pytest.approx(0.5 * math.erfc(z / math.sqrt(2)), rel=1e-9)
    assert (drop.reference_value, drop.current_value) == (0.9, 0.825)
    assert drop.relative_drop == pytest.approx(0.075 / 0.9)
    assert drop.drifted and drop.magnitude > 0.5
    better = performance_drop(cur_true, cur_pred, ref_true, ref_pred, metric="accuracy")
    assert not better.drifted and better.magnitude == 0.0


def test_mae_increase_is_a_welch_t_test_on_absolute_errors() -> None:
    rng = np.random.default_rng(5)
    ref_true, cur_true = rng.normal(size=400), rng.normal(size=300)
    ref_pred, cur_pred = ref_true + rng.normal(0, 1.0, 400), cur_true + rng.normal(0, 1.5, 300)
    drop = performance_drop(ref_true, ref_pred, cur_true, cur_pred, metric="mae")
    a, b = np.abs(cur_true - cur_pred), np.abs(ref_true - ref_pred)
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    t = (a.mean() - b.mean()) / math.sqrt(va + vb)
    dof = (va + vb) ** 2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1))
    assert drop.p_value == pytest.approx(student_t.sf(t, dof), rel=1e-6)
    assert drop.current_value == pytest.approx(a.mean()) and drop.drifted


def test_macro_f1_values_match_sklearn_and_bootstrap_detects_a_drop() -> None:
    rng = np.random.default_rng(6)
    ref_true, ref_pred = labelled(rng, 1500, 1300)
    cur_true, cur_pred = labelled(rng, 400, 300)
    drop = performance_drop(ref_true, ref_pred, cur_true, cur_pred, metric="f1", seed=1)
    assert drop.reference_value == pytest.approx(f1_score(ref_true, ref_pred, average="macro"), rel=1e-12)
    assert drop.current_value == pytest.approx(f1_score(cur_true, cur_pred, average="macro"), rel=1e-12)
    assert drop.p_value < 0.01 and drop.drifted
    same = performance_drop(ref_true, ref_pred, ref_true, ref_pred, metric="f1", seed=1)
    assert same.p_value > 0.3 and not same.drifted
    with pytest.raises(DriftConfigError, match="valid: accuracy, f1, mae"):
        performance_drop(ref_true, ref_pred, cur_true, cur_pred, metric="auc")


def test_joint_drift_sees_a_changed_input_output_relation_with_unchanged_marginals() -> None:
    rng = np.random.default_rng(7)
    ref_x, cur_x = rng.normal(size=(1000, 3)), rng.normal(size=(1000, 3))
    ref_y = ref_x[:, 0] + 0.3 * rng.normal(size=1000)
    flipped = -cur_x[:, 0] + 0.3 * rng.normal(size=1000)  # same marginal, opposite relation
    same = cur_x[:, 0] + 0.3 * rng.normal(size=1000)
    changed = joint_drift(ref_x, ref_y, cur_x, flipped)
    assert changed.drifted and changed.score > 0.8
    calm = joint_drift(ref_x, ref_y, cur_x, same)
    assert not calm.drifted
    concept = concept_drift_from_joint(changed)
    assert concept.method == "joint_distribution" and concept.drifted and concept.magnitude == 1.0


def test_concept_drift_from_labels_carries_the_drop() -> None:
    rng = np.random.default_rng(8)
    drop = performance_drop(*labelled(rng, 500, 450), *labelled(rng, 500, 400))
    concept = concept_drift_from_labels(drop)
    assert concept.method == "performance" and concept.drifted
    assert concept.details["relative_drop"] == pytest.approx(0.1 / 0.9)


def result(method: str, score: float, p: float | None, threshold: float) -> TestResult:
    return TestResult(method, score, p, False, threshold)


def test_magnitude_is_half_at_the_threshold() -> None:
    assert magnitude(result("ks", 0.1, 0.05, 0.05)) == pytest.approx(0.5)
    assert magnitude(result("ks", 0.1, 0.0025, 0.05)) == pytest.approx(1.0)
    assert magnitude(result("ks", 0.0, 1.0, 0.05)) == 0.0
    assert magnitude(result("psi", 0.1, None, 0.2)) == pytest.approx(0.25)
    assert magnitude(result("domain_classifier", 0.55, None, 0.55)) == pytest.approx(0.5)
    assert magnitude(result("domain_classifier", 0.45, None, 0.55)) == 0.0


def test_severity_formula() -> None:
    assert severity({}) == 0.0
    assert severity({"feature": 0.5}) == pytest.approx(0.3)
    assert severity({"feature": 0.5, "prediction": 0.5}) == pytest.approx(1 - 0.7 * 0.6)
    assert severity({"concept": 1.0, "feature": 0.2}) == 1.0
    assert severity({"feature": 0.2}) <= severity({"feature": 0.2, "embedding": 0.1})
    assert overall_status({"feature": False}, 0.1) == "healthy"
    assert overall_status({"feature": False}, 0.3) == "warning"
    assert overall_status({"feature": False, "concept": True}, 0.1) == "drifted"


def test_trend() -> None:
    rng = np.random.default_rng(9)
    steps = np.arange(12)
    assert score_trend(0.1 + 0.03 * steps + rng.normal(0, 0.01, 12)).trend is Trend.INCREASING
    assert score_trend(0.6 - 0.03 * steps + rng.normal(0, 0.01, 12)).trend is Trend.DECREASING
    spiky = 0.2 + rng.normal(0, 0.01, 12)
    spiky[7] = 0.9  # one bad window is not a trend
    assert score_trend(spiky).trend is Trend.STABLE
    assert score_trend([0.1, 0.5, 0.9]).trend is Trend.STABLE  # too few points
    assert score_trend([0.1, float("nan"), 0.2, 0.3, 0.4, 0.5]).trend is Trend.INCREASING
