"""Reference upload forms give the results raw data gives, checked against independent computations.

The current window is stored as span rows in ClickHouse; each case uploads a reference through the
API, scores the window with run-now and reads /features. Expected numbers: scipy's ks_2samp and
chi2_contingency, and a PSI written out here.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import numpy as np
import pytest
from clickhouse_connect.driver.client import Client
from rest_framework.test import APIClient
from scipy.stats import chi2_contingency, ks_2samp

from tests.storage.spans import span_row, span_table
from tests.webapp.conftest import World
from tests.webapp.telemetry import client_for

MODEL = "pricing"
CATEGORIES = ["a", "b", "c", "d", "e"]
RNG = np.random.default_rng(99)
REF_X = RNG.normal(10.0, 2.0, 3000).round(6)
REF_C = RNG.choice(CATEGORIES, 3000, p=[0.3, 0.25, 0.2, 0.15, 0.1])
CUR_X = RNG.normal(10.25, 2.0, 2000).round(6)
CUR_C = RNG.choice(CATEGORIES, 2000, p=[0.26, 0.25, 0.2, 0.17, 0.12])


@pytest.fixture
def window(store: Client) -> tuple[int, int]:
    start = time.time_ns() - 600 * 1_000_000_000
    rows = [
        span_row(project="own", model_id=MODEL, trace_id=uuid.uuid4().hex, span_id=uuid.uuid4().hex[:16],
                 start_time=start + i * 1_000_000, features=[("x", repr(float(x))), ("c", str(c))])
        for i, (x, c) in enumerate(zip(CUR_X, CUR_C, strict=True))
    ]  # fmt: skip
    store.insert_arrow("spans", span_table(rows))
    return start, start + len(rows) * 1_000_000


def scored(client: APIClient, window: tuple[int, int], methods: dict[str, str], upload: dict[str, Any]) -> dict:
    monitor = client.put(f"/api/v1/drift/{MODEL}/monitor", {"feature_methods": methods}, format="json")
    assert monitor.status_code in (200, 201), monitor.content
    reference = client.post(f"/api/v1/drift/{MODEL}/reference", {"features": upload}, format="json")
    assert reference.status_code == 201, reference.content
    run = client.post(f"/api/v1/drift/{MODEL}/run", {"start": str(window[0]), "end": str(window[1])}, format="json")
    assert run.status_code == 200 and run.json()["status"] == "scored", run.content
    features = client.get(f"/api/v1/drift/{MODEL}/features").json()["features"]
    return {f["feature"]: f for f in features}


def hand_psi(reference: np.ndarray, current: np.ndarray, epsilon: float = 1e-4) -> float:
    cuts = np.unique(np.quantile(reference, np.arange(1, 10) / 10))
    ref = np.bincount(np.searchsorted(cuts, reference, side="right"), minlength=cuts.size + 1) / reference.size
    cur = np.bincount(np.searchsorted(cuts, current, side="right"), minlength=cuts.size + 1) / current.size
    ref, cur = np.where(ref == 0, epsilon, ref), np.where(cur == 0, epsilon, cur)
    return float(np.sum((cur - ref) * np.log(cur / ref)))


def contingency(reference: np.ndarray, current: np.ndarray) -> tuple[float, float]:
    table = [[np.sum(reference == c) for c in CATEGORIES], [np.sum(current == c) for c in CATEGORIES]]
    statistic, p_value, _, _ = chi2_contingency(table, correction=False)
    return float(statistic), float(p_value)


def test_raw_samples_match_scipy(world: World, window: tuple[int, int]) -> None:
    results = scored(
        client_for(world, "operator"), window, {"x": "ks", "c": "chisquare"},
        {"x": {"values": REF_X.tolist()}, "c": {"values": REF_C.tolist()}},
    )  # fmt: skip
    expected = ks_2samp(REF_X, CUR_X)
    assert results["x"]["score"] == pytest.approx(expected.statistic, rel=1e-9)
    assert results["x"]["p_value"] == pytest.approx(expected.pvalue, rel=1e-6)
    assert results["x"]["is_drifted"] == (expected.pvalue < 0.05)
    statistic, p_value = contingency(REF_C, CUR_C)
    assert results["c"]["score"] == pytest.approx(statistic, rel=1e-9)
    assert results["c"]["p_value"] == pytest.approx(p_value, rel=1e-6)
    assert (results["x"]["n_reference"], results["x"]["n_current"]) == (3000, 2000)


def test_histogram_and_counts_give_what_raw_data_gives(world: World, window: tuple[int, int]) -> None:
    client = client_for(world, "operator")
    methods = {"x": "psi", "c": "chisquare"}
    raw = scored(client, window, methods, {"x": {"values": REF_X.tolist()}, "c": {"values": REF_C.tolist()}})
    edges = np.concatenate(([REF_X.min()], np.quantile(REF_X, np.arange(1, 10) / 10), [REF_X.max()]))
    counts, _ = np.histogram(REF_X, edges)
    summarised = scored(
        client, window, methods,
        {"x": {"histogram": {"edges": edges.tolist(), "counts": counts.tolist()}},
         "c": {"counts": {str(c): int(n) for c, n in zip(*np.unique(REF_C, return_counts=True), strict=True)}}},
    )  # fmt: skip
    assert raw["x"]["score"] == pytest.approx(hand_psi(REF_X, CUR_X), rel=1e-9)
    assert summarised["x"]["score"] == pytest.approx(raw["x"]["score"], rel=1e-9)
    assert summarised["x"]["histogram"] == raw["x"]["histogram"]
    assert summarised["c"]["score"] == pytest.approx(raw["c"]["score"], rel=1e-12)
    assert summarised["c"]["p_value"] == pytest.approx(raw["c"]["p_value"], rel=1e-12)


def test_quantiles_give_ks_within_their_resolution(world: World, window: tuple[int, int]) -> None:
    probs = np.linspace(0, 1, 1001)
    upload = {
        "x": {"quantiles": {"probs": probs.tolist(), "values": np.quantile(REF_X, probs).tolist(), "count": 3000}}
    }
    results = scored(client_for(world, "operator"), window, {"x": "ks"}, upload)
    expected = ks_2samp(REF_X, CUR_X)
    assert abs(results["x"]["score"] - expected.statistic) <= 1e-3
    assert results["x"]["is_drifted"] == (expected.pvalue < 0.05)


def test_uploads_that_cannot_be_used_are_refused_with_the_reason(world: World, store: Client) -> None:
    client = client_for(world, "operator")
    cases = [
        ({"features": {"x": {"histogram": {"edges": [0, 1, 2], "counts": [1]}}}}, "3 histogram edges need 2 counts"),
        ({"features": {"x": {"values": [1, 2], "counts": {"a": 1}}}}, "exactly one of"),
        (
            {"features": {"x": {"type": "categorical", "quantiles": {"probs": [0, 1], "values": [0, 1], "count": 9}}}},
            "quantiles describe a numerical feature",
        ),
        ({"features": {"x": {"quantiles": {"probs": [0.1, 1], "values": [0, 1], "count": 9}}}}, "from 0"),
        ({"window": {"start": "2025-01-01T00:00:00Z", "end": "2025-01-01T01:00:00Z"}}, "holds no spans"),
        ({"predictions": {"type": "class", "values": [1, 2]}, "window": {"start": "1", "end": "2"}}, "not both"),
        ({"labels": {"true": [1, 0], "predicted": [1]}}, "equal length"),
    ]
    for body, message in cases:
        response = client.post(f"/api/v1/drift/{MODEL}/reference", body, format="json")
        assert response.status_code == 400, (body, response.content)
        assert message in response.json()["message"], (message, response.json())
    assert client.put(f"/api/v1/drift/{MODEL}/monitor", {"method": "nope"}, format="json").status_code == 400
    assert client.put(f"/api/v1/drift/{MODEL}/monitor", {"window": "10s"}, format="json").status_code == 400
    assert client.post("/api/v1/drift/unknown-model/run", {}, format="json").status_code == 404
