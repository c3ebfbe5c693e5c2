"""LightGBM: `instrument(model, model_id=...)` wraps a fitted scikit-learn-API model (`LGBMClassifier`,
`LGBMRegressor`, ...) or a `lightgbm.Booster` like the scikit-learn wrapper does: features and
predictions per row for drift, as `lightgbm.predict` / `lightgbm.predict_proba` spans with
`pyflare.model.provider = "lightgbm"`. A binary Booster's `predict` returns the positive-class
probability, which is recorded as the prediction.

`pyflare.instrument("lightgbm")` (or `instrument()` without a model) traces every scikit-learn-API
LightGBM model in the process instead, with its class name as model id. Feature names come from the
input's columns, else `feature_names`, else the names the model was fitted with (LightGBM's
`Column_0`, ... when it had none).
"""

from __future__ import annotations

from typing import Any

from pyflare.integrations.estimator_patching import EstimatorIntegration, FittedNamesModel


class LightGBMModel(FittedNamesModel):
    provider = "lightgbm"
    span_prefix = "lightgbm"

    @staticmethod
    def fitted_feature_names(model: Any) -> list[str] | None:
        names = getattr(model, "feature_name_", None)  # scikit-learn API
        if names is None and callable(getattr(model, "feature_name", None)):
            names = model.feature_name()  # Booster
        return [str(n) for n in names] if names is not None else None


def _classes() -> list[type]:
    import lightgbm

    return [lightgbm.LGBMModel, lightgbm.LGBMClassifier]


instrument, uninstrument, is_instrumented = EstimatorIntegration(LightGBMModel, _classes).exports()
