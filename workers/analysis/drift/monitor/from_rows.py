"""A reference built from a past window's rows: features, predictions, labels and a joint sample.

Features are the monitor's list, or every key the window holds; their type comes from the monitor's
`feature_types`, else from the values (numerical when nearly all parse). The window's embeddings
are copied by the caller (they live in the vector store).
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence

import numpy as np

from workers.analysis.drift.monitor.reference_set import (
    FeatureBase,
    JointBase,
    LabelBase,
    PredictionBase,
    ReferenceSet,
    class_key,
)
from workers.analysis.drift.monitor.uploads import category_counts, sorted_sample
from workers.analysis.drift.monitor.window import LabelledRows, WindowRows
from workers.analysis.drift.summaries import Summary
from workers.analysis.drift.types import FeatureType

JOINT_ROWS = 2000
VALUE_PREDICTION_DISTINCT = 20  # numeric predictions with more distinct values are values, not classes


def feature_columns(
    found: Mapping[str, FeatureType], listed: Sequence[str], declared: Mapping[str, str]
) -> list[tuple[str, FeatureType]]:
    """(name, type) of the features to read: listed ones (else all found), declared types first."""
    names = list(listed) or sorted(found)
    return [(n, FeatureType(declared[n]) if n in declared else found.get(n, FeatureType.CATEGORICAL)) for n in names]


def prediction_source(rows: WindowRows) -> str | None:
    """score if most rows carry a prediction score, value for many-valued numbers, else class."""
    if rows.n_rows == 0:
        return None
    if np.isfinite(rows.prediction_score).mean() >= 0.5:
        return "score"
    present = [p for p in rows.prediction if p is not None]
    if not present:
        return None
    numbers = prediction_numbers(present)
    if (
        np.isfinite(numbers).mean() >= 0.95
        and np.unique(numbers[np.isfinite(numbers)]).size > VALUE_PREDICTION_DISTINCT
    ):
        return "value"
    return "class"


def prediction_numbers(texts: Sequence[str | None]) -> np.ndarray:
    out = np.full(len(texts), np.nan)
    for i, text in enumerate(texts):
        if text:
            with contextlib.suppress(ValueError):
                out[i] = float(text)
    return out


def prediction_values(rows: WindowRows, source: str) -> list[str | None] | np.ndarray:
    if source == "score":
        return rows.prediction_score
    if source == "value":
        return prediction_numbers(rows.prediction)
    return rows.prediction


def labels_of(labelled: LabelledRows) -> LabelBase:
    numbers = prediction_numbers(labelled.prediction)
    numbers = np.where(np.isfinite(numbers), numbers, labelled.prediction_score)
    return LabelBase(
        label=np.array([class_key(v) for v in labelled.label], dtype=str),
        prediction=np.array([class_key(v) for v in labelled.prediction], dtype=str),
        label_number=labelled.label_number,
        prediction_number=numbers,
    )


def encode_prediction(rows: WindowRows, source: str, classes: Sequence[str]) -> np.ndarray:
    if source != "class":
        return np.asarray(prediction_values(rows, source), dtype=np.float64)
    index = {c: float(i) for i, c in enumerate(classes)}
    return np.array([index.get(p, -1.0) if p is not None else np.nan for p in rows.prediction])


def joint_rows(
    rows: WindowRows, numeric: Sequence[str], source: str, classes: Sequence[str], seed: int = 0
) -> np.ndarray:
    """[numerical features..., encoded prediction], rows with any missing value dropped, subsampled."""
    matrix = np.column_stack([rows.numeric[n] for n in numeric] + [encode_prediction(rows, source, classes)])
    matrix = matrix[np.isfinite(matrix).all(axis=1)]
    if matrix.shape[0] > JOINT_ROWS:
        keep = np.sort(np.random.default_rng(seed).choice(matrix.shape[0], JOINT_ROWS, replace=False))
        matrix = matrix[keep]
    return matrix


def reference_from_rows(
    rows: WindowRows, columns: Sequence[tuple[str, FeatureType]], labelled: LabelledRows
) -> ReferenceSet:
    """Every part of a reference a window's rows give (all but embeddings)."""
    result = ReferenceSet(row_count=rows.total_rows)
    for name, kind in columns:
        values = rows.feature(name)
        if kind is FeatureType.NUMERICAL:
            if np.isfinite(values).any():
                sample, missing = sorted_sample(values)
                result.features[name] = FeatureBase(kind, sample, missing)
        elif any(v is not None for v in values):
            counts, missing = category_counts(values)
            result.features[name] = FeatureBase(kind, counts, missing)
    source = prediction_source(rows)
    if source is not None:
        summary: Summary = (
            category_counts(rows.prediction)[0]
            if source == "class"
            else sorted_sample(prediction_values(rows, source))[0]
        )
        result.prediction = PredictionBase(source, summary)
        numeric = [n for n, k in columns if k is FeatureType.NUMERICAL and n in result.features]
        classes = sorted({c for c in rows.prediction if c is not None}) if source == "class" else []
        joint = joint_rows(rows, numeric, source, classes) if numeric else np.empty((0, 0))
        if joint.shape[0] >= 10:
            result.joint = JointBase([*numeric, "prediction"], joint, source, classes)
    if labelled.size:
        result.labels = labels_of(labelled)
    return result
