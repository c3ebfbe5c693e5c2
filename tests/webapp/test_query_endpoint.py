"""`POST /api/v1/query` end to end on the real ClickHouse engine (chdb, the real PyFlare migrations).

Two projects hold spans, logs and metrics; attack queries from one project's key — joins,
subqueries, CTEs, UNION, predicates naming the other project — return only its own rows.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from clickhouse_connect.driver.client import Client
from rest_framework.test import APIClient

from tests.webapp.conftest import World
from webapp.api.providers import providers

OWN_SPANS = 3
OTHER_SPANS = 2
SECRET = "other-project-secret"


@pytest.fixture(scope="module")
def telemetry(query_storage: Client) -> Client:
    """Rows for both projects, inserted once per module into the session's query database."""
    chdb_engine = query_storage
    chdb_engine.command("TRUNCATE TABLE spans")
    chdb_engine.command("TRUNCATE TABLE trace_summary")
    chdb_engine.command("TRUNCATE TABLE logs")
    chdb_engine.command("TRUNCATE TABLE metrics")
    for table in ("costs", "costs_hourly", "drift_results"):
        chdb_engine.command(f"TRUNCATE TABLE {table}")
    rows = [("own", f"t-own-{i}", f"s-own-{i}", "llm.call", "gpt-4o", i * 1000) for i in range(OWN_SPANS)]
    rows += [("other", f"t-oth-{i}", f"s-oth-{i}", SECRET, SECRET, 7) for i in range(OTHER_SPANS)]
    values = ", ".join(
        f"('{p}', '{t}', '{s}', '{n}', '{m}', now64(9) - {d}, now64(9), {d})" for p, t, s, n, m, d in rows
    )
    chdb_engine.command(
        "INSERT INTO spans (project, trace_id, span_id, name, model_id, start_time, end_time, duration_ns) "
        f"VALUES {values}"
    )
    chdb_engine.command(
        "INSERT INTO logs (project, trace_id, body, time, observed_time) VALUES "
        f"('own', 't-own-0', 'hello', now64(9), now64(9)), ('other', 't-oth-0', '{SECRET}', now64(9), now64(9))"
    )
    chdb_engine.command(
        "INSERT INTO metrics (project, metric_name, value, time, start_time) VALUES "
        f"('own', 'latency', 1.5, now64(9), now64(9)), ('other', '{SECRET}', 99, now64(9), now64(9))"
    )
    chdb_engine.command(
        "INSERT INTO costs (project, start_time, trace_id, span_id, model_id, total_cost_usd, version) VALUES "
        f"('own', now64(9), 't-own-0', 's-own-0', 'gpt-4o', 0.001250000002, 1), "
        f"('other', now64(9), 't-oth-0', 's-oth-0', '{SECRET}', 0.000999, 1)"
    )
    chdb_engine.command(
        "INSERT INTO costs_hourly (project, hour, dimension, value, requests, total_cost_usd) VALUES "
        f"('own', toStartOfHour(now()), 'model', 'gpt-4o', 1, 0.001250000002), "
        f"('other', toStartOfHour(now()), 'model', '{SECRET}', 1, 0.000999)"
    )
    chdb_engine.command(
        "INSERT INTO drift_results (project, model_id, time, drift_type, feature, method, score, drifted) VALUES "
        f"('own', 'churn', now64(3), 'feature', 'age', 'ks', 0.31, true), "
        f"('other', '{SECRET}', now64(3), 'feature', '{SECRET}', 'ks', 0.9, true)"
    )
    return chdb_engine


@pytest.fixture
def developer(world: World, query_engine: Client, telemetry: Client) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=world.own.keys["developer"])
    return client


def run(client: APIClient, sql: str, **extra: Any) -> Any:
    return client.post("/api/v1/query", {"sql": sql, **extra}, format="json")


def test_a_valid_select_returns_the_projects_rows(developer: APIClient) -> None:
    response = run(developer, "SELECT trace_id, duration_ns FROM spans ORDER BY trace_id")
    assert response.status_code == 200, response.content
    body = response.json()
    assert [c["name"] for c in body["columns"]] == ["trace_id", "duration_ns"]
    assert body["columns"][1]["type"] == "UInt64"
    assert body["rows"] == [["t-own-0", 0], ["t-own-1", 1000], ["t-own-2", 2000]]
    assert body["total_rows"] == 3
    assert "project = 'own'" in body["sql"]


