"""Library-wide tracing of scikit-learn-style estimators (XGBoost's, LightGBM's): `predict` and
`predict_proba` of the given classes are replaced by ones that go through an `InstrumentedModel`
kept per estimator, with the estimator's class name as model id; `restore` puts the originals back.

A call made from inside a traced call (a classifier's `predict` calling its base class's) runs the
original, so one user call is one span.
"""

from __future__ import annotations

import functools
import threading
import weakref
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from opentelemetry import trace as otel_trace

from pyflare.integrations.sklearn import InstrumentedModel
from pyflare.runtime import RUNTIME

METHODS = ("predict", "predict_proba")


class EstimatorPatch:
    def __init__(self, wrapper_class: type[InstrumentedModel]) -> None:
        self.wrapper_class = wrapper_class
        self._originals: list[tuple[type, str, Callable[..., Any]]] = []
        self._wrappers: weakref.WeakKeyDictionary[Any, InstrumentedModel] = weakref.WeakKeyDictionary()
        self._local = threading.local()
        self._lock = threading.Lock()
        self._call_span_names = {f"{wrapper_class.span_prefix}.{method}" for method in METHODS}

    @property
    def active(self) -> bool:
        return bool(self._originals)

    def apply(self, classes: Iterable[type]) -> None:
        with self._lock:
            if self._originals:
                return
            for cls in classes:
                for name in METHODS:
                    original = cls.__dict__.get(name)
                    if original is not None:
                        self._originals.append((cls, name, original))
                        setattr(cls, name, self._patched(name, original))

    def restore(self) -> None:
        with self._lock:
            while self._originals:
                cls, name, original = self._originals.pop()
                setattr(cls, name, original)
            self._wrappers = weakref.WeakKeyDictionary()

    def _wrapper(self, estimator: Any) -> InstrumentedModel:
        wrapper = self._wrappers.get(estimator)
        if wrapper is None:
            wrapper = self.wrapper_class(estimator, model_id=type(estimator).__name__)
            self._wrappers[estimator] = wrapper
        return wrapper

    def _wrapped_call_active(self) -> bool:
        """Whether a wrapper made by hand (`instrument(model, ...)`) is already tracing this call."""
        current = getattr(otel_trace.get_current_span(), "name", "")
        return current in self._call_span_names

    def _patched(self, name: str, original: Callable[..., Any]) -> Callable[..., Any]:
        local = self._local

        @functools.wraps(original)
        def traced(estimator: Any, X: Any, *args: Any, **kwargs: Any) -> Any:
            if RUNTIME.tracer is None or getattr(local, "inside", False) or self._wrapped_call_active():
                return original(estimator, X, *args, **kwargs)
            local.inside = True
            try:
                return getattr(self._wrapper(estimator), name)(X, *args, **kwargs)
            finally:
                local.inside = False

        return traced


class FittedNamesModel(InstrumentedModel):
    """An `InstrumentedModel` that falls back on the feature names the model was fitted with."""

    @staticmethod
    def fitted_feature_names(model: Any) -> list[str] | None:
        return None

    def __init__(self, model: Any, model_id: str, feature_names: Sequence[str] | None = None, **kw: Any):
        super().__init__(model, model_id, feature_names or self.fitted_feature_names(model), **kw)


class EstimatorIntegration:
    """One library's `instrument` / `uninstrument` / `is_instrumented`, for its module to export."""

    def __init__(self, wrapper_class: type[FittedNamesModel], classes: Callable[[], list[type]]) -> None:
        self.wrapper_class = wrapper_class
        self.classes = classes  # imports the library only when library-wide tracing is asked for
        self.patch = EstimatorPatch(wrapper_class)

    def instrument(
        self,
        model: Any = None,
        *,
        model_id: str | None = None,
        feature_names: Sequence[str] | None = None,
        model_version: str | None = None,
        max_row_spans: int = 100,
        seed: int | None = None,
        **_shared_options: Any,  # options `pyflare.instrument` gives every integration (capture_content)
    ) -> Any:
        """With a model: wrap it (`model_id` required). Without: trace every model of the library."""
        if model is None:
            self.patch.apply(self.classes())
            return None
        if not model_id:
            raise ValueError("model_id is required when wrapping one model")
        return self.wrapper_class(
            model, model_id, feature_names,
            model_version=model_version, max_row_spans=max_row_spans, seed=seed,
        )  # fmt: skip

    def uninstrument(self) -> None:
        self.patch.restore()

    def is_instrumented(self) -> bool:
        return self.patch.active

    def exports(self) -> tuple[Callable[..., Any], Callable[[], None], Callable[[], bool]]:
        """The module-level `instrument`, `uninstrument`, `is_instrumented` the registry calls."""
        return self.instrument, self.uninstrument, self.is_instrumented
