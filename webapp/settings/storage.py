"""What the SQL endpoint may read and how much: the allow-listed ClickHouse tables and limits.

Every allow-listed table has a `project` column; the query rewriter filters each reference by it.
"""

from __future__ import annotations

from webapp.settings.env import env_float, env_int, env_list, env_str

QUERY_TABLES: list[str] = env_list(
    "PYFLARE_QUERY_TABLES",
    ["spans", "trace_summary", "metrics", "logs", "feedback", "costs", "costs_hourly", "drift_results"],
)
QUERY_PROJECT_COLUMN: str = env_str("PYFLARE_QUERY_PROJECT_COLUMN", "project")
# Tables may be written `<database>.<table>` with this database; any other database is refused.
QUERY_DATABASE: str = env_str("PYFLARE_CLICKHOUSE_DATABASE", "pyflare")
QUERY_DEFAULT_ROWS: int = env_int("PYFLARE_QUERY_DEFAULT_ROWS", 1000, minimum=1)
QUERY_MAX_ROWS: int = env_int("PYFLARE_QUERY_MAX_ROWS", 10000, minimum=1)
QUERY_MAX_EXECUTION_SECONDS: float = env_float("PYFLARE_QUERY_MAX_EXECUTION_SECONDS", 30.0, minimum=0.1)
