"""`POST /api/v1/query` within bounds, on the real ClickHouse engine (chdb): memory, result size,
response size, time and queries at once are limited, and a hit limit is a 4xx naming its setting.

Found by an outside attack: `SELECT randomString(1000000000)` returned >1 GB after 52 s and
`randomString(3e8)` took the server from 0.8 to 3.8 GB (no memory limit, no result-size cap);
parallel queries ran one after another on one shared engine client.
"""

from __future__ import annotations

import csv
import io
import threading
import time
from typing import Any

import pyarrow as pa
import pytest
from clickhouse_connect.driver.client import Client
from rest_framework.test import APIClient

from tests.webapp.conftest import World
from webapp.query.api.query import query_slots
from webapp.query.engine import ClickHouseQueryEngine
from webapp.query.limits import QueryLimitExceeded, QueryLimits
from workers.storage.clickhouse import StorageSettings, connect, open_client
from workers.storage.writer import ClickHouseWriter

# ~3e8 hash evaluations over two table-less subqueries: seconds of CPU, little memory
SLOW_SQL = (
    "SELECT count() AS n FROM (SELECT arrayJoin(range({n})) AS a) AS x "
    "CROSS JOIN (SELECT arrayJoin(range(10000)) AS b) AS y WHERE cityHash64(a, b) % 7 = 0"
)


@pytest.fixture(scope="module")
def own_spans(query_storage: Client) -> Client:
    query_storage.command("TRUNCATE TABLE spans")
    query_storage.command(
        "INSERT INTO spans (project, trace_id, span_id, name, start_time, end_time) VALUES "
        "('own', 't1', 's1', 'a', now64(9), now64(9)), ('own', 't2', 's2', 'b', now64(9), now64(9)), "
        "('own', 't3', 's3', 'c', now64(9), now64(9)), ('other', 't4', 's4', 'd', now64(9), now64(9))"
    )
    return query_storage


def key_client(world: World, side: str = "own") -> APIClient:
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=getattr(world, side).keys["developer"])
    return client


@pytest.fixture
def developer(world: World, query_engine: Client, own_spans: Client) -> APIClient:
    return key_client(world)


def run(client: APIClient, sql: str, **extra: Any) -> Any:
    return client.post("/api/v1/query", {"sql": sql, **extra}, format="json")


def assert_limit(response: Any, setting: str) -> None:
    assert response.status_code == 422, response.content[:500]
    body = response.json()
    assert body["error"] == "query_limit_exceeded"
    assert setting in body["message"], body["message"]


def test_a_gigabyte_string_is_refused_by_the_memory_limit(developer: APIClient) -> None:
    response = run(developer, "SELECT randomString(1000000000)")
    assert_limit(response, "PYFLARE_QUERY_MAX_MEMORY_BYTES")
    assert len(response.content) < 10_000


def test_a_table_less_result_cannot_pass_the_result_size_limit(developer: APIClient, settings: Any) -> None:
    # ClickHouse skipped max_result_bytes on a query without FROM; the rewrite now gives it one
    settings.QUERY_MAX_RESULT_BYTES = 10 * 1024 * 1024
    response = run(developer, "SELECT randomString(30000000) AS s")
    assert_limit(response, "PYFLARE_QUERY_MAX_RESULT_BYTES")


def test_many_rows_of_a_table_cannot_pass_the_result_size_limit(developer: APIClient, settings: Any) -> None:
    settings.QUERY_MAX_RESULT_BYTES = 1024 * 1024
    response = run(developer, "SELECT randomString(10000) FROM spans ARRAY JOIN range(1000) AS i", limit=5000)
    assert_limit(response, "PYFLARE_QUERY_MAX_RESULT_BYTES")


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_the_response_cap_refuses_a_body_that_would_pass_it(developer: APIClient, settings: Any, fmt: str) -> None:
    settings.QUERY_MAX_RESPONSE_BYTES = 4000
    response = run(developer, "SELECT trace_id, repeat('x', 2000) AS pad FROM spans ORDER BY trace_id", format=fmt)
    assert_limit(response, "PYFLARE_QUERY_MAX_RESPONSE_BYTES")
    assert len(response.content) < 4000


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_a_body_under_the_cap_is_whole(developer: APIClient, settings: Any, fmt: str) -> None:
    settings.QUERY_MAX_RESPONSE_BYTES = 4000
    response = run(developer, "SELECT trace_id, repeat('x', 100) AS pad FROM spans ORDER BY trace_id", format=fmt)
    assert response.status_code == 200, response.content
    assert len(response.content) <= 4000
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        assert rows == [["trace_id", "pad"]] + [[t, "x" * 100] for t in ("t1", "t2", "t3")]
    else:
        assert response.json()["rows"] == [[t, "x" * 100] for t in ("t1", "t2", "t3")]
        assert response.json()["total_rows"] == 3


def test_a_query_over_the_time_limit_is_refused(developer: APIClient, settings: Any) -> None:
    settings.QUERY_MAX_EXECUTION_SECONDS = 0.3
    response = run(developer, SLOW_SQL.format(n=1_000_000))
    assert_limit(response, "PYFLARE_QUERY_MAX_EXECUTION_SECONDS")


