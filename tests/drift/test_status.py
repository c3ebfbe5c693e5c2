"""The model status through the API: drifted features below the dataset-drift share make a warning
with the severity of the strongest drift; the share still decides `drifted`.

Six numerical features scored with KS; the current window repeats the reference's values exactly
(D = 0, p = 1) except for the shifted features, moved by 5 standard deviations (p far below 1e-20,
checked with scipy). Expected severities from the formula in workers/analysis/drift/verdict.py:
feature weight 0.6 times magnitude 1 = 0.6; none drifted: the combined 0.6 x share = 0.
"""

from __future__ import annotations

import time
import uuid

import numpy as np
import pytest
from clickhouse_connect.driver.client import Client
from scipy.stats import ks_2samp

from tests.storage.spans import span_row, span_table
from tests.webapp.conftest import World
from tests.webapp.telemetry import client_for

MODEL = "status-model"
NAMES = ["age", "income", "tenure", "visits", "score", "balance"]
ROWS = 600
REFERENCE = {name: np.random.default_rng(i).normal(10.0 * i, 1.0 + i, ROWS).round(6) for i, name in enumerate(NAMES)}


def store_window(store: Client, shifted: list[str]) -> tuple[int, int, dict[str, np.ndarray]]:
    current = {name: values + 5.0 * values.std() if name in shifted else values for name, values in REFERENCE.items()}
    start = time.time_ns() - 600 * 1_000_000_000
    rows = [
        span_row(project="own", model_id=MODEL, trace_id=uuid.uuid4().hex, span_id=uuid.uuid4().hex[:16],
                 start_time=start + i * 1_000_000, features=[(n, repr(float(current[n][i]))) for n in NAMES])
        for i in range(ROWS)
    ]  # fmt: skip
    store.insert_arrow("spans", span_table(rows))
    return start, start + ROWS * 1_000_000, current


@pytest.mark.parametrize(
    ("shifted", "status", "severity", "feature_drifted"),
    [
        (["income", "visits"], "warning", 0.6, False),  # the reported case: 2 of 6, was "healthy" at 0.2
        (["income"], "warning", 0.6, False),
        (["income", "visits", "score"], "drifted", 0.6, True),  # 3 of 6 reaches the 0.5 share
        ([], "healthy", 0.0, False),
    ],
)
def test_status_follows_the_drifted_features(
    world: World, store: Client, shifted: list[str], status: str, severity: float, feature_drifted: bool
) -> None:
    client = client_for(world, "operator")
    assert client.put(f"/api/v1/drift/{MODEL}/monitor", {"method": "ks"}, format="json").status_code == 201
    upload = {"features": {name: {"values": values.tolist()} for name, values in REFERENCE.items()}}
    assert client.post(f"/api/v1/drift/{MODEL}/reference", upload, format="json").status_code == 201
    start, end, current = store_window(store, shifted)
    run = client.post(f"/api/v1/drift/{MODEL}/run", {"start": str(start), "end": str(end)}, format="json")
    assert run.status_code == 200 and run.json()["status"] == "scored", run.content
    assert run.json()["overall_status"] == status

    features = {f["feature"]: f for f in client.get(f"/api/v1/drift/{MODEL}/features").json()["features"]}
    for name in NAMES:
        expected = ks_2samp(REFERENCE[name], current[name]).pvalue
        assert features[name]["method"] == "ks"
        assert (expected < 1e-20) if name in shifted else (expected == 1.0)
        assert features[name]["p_value"] == pytest.approx(expected, rel=1e-6, abs=1e-300)
        assert features[name]["is_drifted"] == (name in shifted)

    body = client_for(world, "viewer").get(f"/api/v1/drift/{MODEL}").json()
    assert body["overall_status"] == status
    assert body["severity"] == pytest.approx(severity)
    assert sorted(body["drifted_features"]) == sorted(shifted)
    assert body["drift_scores"]["feature"]["score"] == pytest.approx(len(shifted) / len(NAMES))
    assert body["drift_scores"]["feature"]["is_drifted"] is feature_drifted
