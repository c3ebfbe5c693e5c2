"""Uploaded reference parts -> base summaries: raw samples, histograms, quantiles, category counts, labels.

Each feature (and the predictions) comes in exactly one form: `values` (raw), `histogram`
({edges, counts}, outer edges open), `quantiles` ({probs from 0 to 1, values, count}) or `counts`
({category: count}). Categories are compared as text in the form spans store them (`category_text`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from workers.analysis.drift import (
    CategoryCounts,
    DriftConfigError,
    FeatureType,
    Histogram,
    QuantileSketch,
    SortedSample,
    Summary,
)
from workers.analysis.drift.monitor.reference_set import (
    PREDICTION_SOURCES,
    FeatureBase,
    LabelBase,
    PredictionBase,
    category_text,
    class_key,
)

FORMS = ("values", "histogram", "quantiles", "counts")
MAX_SORTED_VALUES = 1_000_000  # larger raw samples keep a seeded uniform subsample of this size


class ReferenceInputError(ValueError):
    """An uploaded reference part that cannot be used; the message names the part and what is accepted."""


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def infer_type(form: str, payload: Any) -> FeatureType:
    if form in ("histogram", "quantiles"):
        return FeatureType.NUMERICAL
    if form == "counts":
        return FeatureType.CATEGORICAL
    present = [v for v in payload if v is not None]
    return FeatureType.NUMERICAL if present and all(_is_number(v) for v in present) else FeatureType.CATEGORICAL


def sorted_sample(values: Any, seed: int = 0) -> tuple[SortedSample, int]:
    array = np.asarray(values, dtype=np.float64).ravel()
    finite = array[np.isfinite(array)]
    if finite.size > MAX_SORTED_VALUES:
        finite = np.random.default_rng(seed).choice(finite, MAX_SORTED_VALUES, replace=False)
    return SortedSample.from_values(finite), int(array.size - np.isfinite(array).sum())


def category_counts(values: Sequence[Any]) -> tuple[CategoryCounts, int]:
    texts = [category_text(v) for v in values if v is not None and v != ""]
    return CategoryCounts.from_values(texts), len(values) - len(texts)


def _numeric_list(values: Any, what: str) -> list[float]:
    if not isinstance(values, list) or not all(_is_number(v) for v in values):
        raise ReferenceInputError(f"{what} must be a list of numbers")
    return [float(v) for v in values]


def _summary(form: str, payload: Any, kind: FeatureType) -> tuple[Summary, int]:
    if form == "values":
        if kind is FeatureType.NUMERICAL:
            bad = [v for v in payload if v is not None and not _is_number(v)]
            if bad:
                raise ReferenceInputError(f"numerical values must be numbers or null, got {bad[0]!r}")
            return sorted_sample([np.nan if v is None else v for v in payload])
        return category_counts(payload)
    if form == "histogram":
        if kind is not FeatureType.NUMERICAL:
            raise ReferenceInputError("a histogram describes a numerical feature; send categories as counts")
        edges = _numeric_list(payload.get("edges"), "histogram edges")
        counts = _numeric_list(payload.get("counts"), "histogram counts")
        if len(counts) != len(edges) - 1:
            raise ReferenceInputError(f"{len(edges)} histogram edges need {len(edges) - 1} counts, got {len(counts)}")
        return Histogram.from_bins(edges, counts), 0
    if form == "quantiles":
        if kind is not FeatureType.NUMERICAL:
            raise ReferenceInputError("quantiles describe a numerical feature; send categories as counts")
        probs = _numeric_list(payload.get("probs"), "quantile probs")
        values = _numeric_list(payload.get("values"), "quantile values")
        count = payload.get("count")
        if not isinstance(count, int) or isinstance(count, bool):
            raise ReferenceInputError("quantiles need `count`, the number of samples they summarise")
        return QuantileSketch(np.asarray(probs), np.asarray(values), count), 0
    if kind is not FeatureType.CATEGORICAL:
        raise ReferenceInputError("category counts describe a categorical feature; send numbers as a histogram")
    if not isinstance(payload, Mapping) or not all(_is_number(v) for v in payload.values()):
        raise ReferenceInputError("counts must map each category to a number")
    return CategoryCounts.from_mapping({str(k): float(v) for k, v in payload.items()}), 0


def _one_form(part: Mapping[str, Any], where: str) -> tuple[str, Any]:
    given = [form for form in FORMS if part.get(form) is not None]
    if len(given) != 1:
        raise ReferenceInputError(f"{where}: send exactly one of {', '.join(FORMS)} (got {', '.join(given) or 'none'})")
    return given[0], part[given[0]]


def feature_base(name: str, part: Mapping[str, Any], declared: str | None = None) -> FeatureBase:
    form, payload = _one_form(part, f"feature {name!r}")
    kind = FeatureType(part.get("type") or declared or infer_type(form, payload))
    try:
        summary, missing = _summary(form, payload, kind)
    except (ReferenceInputError, DriftConfigError) as exc:
        raise ReferenceInputError(f"feature {name!r}: {exc}") from None
    return FeatureBase(kind, summary, missing)


def prediction_base(part: Mapping[str, Any]) -> PredictionBase:
    source = part.get("type")
    if source not in PREDICTION_SOURCES:
        raise ReferenceInputError(f"predictions need `type`: one of {', '.join(PREDICTION_SOURCES)}")
    form, payload = _one_form(part, "predictions")
    try:
        summary, _ = _summary(form, payload, PREDICTION_SOURCES[source])
    except (ReferenceInputError, DriftConfigError) as exc:
        raise ReferenceInputError(f"predictions: {exc}") from None
    return PredictionBase(source, summary)


def _as_number(value: Any) -> float:
    if _is_number(value):
        return float(value)
    try:
        return float(str(value))
    except ValueError:
        return float("nan")


def label_base(part: Mapping[str, Any]) -> LabelBase:
    """{"true": [...], "predicted": [...]}: the model's reference performance for concept drift."""
    truth, predicted = part.get("true"), part.get("predicted")
    if not isinstance(truth, list) or not isinstance(predicted, list) or len(truth) != len(predicted) or not truth:
        raise ReferenceInputError("labels need `true` and `predicted`: non-empty lists of equal length")
    if any(v is None or isinstance(v, dict | list) for v in [*truth, *predicted]):
        raise ReferenceInputError("labels and predictions are strings or numbers")
    return LabelBase(
        label=np.array([class_key(category_text(v)) for v in truth], dtype=str),
        prediction=np.array([class_key(category_text(v)) for v in predicted], dtype=str),
        label_number=np.array([_as_number(v) for v in truth], dtype=np.float64),
        prediction_number=np.array([_as_number(v) for v in predicted], dtype=np.float64),
    )


def embedding_matrix(rows: Sequence[Sequence[float]]) -> np.ndarray:
    """Uploaded embedding vectors as one float32 matrix; they must share one dimension."""
    dims = {len(row) for row in rows}
    if len(dims) != 1:
        raise ReferenceInputError(f"embeddings: all vectors need one dimension, got {sorted(dims)[:5]}")
    return np.asarray(rows, dtype=np.float32)
