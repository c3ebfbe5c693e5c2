"""XGBoost and LightGBM wrappers with the real libraries: one span per call and one per row carrying the
row's features and the model's own prediction, as the scikit-learn wrapper does; and library-wide
tracing through `pyflare.instrument`."""

from __future__ import annotations

import lightgbm
import numpy as np
import pandas as pd
import pytest
import xgboost

import pyflare
from pyflare.integrations import lightgbm as pf_lightgbm
from pyflare.integrations import xgboost as pf_xgboost


@pytest.fixture(scope="module")
def data() -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(3)
    X = pd.DataFrame(rng.normal(size=(300, 3)), columns=["age", "income", "tenure"])
    y = (X["age"] + 0.5 * X["income"] > 0).astype(int).to_numpy()
    return X, y


@pytest.fixture(scope="module")
def xgb_model(data):
    X, y = data
    return xgboost.XGBClassifier(n_estimators=10, max_depth=2).fit(X, y)


@pytest.fixture(scope="module")
def lgbm_model(data):
    X, y = data
    return lightgbm.LGBMClassifier(n_estimators=10, num_leaves=4, verbose=-1).fit(X, y)


WRAPPERS = pytest.mark.parametrize(
    ("module", "model_fixture", "prefix"),
    [(pf_xgboost, "xgb_model", "xgboost"), (pf_lightgbm, "lgbm_model", "lightgbm")],
)


def features_of(span) -> dict:
    prefix = "pyflare.features."
    return {k[len(prefix) :]: v for k, v in span.attributes.items() if k.startswith(prefix)}


def rows_of(captured, name: str) -> list:
    rows = [s for s in captured.spans if s.name == name]
    return sorted(rows, key=lambda s: s.attributes["pyflare.batch.row"])


@WRAPPERS
def test_batch_rows_carry_features_class_and_probability(
    captured, data, request, module, model_fixture, prefix
):
    X, _ = data
    bare = request.getfixturevalue(model_fixture)
    model = module.instrument(bare, model_id="churn", model_version="7")
    batch = X.iloc[20:26]
    proba = model.predict_proba(batch)
    expected = bare.predict_proba(batch)
    np.testing.assert_allclose(proba, expected)
    call = captured.span(f"{prefix}.predict_proba")
    assert call.attributes["pyflare.model.provider"] == prefix
    assert call.attributes["pyflare.model.version"] == "7"
    assert call.attributes["pyflare.inference.type"] == "classification"
    assert call.attributes["pyflare.batch.rows"] == 6
    rows = rows_of(captured, f"{prefix}.predict_proba.row")
    assert len(rows) == 6
    for i, row in enumerate(rows):
        assert features_of(row) == pytest.approx(batch.iloc[i].to_dict())
        assert row.attributes["pyflare.prediction"] == int(bare.classes_[np.argmax(expected[i])])
        assert row.attributes["pyflare.prediction.score"] == pytest.approx(float(expected[i, 1]), rel=1e-6)
        assert row.parent.span_id == call.context.span_id


@WRAPPERS
def test_numpy_input_takes_the_names_the_model_was_fitted_with(
    captured, data, request, module, model_fixture, prefix
):
    X, _ = data
    bare = request.getfixturevalue(model_fixture)
    model = module.instrument(bare, model_id="churn")
    row = X.to_numpy()[[4]]
    if prefix == "xgboost":
        row = pd.DataFrame(row, columns=X.columns)  # XGBoost refuses unnamed input for a named model
    result = model.predict(row)
    span = captured.span(f"{prefix}.predict")
    assert features_of(span) == pytest.approx(dict(zip(X.columns, X.iloc[4].tolist(), strict=True)))
    assert span.attributes["pyflare.prediction"] == int(result[0]) == int(bare.predict(row)[0])


def test_lightgbm_booster_prediction_is_the_positive_probability(captured, data, lgbm_model):
    X, _ = data
    booster = lgbm_model.booster_
    model = pf_lightgbm.instrument(booster, model_id="churn-booster")
    values = X.to_numpy()[:3]
    result = model.predict(values)
    np.testing.assert_allclose(result, lgbm_model.predict_proba(X.iloc[:3])[:, 1])
    rows = rows_of(captured, "lightgbm.predict.row")
    assert [r.attributes["pyflare.prediction"] for r in rows] == pytest.approx(result.tolist())
    assert features_of(rows[0]) == pytest.approx(dict(zip(X.columns, values[0].tolist(), strict=True)))


def test_wrapping_without_a_model_id_is_refused(xgb_model):
    with pytest.raises(ValueError, match="model_id"):
        pf_xgboost.instrument(xgb_model)


@pytest.mark.parametrize(
    ("name", "model_fixture", "class_name"),
    [("xgboost", "xgb_model", "XGBClassifier"), ("lightgbm", "lgbm_model", "LGBMClassifier")],
)
def test_library_wide_instrument_traces_every_model_once_per_call(
    captured, data, request, name, model_fixture, class_name
):
    X, _ = data
    bare = request.getfixturevalue(model_fixture)
    before = bare.predict(X.iloc[:2])
    assert pyflare.instrument(name) == [name]
    try:
        assert pyflare.integrations.is_instrumented(name)
        assert bare.predict(X.iloc[:2]).tolist() == before.tolist()
        calls = [s for s in captured.spans if s.name == f"{name}.predict"]
        assert len(calls) == 1  # the classifier's predict calls its base class's: still one span
        assert calls[0].attributes["pyflare.model.id"] == class_name
        assert len(rows_of(captured, f"{name}.predict.row")) == 2
    finally:
        pyflare.uninstrument(name)
    assert not pyflare.integrations.is_instrumented(name)
    bare.predict(X.iloc[:2])
    assert len([s for s in captured.spans if s.name == f"{name}.predict"]) == 1


def test_a_wrapped_model_is_not_traced_twice_when_its_library_is_instrumented(captured, data, xgb_model):
    X, _ = data
    wrapped = pf_xgboost.instrument(xgb_model, model_id="churn")
    pyflare.instrument("xgboost")
    try:
        wrapped.predict(X.iloc[:3])
    finally:
        pyflare.uninstrument("xgboost")
    (call,) = [s for s in captured.spans if s.name == "xgboost.predict"]
    assert call.attributes["pyflare.model.id"] == "churn"
    assert len(rows_of(captured, "xgboost.predict.row")) == 3
