"""Embedding drift: vectors logged with the SDK land in the embedded Qdrant through the ingest loop; the
reference is a past window (copied to the reference collection) or uploaded vectors, which score
alike; uploads into an existing dataset version need append=true."""

from __future__ import annotations

import time

import numpy as np
import pytest
from clickhouse_connect.driver.client import Client
from rest_framework.test import APIClient

import pyflare
from tests.drift.pipeline import Pipeline
from tests.webapp.conftest import World
from tests.webapp.telemetry import client_for
from workers.storage.vectors import EdgeVectorStore

MODEL = "support-embedder"
DIM = 16


@pytest.fixture
def pipeline(store: Client, vectors: EdgeVectorStore):
    pipe = Pipeline(store, vectors, project="own")
    yield pipe
    pipe.close()


def send(pipe: Pipeline, rows: np.ndarray) -> int:
    for row in rows:
        with pyflare.span("embed", attributes={"pyflare.model.id": MODEL, "pyflare.inference.type": "embedding"}):
            pyflare.log_embedding(row)
    pipe.drain()
    return time.time_ns()


def run(client: APIClient, start: int, end: int) -> dict:
    response = client.post(f"/api/v1/drift/{MODEL}/run", {"start": str(start), "end": str(end)}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def embedding_score(client: APIClient) -> dict:
    return client.get(f"/api/v1/drift/{MODEL}").json()["drift_scores"]["embedding"]


def test_embedding_drift_from_a_window_or_uploaded_vectors(world: World, pipeline: Pipeline) -> None:
    client = client_for(world, "operator")
    rng = np.random.default_rng(5)
    center = rng.normal(size=DIM)
    reference = center + rng.normal(size=(300, DIM))
    start = time.time_ns()
    reference_end = send(pipeline, reference)
    taken = client.post(
        f"/api/v1/drift/{MODEL}/reference", {"window": {"start": str(start), "end": str(reference_end)}}, format="json"
    )
    assert taken.status_code == 201, taken.content
    assert taken.json()["parts"]["embedding"]["count"] == 300 and taken.json()["parts"]["features"] == {}

    same_end = send(pipeline, center + rng.normal(size=(300, DIM)))
    outcome = run(client, reference_end, same_end)
    assert outcome["status"] == "scored" and "embedding" not in outcome["drifted_types"], outcome
    assert embedding_score(client)["method"] == "mmd"
    assert embedding_score(client)["is_drifted"] is False

    moved = center + rng.normal(size=(300, DIM))
    moved[:, :4] += 1.5
    moved_end = send(pipeline, moved)
    run(client, same_end, moved_end)
    from_window = client.get(f"/api/v1/drift/{MODEL}/history", {"drift_type": "embedding"}).json()["points"][0]
    assert from_window["is_drifted"] is True

    uploaded = client.post(
        f"/api/v1/drift/{MODEL}/reference",
        {"embeddings": {"vectors": reference.tolist(), "dataset_version": "faq-v1"}},
        format="json",
    )
    assert uploaded.status_code == 201, uploaded.content
    assert uploaded.json()["source"] == "dataset" and uploaded.json()["parts"]["embedding"]["count"] == 300
    run(client, same_end, moved_end)
    from_upload = client.get(f"/api/v1/drift/{MODEL}/history", {"drift_type": "embedding"}).json()["points"][0]
    assert from_upload["is_drifted"] is True
    assert from_upload["score"] == pytest.approx(from_window["score"], rel=1e-4)  # same vectors, float32 sums


def test_dataset_versions_are_appended_not_overwritten(world: World, store: Client, vectors: EdgeVectorStore) -> None:
    client = client_for(world, "operator")
    rows = np.random.default_rng(1).normal(size=(40, DIM)).tolist()
    url = f"/api/v1/drift/{MODEL}/reference"
    first = client.post(url, {"embeddings": {"vectors": rows[:20], "dataset_version": "v2"}}, format="json")
    assert first.status_code == 201
    again = client.post(url, {"embeddings": {"vectors": rows[:20], "dataset_version": "v2"}}, format="json")
    assert again.status_code == 409 and "append=true" in again.json()["message"]
    more = {"embeddings": {"vectors": rows[20:], "dataset_version": "v2", "append": True}}
    assert client.post(url, more, format="json").json()["parts"]["embedding"]["count"] == 40
    named = client.post(url, {"embeddings": {"dataset_version": "v2", "dim": DIM}}, format="json")
    assert named.status_code == 201 and named.json()["parts"]["embedding"]["count"] == 40
    missing = client.post(url, {"embeddings": {"dataset_version": "v3", "dim": DIM}}, format="json")
    assert missing.status_code == 400 and "holds no" in missing.json()["message"]
    mixed = client.post(url, {"embeddings": {"vectors": [[1.0, 2.0], [1.0]]}}, format="json")
    assert mixed.status_code == 400 and "one dimension" in mixed.json()["message"]
