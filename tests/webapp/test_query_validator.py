"""The SQL validator and project rewriter, checked by re-parsing its output with sqlglot.

Refusals: statements other than SELECT, several statements, system/information_schema, every table
function ClickHouse offers for reaching outside data, SETTINGS/FORMAT/INTO OUTFILE, table-reading
scalar functions. Neutralisation: whatever a query names, every real table in the output sits in
`SELECT * FROM t WHERE project = '<caller>'` (checked structurally here and for real on ClickHouse
in test_query_endpoint.py).
"""

from __future__ import annotations

import pytest
import sqlglot
from sqlglot import exp

from webapp.query.dialect import DIALECT
from webapp.query.validator import QueryPolicy, QueryRejected, rewrite_for_project

TABLES = frozenset({"spans", "trace_summary", "metrics", "logs"})
POLICY = QueryPolicy(TABLES, project_column="project", database="pyflare", max_rows=500)


def rewrite(sql: str, limit: int | None = None) -> str:
    return rewrite_for_project(sql, project="acme", policy=POLICY, limit=limit)


def rejected(sql: str) -> str:
    with pytest.raises(QueryRejected) as info:
        rewrite(sql)
    return str(info.value)


def real_tables(sql: str, read: object = "clickhouse") -> list[exp.Table]:
    tree = sqlglot.parse_one(sql, read=read)  # type: ignore[arg-type]
    cte_names = {c.alias for c in tree.find_all(exp.CTE)}
    return [t for t in tree.find_all(exp.Table) if t.name not in cte_names]


def assert_confined(sql: str, read: object = "clickhouse") -> None:
    """Every real table is read only through `SELECT * FROM t WHERE project = 'acme'`."""
    tables = real_tables(sql, read)
    assert tables, sql
    for table in tables:
        select = table.find_ancestor(exp.Select)
        assert select is not None and isinstance(select.parent, exp.Subquery), sql
        assert select.args["where"].sql(dialect="clickhouse") == "WHERE project = 'acme'", sql
        assert [e.sql() for e in select.expressions] == ["*"], sql
        assert table.name in TABLES


@pytest.mark.parametrize(
    "sql",
    [
        "INSERT INTO spans (project) VALUES ('acme')",
        "INSERT INTO spans SELECT * FROM spans",
        "ALTER TABLE spans DELETE WHERE 1",
        "ALTER TABLE spans UPDATE name = 'x' WHERE 1",
        "DELETE FROM spans WHERE 1",
        "UPDATE spans SET name = 'x'",
        "DROP TABLE spans",
        "TRUNCATE TABLE spans",
        "CREATE TABLE t (x String) ENGINE = Memory",
        "CREATE VIEW v AS SELECT * FROM spans",
        "RENAME TABLE spans TO s2",
        "OPTIMIZE TABLE spans FINAL",
        "SET readonly = 0",
        "SYSTEM DROP DNS CACHE",
        "KILL QUERY WHERE 1",
        "GRANT ALL ON *.* TO default",
        "SHOW TABLES",
        "DESCRIBE TABLE spans",
        "EXPLAIN SELECT * FROM spans",
        "USE system",
        "ATTACH TABLE spans",
        "DETACH TABLE spans",
    ],
)
def test_only_select_statements_pass(sql: str) -> None:
    message = rejected(sql)
    assert "SELECT" in message or "parse" in message or "read the SQL" in message


@pytest.mark.parametrize("sql", ["SELECT 1; SELECT 2", "SELECT * FROM spans; DROP TABLE spans", "SELECT 1;;SELECT 2"])
def test_several_statements_are_refused(sql: str) -> None:
    assert "one statement" in rejected(sql)


