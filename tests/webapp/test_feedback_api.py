"""`POST /feedback` and `GET /feedback` on the real ClickHouse engine (chdb), and the feedback table
through the SQL endpoint."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
from clickhouse_connect.driver.client import Client
from rest_framework.test import APIClient

from tests.webapp.conftest import World
from tests.webapp.telemetry import client_for, walk
from webapp.feedback.api.serializers import FeedbackSerializer

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
SPAN = "00f067aa0ba902b7"


@pytest.fixture
def api(world: World, telemetry_store: Client) -> APIClient:
    telemetry_store.command("TRUNCATE TABLE feedback")
    return client_for(world, role="operator")


def send(api: APIClient, **body: Any) -> Any:
    return api.post("/api/v1/feedback", body, format="json")


def test_a_label_is_stored_and_listed_as_sent(api: APIClient) -> None:
    sent = {
        "trace_id": TRACE.upper(),
        "span_id": SPAN,
        "label": "correct",
        "score": 0.75,
        "comment": "matches the policy",
        "source": "reviewer",
        "user_id": "rev-7",
        "time": "1738324800123456789",
    }
    response = send(api, **sent)
    assert response.status_code == 201, response.content
    created = response.json()
    assert uuid.UUID(created["id"])
    assert created["trace_id"] == TRACE and created["time_unix_nano"] == 1738324800123456789
    assert created["time"] == "2025-01-31T12:00:00.123456789Z"
    assert created["submitted_by"].startswith("api_key:")
    listed = api.get("/api/v1/feedback", {"trace_id": TRACE}).json()["feedback"]
    assert listed == [created]
    assert set(created) == set(FeedbackSerializer().fields)
    expected = {"label": "correct", "label_number": None, "score": 0.75, "source": "reviewer", "user_id": "rev-7"}
    assert {k: created[k] for k in expected} == expected


def test_numeric_labels_keep_their_number_and_a_score_alone_is_enough(api: APIClient) -> None:
    before = time.time_ns()
    numeric = send(api, trace_id=TRACE, label=4.5).json()
    assert numeric["label"] == "4.5" and numeric["label_number"] == 4.5 and numeric["source"] == "api"
    scored = send(api, trace_id=TRACE, score=-1, source="user").json()
    assert scored["label"] == "" and scored["score"] == -1.0 and scored["span_id"] == ""
    assert before <= scored["time_unix_nano"] <= time.time_ns()
    got = walk(api, "/api/v1/feedback", "feedback", {"limit": 1, "trace_id": TRACE})
    assert [g["id"] for g in got] == [scored["id"], numeric["id"]]  # newest first


def test_filters_and_pages(api: APIClient) -> None:
    ids = []
    for i in range(7):
        body = send(api, trace_id=TRACE if i % 2 else "0" * 31 + "1", label=f"l{i}", source=["user", "api"][i % 2],
                    time=str(1_700_000_000_000_000_000 + i))  # fmt: skip
        ids.append(body.json()["id"])
    everything = walk(api, "/api/v1/feedback", "feedback", {"limit": 3})
    assert [g["id"] for g in everything] == ids[::-1]
    users = walk(api, "/api/v1/feedback", "feedback", {"limit": 2, "source": "user"})
    assert [g["label"] for g in users] == ["l6", "l4", "l2", "l0"]
    window = api.get("/api/v1/feedback", {"start_time": "1700000000000000002", "end_time": "1700000000000000004"})
    assert [g["label"] for g in window.json()["feedback"]] == ["l4", "l3", "l2"]


def test_feedback_of_another_project_stays_there(api: APIClient, world: World) -> None:
    send(api, trace_id=TRACE, label="mine")
    theirs = client_for(world, role="developer", side="other")
    assert send(theirs, trace_id=TRACE, label="theirs").status_code == 201
    assert [g["label"] for g in api.get("/api/v1/feedback").json()["feedback"]] == ["mine"]
    assert [g["label"] for g in theirs.get("/api/v1/feedback").json()["feedback"]] == ["theirs"]


def test_viewers_read_but_cannot_send(world: World, telemetry_store: Client) -> None:
    viewer = client_for(world, role="viewer")
    assert send(viewer, trace_id=TRACE, label="x").status_code == 403
    assert viewer.get("/api/v1/feedback").status_code == 200


BAD = [
    ({"label": "x"}, "trace_id", "required"),
    ({"trace_id": "abc", "label": "x"}, "trace_id", "32 hexadecimal digits"),
    ({"trace_id": TRACE, "span_id": "xyz", "label": "x"}, "span_id", "16 hexadecimal digits"),
    ({"trace_id": TRACE, "label": {"a": 1}}, "label", "string or a number"),
    ({"trace_id": TRACE, "label": True}, "label", "string or a number"),
    ({"trace_id": TRACE, "label": "x" * 1001}, "label", "1000"),
    ({"trace_id": TRACE}, "non_field_errors", "label, a score or both"),
    ({"trace_id": TRACE, "label": "x", "source": "robot"}, "source", "not a valid choice"),
    ({"trace_id": TRACE, "score": "high"}, "score", "number"),
    ({"trace_id": TRACE, "label": "x", "time": "soon"}, "time", "ISO-8601"),
    ({"trace_id": TRACE, "label": "x", "comment": "c" * 10_001}, "comment", "10000"),
]


@pytest.mark.parametrize(("body", "field", "hint"), BAD, ids=[b[1] + "-" + b[2] for b in BAD])
def test_bad_bodies_are_400(api: APIClient, body: dict[str, Any], field: str, hint: str) -> None:
    response = send(api, **body)
    assert response.status_code == 400, response.content
    assert field in response.json()["details"] and hint in response.json()["message"]


def test_nan_scores_are_refused(api: APIClient) -> None:
    response = api.post("/api/v1/feedback", f'{{"trace_id": "{TRACE}", "score": NaN}}', content_type="application/json")
    assert response.status_code == 400


def test_feedback_is_queryable_with_sql_and_confined_to_the_project(world: World, query_engine: Client) -> None:
    query_engine.command("TRUNCATE TABLE feedback")
    mine = client_for(world, role="developer")
    assert send(mine, trace_id=TRACE, label="own-label").status_code == 201
    assert (
        send(client_for(world, role="developer", side="other"), trace_id=TRACE, label="other-label").status_code == 201
    )
    response = mine.post("/api/v1/query", {"sql": "SELECT label FROM feedback ORDER BY label"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["rows"] == [["own-label"]]
