"""The trace list in Chromium against a real `pyflare serve` fed by the stock OTel SDK: facet counts
follow the typed query (each facet leaving out its own filter), attribute filters are exact (dotted
keys, quoted values, numbers, booleans), a saved view round-trips through its shareable link, the
export holds the whole filtered set (counted independently through the SQL endpoint), and live mode
swaps its subscription on one connection and holds new traces while a trace is open."""

from __future__ import annotations

import csv
import io
import json
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import requests
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.trace import Status, StatusCode
from playwright.sync_api import expect

from tests.serve.running import INIT_KEY, ServeProcess
from tests.ui.conftest import PROJECT, login
from tests.ui.telemetry import otel_genai_trace

pytestmark = pytest.mark.browser


def _send(serve: ServeProcess, service: str, traces: list[dict[str, Any]]) -> list[str]:
    """One two-span trace per entry: root `handle` with `attrs`, a child on `model` (failed with `error`)."""
    exporter = OTLPSpanExporter(endpoint=f"{serve.otlp_http}/v1/traces", headers={"x-api-key": INIT_KEY})
    provider = TracerProvider(resource=Resource.create({"service.name": service, "pyflare.project": PROJECT}))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("pyflare.tests.ui.list")
    ids = []
    for spec in traces:
        with tracer.start_as_current_span("handle", attributes=spec.get("attrs", {})) as root:
            ids.append(format(root.get_span_context().trace_id, "032x"))
            with tracer.start_as_current_span("call model") as child:
                child.set_attributes({"gen_ai.operation.name": "chat", "gen_ai.request.model": spec.get("model", "m")})
                if spec.get("error"):
                    child.set_status(Status(StatusCode.ERROR, "failed"))
    provider.shutdown()
    return ids


def _wait_stored(serve: ServeProcess, service: str, count: int) -> None:
    for _ in range(100):
        reply = requests.get(f"{serve.web}/api/v1/traces", params={"service": service, "limit": 1000},
                             headers={"X-API-Key": INIT_KEY}, timeout=30)
        if len(reply.json()["traces"]) >= count:
            return
        time.sleep(0.1)
    raise AssertionError(f"{count} traces of {service} never listed")


def _rows(page: Any) -> set[str]:
    return {h.rsplit("/", 1)[-1] for h in page.locator('[data-testid="trace-row"] a.trace-link').evaluate_all(
        "els => els.map(e => e.getAttribute('href'))")}


def _wait_rows(page: Any, expected: set[str]) -> None:
    for _ in range(150):
        if _rows(page) == expected and not page.locator(".facets[aria-busy=true]").count():
            return
        page.wait_for_timeout(100)
    assert _rows(page) == expected


def _facet(page: Any, key: str) -> dict[str, int]:
    return {e["value"]: int(e["count"]) for e in page.locator(f'[data-testid="facet-{key}"]').evaluate_all(
        "els => els.map(e => ({value: e.dataset.value, count: e.dataset.count}))")}


def _query(page: Any, text: str) -> None:
    bar = page.get_by_test_id("query-input")
    bar.fill(text)
    bar.press("Enter")


def test_facet_counts_follow_the_typed_query(page: Any, ui_serve: ServeProcess) -> None:
    service = f"facets-{uuid.uuid4().hex[:6]}"
    a1, a2, b1 = _send(ui_serve, service, [{"model": "model-a"}, {"model": "model-a", "error": True},
                                           {"model": "model-b"}])
    _wait_stored(ui_serve, service, 3)
    login(page)
    page.goto(f"/p/{PROJECT}/traces?service={service}")
    _wait_rows(page, {a1, a2, b1})
    assert _facet(page, "model") == {"model-a": 2, "model-b": 1}
    assert _facet(page, "status") == {"ok": 2, "error": 1}
    assert page.get_by_test_id("facet-total").inner_text() == "3 traces match"

    _query(page, f"service:{service} status:error")
    _wait_rows(page, {a2})
    assert _facet(page, "model") == {"model-a": 1}
    assert _facet(page, "status") == {"ok": 2, "error": 1}  # the status facet leaves out its own filter
    assert page.get_by_test_id("facet-total").inner_text() == "1 traces match"

    page.locator('[data-testid="facet-status"][data-value="ok"]').click()  # the bar follows a facet click
    _wait_rows(page, {a1, b1})
    assert f"service:{service} status:ok" == page.get_by_test_id("query-input").input_value()
    assert _facet(page, "model") == {"model-a": 1, "model-b": 1}
    # the service facet leaves out its own filter: other tests' services are counted next to this one
    assert _facet(page, "service")[service] == 2