def test_a_trailing_semicolon_is_one_statement() -> None:
    assert_confined(rewrite("SELECT count() FROM spans;"))


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM system.tables",
        "SELECT * FROM system.query_log",
        "SELECT * FROM `system`.`users`",
        'SELECT * FROM "system"."processes"',
        "SELECT * FROM information_schema.tables",
        "SELECT * FROM INFORMATION_SCHEMA.COLUMNS",
        "SELECT * FROM spans WHERE trace_id IN (SELECT name FROM system.tables)",
        "SELECT * FROM spans JOIN system.clusters ON 1",
        "WITH x AS (SELECT * FROM system.settings) SELECT * FROM x",
        "SELECT * FROM other_db.spans",
    ],
)
def test_other_databases_are_refused(sql: str) -> None:
    assert "not queryable" in rejected(sql)


TABLE_FUNCTIONS = [
    "url('http://example.com/x.csv', CSV, 'a String')",
    "file('/etc/passwd', LineAsString)",
    "remote('127.0.0.1', system.one)",
    "remoteSecure('127.0.0.1', pyflare.spans)",
    "cluster('default', system.one)",
    "clusterAllReplicas('default', pyflare.spans)",
    "s3('http://bucket/x.csv')",
    "s3Cluster('c', 'http://bucket/x.csv')",
    "gcs('http://bucket/x.csv')",
    "hdfs('hdfs://x/y', CSV, 'a String')",
    "azureBlobStorage('conn', 'c', 'blob')",
    "mysql('host:3306', 'db', 't', 'u', 'p')",
    "postgresql('host:5432', 'db', 't', 'u', 'p')",
    "sqlite('/tmp/db.sqlite', 't')",
    "mongodb('host:27017', 'db', 'c', 'u', 'p', 'x String')",
    "redis('host:6379', 'k', 'k String')",
    "jdbc('jdbc:x', 't')",
    "odbc('DSN=x', 't')",
    "input('a String')",
    "executable('cat', CSV, 'a String')",
    "merge('pyflare', '.*')",
    "merge(currentDatabase(), 'spans')",
    "view(SELECT * FROM system.users)",
    "viewIfPermitted(SELECT 1 ELSE null('x UInt8'))",
    "dictionary('d')",
    "numbers(10)",
    "zeros(10)",
    "generateRandom('a String')",
    "values('a UInt8', 1)",
    "iceberg('http://x')",
    "deltaLake('http://x')",
    "hudi('http://x')",
    "loop(spans)",
    "fuzzJSON('x')",
    "python('x')",
]


@pytest.mark.parametrize("function", TABLE_FUNCTIONS)
def test_table_functions_are_refused(function: str) -> None:
    message = rejected(f"SELECT * FROM {function}")
    assert any(word in message for word in ("not allowed", "FROM and JOIN", "parse", "not queryable"))


@pytest.mark.parametrize("function", ["url('http://x', CSV, 'a String')", "remote('h', system.one)", "numbers(5)"])
def test_table_functions_are_refused_in_joins_and_subqueries(function: str) -> None:
    rejected(f"SELECT * FROM spans JOIN {function} AS f ON 1")
    rejected(f"SELECT * FROM spans WHERE trace_id IN (SELECT * FROM {function})")
    rejected(f"WITH f AS (SELECT * FROM {function}) SELECT * FROM f")


