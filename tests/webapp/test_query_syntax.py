"""Valid ClickHouse SQL stays valid through the project rewrite, checked on the real engine (chdb).

The database holds only the caller's rows, so the rewrite must not change any answer: each query
runs once straight on ClickHouse and once through `POST /api/v1/query`, and the rows must match.
Found by an outside attack: `FROM (spans)`, `FINAL SAMPLE 1/2` and lambdas came out as SQL
ClickHouse could not run.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from clickhouse_connect.driver.client import Client
from rest_framework.test import APIClient

from tests.webapp.conftest import World
from webapp.api.providers import providers
from webapp.query.engine import ClickHouseQueryEngine, jsonable


@pytest.fixture(scope="module")
def own_only(module_storage: Client) -> Client:
    module_storage.command(
        "INSERT INTO spans (project, trace_id, span_id, name, start_time, end_time, duration_ns, attributes) VALUES "
        "('own', 't1', 's1', 'a', now64(9) - 3, now64(9), 3, map('k', 'v', 'e', '')), "
        "('own', 't2', 's2', 'b', now64(9) - 2, now64(9), 2, map('k', 'w')), "
        "('own', 't2', 's3', 'a', now64(9) - 1, now64(9), 1, map())"
    )
    module_storage.command(
        "INSERT INTO logs (project, trace_id, body, time, observed_time) VALUES ('own', 't1', 'hi', now64(9), now64(9))"
    )
    return module_storage


@pytest.fixture
def developer(world: World, own_only: Client, settings: Any) -> Iterator[APIClient]:
    settings.QUERY_DATABASE = own_only.database
    engine = ClickHouseQueryEngine(lambda: own_only)
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=world.own.keys["developer"])
    with providers.query_engine.override(lambda: engine):
        yield client


def run(client: APIClient, sql: str) -> Any:
    return client.post("/api/v1/query", {"sql": sql}, format="json")


def straight(client: Client, sql: str) -> list[list[Any]]:
    return [[jsonable(v) for v in row] for row in client.query(sql).result_rows]


SAME_ANSWER = [
    "SELECT count() FROM spans FINAL",
    "SELECT count() FROM spans PREWHERE name = 'a'",
    "SELECT count() FROM spans AS s FINAL PREWHERE s.name = 'a' WHERE s.duration_ns > 1",
    "SELECT count() FROM spans AS s JOIN logs AS l ON s.trace_id = l.trace_id PREWHERE s.name = 'a'",
    "SELECT arrayMap(x -> x + 1, [1, 2])",
    "SELECT arrayMap(x -> x + duration_ns, [1, 2]) FROM spans ORDER BY span_id",
    "SELECT arrayMax(x -> x * 2, [1, 2, 3]), arrayMin(x -> -x, [1, 2, 3])",
    "SELECT arraySum(x -> x * duration_ns, [1, 2]), arrayAvg(x -> x, [1, 3]) FROM spans ORDER BY span_id",
    "SELECT arrayMap(x -> x > 1 ? 'big' : 'small', [1, 2])",
    "SELECT arrayFilter((k, v) -> v != '', mapKeys(attributes), mapValues(attributes)) FROM spans ORDER BY span_id",
    "SELECT mapFilter((k, v) -> k = 'k', attributes) FROM spans ORDER BY span_id",
    "SELECT arrayFold((acc, x) -> acc + x, [1, 2, 3], toUInt64(0))",
    "SELECT countIf(arrayExists(x -> x = 'e', mapKeys(attributes))) FROM spans",
    "SELECT quantileExact(0.5)(duration_ns) FROM spans",
    "SELECT name, count() FROM spans GROUP BY ALL ORDER BY ALL",
    "SELECT k, count() FROM spans ARRAY JOIN mapKeys(attributes) AS k GROUP BY k ORDER BY k",
    "WITH 2 AS two SELECT two * count() FROM spans",
    "SELECT span_id FROM spans ORDER BY duration_ns LIMIT 1 BY name",
    "SELECT 1 > 0 ? 'y' : 'n'",
    "SELECT trace_id, count() FROM spans GROUP BY trace_id WITH TOTALS ORDER BY trace_id",
    "SELECT CAST(duration_ns AS Variant(UInt64, String)), name::Variant(UInt8, String) FROM spans ORDER BY span_id",
]


@pytest.mark.parametrize("sql", SAME_ANSWER)
def test_the_rewrite_keeps_the_answer(developer: APIClient, own_only: Client, sql: str) -> None:
    response = run(developer, sql)
    assert response.status_code == 200, response.content
    assert response.json()["rows"] == straight(own_only, sql)


@pytest.mark.parametrize(
    ("sql", "reference"),
    [
        # ClickHouse itself reads `FROM (t)` as a broken subquery; PyFlare reads it as the table
        ("SELECT count() FROM (spans)", "SELECT count() FROM spans"),
        ("SELECT count() FROM ((spans))", "SELECT count() FROM spans"),
        ("SELECT s.name FROM (spans) AS s ORDER BY s.span_id", "SELECT s.name FROM spans AS s ORDER BY s.span_id"),
    ],
)
def test_a_parenthesised_table_is_the_table(developer: APIClient, own_only: Client, sql: str, reference: str) -> None:
    response = run(developer, sql)
    assert response.status_code == 200, response.content
    assert response.json()["rows"] == straight(own_only, reference)


@pytest.mark.parametrize("sql", ["SELECT count() FROM spans FINAL SAMPLE 1/2", "SELECT count() FROM spans SAMPLE 0.5"])
def test_sample_reaches_clickhouse_as_valid_sql(developer: APIClient, sql: str) -> None:
    # PyFlare's tables have no sampling key: ClickHouse's own answer, not a syntax error of ours
    response = run(developer, sql)
    assert response.status_code == 400
    assert response.json()["error"] == "query_failed"
    assert "SAMPLING_NOT_SUPPORTED" in response.json()["message"]


def test_sample_with_offset_is_refused_with_a_reason(developer: APIClient) -> None:
    response = run(developer, "SELECT count() FROM spans FINAL SAMPLE 1/2 OFFSET 1/2")
    assert response.status_code == 400
    assert response.json()["error"] == "query_rejected"
    assert "SAMPLE ... OFFSET" in response.json()["message"]
