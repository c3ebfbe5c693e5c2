"""The values alert rules decide on, computed by ClickHouse over spans stored by the real ingest path;
expected values computed here from the spans the test made (numpy for percentiles, published prices)."""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

import numpy as np
import pytest
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import Status, StatusCode

from tests.analysis.cost.prices import usd
from tests.costs.pipeline import ingest
from tests.support.otlp import encode
from workers.analysis.alerting import parse_rule
from workers.analysis.alerting.rules import PatternRule, Query
from workers.storage.alerting.metrics import UnsupportedQuery, pattern_counts, window_values

NOW = float(int(time.time()))
WINDOW = 300.0
NS = 1_000_000_000


def spans(project: str, rows: list[dict[str, Any]]) -> list[ReadableSpan]:
    """One finished span per row: service, model (or none), start (s), duration (ms), error, tokens."""
    out: list[ReadableSpan] = []
    for row in rows:
        exporter = InMemorySpanExporter()
        resource = Resource.create({"service.name": row["service"], "pyflare.project": project})
        provider = TracerProvider(resource=resource)
        provider.add_span_processor(SimpleSpanProcessor(exporter))
        start = int(row["start"] * NS)
        span = provider.get_tracer("t").start_span(row.get("name", "chat"), start_time=start)
        if row.get("model"):
            span.set_attributes({"gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai",
                                 "gen_ai.request.model": row["model"], "gen_ai.usage.input_tokens": row["input"],
                                 "gen_ai.usage.output_tokens": row["output"]})
        if row.get("error"):
            span.set_status(Status(StatusCode.ERROR, row["error"]))
        span.end(end_time=start + int(row["ms"] * 1_000_000))
        provider.shutdown()
        out += exporter.get_finished_spans()
    return out


@pytest.fixture
def stored(ch_migrated: Any) -> tuple[str, list[dict[str, Any]]]:
    project = f"alerts-{uuid.uuid4().hex[:8]}"
    rng = np.random.default_rng(7)
    rows: list[dict[str, Any]] = []
    for i in range(40):  # m1 in the window: 8 errors, one of them a rate limit
        rows.append({"service": "chat", "model": "gpt-4o-mini", "start": NOW - 290 + i * 5,
                     "ms": float(rng.integers(50, 900)), "input": 100 + i, "output": 10 + i,
                     "error": ("rate limit exceeded" if i == 3 else "upstream timeout") if i % 5 == 3 else None})
    for i in range(10):  # m2 in the window, another service
        rows.append({"service": "search", "model": "gpt-4.1-mini", "start": NOW - 200 + i, "ms": 100.0 + i,
                     "input": 50, "output": 5, "error": "rate limited" if i == 0 else None})
    for i in range(6):  # m1 in the previous window (all errors): must not count now
        rows.append({"service": "chat", "model": "gpt-4o-mini", "start": NOW - 500 + i, "ms": 10.0, "input": 1,
                     "output": 1, "error": "rate limit exceeded"})
    rows.append({"service": "chat", "model": None, "start": NOW - 100, "ms": 5.0, "name": "handle request"})
    made = spans(project, rows)
    ingest(ch_migrated, [encode(made), encode(made[:10])])  # the first ten delivered twice
    return project, rows


Rows = list[dict[str, Any]]
Stored = tuple[str, Rows]


def in_window(rows: Rows, model: str, start: float = NOW - WINDOW, end: float = NOW) -> Rows:
    return [r for r in rows if r.get("model") == model and start <= r["start"] < end]


def test_span_metrics_per_model_match_the_spans_sent(ch_migrated: Any, stored: Stored) -> None:
    project, rows = stored
    for metric in ("request_count", "error_rate", "latency_p50_ms", "latency_p95_ms", "latency_p99_ms",
                   "input_tokens", "output_tokens"):
        (values,) = window_values(ch_migrated, project, Query(metric, WINDOW, group_by=("model_id",)),
                                  [(NOW - WINDOW, NOW)])
        for model in ("gpt-4o-mini", "gpt-4.1-mini"):
            mine = in_window(rows, model)
            expected = {
                "request_count": len(mine),
                "error_rate": sum(1 for r in mine if r.get("error")) / len(mine),
                "latency_p50_ms": np.percentile([r["ms"] for r in mine], 50),
                "latency_p95_ms": np.percentile([r["ms"] for r in mine], 95),
                "latency_p99_ms": np.percentile([r["ms"] for r in mine], 99),
                "input_tokens": sum(r["input"] for r in mine),
                "output_tokens": sum(r["output"] for r in mine),
            }[metric]
            assert values[(("model_id", model),)] == pytest.approx(expected, rel=1e-9), metric


