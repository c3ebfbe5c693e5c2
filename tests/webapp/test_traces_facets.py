"""`GET /traces/facets` on the real ClickHouse engine with the random corpus of test_traces_api
(hour-crossing traces, late spans, duplicate deliveries): counts are computed in Python from the
inserted spans, each facet over the traces matching every filter but its own."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.webapp.test_traces_api import OTHER_TRACES, SUMMARIES, T1, T2, TRACES, api, stored  # noqa: F401

COLUMNS = {"service": "service_name", "model": "model_id", "environment": "environment", "user": "user_id",
           "session": "session_id"}
PARAM_OF = {"service": "service", "model": "model_id", "environment": "environment", "user": "user_id",
            "session": "session_id", "status": "status"}


def _matches(trace_id: str, params: dict[str, str]) -> bool:
    spans = TRACES[trace_id]
    start = SUMMARIES[trace_id]["start_time_unix_nano"]
    for name, value in params.items():
        if name.startswith("attr."):
            ok = any(dict(s["attributes"]).get(name[5:]) == value for s in spans)
        elif name == "status":
            ok = any(s["status_code"] == "error" for s in spans) == (value == "error")
        elif name == "start_time":
            ok = start >= int(value)
        elif name == "end_time":
            ok = start <= int(value)
        else:
            column = COLUMNS[next(k for k, p in PARAM_OF.items() if p == name)]
            ok = any(s[column] == value for s in spans)
        if not ok:
            return False
    return True


def _expected(params: dict[str, str]) -> dict[str, Any]:
    facets: dict[str, list[dict[str, Any]]] = {}
    for facet, param in PARAM_OF.items():
        others = {k: v for k, v in params.items() if k != param}
        ids = [t for t in TRACES if _matches(t, others)]
        if facet == "status":
            counts = Counter("error" if any(s["status_code"] == "error" for s in TRACES[t]) else "ok" for t in ids)
        else:
            counts = Counter(v for t in ids for v in {s[COLUMNS[facet]] for s in TRACES[t]} if v)
        facets[facet] = [{"value": v, "count": n} for v, n in sorted(counts.items(), key=lambda c: (-c[1], c[0]))][:20]
    return {"total": sum(_matches(t, params) for t in TRACES), "facets": facets}


CASES: dict[str, dict[str, str]] = {
    "no filter": {},
    "one model": {"model_id": "gpt-4o"},
    "model and service": {"model_id": "claude-3-5-sonnet", "service": "scorer"},
    "errors in staging": {"status": "error", "environment": "staging"},
    "attribute with a dot in its key": {"attr.customer.tier": "enterprise", "user_id": "u2"},
    "empty attribute value": {"attr.flag": ""},
    "since, hour-crossing traces": {"start_time": str(T1), "service": "rag-worker"},
    "time window": {"start_time": str(T1), "end_time": str(T2), "status": "ok"},
    "nothing matches": {"model_id": "no-such-model"},
}


@pytest.mark.parametrize("case", CASES)
def test_facet_counts_leave_out_their_own_filter(api: APIClient, case: str) -> None:  # noqa: F811
    params = CASES[case]
    response = api.get("/api/v1/traces/facets", params)
    assert response.status_code == 200, response.content
    assert response.json() == _expected(params)


def test_a_facet_count_is_the_number_of_traces_its_value_lists(api: APIClient) -> None:  # noqa: F811
    facets = api.get("/api/v1/traces/facets", {"environment": "production"}).json()["facets"]
    for entry in facets["model"]:
        listed = api.get("/api/v1/traces", {"environment": "production", "model_id": entry["value"], "limit": 1000})
        assert len(listed.json()["traces"]) == entry["count"]


def test_other_projects_are_not_counted(api: APIClient) -> None:  # noqa: F811
    body = api.get("/api/v1/traces/facets").json()
    assert body["total"] == len(TRACES) and len(OTHER_TRACES) > 0
    assert sum(e["count"] for e in body["facets"]["status"]) == len(TRACES)


@pytest.mark.parametrize("params, field", [
    ({"status": "maybe"}, "status"),
    ({"start_time": "yesterday"}, "start_time"),
    ({"limit": "5"}, "limit"),
    ({"attr.": "x"}, "attr."),
])
def test_bad_facet_queries_are_400s_naming_the_parameter(api: APIClient, params: dict[str, str], field: str) -> None:  # noqa: F811
    response = api.get("/api/v1/traces/facets", params)
    assert response.status_code == 400 and field in response.json()["message"]
