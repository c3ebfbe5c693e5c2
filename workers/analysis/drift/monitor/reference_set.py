"""What a drift reference holds, independent of how it was made (upload, past window, dataset).

Features keep a *base* summary (sorted values, histogram, quantile sketch or category counts), not a
test-specific one: the monitor's method choice is applied when a window is scored, so changing a
method does not require a new reference. Predictions likewise; labels (true vs predicted) serve
concept drift, a small joint sample the label-free concept proxy, and embeddings are named by their
Qdrant dataset version.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from workers.analysis.drift import FeatureType, Summary, summary_from_dict

PREDICTION_SOURCES = {"class": FeatureType.CATEGORICAL, "score": FeatureType.NUMERICAL, "value": FeatureType.NUMERICAL}


def category_text(value: Any) -> str:
    """A category as spans store feature values: true/false, integers plainly, floats by repr."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def class_key(text: str) -> str:
    """Compare labels and predicted classes by value: "1", "1.0" and 1 are the same class."""
    try:
        number = float(text)
    except ValueError:
        return text
    return f"{number:.12g}" if math.isfinite(number) else text


@dataclass(frozen=True)
class FeatureBase:
    feature_type: FeatureType
    summary: Summary
    missing: int = 0

    def to_tree(self) -> dict[str, Any]:
        return {"type": self.feature_type.value, "missing": self.missing, "summary": self.summary.to_dict(True)}

    @classmethod
    def from_tree(cls, tree: dict[str, Any]) -> FeatureBase:
        return cls(FeatureType(tree["type"]), summary_from_dict(tree["summary"]), int(tree.get("missing", 0)))


@dataclass(frozen=True)
class PredictionBase:
    source: str  # "class" (predicted label) | "score" (prediction_score) | "value" (numeric prediction)
    summary: Summary

    @property
    def feature_type(self) -> FeatureType:
        return PREDICTION_SOURCES[self.source]

    def to_tree(self) -> dict[str, Any]:
        return {"source": self.source, "summary": self.summary.to_dict(True)}

    @classmethod
    def from_tree(cls, tree: dict[str, Any]) -> PredictionBase:
        return cls(tree["source"], summary_from_dict(tree["summary"]))


@dataclass(frozen=True)
class LabelBase:
    """Reference performance data: true label and prediction per labelled row."""

    label: np.ndarray  # str
    prediction: np.ndarray  # str
    label_number: np.ndarray  # float, NaN when not numeric
    prediction_number: np.ndarray  # float (numeric prediction, else score), NaN when unknown

    @property
    def size(self) -> int:
        return int(self.label.size)

    def to_tree(self) -> dict[str, Any]:
        return {
            "label": self.label.astype(str),
            "prediction": self.prediction.astype(str),
            "label_number": self.label_number.astype(np.float64),
            "prediction_number": self.prediction_number.astype(np.float64),
        }

    @classmethod
    def from_tree(cls, tree: dict[str, Any]) -> LabelBase:
        return cls(*(np.asarray(tree[k]) for k in ("label", "prediction", "label_number", "prediction_number")))


@dataclass(frozen=True)
class JointBase:
    """Up to a few thousand reference rows of [numerical features..., encoded prediction]."""

    columns: list[str]
    rows: np.ndarray
    prediction_source: str
    classes: list[str] = field(default_factory=list)  # class encoding (index) when the source is "class"

    def to_tree(self) -> dict[str, Any]:
        return {"columns": self.columns, "rows": self.rows, "prediction_source": self.prediction_source,
                "classes": self.classes}  # fmt: skip

    @classmethod
    def from_tree(cls, tree: dict[str, Any]) -> JointBase:
        return cls(list(tree["columns"]), np.asarray(tree["rows"]), tree["prediction_source"], list(tree["classes"]))


@dataclass(frozen=True)
class EmbeddingBase:
    dataset_version: str
    dim: int
    count: int
    embedding_type: str = ""

    def to_tree(self) -> dict[str, Any]:
        return {"dataset_version": self.dataset_version, "dim": self.dim, "count": self.count,
                "embedding_type": self.embedding_type}  # fmt: skip

    @classmethod
    def from_tree(cls, tree: dict[str, Any]) -> EmbeddingBase:
        return cls(tree["dataset_version"], int(tree["dim"]), int(tree["count"]), tree.get("embedding_type", ""))


@dataclass
class ReferenceSet:
    features: dict[str, FeatureBase] = field(default_factory=dict)
    prediction: PredictionBase | None = None
    labels: LabelBase | None = None
    joint: JointBase | None = None
    embedding: EmbeddingBase | None = None
    row_count: int = 0

    def is_empty(self) -> bool:
        return not (self.features or self.prediction or self.labels or self.embedding)

    def merged_over(self, older: ReferenceSet) -> ReferenceSet:
        """This set's parts, with any part it lacks taken from `older` (features merge by name)."""
        return ReferenceSet(
            {**older.features, **self.features},
            self.prediction or older.prediction,
            self.labels or older.labels,
            self.joint or older.joint,
            self.embedding or older.embedding,
            max(self.row_count, older.row_count),
        )

    def to_tree(self) -> dict[str, Any]:
        parts = {"prediction": self.prediction, "labels": self.labels, "joint": self.joint, "embedding": self.embedding}
        return {
            "features": {name: base.to_tree() for name, base in sorted(self.features.items())},
            **{key: None if part is None else part.to_tree() for key, part in parts.items()},
            "row_count": self.row_count,
        }

    @classmethod
    def from_tree(cls, tree: dict[str, Any]) -> ReferenceSet:
        def part(key: str, kind: Any) -> Any:
            return None if tree.get(key) is None else kind.from_tree(tree[key])

        return cls(
            {name: FeatureBase.from_tree(sub) for name, sub in tree.get("features", {}).items()},
            part("prediction", PredictionBase),
            part("labels", LabelBase),
            part("joint", JointBase),
            part("embedding", EmbeddingBase),
            int(tree.get("row_count", 0)),
        )

    def describe(self) -> dict[str, Any]:
        """JSON-able overview for the API (no arrays)."""
        return {
            "features": {
                name: {"type": base.feature_type.value, "form": base.summary.kind, "count": base.summary.count}
                for name, base in sorted(self.features.items())
            },
            "prediction": None if self.prediction is None else {
                "source": self.prediction.source, "form": self.prediction.summary.kind,
                "count": self.prediction.summary.count,
            },
            "labels": None if self.labels is None else {"count": self.labels.size},
            "joint": None if self.joint is None else {
                "columns": self.joint.columns, "rows": int(self.joint.rows.shape[0]),
            },
            "embedding": None if self.embedding is None else self.embedding.to_tree(),
            "row_count": self.row_count,
        }  # fmt: skip
