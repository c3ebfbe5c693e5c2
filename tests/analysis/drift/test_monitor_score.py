"""`score_window`, the monitor's one pure scoring step: given a reference, a window's rows and past
severities it yields the rows of `drift_results` and the model's verdict, with no I/O.

Expected statistics come from scipy (KS); the verdict from the documented rule (a drift type is
flagged when the dataset-drift share is reached)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import ks_2samp

from workers.analysis.drift import DriftType, FeatureType, SortedSample
from workers.analysis.drift.monitor import MonitorConfig, ReferenceSet, WindowRows, WindowSpec, score_window
from workers.analysis.drift.monitor.reference_set import FeatureBase
from workers.analysis.drift.monitor.score import read_columns

SPEC = WindowSpec("checkout", "churn", 0, 3_600_000_000_000)


def _world(shift: float) -> tuple[ReferenceSet, WindowRows, dict[str, np.ndarray], dict[str, np.ndarray]]:
    rng = np.random.default_rng(11)
    ref = {"age": rng.normal(40, 10, 800), "income": rng.normal(50, 5, 800)}
    cur = {"age": rng.normal(40 + shift, 10, 400), "income": rng.normal(50, 5, 400)}
    reference = ReferenceSet(
        {n: FeatureBase(FeatureType.NUMERICAL, SortedSample.from_values(v)) for n, v in ref.items()}, row_count=800
    )
    rows = WindowRows(SPEC, 400, numeric=cur, prediction=[None] * 400, prediction_score=np.full(400, np.nan))
    return reference, rows, ref, cur


CONFIG = MonitorConfig(method="ks", drift_share=0.5)


def test_a_shifted_feature_is_scored_like_scipy_and_drifts_the_model() -> None:
    reference, rows, ref, cur = _world(shift=8.0)
    run = score_window(CONFIG, reference, "ref-1", rows, None, "the reference has no embeddings", {})
    by_feature = {row.feature: row for row in run.rows if row.drift_type == DriftType.FEATURE and row.feature}
    for name in ("age", "income"):
        expected = ks_2samp(ref[name], cur[name])
        assert by_feature[name].score == pytest.approx(expected.statistic, rel=1e-12)
        assert by_feature[name].drifted == (expected.pvalue < 0.05)
    assert by_feature["age"].drifted and not by_feature["income"].drifted
    # one of two features drifted reaches the share 0.5: feature drift, so the model is drifted
    assert run.status == "drifted"
    assert run.drifted_types == ["feature"]
    assert run.drifted_features == ["age"]
    assert [row.drift_type for row in run.rows] == ["feature", "feature", "feature", "overall"]
    assert run.skipped == {
        "prediction": "the reference has no predictions",
        "concept": "the reference has neither labels nor a joint sample",
        "embedding": "the reference has no embeddings",
    }
    assert run.n_rows == 400


def test_an_unchanged_window_is_healthy() -> None:
    reference, rows, ref, cur = _world(shift=0.0)
    run = score_window(CONFIG, reference, "ref-2", rows, None, "no vector store configured", {})
    assert all(ks_2samp(ref[n], cur[n]).pvalue >= 0.05 for n in ref)  # the premise, independently
    assert run.status == "healthy"
    assert run.drifted_types == [] and run.drifted_features == []


def test_past_severities_set_the_trend() -> None:
    reference, rows, _, _ = _world(shift=8.0)
    rising = score_window(CONFIG, reference, "ref-3", rows, None, "-", {"feature": [0.0, 0.05, 0.1, 0.15]})
    flat = score_window(CONFIG, reference, "ref-3", rows, None, "-", {})
    feature_row = next(r for r in rising.rows if r.drift_type == "feature" and not r.feature)
    assert feature_row.details["trend"] == "increasing"
    assert next(r for r in flat.rows if r.drift_type == "feature" and not r.feature).details["trend"] == "stable"


def test_a_window_with_too_few_values_scores_nothing() -> None:
    reference, rows, _, _ = _world(shift=0.0)
    tiny = WindowRows(SPEC, 5, numeric={n: v[:5] for n, v in rows.numeric.items()},
                      prediction=[None] * 5, prediction_score=np.full(5, np.nan))  # fmt: skip
    run = score_window(CONFIG, reference, "ref-4", tiny, None, "-", {})
    assert run.rows == [] and run.status is None
    assert run.skipped["feature"] == "fewer than 30 values for every feature in the window"


def test_the_window_reads_the_monitors_features_typed_by_the_reference() -> None:
    reference, _, _, _ = _world(shift=0.0)
    assert read_columns(MonitorConfig(features=("income", "unknown")), reference) == [("income", "numerical")]
    assert read_columns(MonitorConfig(), reference) == [("age", "numerical"), ("income", "numerical")]
