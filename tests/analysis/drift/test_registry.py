"""Registry lookups, default method table and precedence, and stored references."""

from __future__ import annotations

import json

import numpy as np
import pytest

from workers.analysis.drift import (
    DriftConfigError,
    FeatureReference,
    FeatureType,
    Histogram,
    QuantileSketch,
    SummaryFormError,
    UnknownStatTestError,
    all_tests,
    build_reference,
    get_test,
    histogram_pair,
    methods_for,
    resolve_method,
    summary_from_dict,
)

ALL = ["centroid_cosine", "chisquare", "domain_classifier", "jensenshannon", "ks", "mmd", "psi", "wasserstein"]


def test_every_statistic_is_registered_once_with_its_contract() -> None:
    tests = all_tests()
    assert list(tests) == ALL
    for name, test in tests.items():
        described = test.describe()
        assert described["name"] == name and described["drift_when"] in ("p_below", "score_above")
        assert described["feature_types"] and test.default_threshold > 0


def test_unknown_method_lists_the_valid_ones() -> None:
    with pytest.raises(UnknownStatTestError) as error:
        get_test("kolmogorov")
    assert "valid methods: " + ", ".join(ALL) in str(error.value)


def test_unknown_summary_kind_lists_kinds() -> None:
    with pytest.raises(DriftConfigError, match="valid kinds: category_counts, centroid, histogram"):
        summary_from_dict({"kind": "tdigest"})


def test_methods_per_feature_type() -> None:
    assert methods_for(FeatureType.NUMERICAL) == ["chisquare", "jensenshannon", "ks", "psi", "wasserstein"]
    assert methods_for(FeatureType.CATEGORICAL) == ["chisquare", "jensenshannon", "psi"]
    assert methods_for(FeatureType.EMBEDDING) == ["centroid_cosine", "domain_classifier", "mmd"]
    assert methods_for(FeatureType.MULTIVARIATE) == ["domain_classifier", "mmd"]


def test_summary_form_errors_say_what_is_accepted() -> None:
    histogram = Histogram.from_bins([0, 1, 2], [5, 5])
    with pytest.raises(SummaryFormError, match="ks cannot use a 'histogram' reference; it accepts raw data or"):
        get_test("ks").summarise(histogram)
    with pytest.raises(DriftConfigError, match="ks does not apply to categorical features"):
        get_test("ks").summarise(["a", "b"], feature_type="categorical")


@pytest.mark.parametrize(
    ("feature_type", "size", "distinct", "kind", "expected"),
    [
        ("numerical", 500, 400, None, "ks"),
        ("numerical", 1000, 900, None, "ks"),
        ("numerical", 1001, 900, None, "wasserstein"),
        ("numerical", 50_000, 2, None, "chisquare"),
        ("numerical", 50_000, None, "histogram", "psi"),
        ("numerical", 200, None, "histogram", "psi"),
        ("numerical", 200, None, "quantile_sketch", "ks"),
        ("categorical", 800, 4, None, "chisquare"),
        ("categorical", 80_000, 4, None, "jensenshannon"),
        ("embedding", 10_000, None, None, "mmd"),
        ("embedding", 10_000, None, "centroid", "centroid_cosine"),
        ("multivariate", 10_000, None, None, "domain_classifier"),
    ],
)
def test_default_table(feature_type: str, size: int, distinct: int | None, kind: str | None, expected: str) -> None:
    choice = resolve_method(feature_type, size, distinct_values=distinct, summary_kind=kind)
    assert (choice.test.name, choice.source) == (expected, "automatic")


def test_precedence_feature_then_type_then_monitor_then_automatic() -> None:
    types = {"numerical": "psi"}
    assert resolve_method("numerical", 10, feature_method="wasserstein", type_methods=types).source == "feature"
    choice = resolve_method("numerical", 10, type_methods=types, monitor_method="ks")
    assert (choice.test.name, choice.source) == ("psi", "type")
    assert resolve_method("numerical", 10, monitor_method="jensenshannon").source == "monitor"
    # a monitor-wide KS cannot run on a categorical feature: that feature stays automatic
    choice = resolve_method("categorical", 10, monitor_method="ks")
    assert (choice.test.name, choice.source) == ("chisquare", "automatic")


def test_explicit_choices_that_cannot_run_raise() -> None:
    with pytest.raises(DriftConfigError, match="feature-level method: ks does not apply to categorical"):
        resolve_method("categorical", 10, feature_method="ks")
    with pytest.raises(DriftConfigError, match="type-level method: wasserstein cannot use a 'histogram'"):
        resolve_method("numerical", 10, type_methods={"numerical": "wasserstein"}, summary_kind="histogram")
    with pytest.raises(UnknownStatTestError, match="valid methods"):
        resolve_method("numerical", 10, monitor_method="nope")


def test_reference_round_trips_through_json_and_scores_the_same() -> None:
    rng = np.random.default_rng(0)
    numeric = build_reference("age", rng.normal(40, 10, size=5000), "numerical", window_size=500)
    assert (numeric.method, numeric.method_source) == ("ks", "automatic")  # window of 500 -> KS
    categorical = build_reference("country", rng.choice(["fr", "de", "us"], size=3000), "categorical")
    assert categorical.method == "jensenshannon"
    sketch = QuantileSketch.from_values(rng.normal(size=100_000), points=201)
    uploaded = build_reference("income", sketch, "numerical", feature_method="psi", threshold=0.25)
    for reference in (numeric, categorical, uploaded):
        restored = FeatureReference.from_dict(json.loads(json.dumps(reference.to_dict())))
        current = (
            rng.choice(["fr", "de", "us", "it"], size=400)
            if reference.feature_type is FeatureType.CATEGORICAL
            else rng.normal(40, 11, size=400)
        )
        assert restored.score(current) == reference.score(current)
    assert uploaded.score(rng.normal(size=100)).threshold == 0.25


def test_scoring_raw_data_instead_of_a_summary_is_explained() -> None:
    with pytest.raises(SummaryFormError, match="ks scores a summary; build one with get_test"):
        get_test("ks").score(np.arange(5.0), np.arange(5.0))  # type: ignore[arg-type]


def test_chart_histograms_for_numerical_categorical_and_vectors() -> None:
    rng = np.random.default_rng(1)
    ref = rng.normal(size=1000)
    cur = np.concatenate((np.full(30, -10.0), np.full(70, 10.0)))
    chart = histogram_pair(get_test("ks").summarise(ref), cur)
    assert chart is not None and len(chart["labels"]) == 10
    assert chart["reference"] == pytest.approx([0.1] * 10)  # decile bins of 1000 distinct values
    assert chart["current"] == pytest.approx([0.3] + [0.0] * 8 + [0.7])
    cats = histogram_pair(get_test("chisquare").summarise(["a", "a", "b"]), ["b", "c"])
    assert cats == {"labels": ["a", "b", "c"], "reference": [2 / 3, 1 / 3, 0.0], "current": [0.0, 0.5, 0.5]}
    assert histogram_pair(get_test("mmd").summarise(rng.normal(size=(10, 2))), rng.normal(size=(5, 2))) is None