@pytest.mark.parametrize(
    ("sql", "word"),
    [
        ("SELECT * FROM spans SETTINGS readonly = 0", "SETTINGS"),
        ("SELECT * FROM spans SETTINGS max_execution_time = 100000", "SETTINGS"),
        ("SELECT * FROM (SELECT * FROM spans SETTINGS max_threads = 64)", "SETTINGS"),
        ("SELECT * FROM spans FORMAT TabSeparated", "FORMAT"),
        ("SELECT * FROM spans INTO OUTFILE '/tmp/x.csv'", "OUTFILE"),
        ("SELECT * FROM spans INTO OUTFILE '/tmp/x' FORMAT CSV", "OUTFILE"),
    ],
)
def test_settings_format_and_outfile_are_refused(sql: str, word: str) -> None:
    assert word in rejected(sql)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT dictGet('secrets', 'value', toUInt64(1))",
        "SELECT dictGetString('secrets', 'value', toUInt64(1))",
        "SELECT dictHas('secrets', toUInt64(1))",
        "SELECT joinGet('join_table', 'v', 1)",
        "SELECT file('/etc/passwd')",
        "SELECT hasColumnInTable('system', 'users', 'name')",
        "SELECT globalIn(trace_id, other_table) FROM spans",
        "SELECT notIn(trace_id, pyflare.costs) FROM spans",
        "SELECT in(trace_id, costs) FROM spans",
        "SELECT getServerSetting('path')",
        "SELECT sleepEachRow(3) FROM spans",
    ],
)
def test_functions_that_read_other_data_are_refused(sql: str) -> None:
    rejected(sql)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM spans WHERE trace_id IN costs",
        "SELECT * FROM spans WHERE trace_id IN (costs)",
        "SELECT * FROM spans WHERE trace_id NOT IN pyflare.costs",
        "SELECT * FROM spans WHERE trace_id GLOBAL IN secret_table",
        "SELECT * FROM spans WHERE (trace_id, span_id) IN evaluations",
    ],
)
def test_in_with_a_table_name_is_refused(sql: str) -> None:
    # ClickHouse reads a bare name on the right of IN as a whole table
    assert "right side of IN" in rejected(sql)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM costs",
        "SELECT * FROM alert_events",
        "SELECT * FROM schema_migrations",
        "SELECT * FROM spans JOIN evaluations USING trace_id",
        "SELECT * FROM spans WHERE x IN (SELECT trace_id FROM rca_reports)",
        "SELECT * FROM pyflare.drift_results",
        "SELECT * FROM a.b.spans",
        "SELECT * FROM (SELECT 1) AS t, secret",
    ],
)
def test_tables_outside_the_allow_list_are_refused(sql: str) -> None:
    rejected(sql)


def test_parameters_and_unparseable_sql_are_refused() -> None:
    assert "parameters" in rejected("SELECT * FROM spans WHERE project = {p:String}")
    assert "parse" in rejected("SELEC * FROM spans")
    assert "empty" in rejected("   ")
    assert "empty" in rejected("-- just a comment")
    assert "characters long" in rejected("SELECT 1 " + " " * 100_001)
    assert "RECURSIVE" in rejected("WITH RECURSIVE r AS (SELECT 1) SELECT * FROM r")