def test_a_project_over_its_concurrent_queries_gets_429(world: World, developer: APIClient, settings: Any) -> None:
    settings.QUERY_MAX_CONCURRENT_PER_PROJECT = 1
    with query_slots().hold("own"):  # what a running query of `own` holds
        busy = run(developer, "SELECT count() FROM spans")
        other = run(key_client(world, "other"), "SELECT count() FROM spans")
    assert busy.status_code == 429
    assert busy["Retry-After"] == "1"
    assert busy.json()["error"] == "too_many_queries"
    assert "PYFLARE_QUERY_MAX_CONCURRENT_PER_PROJECT=1" in busy.json()["message"]
    assert other.status_code == 200 and other.json()["rows"] == [[1]]
    assert run(developer, "SELECT count() FROM spans").json()["rows"] == [[3]]  # the slot is free again


def test_the_process_wide_query_limit_applies_across_projects(developer: APIClient, settings: Any) -> None:
    settings.QUERY_MAX_CONCURRENT = 1
    with query_slots().hold("other"):
        busy = run(developer, "SELECT count() FROM spans")
    assert busy.status_code == 429
    assert "PYFLARE_QUERY_MAX_CONCURRENT=1" in busy.json()["message"]


def test_a_refused_or_failed_query_gives_its_slot_back(developer: APIClient, settings: Any) -> None:
    settings.QUERY_MAX_CONCURRENT_PER_PROJECT = 1
    assert run(developer, "SELECT randomString(1000000000)").status_code == 422
    assert run(developer, "SELECT no_such_column FROM spans").status_code == 400
    assert query_slots().running("own") == 0
    assert run(developer, "SELECT count() FROM spans").status_code == 200


def test_telemetry_reads_run_under_the_memory_limit(world: World, query_engine: Client, settings: Any) -> None:
    settings.QUERY_MAX_MEMORY_BYTES = 1  # any read needs more
    response = key_client(world).get("/api/v1/traces")
    assert_limit(response, "PYFLARE_QUERY_MAX_MEMORY_BYTES")


def test_queries_run_side_by_side_and_beside_inserts(chdb_dir: Any) -> None:
    """The production shape of `pyflare serve`: queries on their own clients, the writer on the
    process's shared one. A long query must hold back neither a second query nor an insert."""
    storage = StorageSettings(url=f"chdb://{chdb_dir}", database="webapp_query_side_by_side")
    shared = connect(storage)
    shared.command("CREATE TABLE IF NOT EXISTS t (x UInt64) ENGINE = MergeTree ORDER BY x")
    engine = ClickHouseQueryEngine(lambda: open_client(storage))
    limits = QueryLimits(max_rows=10, max_execution_seconds=60, max_threads=1)
    order: list[str] = []

    def slow() -> None:
        with engine.stream(SLOW_SQL.format(n=60_000), limits) as result:
            list(result.blocks)
        order.append("slow query")

    thread = threading.Thread(target=slow)
    thread.start()
    try:
        wait_until_running(shared, "cityHash64(a, b)")
        ClickHouseWriter(shared).write("t", pa.table({"x": pa.array([1, 2, 3], pa.uint64())}))
        order.append("insert")
        with engine.stream("SELECT count() FROM t", limits) as result:
            assert [list(r) for b in result.blocks for r in b] == [[3]]
        order.append("second query")
    finally:
        thread.join(60)
        shared.command("DROP DATABASE IF EXISTS webapp_query_side_by_side SYNC")
    assert order == ["insert", "second query", "slow query"]


def wait_until_running(client: Client, marker: str) -> None:
    for _ in range(3000):
        running = client.query(
            "SELECT count() FROM system.processes "
            "WHERE position(query, {m:String}) > 0 AND query NOT LIKE '%processes%'",
            parameters={"m": marker},
        ).result_rows[0][0]
        if running:
            return
        time.sleep(0.01)
    raise AssertionError(f"no running query contains {marker!r}")


def test_limit_errors_name_their_setting() -> None:
    limits = QueryLimits(max_rows=5, max_execution_seconds=2, max_memory_bytes=1 << 20, max_result_bytes=2048)
    memory = limits.exceeded(241, "Code: 241. DB::Exception: Query memory limit exceeded")
    rows = limits.exceeded(396, "Limit for result exceeded, max rows: 5.00")
    size = limits.exceeded(396, "Limit for result exceeded, max bytes: 2.00 KiB")
    assert isinstance(memory, QueryLimitExceeded) and "1 MiB" in str(memory)
    assert rows is not None and rows.setting.endswith("PYFLARE_QUERY_MAX_ROWS")
    assert size is not None and size.setting == "PYFLARE_QUERY_MAX_RESULT_BYTES"
    assert limits.exceeded(47, "Unknown expression identifier") is None


def test_the_default_engine_never_queries_on_the_shared_client(chdb_dir: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from webapp.query.engine import _connect_from_env

    monkeypatch.setenv("PYFLARE_CLICKHOUSE_URL", f"chdb://{chdb_dir}")
    monkeypatch.setenv("PYFLARE_CLICKHOUSE_DATABASE", "webapp_query")
    shared = connect(StorageSettings.from_env())
    first, second = _connect_from_env(), _connect_from_env()
    assert first is not shared and second is not first
    assert first.database == "webapp_query"
    first.close()
    second.close()
