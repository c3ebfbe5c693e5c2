"""Cosine distance between the reference and current centroids of embeddings: 1 - cos(mean_ref, mean_cur).

Rows are L2-normalised before averaging by default (cosine geometry). Cheap and stable for large
windows; a score, not a test: the threshold (0.1 by default) is a starting point to tune per model.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from workers.analysis.drift.registry import StatTest, register
from workers.analysis.drift.summaries import Centroid, Summary, VectorSample, mean_vector, vector_rows
from workers.analysis.drift.types import DriftConfigError, DriftWhen, FeatureType, Measurement


def summarise(reference: Any, feature_type: FeatureType, normalised: bool = True) -> Summary:
    if isinstance(reference, Centroid):
        return reference
    rows = reference.vectors if isinstance(reference, VectorSample) else reference
    return Centroid.from_rows(rows, normalised)


def cosine_distance(a: np.ndarray, b: np.ndarray) -> float:
    norm = float(np.linalg.norm(a) * np.linalg.norm(b))
    if norm == 0.0:
        return 0.0 if not a.any() and not b.any() else 1.0
    return float(1.0 - np.dot(a, b) / norm)


def score(summary: Centroid, current: Any) -> Measurement:
    rows = vector_rows(current).astype(np.float64)
    if rows.shape[1] != summary.mean.size:
        raise DriftConfigError(f"current vectors have {rows.shape[1]} dims, the reference {summary.mean.size}")
    current_mean = mean_vector(rows, summary.normalised)
    details = {"n_reference": summary.count, "n_current": int(rows.shape[0]), "normalised": summary.normalised}
    return Measurement(cosine_distance(summary.mean, current_mean), None, details)


CENTROID_COSINE = register(
    StatTest(
        name="centroid_cosine",
        display_name="Embedding centroid cosine distance",
        feature_types=frozenset({FeatureType.EMBEDDING}),
        default_threshold=0.1,
        drift_when=DriftWhen.SCORE_ABOVE,
        summarise_fn=summarise,
        score_fn=score,
        summary_kinds=(Centroid.kind,),
        reference_forms=(Centroid.kind, VectorSample.kind),
        exactness="exact (a centroid is a sufficient summary for this score)",
    )
)