def test_filters_windows_and_a_series_without_data(ch_migrated: Any, stored: Stored) -> None:
    project, rows = stored
    query = Query("error_rate", WINDOW, filters={"service": "chat"})
    windows = [(NOW - WINDOW, NOW), (NOW - 2 * WINDOW, NOW - WINDOW), (NOW - 9000, NOW - 8000)]
    now, before, empty = window_values(ch_migrated, project, query, windows)
    assert now == {(): 8 / 40}
    previous = in_window(rows, "gpt-4o-mini", NOW - 2 * WINDOW, NOW - WINDOW)
    assert before == {(): sum(1 for r in previous if r.get("error")) / len(previous)} and before[()] == 1.0
    assert empty == {}
    other = window_values(ch_migrated, f"{project}-other", query, [(NOW - WINDOW, NOW)])
    assert other == [{}]  # another project sees nothing


@pytest.mark.parametrize(("step", "length"), [(60.0, 60.0), (100.0, 45.0)], ids=["tiling", "sparse"])
def test_evenly_spaced_windows_count_what_each_window_holds(
    ch_migrated: Any, stored: Stored, step: float, length: float
) -> None:
    project, rows = stored  # a preview's windows: read in one query, each row's window by arithmetic
    windows = [(NOW - k * step - length, NOW - k * step) for k in range(9, -1, -1)]
    got = window_values(ch_migrated, project, Query("request_count", length, group_by=("model_id",)), windows)
    for (start, end), values in zip(windows, got, strict=True):
        for model in ("gpt-4o-mini", "gpt-4.1-mini"):
            expected = len(in_window(rows, model, start, end))
            assert values.get((("model_id", model),), 0) == expected, (start, end, model)
    assert sum(sum(v.values()) for v in got) > 0


def test_cost_comes_from_the_exact_cost_store(ch_migrated: Any, stored: Stored) -> None:
    project, rows = stored
    (values,) = window_values(ch_migrated, project, Query("cost_usd", WINDOW, group_by=("model_id",)),
                              [(NOW - WINDOW, NOW)])
    mine = in_window(rows, "gpt-4o-mini")
    expected = usd(sum(r["input"] for r in mine), "0.15") + usd(sum(r["output"] for r in mine), "0.6")
    assert values[(("model_id", "gpt-4o-mini"),)] == pytest.approx(float(expected), rel=1e-12)
    with pytest.raises(UnsupportedQuery, match="'service'"):
        window_values(ch_migrated, project, Query("cost_usd", WINDOW, group_by=("service",)), [(NOW - WINDOW, NOW)])


def test_pattern_counts_spans_whose_field_matches(ch_migrated: Any, stored: Stored) -> None:
    project, rows = stored
    rule = parse_rule("pattern", {"source": "spans", "field": "status_message", "pattern": "rate.?limit",
                                  "window": "5m", "group_by": ["service"]})
    assert isinstance(rule, PatternRule)
    counts = pattern_counts(ch_migrated, project, rule, NOW)
    expected: dict[str, int] = {}
    for r in rows:
        if NOW - WINDOW <= r["start"] < NOW and r.get("error") and re.search("rate.?limit", r["error"]):
            expected[r["service"]] = expected.get(r["service"], 0) + 1
    assert counts == {(("service", s),): float(n) for s, n in expected.items()}


def test_drift_metrics_read_the_newest_run_of_each_model(ch_migrated: Any) -> None:
    project = f"alerts-drift-{uuid.uuid4().hex[:8]}"
    rows = []
    runs = [(NOW - 200, 0.9, [True, True, True]), (NOW - 60, 0.4, [True, False, False])]
    for run, (end, severity, drifted) in enumerate(runs):
        run_id = uuid.UUID(int=run + 1)
        rows.append((project, "m1", 1, run_id, end, end, "feature", "", severity, False))
        rows += [(project, "m1", 1, run_id, end, end, "feature", f"f{i}", 0.1, d) for i, d in enumerate(drifted)]
    ch_migrated.insert("drift_results", [
        [p, m, mon, rid, int(t * 1000), int(t * 1000) - 3_600_000, int(e * 1000), dt, f, "numeric", "ks", 0.5, 0.01, d,
         0.05, sev, 100, 100, "", ""]
        for p, m, mon, rid, t, e, dt, f, sev, d in rows
    ], column_names=["project", "model_id", "monitor_id", "run_id", "time", "window_start", "window_end", "drift_type",
                     "feature", "feature_type", "method", "score", "p_value", "drifted", "threshold", "severity",
                     "n_reference", "n_current", "histogram", "details"])
    (severity,) = window_values(ch_migrated, project, Query("drift_severity", WINDOW, group_by=("model_id",)),
                                [(NOW - WINDOW, NOW)])
    (share,) = window_values(ch_migrated, project, Query("feature_drift_share", WINDOW), [(NOW - WINDOW, NOW)])
    assert severity == {(("model_id", "m1"),): 0.4}
    assert share == {(): pytest.approx(1 / 3)}
