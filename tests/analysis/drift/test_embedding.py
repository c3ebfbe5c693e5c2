"""Embedding centroid cosine distance and the domain-classifier test."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial.distance import cosine

from workers.analysis.drift import Centroid, DriftConfigError, VectorSample, get_test, summary_from_dict

CENTROID = get_test("centroid_cosine")
DOMAIN = get_test("domain_classifier")


def embeddings(rng: np.random.Generator, n: int, topic: np.ndarray) -> np.ndarray:
    # sentence-embedding-like: a shared direction plus noise
    return (topic + 0.6 * rng.normal(size=(n, topic.size))).astype(np.float32)


def test_centroid_cosine_matches_scipy_on_normalised_means() -> None:
    rng = np.random.default_rng(0)
    topic = rng.normal(size=32)
    ref, cur = embeddings(rng, 500, topic), embeddings(rng, 300, topic + 0.3 * rng.normal(size=32))

    def unit_mean(rows: np.ndarray) -> np.ndarray:
        rows = rows.astype(np.float64)
        return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).mean(axis=0)

    result = CENTROID.run(ref, cur)
    assert result.score == pytest.approx(cosine(unit_mean(ref), unit_mean(cur)), rel=1e-9)
    raw = CENTROID.run(ref, cur, summarise_options={"normalised": False})
    assert raw.score == pytest.approx(cosine(ref.mean(axis=0), cur.mean(axis=0)), rel=1e-5)


def test_centroid_from_upload_and_from_vector_sample() -> None:
    rng = np.random.default_rng(1)
    topic = rng.normal(size=8)
    ref, cur = embeddings(rng, 400, topic), embeddings(rng, 100, topic)
    direct = CENTROID.run(ref, cur).score
    uploaded = summary_from_dict(Centroid.from_rows(ref).to_dict())
    assert CENTROID.score(CENTROID.summarise(uploaded), cur).score == pytest.approx(direct, rel=1e-12)
    assert CENTROID.score(CENTROID.summarise(VectorSample.from_rows(ref)), cur).score == pytest.approx(direct)
    assert not CENTROID.run(ref, cur).drifted


def test_domain_classifier_separates_shifted_rows_only() -> None:
    rng = np.random.default_rng(2)
    topic = rng.normal(size=48)
    ref = embeddings(rng, 800, topic)
    same = DOMAIN.run(ref, embeddings(rng, 800, topic))
    moved = DOMAIN.run(ref, embeddings(rng, 800, topic + 0.15))
    assert abs(same.score - 0.5) < 0.05 and not same.drifted
    assert moved.score > 0.75 and moved.drifted


def test_domain_classifier_is_seeded() -> None:
    rng = np.random.default_rng(3)
    ref, cur = rng.normal(size=(200, 5)), rng.normal(0.2, 1.0, size=(200, 5))
    summary = DOMAIN.summarise(ref)
    assert DOMAIN.score(summary, cur, seed=4).score == DOMAIN.score(summary, cur, seed=4).score


def test_domain_classifier_model_errors_list_valid_models() -> None:
    rng = np.random.default_rng(4)
    summary = DOMAIN.summarise(rng.normal(size=(50, 3)))
    with pytest.raises(DriftConfigError, match="valid: gradient_boosting, logistic"):
        DOMAIN.score(summary, rng.normal(size=(50, 3)), model="forest")