ATTACKS = [
    "SELECT * FROM spans WHERE project = 'other'",
    "SELECT * FROM spans WHERE project != 'own' OR 1 = 1",
    "SELECT * FROM pyflare.spans",
    "SELECT s.* FROM spans AS s JOIN spans AS t ON s.trace_id != t.trace_id",
    "SELECT * FROM logs WHERE trace_id IN (SELECT trace_id FROM spans WHERE project = 'other')",
    "WITH o AS (SELECT * FROM spans WHERE project = 'other') SELECT * FROM o",
    "WITH spans AS (SELECT * FROM spans) SELECT * FROM spans",
    "SELECT * FROM spans UNION ALL SELECT * FROM spans WHERE project = 'other'",
    "SELECT name, model_id FROM spans UNION ALL SELECT body, '' FROM logs",
    "SELECT metric_name, toString(value) FROM metrics",
    "SELECT (SELECT groupArray(name) FROM spans) AS everything",
    "SELECT project, count() FROM trace_summary GROUP BY project",
    "SELECT * FROM spans FINAL",
    "SELECT * FROM (SELECT * FROM (SELECT * FROM logs) AS a) AS b",
    "SELECT * FROM costs FINAL",
    "SELECT value, sum(total_cost_usd) FROM costs_hourly GROUP BY value",
    "SELECT model_id, feature FROM drift_results UNION ALL SELECT model_id, span_id FROM costs",
    "SELECT * FROM (spans) WHERE project = 'other'",
    "SELECT name FROM spans PREWHERE project = 'other'",
    "SELECT name FROM spans AS s FINAL PREWHERE s.project != 'own'",
    "SELECT arrayMax(x -> length(x), (SELECT groupArray(name) FROM spans)) AS longest, "
    "arrayMap(x -> x, (SELECT groupArray(name) FROM spans)) AS names",
    "SELECT arrayMap(x -> x > 0 ? (SELECT groupArray(model_id) FROM spans) : [], [1])",
]


@pytest.mark.parametrize("sql", ATTACKS)
def test_other_projects_rows_are_unreachable(developer: APIClient, query_engine: Client, sql: str) -> None:
    response = run(developer, sql.replace("pyflare.", f"{query_engine.database}."))  # this test's database
    assert response.status_code == 200, response.content
    text = response.content.decode()
    assert SECRET not in text and "'other'" not in str(response.json()["rows"])
    assert "t-oth-" not in text


ORACLES = [
    "SELECT count() FROM spans WHERE throwIf(name = '{v}') = 0",
    "SELECT count() FROM spans WHERE intDiv(1, name != '{v}') > 0",
    "SELECT count() FROM spans PREWHERE throwIf(name = '{v}') = 0",
    "SELECT count() FROM spans AS s JOIN logs AS l ON s.trace_id = l.trace_id AND throwIf(l.body = '{v}') = 0",
    "SELECT name FROM spans GROUP BY name HAVING throwIf(name = '{v}') = 0",
    "SELECT count() FROM spans WHERE trace_id IN (SELECT trace_id FROM spans WHERE throwIf(name = '{v}') = 0)",
    "WITH x AS (SELECT * FROM spans) SELECT count() FROM x WHERE throwIf(model_id = '{v}') = 0",
    "SELECT count() FROM spans ARRAY JOIN [1] AS a WHERE throwIf(name = '{v}') = 0",
    "SELECT count() FROM spans WHERE throwIf(model_id = '{v}') = 0",  # model_id has a set() skip index
    "SELECT count() FROM logs WHERE throwIf(body = '{v}') = 0",
    "SELECT count() FROM metrics WHERE throwIf(metric_name = '{v}') = 0",
]


@pytest.mark.parametrize("oracle", ORACLES)
def test_errors_tell_nothing_about_other_projects_rows(developer: APIClient, oracle: str) -> None:
    # evaluated on the other project's rows (the filter pushed below the project predicate or into
    # skip-index analysis), the error of the first query said whether they hold the secret
    secret = run(developer, oracle.format(v=SECRET))
    absent = run(developer, oracle.format(v="no-such-value"))
    assert (secret.status_code, absent.status_code) == (200, 200), secret.content
    assert secret.json()["rows"] == absent.json()["rows"]


def test_the_unscoped_table_does_hold_the_other_projects_rows(telemetry: Client) -> None:
    # the attacks above would have found these rows had the rewrite not confined them
    result = telemetry.query("SELECT count() FROM spans WHERE name = 'other-project-secret'")
    assert result.result_rows == [(OTHER_SPANS,)]


