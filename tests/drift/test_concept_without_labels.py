"""Without feedback labels, concept drift falls back to the joint (features, prediction) distribution:
a model whose output turned around while inputs and output marginals stayed put is caught there."""

from __future__ import annotations

import time

import numpy as np
from clickhouse_connect.driver.client import Client

from tests.storage.spans import span_row, span_table
from tests.webapp.conftest import World
from tests.webapp.telemetry import client_for

MODEL = "scorer"
N = 600


def write_scores(client: Client, start: int, x: np.ndarray, score: np.ndarray) -> int:
    rows = [
        span_row(project="own", model_id=MODEL, trace_id=f"{start + i:032x}", span_id=f"{i:016x}",
                 start_time=start + i * 1_000_000, features=[("x", repr(float(a)))], prediction_score=float(s))
        for i, (a, s) in enumerate(zip(x, score, strict=True))
    ]  # fmt: skip
    client.insert_arrow("spans", span_table(rows))
    return start + N * 1_000_000


def test_a_reversed_relation_is_concept_drift_while_marginals_hold(world: World, store: Client) -> None:
    rng = np.random.default_rng(12)
    operator = client_for(world, "operator")
    t0 = time.time_ns() - 3600 * 1_000_000_000
    x = rng.normal(size=N)
    t1 = write_scores(store, t0, x, 1 / (1 + np.exp(-2 * x)))
    taken = operator.post(f"/api/v1/drift/{MODEL}/reference", {"window": {"start": str(t0), "end": str(t1)}},
                          format="json")  # fmt: skip
    assert taken.status_code == 201, taken.content
    assert taken.json()["parts"]["joint"] == {"columns": ["x", "prediction"], "rows": N}
    assert taken.json()["parts"]["prediction"]["source"] == "score"

    x = rng.normal(size=N)
    t2 = write_scores(store, t1, x, 1 / (1 + np.exp(2 * x)))  # the same scores, given to the opposite inputs
    outcome = operator.post(f"/api/v1/drift/{MODEL}/run", {"start": str(t1), "end": str(t2)}, format="json").json()
    assert outcome["drifted_types"] == ["concept"] and outcome["drifted_features"] == [], outcome
    concept = operator.get(f"/api/v1/drift/{MODEL}").json()["drift_scores"]["concept"]
    assert concept["method"] == "joint_domain_classifier" and concept["is_drifted"]
