"""`GET /logs` on the real ClickHouse engine (chdb): filters and pages against Python over the same rows."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

import pyarrow as pa
import pytest
from clickhouse_connect.driver.client import Client
from rest_framework.test import APIClient

from tests.webapp.conftest import World
from tests.webapp.telemetry import client_for, walk
from webapp.logs.api.serializers import LogRecordSerializer
from workers.telemetry.columns import LOG_SCHEMA

S = 1_000_000_000
NOW = time.time_ns()
TRACES = [f"{i:032x}" for i in range(1, 6)]
BODIES = ["Connection reset by peer", "user logged in", "Payment FAILED for order 7", "Größe überschritten", "ok"]
SEVERITIES = [(0, ""), (5, "DEBUG"), (9, "INFO"), (13, "WARN"), (17, "ERROR"), (21, "FATAL"), (10, "INFO2")]


def make_logs() -> list[dict[str, Any]]:
    rng = random.Random(11)
    rows = []
    for i in range(240):
        number, text = rng.choice(SEVERITIES)
        moment = NOW - rng.randrange(0, 3600) * S if i % 10 else NOW - 1800 * S  # some share a timestamp
        trace = rng.choice([*TRACES, "", ""])
        rows.append(
            {
                "project": "own" if i % 6 else "other",
                "service_name": rng.choice(["api", "worker"]),
                "time": moment,
                "observed_time": moment + 1000,
                "trace_id": trace,
                "span_id": f"{rng.randrange(1, 4):016x}" if trace else "",
                "severity_number": number,
                "severity_text": text,
                "body": rng.choice(BODIES) + f" #{i}",
                "event_name": "",
                "model_id": "",
                "attributes": [("tenant", rng.choice(["acme", "globex"]))],
                "resource": [("service.name", "x")],
                "scope_name": "app",
                "source_partition": -1,
                "source_offset": i,
            }
        )
    return rows


ROWS = make_logs()
OWN = [r for r in ROWS if r["project"] == "own"]


@pytest.fixture(scope="module")
def stored(module_storage: Client) -> Client:
    module_storage.insert_arrow("logs", pa.Table.from_pylist(ROWS, schema=LOG_SCHEMA))
    return module_storage


@pytest.fixture
def api(world: World, telemetry_store: Client, stored: Client) -> APIClient:
    return client_for(world, role="viewer")


def listed(api: APIClient, **params: Any) -> list[dict[str, Any]]:
    return walk(api, "/api/v1/logs", "logs", {"limit": 13, **params})


def check(got: list[dict[str, Any]], keep: Callable[[dict[str, Any]], bool]) -> None:
    expected = [r for r in OWN if keep(r)]
    assert expected, "the rows must exercise this filter"
    assert [g["time_unix_nano"] for g in got] == sorted((r["time"] for r in expected), reverse=True)
    assert sorted(g["body"] for g in got) == sorted(r["body"] for r in expected)  # each record exactly once


def test_every_record_newest_first_exactly_once(api: APIClient) -> None:
    got = listed(api)
    check(got, lambda r: True)
    assert set(got[0]) == set(LogRecordSerializer().fields)
    first = next(r for r in OWN if r["body"] == got[0]["body"])
    assert got[0]["attributes"] == dict(first["attributes"]) and got[0]["severity_text"] == first["severity_text"]


FILTERS: dict[str, tuple[dict[str, Any], Callable[[dict[str, Any]], bool]]] = {
    "severity name": ({"severity": "warn"}, lambda r: r["severity_number"] >= 13),
    "severity name with level": ({"severity": "INFO2"}, lambda r: r["severity_number"] >= 10),
    "severity number": ({"severity": "17"}, lambda r: r["severity_number"] >= 17),
    "service": ({"service": "worker"}, lambda r: r["service_name"] == "worker"),
    "trace": ({"trace_id": TRACES[2].upper()}, lambda r: r["trace_id"] == TRACES[2]),
    "span": (
        {"trace_id": TRACES[0], "span_id": f"{2:016x}"},
        lambda r: r["trace_id"] == TRACES[0] and r["span_id"] == f"{2:016x}",
    ),
    "text": ({"q": "payment failed"}, lambda r: "payment failed" in r["body"].lower()),
    "unicode text": ({"q": "GRÖß"}, lambda r: "größ" in r["body"].lower()),
    "time range": (
        {"start_time": str(NOW - 1800 * S), "end_time": str(NOW - 600 * S)},
        lambda r: NOW - 1800 * S <= r["time"] <= NOW - 600 * S,
    ),
    "attribute": ({"attr.tenant": "globex"}, lambda r: dict(r["attributes"])["tenant"] == "globex"),
}


@pytest.mark.parametrize("name", list(FILTERS))
def test_filters_match_python(api: APIClient, name: str) -> None:
    params, keep = FILTERS[name]
    check(listed(api, **params), keep)


def test_other_projects_logs_never_appear(api: APIClient, world: World) -> None:
    mine = {g["body"] for g in listed(api)}
    theirs = {g["body"] for g in listed(client_for(world, role="viewer", side="other"))}
    assert mine == {r["body"] for r in OWN}
    assert theirs == {r["body"] for r in ROWS if r["project"] == "other"} and not mine & theirs


BAD = [
    ({"severity": "LOUD"}, "severity", "TRACE, DEBUG"),
    ({"severity": "0"}, "severity", "1-24"),
    ({"severity": "25"}, "severity", "1-24"),
    ({"trace_id": "xyz"}, "trace_id", "32 hexadecimal digits"),
    ({"span_id": "12"}, "span_id", "16 hexadecimal digits"),
    ({"limit": "5000"}, "limit", "1000"),
    ({"cursor": "eyJrIjpbMV19"}, "cursor", "listing"),
    ({"level": "error"}, "level", "unknown parameter"),
    ({"start_time": "2025-01-02", "end_time": "2025-01-01"}, "start_time", "after"),
]


@pytest.mark.parametrize(("params", "field", "hint"), BAD, ids=[b[1] + "-" + b[2] for b in BAD])
def test_bad_parameters_are_400(api: APIClient, params: dict[str, str], field: str, hint: str) -> None:
    response = api.get("/api/v1/logs", params)
    assert response.status_code == 400, response.content
    assert field in response.json()["details"] and hint in response.json()["message"]