def test_cost_and_drift_tables_answer_for_the_own_project(developer: APIClient) -> None:
    costs = run(developer, "SELECT model_id, sum(total_cost_usd) FROM costs FINAL GROUP BY model_id")
    hourly = run(developer, "SELECT value, sum(total_cost_usd) FROM costs_hourly GROUP BY value")
    drift = run(developer, "SELECT model_id, feature, score, drifted FROM drift_results")
    assert [r.status_code for r in (costs, hourly, drift)] == [200, 200, 200], drift.content
    # exact dollars (Decimal) come back as decimal strings, nothing lost to a float
    assert costs.json()["rows"] == [["gpt-4o", "0.001250000002"]]
    assert hourly.json()["rows"] == [["gpt-4o", "0.001250000002"]]
    assert drift.json()["rows"] == [["churn", "age", 0.31, True]]


def test_an_own_count_is_exact(developer: APIClient) -> None:
    response = run(developer, "SELECT count() AS n, length(groupUniqArrayMerge(span_set)) AS s FROM trace_summary")
    assert response.status_code == 200, response.content
    assert response.json()["rows"] == [[OWN_SPANS, OWN_SPANS]]


def test_csv_format(developer: APIClient) -> None:
    response = run(developer, "SELECT trace_id, model_id FROM spans ORDER BY trace_id", format="csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [["trace_id", "model_id"], ["t-own-0", "gpt-4o"], ["t-own-1", "gpt-4o"], ["t-own-2", "gpt-4o"]]


def test_the_row_limit_applies(developer: APIClient) -> None:
    response = run(developer, "SELECT trace_id FROM spans ORDER BY trace_id LIMIT 1000", limit=2)
    assert response.json()["rows"] == [["t-own-0"], ["t-own-1"]]
    assert response.json()["limit"] == 2


def test_the_server_side_row_cap_backs_the_limit(developer: APIClient) -> None:
    # WITH TIES can return more rows than LIMIT; max_result_rows stops it
    response = run(developer, "SELECT name FROM spans ORDER BY name LIMIT 1 WITH TIES", limit=1)
    assert response.status_code == 422
    assert response.json()["error"] == "query_limit_exceeded"
    assert "result row limit of 1 rows" in response.json()["message"]


@pytest.mark.parametrize(
    ("sql", "phrase"),
    [
        ("DROP TABLE spans", "only SELECT"),
        ("SELECT 1; SELECT 2", "one statement"),
        ("SELECT * FROM system.tables", "not queryable"),
        ("SELECT * FROM url('http://127.0.0.1/', CSV, 'a String')", "table functions"),
        ("SELECT * FROM spans SETTINGS readonly = 0", "SETTINGS"),
        ("SELECT * FROM spans WHERE trace_id IN costs", "right side of IN"),
    ],
)
def test_refusals_are_400_with_a_reason(developer: APIClient, sql: str, phrase: str) -> None:
    response = run(developer, sql)
    assert response.status_code == 400
    assert response.json()["error"] == "query_rejected"
    assert phrase in response.json()["message"]


def test_clickhouse_errors_are_400_with_its_message(developer: APIClient) -> None:
    response = run(developer, "SELECT no_such_column FROM spans")
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "query_failed"
    assert "no_such_column" in body["message"]


def test_literals_are_written_back_safely(developer: APIClient) -> None:
    response = run(developer, "SELECT 'it''s' AS a, 'x'' OR project = ''other' AS b FROM spans LIMIT 1")
    assert response.json()["sql"].count("project = 'own'") == 1
    assert response.json()["rows"] == [["it's", "x' OR project = 'other"]]


def test_query_needs_query_execute(world: World, query_engine: Client) -> None:
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=world.own.keys["viewer"])
    response = run(client, "SELECT 1 FROM spans")
    assert response.status_code == 403
    assert "query:execute" in response.json()["message"]


def test_an_unreachable_engine_is_503(world: World) -> None:
    from webapp.query.engine import ClickHouseQueryEngine

    def refuse() -> None:
        raise ConnectionRefusedError("127.0.0.1:1")

    with providers.query_engine.override(lambda: ClickHouseQueryEngine(refuse)):
        client = APIClient()
        client.credentials(HTTP_X_API_KEY=world.own.keys["developer"])
        response = run(client, "SELECT 1 FROM spans")
    assert response.status_code == 503
    assert response.json()["error"] == "engine_unavailable"