ATTRS = {
    "int 3": {"retry.count": 3, "plan.tier": "pro plus", "flag.beta": True, "score": 0.5,
              "note": 'say "hi": a=b'},
    "int 30": {"retry.count": 30, "plan.tier": "pro", "flag.beta": False, "score": 0.25},
    "string 3": {"retry.count": "3", "plan.tier": "pro plus extra"},
    "none": {},
}
EXACT = {
    "attr.retry.count=3": {"int 3", "string 3"},  # stored as text: the number 3 and the string "3"
    "attr.retry.count=30": {"int 30"},
    'attr.plan.tier="pro plus"': {"int 3"},
    "attr.plan.tier=pro": {"int 30"},
    "attr.flag.beta=true": {"int 3"},
    "attr.flag.beta=false": {"int 30"},
    "attr.score=0.5": {"int 3"},
    r'attr.note="say \"hi\": a=b"': {"int 3"},
    "attr.retry.count=3 attr.plan.tier=pro": set(),
}


def test_attribute_filters_are_exact(page: Any, ui_serve: ServeProcess) -> None:
    service = f"attrs-{uuid.uuid4().hex[:6]}"
    ids = dict(zip(ATTRS, _send(ui_serve, service, [{"attrs": a} for a in ATTRS.values()]), strict=True))
    _wait_stored(ui_serve, service, len(ATTRS))
    login(page)
    page.goto(f"/p/{PROJECT}/traces?service={service}")
    _wait_rows(page, set(ids.values()))
    for text, names in EXACT.items():
        _query(page, f"service:{service} {text}")
        if names:
            _wait_rows(page, {ids[n] for n in names})
        else:
            page.get_by_text("No trace matches these filters").wait_for()
        expect(page.get_by_test_id("facet-total")).to_have_text(f"{len(names)} traces match")
        # what the bar shows again parses to the same filter (quotes kept where needed)
        assert page.get_by_test_id("query-input").input_value().replace("\\", "") == \
            f"service:{service} {text}".replace("\\", ""), text


def test_a_saved_view_round_trips_through_its_link(page: Any, ui_serve: ServeProcess) -> None:
    service = f"views-{uuid.uuid4().hex[:6]}"
    a1, _ = _send(ui_serve, service, [{"model": "model-a", "attrs": {"region": "eu"}}, {"model": "model-b"}])
    _wait_stored(ui_serve, service, 2)
    name = f"eu model-a {service}"
    login(page)
    page.goto(f"/p/{PROJECT}/traces?service={service}&model=model-a&cols=region")
    _wait_rows(page, {a1})
    page.get_by_role("button", name="Save view").click()
    page.get_by_label("View name").fill(name)
    page.get_by_label("shared").check()
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url("**view=*")
    view_id = page.url.rsplit("view=", 1)[1].split("&")[0]

    page.goto(f"/p/{PROJECT}/traces")  # an unfiltered list, then the view from the menu
    page.get_by_label("Saved views").select_option(label=f"{name} (shared)")
    page.wait_for_url(f"**model=model-a**view={view_id}")
    _wait_rows(page, {a1})
    assert page.get_by_role("columnheader", name="region").count() == 1
    assert page.locator('[data-testid="trace-row"]').first.inner_text().count("eu") >= 1
    assert page.locator('[data-testid="trace-row"] [title="eu"]').count() == 1  # a cut value is whole in its tooltip

    page.goto(f"/p/{PROJECT}/traces?view={view_id}")  # the shareable link opens the saved query
    page.wait_for_url(f"**service={service}**")
    _wait_rows(page, {a1})
    assert "model:model-a" in page.get_by_test_id("query-input").input_value()

    page.get_by_role("button", name="Delete view").click()
    page.wait_for_function("() => !location.search.includes('view=')")
    listed = requests.get(f"{ui_serve.web}/api/v1/traces/views", headers={"X-API-Key": INIT_KEY}, timeout=30).json()
    assert view_id not in [str(v["id"]) for v in listed]
    assert page.get_by_label("Saved views").locator("option", has_text=name).count() == 0


