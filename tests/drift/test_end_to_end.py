"""End to end: a scikit-learn model instrumented with the SDK serves traffic that is stored by the real
ingest loop in ClickHouse; its drift monitor takes the first window as reference; after a covariate
shift in two of six inputs the scheduled job (the beat's task, run eagerly) marks exactly those two
features and the predictions as drifted, the API says so, an alert fires once to a real webhook;
later, a changed label rule with unchanged inputs shows up as concept drift from feedback labels.
"""

from __future__ import annotations

import time

import numpy as np
import pytest
from clickhouse_connect.driver.client import Client
from rest_framework.test import APIClient

from pyflare.integrations.sklearn import InstrumentedModel, RowSpan, instrument
from tests.drift.conftest import WebhookReceiver
from tests.drift.pipeline import Pipeline
from tests.drift.traffic import FEATURES, SHIFTED, labels, population, train
from tests.webapp.conftest import World
from tests.webapp.telemetry import client_for
from webapp.costs.models import NotificationChannel
from webapp.drift.models import DriftAlert, DriftMonitor
from workers.storage.vectors import EdgeVectorStore
from workers.tasks.drift import dispatch_due

MODEL = "churn-classifier"
ROWS = 1200
WINDOW_NS = 300 * 1_000_000_000


def send(model: InstrumentedModel, frame, batch: int = 50) -> list[RowSpan]:
    spans = []
    for start in range(0, len(frame), batch):
        model.predict(frame.iloc[start : start + batch])
        spans += [RowSpan(s.row + start, s.trace_id, s.span_id) for s in model.last_spans]
    return spans


def label(client: APIClient, spans: list[RowSpan], truth: np.ndarray, every: int = 3) -> None:
    for span in spans[::every]:
        body = {"trace_id": span.trace_id, "span_id": span.span_id, "label": int(truth[span.row])}
        response = client.post("/api/v1/feedback", body, format="json")
        assert response.status_code == 201, response.content


@pytest.fixture
def pipeline(store: Client, vectors: EdgeVectorStore):
    pipe = Pipeline(store, vectors, project="own")
    yield pipe
    pipe.close()


def phase(model: InstrumentedModel, pipe: Pipeline, operator: APIClient, rng, shifted=False, flipped=False) -> int:
    frame = population(rng, ROWS, shifted=shifted)
    spans = send(model, frame)
    pipe.drain()
    label(operator, spans, labels(frame, rng, flipped=flipped))
    return time.time_ns()


def test_two_shifted_inputs_are_found_by_the_scheduled_job(
    world: World, pipeline: Pipeline, webhook: WebhookReceiver
) -> None:
    operator, viewer = client_for(world, "operator"), client_for(world, "viewer")
    channel = NotificationChannel.objects.create(project=world.own.project, name="on-call", url=webhook.url)
    created = operator.put(f"/api/v1/drift/{MODEL}/monitor", {"window": "5m", "channels": [channel.pk]}, format="json")
    assert created.status_code == 201, created.content
    model = instrument(train(), model_id=MODEL)
    rng = np.random.default_rng(2024)

    start = time.time_ns()
    reference_end = phase(model, pipeline, operator, rng)
    response = operator.post(
        f"/api/v1/drift/{MODEL}/reference", {"window": {"start": str(start), "end": str(reference_end)}}, format="json"
    )
    assert response.status_code == 201, response.content
    parts = response.json()["parts"]
    assert sorted(parts["features"]) == sorted(FEATURES)
    assert parts["features"]["plan"]["type"] == "categorical" and parts["features"]["age"]["type"] == "numerical"
    assert parts["features"]["age"]["count"] == ROWS
    assert parts["prediction"]["source"] == "class" and parts["labels"]["count"] == ROWS // 3

    shifted_end = phase(model, pipeline, operator, rng, shifted=True)
    dispatched = dispatch_due(now_ns=shifted_end)
    assert dispatched["dispatched"] == [DriftMonitor.objects.get(model_id=MODEL).pk]
    outcome = dispatched["results"][0]
    assert outcome["status"] == "scored" and outcome["n_rows"] == ROWS, outcome
    assert outcome["window_start_ns"] == reference_end // 1000 * 1000  # resumes where the reference ended

    features = viewer.get(f"/api/v1/drift/{MODEL}/features").json()
    scores = {f["feature"]: f for f in features["features"]}
    assert set(scores) == set(FEATURES)
    assert {name for name, f in scores.items() if f["is_drifted"]} == set(SHIFTED)
    assert all(f["n_current"] == ROWS and f["n_reference"] == ROWS for f in scores.values())
    income = scores["income"]["histogram"]
    assert len(income["labels"]) == 10 and sum(income["reference"]) == pytest.approx(1.0)
    assert sum(income["current"][5:]) > 0.8  # the shifted incomes sit in the reference's upper bins
    assert features["prediction"]["is_drifted"]

    status = viewer.get(f"/api/v1/drift/{MODEL}").json()
    assert status["overall_status"] == "drifted" and status["has_results"]
    assert sorted(status["drifted_features"]) == sorted(SHIFTED)
    drift = status["drift_scores"]
    assert drift["feature"]["score"] == pytest.approx(2 / 6)
    assert drift["feature"]["is_drifted"] is False  # 2 of 6 is below the default drift_share of 0.5
    assert set(drift["feature"]["feature_breakdown"]) == set(FEATURES)
    assert drift["prediction"]["is_drifted"] is True
    assert drift["concept"]["method"] == "performance_accuracy" and drift["concept"]["is_drifted"] is False
    assert drift["embedding"] is None and "embedding" in status["skipped"]
    assert 0 < status["severity"] <= 1

    assert len(webhook.posts) == 1
    post = webhook.posts[0]
    assert post["type"] == "drift.detected" and post["model_id"] == MODEL and post["project"] == "own"
    assert sorted(post["drifted_features"]) == sorted(SHIFTED) and "prediction" in post["drifted_types"]

    # the same window again: not due for the beat, and a manual re-run does not notify again
    assert dispatch_due(now_ns=shifted_end)["dispatched"] == []
    rerun = operator.post(
        f"/api/v1/drift/{MODEL}/run", {"start": str(reference_end), "end": str(shifted_end)}, format="json"
    )
    assert rerun.status_code == 200 and rerun.json()["alert"] == "ongoing", rerun.content
    assert len(webhook.posts) == 1 and DriftAlert.objects.filter(monitor__model_id=MODEL).count() == 1

    # inputs back to the reference distribution, but the label rule changed: concept drift only
    phase(model, pipeline, operator, rng, flipped=True)
    later = dispatch_due(now_ns=shifted_end + WINDOW_NS)["results"][0]
    assert later["status"] == "scored" and later["n_rows"] == ROWS
    status = viewer.get(f"/api/v1/drift/{MODEL}").json()
    assert status["drift_scores"]["concept"]["is_drifted"] is True
    assert status["drifted_features"] == [] and status["drift_scores"]["prediction"]["is_drifted"] is False
    history = viewer.get(f"/api/v1/drift/{MODEL}/history", {"drift_type": "concept"}).json()["points"]
    assert [p["is_drifted"] for p in history] == [True, False, False]  # newest first: C, B re-run, B
    income_history = viewer.get(f"/api/v1/drift/{MODEL}/history", {"feature": "income"}).json()["points"]
    assert [p["is_drifted"] for p in income_history] == [False, True, True]
    assert len(webhook.posts) == 1  # still the same episode