def test_deep_nesting_is_refused_not_crashed() -> None:
    deep = "SELECT " + "(" * 5000 + "1" + ")" * 5000
    with pytest.raises(QueryRejected):
        rewrite(deep)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM spans",
        "SELECT * FROM spans WHERE project = 'other'",
        "SELECT * FROM spans WHERE project != 'acme' OR 1 = 1",
        "SELECT * FROM pyflare.spans",
        "SELECT * FROM spans AS s JOIN logs AS l ON s.trace_id = l.trace_id",
        "SELECT * FROM spans s, metrics m",
        "SELECT * FROM spans WHERE trace_id IN (SELECT trace_id FROM logs WHERE project = 'other')",
        "SELECT (SELECT count() FROM spans) AS n",
        "SELECT * FROM (SELECT * FROM (SELECT * FROM spans) AS a) AS b",
        "WITH o AS (SELECT * FROM spans WHERE project = 'other') SELECT * FROM o",
        "WITH o AS (SELECT * FROM spans) SELECT * FROM o UNION ALL SELECT * FROM o",
        "WITH spans AS (SELECT * FROM spans WHERE project = 'other') SELECT * FROM spans",
        "WITH (SELECT max(duration_ns) FROM spans) AS m SELECT m",
        "SELECT * FROM spans UNION ALL SELECT * FROM spans",
        "SELECT trace_id FROM spans INTERSECT SELECT trace_id FROM logs",
        "SELECT trace_id FROM spans EXCEPT SELECT trace_id FROM logs",
        "SELECT * FROM spans FINAL",
        "SELECT * FROM spans AS s FINAL WHERE s.project = 'other'",
        "SELECT * FROM spans SAMPLE 0.5",
        "SELECT * FROM spans ARRAY JOIN events AS e",
        "SELECT * FROM spans WHERE EXISTS (SELECT 1 FROM logs)",
        "SELECT * FROM spans LEFT ANY JOIN trace_summary USING trace_id",
        "SELECT * FROM spans GLOBAL JOIN logs USING trace_id",
        "SELECT * FROM (spans)",
        "(SELECT * FROM spans) UNION ALL (SELECT * FROM metrics)",
        "SELECT * FROM (spans) AS s WHERE s.project = 'other'",
        "SELECT * FROM ((spans)) JOIN (logs) USING trace_id",
        "SELECT * FROM (pyflare.spans) FINAL",
        "SELECT * FROM spans FINAL SAMPLE 1/2 WHERE project = 'other'",
        "SELECT * FROM spans PREWHERE project = 'other'",
        "SELECT * FROM spans AS s FINAL PREWHERE s.project != 'acme' WHERE 1 = 1",
        "SELECT arrayMap(x -> (SELECT count() FROM logs), [1])",
        "SELECT arrayFilter(x -> x IN (SELECT trace_id FROM spans), ['a'])",
        "SELECT arrayMap(x -> x > 1 ? (SELECT max(duration_ns) FROM spans) : 0, [1, 2])",
    ],
)
def test_other_projects_are_unreachable(sql: str) -> None:
    out = rewrite(sql)
    assert_confined(out)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT arrayMax(x -> x, (SELECT groupArray(duration_ns) FROM spans))",
        "SELECT arrayMin(x -> -x, [1]) FROM spans WHERE trace_id IN (SELECT trace_id FROM logs)",
    ],
)
def test_lambda_forms_sqlglot_cannot_type_stay_confined(sql: str) -> None:
    assert_confined(rewrite(sql), read=DIALECT)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT arrayMax(x -> x, [1]) FROM spans JOIN system.users ON 1",
        "SELECT arrayMin(x -> dictGet('d', 'v', x), [1])",
        "SELECT arrayMax(x -> x, [1]) FROM url('http://127.0.0.1/', CSV, 'a String')",
    ],
)
def test_lambda_forms_are_still_checked(sql: str) -> None:
    rejected(sql)


def test_final_comes_before_sample_and_prewhere_becomes_where() -> None:
    out = rewrite("SELECT count() FROM spans AS s FINAL SAMPLE 1/2 PREWHERE s.name = 'a' WHERE s.duration_ns > 1")
    assert out == (
        "SELECT count() FROM (SELECT * FROM spans FINAL SAMPLE 1 / 2 WHERE project = 'acme') AS s "
        "WHERE (s.name = 'a') AND (s.duration_ns > 1) LIMIT 500"
    )


def test_sample_with_offset_is_refused() -> None:
    # sqlglot would read the sample's OFFSET as a row OFFSET, a different query
    assert "SAMPLE ... OFFSET" in rejected("SELECT * FROM spans SAMPLE 1/2 OFFSET 1/2")
    assert "SAMPLE ... OFFSET" in rejected("SELECT * FROM spans FINAL SAMPLE 0.1 OFFSET 0.5")
    assert rewrite("SELECT * FROM spans SAMPLE 0.5 LIMIT 10 OFFSET 5").endswith("LIMIT 10 OFFSET 5")


def test_a_query_without_from_reads_from_a_subquery() -> None:
    # ClickHouse applies max_result_bytes only to a query that reads from something
    assert rewrite("SELECT randomString(100)") == "SELECT * FROM (SELECT randomString(100) LIMIT 500)"
    assert rewrite("SELECT 1 UNION ALL SELECT 2").startswith("SELECT * FROM (SELECT 1 UNION ALL SELECT 2)")


def test_constructs_that_do_not_round_trip_are_refused_not_crashed() -> None:
    # sqlglot writes `= ANY (subquery)` back as SQL it cannot read again; never execute a guess
    assert "cannot check" in rejected("SELECT * FROM spans WHERE trace_id = ANY (SELECT trace_id FROM spans)")