def _download(page: Any, label: str) -> str:
    with page.expect_download() as info:
        page.get_by_role("link", name=label).click()
    return Path(info.value.path()).read_text(encoding="utf-8")


def test_export_holds_the_whole_filtered_set(page: Any, ui_serve: ServeProcess) -> None:
    service = f"export-{uuid.uuid4().hex[:6]}"
    specs = [{"model": f"m{i % 3}", "error": i % 4 == 0} for i in range(30)]
    _send(ui_serve, service, specs)
    _wait_stored(ui_serve, service, len(specs))
    login(page)
    page.goto(f"/p/{PROJECT}/traces?service={service}&model=m1")
    page.locator('[data-testid="trace-row"]').first.wait_for()
    rows = list(csv.DictReader(io.StringIO(_download(page, "Export CSV"))))
    counted = ui_serve.query(f"SELECT uniqExact(trace_id) AS n FROM spans WHERE trace_id IN (SELECT trace_id FROM spans"
                             f" WHERE service_name = '{service}') AND model_id = 'm1'")[0]["n"]
    assert len(rows) == int(counted) == 10 and len({r["trace_id"] for r in rows}) == 10
    assert all("m1" in r["models"] for r in rows)

    _query(page, f"service:{service} status:error")
    page.wait_for_url("**status=error**")
    lines = [json.loads(line) for line in _download(page, "Export JSONL").splitlines()]
    failed = ui_serve.query(f"SELECT uniqExact(trace_id) AS n FROM spans WHERE service_name = '{service}'"
                            " AND status_code = 'error'")[0]["n"]
    assert len(lines) == int(failed) == sum(s["error"] for s in specs)
    assert all(t["status"] == "error" for t in lines)


def test_live_swaps_its_subscription_on_one_connection_and_holds_while_a_trace_is_open(
    page: Any, ui_serve: ServeProcess
) -> None:
    service = f"live-{uuid.uuid4().hex[:6]}"
    sockets: list[Any] = []
    sent: list[dict[str, Any]] = []
    page.on("websocket", lambda ws: (sockets.append(ws), ws.on("framesent", lambda p: sent.append(json.loads(p)))))
    login(page)
    page.goto(f"/p/{PROJECT}/traces?service={service}")
    page.get_by_text("No trace matches these filters").wait_for()
    page.get_by_test_id("live-toggle").click()
    opened = len(sockets)  # the page's one connection (login's page had its own)
    first = otel_genai_trace(ui_serve, service=service, model="live-a")
    page.locator(f'a[href$="/traces/{first}"]').wait_for()

    _query(page, f"service:{service} model:live-b")  # a model filter: the channel changes, not the socket
    page.wait_for_url("**model=live-b**")
    for _ in range(50):
        if any("traces:live-b" in json.dumps(f) for f in sent):
            break
        page.wait_for_timeout(100)
    assert any("traces:live-b" in json.dumps(f) for f in sent), sent
    other = otel_genai_trace(ui_serve, service=service, model="live-a")  # filtered out live
    wanted = otel_genai_trace(ui_serve, service=service, model="live-b")
    page.locator(f'a[href$="/traces/{wanted}"]').wait_for()
    assert page.locator(f'a[href$="/traces/{other}"]').count() == 0
    assert len(sockets) == opened

    page.locator(f'a[href$="/traces/{wanted}"]').click()  # an open trace holds the live list
    page.get_by_test_id("waterfall").wait_for()
    held = otel_genai_trace(ui_serve, service=service, model="live-b")
    page.go_back()
    page.locator(f'a[href$="/traces/{held}"]').wait_for()  # it joins once the trace is closed
    assert len(sockets) == opened
