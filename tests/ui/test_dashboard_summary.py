"""The dashboard's request figures (requests, errors, p50/p95, per service) match an independent
computation: the range the page asked for, the raw spans of that range read through the SQL
endpoint, grouped into traces and percentiles taken here with numpy."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest
import requests

from tests.serve.running import INIT_KEY, ServeProcess
from tests.ui.conftest import PROJECT, login
from tests.ui.telemetry import otel_agent_trace, sdk_llm_trace

pytestmark = pytest.mark.browser


def _ns(iso: str) -> int:
    moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    return int(moment.timestamp()) * 1_000_000_000 + moment.microsecond * 1_000


def _spans(serve: ServeProcess) -> list[dict[str, Any]]:
    sql = ("SELECT trace_id, span_id, parent_span_id, service_name, status_code, toUnixTimestamp64Nano(start_time),"
           " toUnixTimestamp64Nano(end_time) FROM spans WHERE start_time > now() - INTERVAL 3 HOUR")  # fmt: skip
    reply = requests.post(f"{serve.web}/api/v1/query", json={"sql": sql, "limit": 10_000}, timeout=60,
                          headers={"X-API-Key": INIT_KEY, "X-PyFlare-Project": PROJECT})  # fmt: skip
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["total_rows"] < body["limit"]
    names = ["trace_id", "span_id", "parent_span_id", "service", "status", "start", "end"]
    return [dict(zip(names, row, strict=True)) for row in body["rows"]]


def _expected(spans: list[dict[str, Any]], start: int, end: int) -> dict[str, Any]:
    traces: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for s in spans:
        if start <= int(s["start"]) < end:
            traces[s["trace_id"]][s["span_id"]] = s  # a span delivered twice counts once
    durations, errors, per_service = [], 0, defaultdict(int)
    for trace in traces.values():
        rows = list(trace.values())
        durations.append((max(int(r["end"]) for r in rows) - min(int(r["start"]) for r in rows)) / 1e6)
        errors += any(r["status"] == "error" for r in rows)
        root = min(rows, key=lambda r: (r["parent_span_id"] != "", int(r["start"]), r["span_id"]))
        per_service[root["service"]] += 1
    return {"count": len(traces), "errors": errors, "p50": float(np.percentile(durations, 50)),
            "p95": float(np.percentile(durations, 95)), "services": dict(per_service)}  # fmt: skip


def test_dashboard_figures_match_the_stored_spans(page: Any, ui_serve: ServeProcess) -> None:
    service = f"dash-{uuid.uuid4().hex[:6]}"
    for i in range(3):
        sdk_llm_trace(ui_serve, service=service, model="gpt-4o-mini", question=f"q{i}", answer="a",
                      input_tokens=10, output_tokens=3)  # fmt: skip
    otel_agent_trace(ui_serve, service=service, model="gpt-4o")
    login(page)
    with page.expect_response("**/api/v1/dashboard/summary**") as answered:
        page.goto(f"/p/{PROJECT}/dashboard?range=1h")
    asked = parse_qs(urlparse(answered.value.url).query)
    summary = answered.value.json()
    start, end = _ns(asked["start_time"][0]), _ns(asked["end_time"][0])
    want = _expected(_spans(ui_serve), start, end)
    assert want["services"].get(service) == 4

    got = summary["requests"]
    assert (got["count"], got["errors"]) == (want["count"], want["errors"])
    assert got["p50_ms"] == pytest.approx(want["p50"]) and got["p95_ms"] == pytest.approx(want["p95"])
    assert page.get_by_test_id("dash-requests-count").inner_text().startswith(f"{want['count']:,}")
    row = page.get_by_role("table", name="Top services").get_by_role("row").filter(has_text=service)
    assert row.get_by_role("cell").all_inner_texts()[:3] == [service, "4", "0"]
    assert summary["costs"]["input_tokens"] >= 30  # the three SDK calls at least
    page.get_by_test_id("dash-cost").wait_for()