def test_each_reference_keeps_its_name_so_columns_still_resolve() -> None:
    out = rewrite("SELECT s.trace_id, spans.name FROM spans AS s JOIN spans ON s.trace_id = spans.trace_id")
    tree = sqlglot.parse_one(out, read="clickhouse")
    aliases = [sub.alias for sub in tree.find_all(exp.Subquery) if sub.alias]
    assert sorted(aliases) == ["s", "spans"]


def test_ctes_are_renamed_so_no_name_reaches_a_real_table() -> None:
    out = rewrite("WITH a AS (SELECT * FROM spans) SELECT a.name FROM a")
    tree = sqlglot.parse_one(out, read="clickhouse")
    assert [c.alias for c in tree.find_all(exp.CTE)] == ["_pf_cte_1"]
    references = [t for t in tree.find_all(exp.Table) if t.name == "_pf_cte_1"]
    assert len(references) == 1 and references[0].alias == "a"


def test_a_cte_out_of_scope_is_not_a_loophole() -> None:
    # `x` is only defined inside the subquery; outside it would name a real table
    message = rejected("SELECT * FROM (WITH x AS (SELECT 1) SELECT * FROM x) AS t JOIN x ON 1")
    assert "'x' is not queryable" in message


def test_quotes_in_literals_survive_and_cannot_break_out() -> None:
    out = rewrite("SELECT 'it''s' AS a, 'back\\\\slash' AS b FROM spans WHERE name = 'x'' OR 1=1 --'")
    assert_confined(out)
    tree = sqlglot.parse_one(out, read="clickhouse")
    literals = [lit.this for lit in tree.find_all(exp.Literal) if lit.is_string]
    assert "it's" in literals and "x' OR 1=1 --" in literals


def test_comments_are_dropped() -> None:
    out = rewrite("SELECT 1 /* */ FROM spans -- ; DROP TABLE spans")
    assert "DROP" not in out and "--" not in out and "/*" not in out


@pytest.mark.parametrize(
    ("sql", "limit", "expected_tail"),
    [
        ("SELECT * FROM spans", None, "LIMIT 500"),
        ("SELECT * FROM spans", 20, "LIMIT 20"),
        ("SELECT * FROM spans", 100_000, "LIMIT 500"),
        ("SELECT * FROM spans LIMIT 7", None, "LIMIT 7"),
        ("SELECT * FROM spans LIMIT 100000", None, "LIMIT 500"),
        ("SELECT * FROM spans LIMIT 100000", 30, "LIMIT 30"),
        ("SELECT * FROM spans LIMIT 10, 100000", None, "LIMIT 500 OFFSET 10"),
        ("SELECT * FROM spans UNION ALL SELECT * FROM logs", None, ") LIMIT 500"),
        ("SELECT * FROM spans LIMIT 1 BY trace_id", None, ") LIMIT 500"),
        ("SELECT * FROM spans LIMIT 2 * 1000000", None, ") LIMIT 500"),
    ],
)
def test_rows_are_capped(sql: str, limit: int | None, expected_tail: str) -> None:
    assert rewrite(sql, limit).endswith(expected_tail)


def test_a_valid_select_is_rewritten_exactly() -> None:
    out = rewrite(
        "SELECT model_id, count() AS n FROM spans WHERE status_code = 'error' GROUP BY model_id ORDER BY n DESC"
    )
    assert out == (
        "SELECT model_id, count() AS n FROM (SELECT * FROM spans WHERE project = 'acme') AS spans "
        "WHERE status_code = 'error' GROUP BY model_id ORDER BY n DESC LIMIT 500"
    )


def test_the_table_list_comes_from_the_policy() -> None:
    narrow = QueryPolicy(frozenset({"logs"}), max_rows=10)
    with pytest.raises(QueryRejected, match="tables: logs"):
        rewrite_for_project("SELECT * FROM spans", project="acme", policy=narrow)
    assert "FROM logs WHERE" in rewrite_for_project("SELECT * FROM logs", project="acme", policy=narrow)
