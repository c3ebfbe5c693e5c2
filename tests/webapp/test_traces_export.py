"""Attribute columns on the trace list and `GET /traces/export` (the whole filtered set, streamed),
on the real ClickHouse engine with the random corpus of test_traces_api; expectations are computed
in Python from the inserted rows."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.webapp.test_traces_api import SUMMARIES, TRACES, api, listed, sort_key, stored  # noqa: F401
from webapp.traces.api import export


def _matching(model: str, region: str) -> list[dict[str, Any]]:
    ids = [t for t, spans in TRACES.items()
           if any(s["model_id"] == model for s in spans) and any(dict(s["attributes"]).get("region") == region
                                                               for s in spans)]
    return sorted((SUMMARIES[t] for t in ids), key=sort_key("time"), reverse=True)


def _attribute(trace_id: str, key: str) -> str | None:
    having = [s for s in TRACES[trace_id] if key in dict(s["attributes"])]
    return dict(min(having, key=lambda s: s["start_time"])["attributes"])[key] if having else None


def _body(response: Any) -> str:
    return b"".join(response).decode("utf-8")


def test_list_columns_hold_each_traces_attribute_values(api: APIClient) -> None:  # noqa: F811
    got = listed(api, columns="region,customer.tier,no.such.key", limit=50)
    assert len(got) == len(TRACES)
    for item in got:
        assert item["columns"] == {k: _attribute(item["trace_id"], k) for k in ("region", "customer.tier")}


def test_without_columns_the_list_shape_is_unchanged(api: APIClient) -> None:  # noqa: F811
    assert "columns" not in listed(api, limit=5)[0]


def test_too_many_columns_is_a_400(api: APIClient) -> None:  # noqa: F811
    response = api.get("/api/v1/traces", {"columns": ",".join(f"k{i}" for i in range(21))})
    assert response.status_code == 400 and "columns" in response.json()["message"]


def test_jsonl_export_is_the_whole_filtered_set_across_pages(
    api: APIClient, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    monkeypatch.setattr(export, "PAGE", 7)  # many pages from a small corpus
    expected = _matching("gpt-4o", "eu")
    assert len(expected) > 3 * 7
    response = api.get("/api/v1/traces/export",
                       {"output": "jsonl", "model_id": "gpt-4o", "attr.region": "eu", "columns": "customer.tier"})
    assert response.status_code == 200 and response["Content-Type"] == "application/x-ndjson"
    assert response["Content-Disposition"].startswith('attachment; filename="traces-own-')
    lines = [json.loads(line) for line in _body(response).splitlines()]
    assert [t["trace_id"] for t in lines] == [t["trace_id"] for t in expected]
    for line in lines:
        assert {k: line[k] for k in SUMMARIES[line["trace_id"]]} == SUMMARIES[line["trace_id"]]
        assert line["columns"] == {"customer.tier": _attribute(line["trace_id"], "customer.tier")}


def test_csv_export_has_a_header_and_one_row_per_trace(api: APIClient, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    monkeypatch.setattr(export, "PAGE", 50)
    response = api.get("/api/v1/traces/export", {"sort": "duration", "order": "asc", "columns": "region"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(_body(response))))
    expected = sorted(SUMMARIES.values(), key=sort_key("duration"))
    assert [r["trace_id"] for r in rows] == [t["trace_id"] for t in expected]
    first = rows[0]
    summary = expected[0]
    assert float(first["duration_ms"]) == pytest.approx(summary["duration_ms"])
    assert first["models"] == ";".join(summary["models"]) and first["attr.region"] == _attribute(summary["trace_id"],
                                                                                                "region")


def test_an_empty_csv_export_still_has_its_header(api: APIClient) -> None:  # noqa: F811
    response = api.get("/api/v1/traces/export", {"model_id": "no-such-model"})
    assert _body(response).splitlines() == [",".join(export.CSV_FIELDS)]


def test_export_refuses_bad_filters_and_unknown_formats(api: APIClient) -> None:  # noqa: F811
    assert api.get("/api/v1/traces/export", {"output": "xlsx"}).status_code == 400
    assert api.get("/api/v1/traces/export", {"min_duration_ms": "-1"}).status_code == 400


def test_export_needs_credentials() -> None:
    assert APIClient().get("/api/v1/traces/export").status_code == 401
