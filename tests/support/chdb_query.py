"""Run one query against a chdb directory in a separate process (one chdb path per process).

Usage: python -m tests.support.chdb_query <clickhouse url> <database> <sql>  → JSON rows on stdout.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import clickhouse_connect


def query_in_subprocess(url: str, database: str, sql: str) -> list[list[Any]]:
    out = subprocess.run(
        [sys.executable, "-m", "tests.support.chdb_query", url, database, sql],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return json.loads(out.stdout)


if __name__ == "__main__":
    url, database, sql = sys.argv[1:4]
    client = clickhouse_connect.get_client(dsn=url, database=database)
    rows = client.query(sql).result_rows
    print(json.dumps([list(r) for r in rows], default=str))
