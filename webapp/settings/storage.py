"""What the SQL endpoint may read and how much: the allow-listed ClickHouse tables and limits.

Every allow-listed table has a `project` column; the query rewriter filters each reference by it.
"""

from __future__ import annotations

import os

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
# Per query: memory (ClickHouse max_memory_usage), result size in ClickHouse (max_result_bytes),
# and the body PyFlare sends (JSON or CSV), checked while it is written.
QUERY_MAX_MEMORY_BYTES: int = env_int("PYFLARE_QUERY_MAX_MEMORY_BYTES", 512 * 1024 * 1024, minimum=1024 * 1024)
QUERY_MAX_RESULT_BYTES: int = env_int("PYFLARE_QUERY_MAX_RESULT_BYTES", 64 * 1024 * 1024, minimum=1024)
QUERY_MAX_RESPONSE_BYTES: int = env_int("PYFLARE_QUERY_MAX_RESPONSE_BYTES", 32 * 1024 * 1024, minimum=1024)
# Threads one query may use: by default half the cores, so ingest keeps CPU while a query runs.
QUERY_MAX_THREADS: int = env_int("PYFLARE_QUERY_MAX_THREADS", max(1, (os.cpu_count() or 2) // 2), minimum=1)
# Queries running at once, per project and in the whole process; more are refused with 429.
QUERY_MAX_CONCURRENT_PER_PROJECT: int = env_int("PYFLARE_QUERY_MAX_CONCURRENT_PER_PROJECT", 2, minimum=1)
QUERY_MAX_CONCURRENT: int = env_int("PYFLARE_QUERY_MAX_CONCURRENT", 4, minimum=1)
