"""Embedded mode prices spans too: OTLP/HTTP into a real `pyflare serve`, costs out of its API,
equal to the published price; a price override created through the API prices the next spans."""

from __future__ import annotations

import time
from pathlib import Path

import requests

from tests.analysis.cost.prices import micros
from tests.costs.calls import Call, genai, payload, record
from tests.serve.running import INIT_KEY, start_serve

PROTOBUF = {"Content-Type": "application/x-protobuf", "X-API-Key": INIT_KEY}


def _costs(web: str, start_ns: int) -> dict[str, object]:
    reply = requests.get(f"{web}/api/v1/costs", params={"start_time": str(start_ns), "group_by": "model"},
                         headers={"X-API-Key": INIT_KEY}, timeout=30)  # fmt: skip
    assert reply.status_code == 200, reply.text
    return reply.json()


def test_pyflare_serve_prices_spans_at_ingest(tmp_path: Path) -> None:
    serve = start_serve(tmp_path, {"PYFLARE_INIT_API_KEY": INIT_KEY, "PYFLARE_INIT_PROJECT": "shop",
                                   "PYFLARE_PRICE_REFRESH_SECONDS": "0"})  # fmt: skip
    try:
        start = time.time_ns() - 60 * 1_000_000_000
        calls = [Call(genai("claude-3-5-haiku-20241022", "anthropic", 5_000, 700, cache_read=3_000), start),
                 Call(genai("mystery-model", "acme", 100, 10), start)]  # fmt: skip
        sent = requests.post(f"{serve.otlp_http}/v1/traces", data=payload(record(calls, "shop")), headers=PROTOBUF,
                             timeout=60)  # fmt: skip
        assert sent.status_code == 200, sent.text  # answered once stored
        expected = micros(2_000, "0.80") + micros(3_000, "0.08") + micros(700, "4.00")  # published Claude 3.5 Haiku
        body = _costs(serve.web, start - 1)
        assert body["total_cost_micros"] == expected and body["totals"]["unpriced_requests"] == 1

        override = requests.post(f"{serve.web}/api/v1/costs/prices", headers={"X-API-Key": INIT_KEY}, timeout=30,
                                 json={"model": "mystery-model", "input_usd_per_mtok": "10",
                                       "output_usd_per_mtok": "100"})  # fmt: skip
        assert override.status_code == 201, override.text
        later = [Call(genai("mystery-model", "acme", 100, 10), start + 1_000_000_000)]
        requests.post(f"{serve.otlp_http}/v1/traces", data=payload(record(later, "shop")), headers=PROTOBUF,
                      timeout=60).raise_for_status()  # fmt: skip
        groups = {g["key"]["model"]: g for g in _costs(serve.web, start - 1)["groups"]}
        assert groups["mystery-model"]["cost_micros"] == micros(100, "10") + micros(10, "100")
        assert groups["mystery-model"]["unpriced_requests"] == 1  # the earlier span waits for `pyflare reprice`
        assert serve.stop() == 0
    finally:
        serve.kill()
