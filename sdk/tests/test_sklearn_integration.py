"""The scikit-learn wrapper: spans per call and per row with the inputs and outputs of real estimators,
read back through the OTel SDK's in-memory exporter; expected outputs come from the bare model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from opentelemetry.trace import StatusCode, format_span_id
from sklearn.linear_model import LinearRegression, LogisticRegression

import pyflare
from pyflare.integrations.sklearn import instrument


@pytest.fixture
def data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    X = rng.normal(size=(200, 3))
    y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int)
    return X, y


def features_of(span) -> dict:
    prefix = "pyflare.features."
    return {k[len(prefix) :]: v for k, v in span.attributes.items() if k.startswith(prefix)}


def test_one_row_is_one_span_with_its_features_and_prediction(captured, data):
    X, y = data
    frame = pd.DataFrame(X, columns=["age", "income", "tenure"])
    bare = LogisticRegression().fit(frame, y)
    model = instrument(bare, model_id="churn", model_version="3")
    result = model.predict(frame.iloc[[4]])
    assert result.tolist() == bare.predict(frame.iloc[[4]]).tolist()
    span = captured.span("sklearn.predict")
    assert features_of(span) == pytest.approx(dict(zip(frame.columns, X[4].tolist(), strict=True)))
    assert span.attributes["pyflare.prediction"] == int(result[0])
    assert span.attributes["pyflare.model.id"] == "churn"
    assert span.attributes["pyflare.model.version"] == "3"
    assert span.attributes["pyflare.inference.type"] == "classification"
    assert span.attributes["pyflare.batch.rows"] == 1
    assert [(r.row, r.span_id) for r in model.last_spans] == [(0, format_span_id(span.context.span_id))]


def test_a_batch_gets_one_child_span_per_row(captured, data):
    X, y = data
    bare = LogisticRegression().fit(X, y)
    model = instrument(bare, model_id="churn", feature_names=["a", "b", "c"])
    batch = X[10:15]
    expected = bare.predict(batch).tolist()
    assert model.predict(batch).tolist() == expected
    call = captured.span("sklearn.predict")
    rows = sorted((s for s in captured.spans if s.name == "sklearn.predict.row"),
                  key=lambda s: s.attributes["pyflare.batch.row"])  # fmt: skip
    assert len(rows) == 5
    assert all(r.parent.span_id == call.context.span_id for r in rows)
    assert "pyflare.prediction" not in call.attributes and not features_of(call)
    for i, row in enumerate(rows):
        assert features_of(row) == pytest.approx(dict(zip("abc", batch[i].tolist(), strict=True)))
        assert row.attributes["pyflare.prediction"] == expected[i]
        assert row.attributes["pyflare.model.id"] == "churn"
    ids = {format_span_id(r.context.span_id): r.attributes["pyflare.batch.row"] for r in rows}
    assert {r.span_id: r.row for r in model.last_spans} == ids


def test_predict_proba_records_class_and_positive_probability(captured, data):
    X, y = data
    bare = LogisticRegression().fit(X, y)
    model = instrument(bare, model_id="churn")
    proba = model.predict_proba(X[:3])
    np.testing.assert_allclose(proba, bare.predict_proba(X[:3]))
    rows = sorted((s for s in captured.spans if s.name == "sklearn.predict_proba.row"),
                  key=lambda s: s.attributes["pyflare.batch.row"])  # fmt: skip
    for i, row in enumerate(rows):
        assert row.attributes["pyflare.prediction"] == int(bare.classes_[np.argmax(proba[i])])
        assert row.attributes["pyflare.prediction.score"] == pytest.approx(proba[i, 1])


def test_multiclass_score_is_the_predicted_class_probability(captured):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(300, 2))
    y = np.digitize(X[:, 0], [-0.5, 0.5])  # classes 0, 1, 2
    bare = LogisticRegression().fit(X, y)
    model = instrument(bare, model_id="tiers")
    proba = model.predict_proba(X[:1])
    span = captured.span("sklearn.predict_proba")
    assert span.attributes["pyflare.prediction"] == int(np.argmax(proba[0]))
    assert span.attributes["pyflare.prediction.score"] == pytest.approx(proba[0].max())


def test_large_batches_record_a_seeded_sample_of_rows(captured, data):
    X, y = data
    bare = LogisticRegression().fit(X, y)
    model = instrument(bare, model_id="churn", max_row_spans=20, seed=11)
    expected = bare.predict(X)
    model.predict(X)
    call = captured.span("sklearn.predict")
    assert call.attributes["pyflare.batch.rows"] == 200
    assert call.attributes["pyflare.batch.rows_recorded"] == 20
    rows = [s for s in captured.spans if s.name == "sklearn.predict.row"]
    positions = sorted(r.attributes["pyflare.batch.row"] for r in rows)
    assert len(set(positions)) == 20 and positions != list(range(20))  # a sample, not the first rows
    for row in rows:
        i = row.attributes["pyflare.batch.row"]
        assert features_of(row) == pytest.approx({"x0": X[i, 0], "x1": X[i, 1], "x2": X[i, 2]})
        assert row.attributes["pyflare.prediction"] == int(expected[i])
    again = instrument(bare, model_id="churn", max_row_spans=20, seed=11)
    again.predict(X)
    assert sorted(r.row for r in again.last_spans) == positions  # same seed, same sample


def test_regression_values_and_missing_features(captured):
    X = np.array([[1.0, 2.0], [2.0, np.nan], [3.0, 1.0]])
    bare = LinearRegression().fit(np.nan_to_num(X), [1.0, 2.0, 3.0])
    model = instrument(bare, model_id="price", feature_names=["rooms", "floor"])
    model.predict(np.nan_to_num(X[:1]))
    span = captured.span("sklearn.predict")
    assert span.attributes["pyflare.inference.type"] == "regression"
    assert span.attributes["pyflare.prediction"] == pytest.approx(
        float(bare.predict(np.nan_to_num(X[:1]))[0])
    )
    frame = pd.DataFrame(X, columns=["rooms", "floor"])

    class Echo:  # an estimator that accepts NaN: the row's missing value is simply not recorded
        def predict(self, rows):
            return np.asarray(rows)[:, 0]

    instrument(Echo(), model_id="echo").predict(frame.iloc[[1]])
    echo = next(s for s in captured.spans if s.attributes.get("pyflare.model.id") == "echo")
    assert features_of(echo) == {"rooms": 2.0}


def test_failures_are_recorded_and_raised(captured, data):
    X, y = data
    model = instrument(LogisticRegression().fit(X, y), model_id="churn")
    with pytest.raises(ValueError):
        model.predict(np.ones((2, 7)))  # wrong number of features
    span = captured.span("sklearn.predict")
    assert span.status.status_code is StatusCode.ERROR
    assert span.attributes["error.type"] == "ValueError"


def test_the_wrapper_behaves_like_the_model_and_costs_nothing_when_off(data):
    X, y = data
    pyflare.init(enabled=False)
    bare = LogisticRegression().fit(X, y)
    model = instrument(bare, model_id="churn")
    assert model.predict(X[:4]).tolist() == bare.predict(X[:4]).tolist()
    assert model.classes_.tolist() == [0, 1]
    assert model.score(X, y) == bare.score(X, y)
    assert model.last_spans == []


def test_feature_names_must_match_the_input(captured, data):
    X, y = data
    model = instrument(LogisticRegression().fit(X, y), model_id="m", feature_names=["a", "b"])
    with pytest.raises(ValueError, match="feature_names has 2 names but the input has 3 columns"):
        model.predict(X[:2])
