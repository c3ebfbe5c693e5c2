"""How much one user query may take: ClickHouse's per-query limits and PyFlare's response cap.

Each limit has a `PYFLARE_QUERY_*` setting; a query that hits one fails with `QueryLimitExceeded`,
whose message names the limit and the setting, so the caller learns what to change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# ClickHouse error codes of the limits set below (src/Common/ErrorCodes.cpp)
_TIMEOUT_EXCEEDED = 159
_TOO_MANY_ROWS_OR_BYTES = 396
_MEMORY_LIMIT_EXCEEDED = 241
_TOO_SLOW = 160


class QueryLimitExceeded(Exception):
    """The query needed more than a configured limit allows."""

    def __init__(self, what: str, setting: str, value: str, detail: str = "") -> None:
        message = f"the query exceeded the {what} limit of {value} ({setting})"
        super().__init__(f"{message}: {detail}" if detail else message)
        self.setting = setting


@dataclass(frozen=True)
class QueryLimits:
    max_rows: int
    max_execution_seconds: float
    max_memory_bytes: int = 512 * 1024 * 1024
    max_result_bytes: int = 64 * 1024 * 1024
    max_response_bytes: int = 32 * 1024 * 1024
    max_threads: int = 0  # 0: ClickHouse's default (one per core)

    def clickhouse_settings(self) -> dict[str, Any]:
        """Per-query ClickHouse settings; readonly=2 forbids writes even if a check were missed."""
        settings: dict[str, Any] = {
            "readonly": 2,
            "max_execution_time": self.max_execution_seconds,
            "timeout_overflow_mode": "throw",
            "max_memory_usage": self.max_memory_bytes,
            "max_result_rows": self.max_rows,
            "max_result_bytes": self.max_result_bytes,
            "result_overflow_mode": "throw",
        }
        if self.max_threads:
            settings["max_threads"] = self.max_threads
        return settings

    def exceeded(self, code: int | None, message: str) -> QueryLimitExceeded | None:
        """The limit a ClickHouse error reports, or None when it is another error."""
        if code == _MEMORY_LIMIT_EXCEEDED:
            return QueryLimitExceeded("memory", "PYFLARE_QUERY_MAX_MEMORY_BYTES", _size(self.max_memory_bytes), message)
        if code in (_TIMEOUT_EXCEEDED, _TOO_SLOW):
            seconds = f"{self.max_execution_seconds:g} s"
            return QueryLimitExceeded("execution time", "PYFLARE_QUERY_MAX_EXECUTION_SECONDS", seconds, message)
        if code == _TOO_MANY_ROWS_OR_BYTES:
            if "max rows" in message:
                return QueryLimitExceeded("result row", "the request's limit / PYFLARE_QUERY_MAX_ROWS",
                                          f"{self.max_rows} rows", message)
            return QueryLimitExceeded("result size", "PYFLARE_QUERY_MAX_RESULT_BYTES",
                                      _size(self.max_result_bytes), message)
        return None

    def response_too_large(self) -> QueryLimitExceeded:
        return QueryLimitExceeded(
            "response size", "PYFLARE_QUERY_MAX_RESPONSE_BYTES", _size(self.max_response_bytes),
            "select fewer rows or columns, or aggregate in SQL",
        )


def _size(n: int) -> str:
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:g} {unit} ({n} bytes)"
    return f"{n} bytes"
