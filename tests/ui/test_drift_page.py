"""The drift page shows the features that drifted after a shifted window: the monitor made with the
page's form and the reference uploaded as a JSON file through the page, spans with model features
sent by the stock OTel SDK, the run through /run; the dashboard then shows the model's status."""

from __future__ import annotations

import json
import re
import time
from typing import Any

import numpy as np
import pytest
import requests
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from playwright.sync_api import expect

from tests.serve.running import INIT_KEY, ServeProcess
from tests.ui.conftest import PROJECT, login

pytestmark = pytest.mark.browser

MODEL = "ui-churn"
ROWS = 300
PLANS = ["basic", "pro", "enterprise"]


def _population(rng: np.random.Generator, shifted: bool) -> dict[str, list[Any]]:
    return {
        "age": rng.normal(40, 10, ROWS).round(1).tolist(),
        "income": (rng.normal(50_000, 12_000, ROWS) + (18_000 if shifted else 0)).round(2).tolist(),
        "plan": rng.choice(PLANS, ROWS, p=[0.3, 0.3, 0.4] if shifted else [0.6, 0.3, 0.1]).tolist(),
    }


def _send(serve: ServeProcess, rows: dict[str, list[Any]]) -> None:
    exporter = OTLPSpanExporter(endpoint=f"{serve.otlp_http}/v1/traces", headers={"x-api-key": INIT_KEY})
    provider = TracerProvider(resource=Resource.create({"service.name": "ui-scoring", "pyflare.project": PROJECT}))
    provider.add_span_processor(BatchSpanProcessor(exporter))
    tracer = provider.get_tracer("pyflare.tests.ui.drift")
    for i in range(ROWS):
        with tracer.start_as_current_span("predict") as span:
            span.set_attribute("pyflare.model.id", MODEL)
            span.set_attribute("pyflare.inference.type", "classification")
            for name, values in rows.items():
                span.set_attribute(f"pyflare.features.{name}", values[i])
    assert provider.force_flush(30_000)
    provider.shutdown()


def _api(serve: ServeProcess, method: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    reply = requests.request(method, f"{serve.web}/api/v1{path}", json=body, timeout=120,
                             headers={"X-API-Key": INIT_KEY, "X-PyFlare-Project": PROJECT})
    assert reply.status_code in (200, 201), reply.text
    return reply.json()


def _wait_rows(serve: ServeProcess, expected: int) -> None:
    for _ in range(60):
        rows = serve.query(f"SELECT count() AS n FROM spans WHERE model_id = '{MODEL}'")
        if int(rows[0]["n"]) >= expected:
            return
        time.sleep(0.5)
    raise AssertionError(f"the {expected} spans of {MODEL} were not stored")


def _get(serve: ServeProcess, path: str) -> Any:
    reply = requests.get(f"{serve.web}/api/v1{path}", timeout=60,
                         headers={"X-API-Key": INIT_KEY, "X-PyFlare-Project": PROJECT})
    assert reply.status_code == 200, reply.text
    return reply.json()


def _configure_in_the_page(page: Any, reference: dict[str, Any]) -> None:
    """The monitor through the page's form, the reference as an uploaded JSON file."""
    page.goto(f"/p/{PROJECT}/drift")
    page.get_by_role("heading", name="Drift").wait_for()
    # "Monitor a model" in the empty state, "New monitor" once other models are monitored
    page.get_by_role("button", name=re.compile("^(Monitor a model|New monitor)$")).click()
    form = page.get_by_role("form", name="New monitor")
    form.get_by_label("Model id").fill(MODEL)
    form.get_by_label("Window").fill("1h")
    form.get_by_label("Features (comma-separated, empty: all)").fill("age, income, plan")
    form.get_by_label("Minimum rows").fill("50")
    form.get_by_role("button", name="Create monitor").click()
    page.wait_for_url(f"**/drift?model={MODEL}")
    page.get_by_label("Upload a reference (JSON: features, predictions, labels, embeddings)").set_input_files(
        {"name": "reference.json", "mimeType": "application/json", "buffer": json.dumps(reference).encode()})
    page.get_by_text(f"Reference saved ({ROWS} rows).").wait_for()


def test_drift_page_shows_the_drifted_features(page: Any, ui_serve: ServeProcess) -> None:
    rng = np.random.default_rng(7)
    reference = {"features": {name: {"values": values} for name, values in _population(rng, shifted=False).items()}}
    login(page)
    _configure_in_the_page(page, reference)
    monitor = _get(ui_serve, f"/drift/{MODEL}/monitor")
    assert (monitor["window"], monitor["features"], monitor["min_samples"]) == ("1h", ["age", "income", "plan"], 50)
    assert _get(ui_serve, f"/drift/{MODEL}/reference")["row_count"] == ROWS
    start = time.time_ns()
    _send(ui_serve, _population(rng, shifted=True))
    _wait_rows(ui_serve, ROWS)
    window = {"start": str(start - 1_000_000_000), "end": str(time.time_ns())}
    outcome = _api(ui_serve, "POST", f"/drift/{MODEL}/run", window)
    assert outcome["status"] == "scored", outcome

    login(page)
    page.goto(f"/p/{PROJECT}/drift?model={MODEL}")
    page.get_by_role("heading", name="Drift").wait_for()
    page.get_by_test_id("monitor-link").filter(has_text=MODEL).wait_for()
    assert page.get_by_test_id("drift-status").inner_text() in ("drifted", "warning")
    drifted_text = page.get_by_test_id("drifted-features").inner_text()
    assert "income" in drifted_text and "plan" in drifted_text and "age" not in drifted_text
    rows = page.get_by_test_id("feature-row")
    rows.first.wait_for()
    drifted = {rows.nth(i).locator("td").first.inner_text() for i in range(rows.count())
               if rows.nth(i).get_attribute("data-drifted") == "true"}
    assert drifted == {"income", "plan"}
    # the most drifted feature's distributions are drawn, reference next to current
    page.get_by_test_id("distribution").get_by_role("img").wait_for()
    page.get_by_role("table", name="Drift severity per feature and window").wait_for()
    page.get_by_test_id("drift-features").scroll_into_view_if_needed()
    # the dashboard lists the model with the status of its last run, linking back here
    (status,) = [m["last_status"] for m in _get(ui_serve, "/drift") if m["model_id"] == MODEL]
    assert status in ("drift", "drifted", "warning"), status
    page.goto(f"/p/{PROJECT}/dashboard")
    row = page.get_by_role("table", name="Drift status per model").get_by_role("row").filter(has_text=MODEL)
    expect(row).to_contain_text(status)
    row.get_by_role("link", name=MODEL).click()
    page.wait_for_url(f"**/drift?model={MODEL}")
