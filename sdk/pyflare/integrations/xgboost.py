"""XGBoost: `instrument(model, model_id=...)` wraps a fitted scikit-learn-API model (`XGBClassifier`,
`XGBRegressor`, ...) like the scikit-learn wrapper does: features and predictions per row for drift,
as `xgboost.predict` / `xgboost.predict_proba` spans with `pyflare.model.provider = "xgboost"`.

`pyflare.instrument("xgboost")` (or `instrument()` without a model) traces every scikit-learn-API
XGBoost model in the process instead, with its class name as model id. Feature names come from the
input's columns, else `feature_names`, else the names the model was fitted with, else x0, x1, ...
"""

from __future__ import annotations

from typing import Any

from pyflare.integrations.estimator_patching import EstimatorIntegration, FittedNamesModel


class XGBoostModel(FittedNamesModel):
    provider = "xgboost"
    span_prefix = "xgboost"

    @staticmethod
    def fitted_feature_names(model: Any) -> list[str] | None:
        names = getattr(model, "feature_names_in_", None)
        return [str(n) for n in names] if names is not None else None


def _classes() -> list[type]:
    import xgboost

    return [xgboost.XGBModel, xgboost.XGBClassifier]


instrument, uninstrument, is_instrumented = EstimatorIntegration(XGBoostModel, _classes).exports()
