"""scikit-learn: record the inputs and outputs of `predict` / `predict_proba` on spans, for drift.

`instrument(model, model_id=...)` returns a wrapper that behaves like the model (every other
attribute is the model's). Each call is one span; a call on one row carries that row's features
(`pyflare.features.<name>`) and prediction itself. A batch gets one span for the call plus one child
span per row, because drift compares distributions of rows: up to `max_row_spans` rows are recorded,
a larger batch records a seeded uniform sample of that many (the call span says how many of how
many). Rows of batches larger than the cap are therefore under-represented when batch sizes mix;
raise the cap where that matters. `last_spans` gives the (row, trace id, span id) of the calling
thread's last call, to send ground-truth labels later through the feedback API.

Outputs: `predict` records the predicted value or class; `predict_proba` the most likely class and
as `pyflare.prediction.score` the probability of the positive class (binary) or of the predicted
class (multiclass). No scikit-learn import is needed: the model is duck-typed.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from opentelemetry import context
from opentelemetry import trace as otel_trace
from opentelemetry.trace import Span, format_span_id, format_trace_id

from pyflare import semconv, span_data
from pyflare.runtime import RUNTIME

ROWS = "pyflare.batch.rows"  # rows in the call
ROWS_RECORDED = "pyflare.batch.rows_recorded"  # rows that got a span of their own
ROW_INDEX = "pyflare.batch.row"  # a row span's position in the call's input
PROVIDER = "scikit-learn"


@dataclass(frozen=True)
class RowSpan:
    row: int
    trace_id: str
    span_id: str


def _n_rows(X: Any) -> int:
    shape = getattr(X, "shape", None)
    return int(shape[0]) if shape is not None else len(X)


def _names(X: Any, given: Sequence[str] | None, width: int) -> list[str]:
    columns = getattr(X, "columns", None)
    if columns is not None:
        return [str(c) for c in columns]
    if given is not None:
        if len(given) != width:
            raise ValueError(f"feature_names has {len(given)} names but the input has {width} columns")
        return list(given)
    return [f"x{i}" for i in range(width)]


def _rows(X: Any, index: Sequence[int]) -> list[list[Any]]:
    """The selected rows as lists of plain values (DataFrame, numpy, sparse or nested lists)."""
    if hasattr(X, "iloc"):
        return [list(row) for row in X.iloc[list(index)].itertuples(index=False, name=None)]
    if hasattr(X, "tocsr"):  # scipy sparse
        return X.tocsr()[list(index)].toarray().tolist()  # type: ignore[no-any-return]
    if hasattr(X, "tolist"):
        return [X[i].tolist() for i in index]
    return [list(X[i]) for i in index]


def _width(X: Any) -> int:
    shape = getattr(X, "shape", None)
    if shape is not None and len(shape) == 2:
        return int(shape[1])
    first = X[0] if _n_rows(X) else []
    return len(first) if hasattr(first, "__len__") else 1


def _plain(value: Any) -> Any:
    item = getattr(value, "item", None)
    value = item() if callable(item) and getattr(value, "ndim", 0) == 0 else value
    if isinstance(value, float) and value != value:  # NaN: a missing value is not recorded
        return None
    return value


class InstrumentedModel:
    """A scikit-learn estimator whose `predict` and `predict_proba` calls are traced."""

    provider = PROVIDER  # pyflare.model.provider; subclasses wrap other libraries' estimators
    span_prefix = "sklearn"

    def __init__(
        self,
        model: Any,
        model_id: str,
        feature_names: Sequence[str] | None = None,
        model_version: str | None = None,
        max_row_spans: int = 100,
        seed: int | None = None,
    ) -> None:
        if max_row_spans < 1:
            raise ValueError("max_row_spans must be at least 1")
        self.model = model
        self.model_id = model_id
        self.feature_names = list(feature_names) if feature_names is not None else None
        self.model_version = model_version
        self.max_row_spans = max_row_spans
        self._random = random.Random(seed)
        self._random_lock = threading.Lock()
        self._local = threading.local()

    def __getattr__(self, name: str) -> Any:
        if name == "model":  # not set yet (copy/unpickle): avoid recursing into ourselves
            raise AttributeError(name)
        return getattr(self.model, name)

    def __repr__(self) -> str:
        return f"InstrumentedModel({self.model!r}, model_id={self.model_id!r})"

    @property
    def last_spans(self) -> list[RowSpan]:
        """Row spans of this thread's last traced call (empty before one or when PyFlare is off)."""
        return list(getattr(self._local, "spans", []))

    def predict(self, X: Any, *args: Any, **kwargs: Any) -> Any:
        return self._call("predict", X, args, kwargs, self._predicted)

    def predict_proba(self, X: Any, *args: Any, **kwargs: Any) -> Any:
        return self._call("predict_proba", X, args, kwargs, self._probabilities)

    def _inference_type(self, method: str) -> str:
        classifier = method == "predict_proba" or hasattr(self.model, "classes_")
        kind = semconv.InferenceType.CLASSIFICATION if classifier else semconv.InferenceType.REGRESSION
        return kind.value

    def _call(
        self,
        method: str,
        X: Any,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        outputs: Callable[..., list[Any]],
    ) -> Any:
        tracer = RUNTIME.tracer
        if tracer is None:
            return getattr(self.model, method)(X, *args, **kwargs)
        attributes: dict[str, Any] = {
            semconv.MODEL_ID: self.model_id,
            semconv.MODEL_PROVIDER: self.provider,
            semconv.INFERENCE_TYPE: self._inference_type(method),
            semconv.CODE_FUNCTION: f"{type(self.model).__name__}.{method}",
        }
        if self.model_version:
            attributes[semconv.MODEL_VERSION] = self.model_version
        span = tracer.start_span(f"{self.span_prefix}.{method}", attributes=attributes)
        token = context.attach(otel_trace.set_span_in_context(span))
        try:
            result = getattr(self.model, method)(X, *args, **kwargs)
            self._local.spans = self._record(tracer, method, span, attributes, X, outputs(result))
            return result
        except Exception as exc:
            span_data.record_failure(span, exc)
            raise
        finally:
            context.detach(token)
            span.end()

    def _record(
        self, tracer: Any, method: str, call: Span, attributes: dict[str, Any], X: Any, outputs: list[Any]
    ) -> list[RowSpan]:
        if not call.is_recording():
            return []
        n = _n_rows(X)
        names = _names(X, self.feature_names, _width(X))
        if n <= self.max_row_spans:
            chosen = list(range(n))
        else:
            with self._random_lock:
                chosen = sorted(self._random.sample(range(n), self.max_row_spans))
        call.set_attribute(ROWS, n)
        call.set_attribute(ROWS_RECORDED, len(chosen))
        rows = _rows(X, chosen)
        if n == 1:
            self._write_row(call, names, rows[0], outputs[0])
            return [_row_span(0, call)]
        recorded = []
        for position, values in zip(chosen, rows, strict=True):
            row = tracer.start_span(f"{self.span_prefix}.{method}.row", attributes=attributes)
            row.set_attribute(ROW_INDEX, position)
            self._write_row(row, names, values, outputs[position])
            row.end()
            recorded.append(_row_span(position, row))
        return recorded

    @staticmethod
    def _write_row(span: Span, names: list[str], values: list[Any], output: tuple[Any, float | None]) -> None:
        span_data.write_features(
            span, {name: _plain(value) for name, value in zip(names, values, strict=True)}
        )
        prediction, score = output
        span_data.write_prediction(span, _plain(prediction), score)

    def _predicted(self, result: Any) -> list[tuple[Any, float | None]]:
        values = result.tolist() if hasattr(result, "tolist") else list(result)
        return [(value, None) for value in values]

    def _probabilities(self, result: Any) -> list[tuple[Any, float | None]]:
        rows = result.tolist() if hasattr(result, "tolist") else [list(r) for r in result]
        classes = getattr(self.model, "classes_", None)
        labels = list(classes.tolist() if hasattr(classes, "tolist") else classes or [])  # type: ignore[union-attr]
        out: list[tuple[Any, float | None]] = []
        for probs in rows:
            if not isinstance(probs, list) or not probs:
                out.append((None, None))  # multi-output probabilities: nothing per-row to record
                continue
            best = max(range(len(probs)), key=probs.__getitem__)
            score = probs[1] if len(probs) == 2 else probs[best]
            out.append((labels[best] if best < len(labels) else best, float(score)))
        return out


def _row_span(row: int, span: Span) -> RowSpan:
    ctx = span.get_span_context()
    return RowSpan(row, format_trace_id(ctx.trace_id), format_span_id(ctx.span_id))


def instrument(
    model: Any,
    *,
    model_id: str,
    feature_names: Sequence[str] | None = None,
    model_version: str | None = None,
    max_row_spans: int = 100,
    seed: int | None = None,
) -> InstrumentedModel:
    """Wrap a fitted estimator (or pipeline): `clf = instrument(clf, model_id="churn")`, then use `clf`."""
    return InstrumentedModel(model, model_id, feature_names, model_version, max_row_spans, seed)
