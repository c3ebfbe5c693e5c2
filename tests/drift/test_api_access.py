"""Who may do what with drift, and that one project never sees another's monitors or results."""

from __future__ import annotations

import time
import uuid

import numpy as np
from clickhouse_connect.driver.client import Client

from tests.storage.spans import span_row, span_table
from tests.webapp.conftest import World
from tests.webapp.telemetry import client_for
from webapp.drift.models import DriftMonitor

MODEL = "shared-name"
UPLOAD = {"features": {"x": {"values": list(range(100))}}}


def store_window(store: Client, project: str, values: np.ndarray) -> tuple[int, int]:
    start = time.time_ns() - 120 * 1_000_000_000
    rows = [
        span_row(project=project, model_id=MODEL, trace_id=uuid.uuid4().hex, span_id=uuid.uuid4().hex[:16],
                 start_time=start + i * 1_000_000, features=[("x", repr(float(v)))])
        for i, v in enumerate(values)
    ]  # fmt: skip
    store.insert_arrow("spans", span_table(rows))
    return start, start + len(rows) * 1_000_000


def test_roles_read_and_configure_as_the_seed_says(world: World, store: Client) -> None:
    url = f"/api/v1/drift/{MODEL}"
    for role in ("viewer", "developer"):
        client = client_for(world, role)
        assert client.put(f"{url}/monitor", {"window": "1h"}, format="json").status_code == 403
        assert client.post(f"{url}/reference", UPLOAD, format="json").status_code == 403
        assert client.post(f"{url}/run", {}, format="json").status_code == 403
    operator = client_for(world, "operator")
    assert operator.put(f"{url}/monitor", {"window": "1h"}, format="json").status_code == 201
    assert operator.post(f"{url}/reference", UPLOAD, format="json").status_code == 201
    for role in ("viewer", "developer", "operator", "admin"):
        client = client_for(world, role)
        assert client.get(url).status_code == 200
        assert client.get(f"{url}/monitor").json()["window"] == "1h"
        assert client.get(f"{url}/reference").json()["parts"]["features"]["x"]["count"] == 100
    assert operator.delete(f"{url}/monitor").status_code == 204
    assert client_for(world, "viewer").get(url).status_code == 404


def test_projects_never_see_each_others_drift(world: World, store: Client) -> None:
    mine, theirs = client_for(world, "operator"), client_for(world, "operator", side="other")
    url = f"/api/v1/drift/{MODEL}"
    assert mine.post(f"{url}/reference", UPLOAD, format="json").status_code == 201
    start, end = store_window(store, "own", np.arange(100, 200))
    assert mine.post(f"{url}/run", {"start": str(start), "end": str(end)}, format="json").json()["status"] == "scored"
    assert mine.get(url).json()["drifted_features"] == ["x"]

    assert theirs.get(url).status_code == 404  # same model name, but no monitor or results in their project
    assert theirs.get(f"{url}/features").status_code == 404
    assert theirs.get(f"{url}/history").json()["points"] == []
    assert theirs.get("/api/v1/drift").json() == []
    # their own monitor of a model with the same name starts empty and their spans are their own
    assert theirs.post(f"{url}/reference", UPLOAD, format="json").status_code == 201
    status = theirs.get(url).json()
    assert status["has_results"] is False and status["drift_scores"]["feature"] is None
    other_start, other_end = store_window(store, "other", np.arange(0, 100))
    run = theirs.post(f"{url}/run", {"start": str(other_start), "end": str(other_end)}, format="json").json()
    assert run["n_rows"] == 100 and run["drifted_features"] == []
    assert mine.get(url).json()["drifted_features"] == ["x"]
    assert DriftMonitor.objects.filter(model_id=MODEL).count() == 2
    # a key of one project cannot name the other
    response = mine.get(url, HTTP_X_PYFLARE_PROJECT="other")
    assert response.status_code == 404


def test_channels_of_another_project_cannot_be_attached(world: World, store: Client) -> None:
    from webapp.costs.models import NotificationChannel

    foreign = NotificationChannel.objects.create(project=world.other.project, name="theirs", url="http://127.0.0.1:9/")
    response = client_for(world, "operator").put(
        f"/api/v1/drift/{MODEL}/monitor", {"channels": [foreign.pk]}, format="json"
    )
    assert response.status_code == 400 and "channels" in response.json()["details"]


def test_run_now_needs_a_reference(world: World, store: Client) -> None:
    operator = client_for(world, "operator")
    assert operator.put(f"/api/v1/drift/{MODEL}/monitor", {}, format="json").status_code == 201
    response = operator.post(f"/api/v1/drift/{MODEL}/run", {}, format="json")
    assert response.status_code == 409 and "no reference" in response.json()["message"]


def test_run_now_queues_a_task_when_tasks_do_not_run_eagerly(world: World, store: Client, settings) -> None:
    from workers.celery import app

    operator = client_for(world, "operator")
    assert operator.post(f"/api/v1/drift/{MODEL}/reference", UPLOAD, format="json").status_code == 201
    eager = app.conf.task_always_eager  # read before the settings change: the app loads them lazily
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False  # the in-memory broker keeps the message; no worker takes it
    try:
        response = operator.post(f"/api/v1/drift/{MODEL}/run", {}, format="json")
    finally:
        app.conf.task_always_eager = eager
    assert response.status_code == 202 and response.json()["task_id"]
