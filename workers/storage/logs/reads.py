"""ClickHouse reads behind `GET /logs`: newest first, keyset-paginated on (time, row hash).

Log records have no id, so the tiebreak for equal times is a hash of the whole stored row; two
records identical in every column (one record delivered twice in one batch) share a position,
and a page boundary falling between them skips the second.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from workers.storage.traces.reader import RowReader

# OpenTelemetry severity numbers: each name covers four numbers (INFO..INFO4 = 9..12).
SEVERITY_NUMBERS = {"TRACE": 1, "DEBUG": 5, "INFO": 9, "WARN": 13, "WARNING": 13, "ERROR": 17, "FATAL": 21}
_SEVERITY = re.compile(r"^(TRACE|DEBUG|INFO|WARN|WARNING|ERROR|FATAL)([234])?$")

_ROW_HASH = (
    "sipHash64(time, observed_time, service_name, trace_id, span_id, severity_number, severity_text, body,"
    " event_name, attributes, resource, scope_name, source_partition, source_offset, _ingested_at)"
)


def parse_severity(text: str) -> int:
    """Minimum severity number from 1-24 or a name (INFO, warn, ERROR2, ...)."""
    raw = text.strip()
    if raw.isdigit() and 1 <= int(raw) <= 24:
        return int(raw)
    match = _SEVERITY.match(raw.upper())
    if not match:
        raise ValueError(
            "use a severity number 1-24 or a name: TRACE, DEBUG, INFO, WARN, ERROR, FATAL"
            " (optionally with 2-4, e.g. INFO2)"
        )
    return SEVERITY_NUMBERS[match.group(1)] + (int(match.group(2)) - 1 if match.group(2) else 0)


@dataclass(frozen=True)
class LogFilters:
    since_ns: int | None = None
    until_ns: int | None = None
    min_severity: int | None = None
    service: str | None = None
    trace_id: str | None = None
    span_id: str | None = None
    text: str | None = None
    attributes: tuple[tuple[str, str], ...] = ()


COLUMNS = (
    "time", "observed_time", "service_name", "trace_id", "span_id", "severity_number", "severity_text", "body",
    "event_name", "model_id", "attributes", "resource", "scope_name",
)  # fmt: skip


def list_logs(
    reader: RowReader, project: str, filters: LogFilters, limit: int, after: Sequence[int] | None
) -> list[dict[str, Any]]:
    """Up to `limit` records, newest first, after the cursor key [time ns, row hash]."""
    params: dict[str, Any] = {"project": project, "limit": limit}
    where = ["project = {project:String}"]
    simple = {
        "since": (filters.since_ns, "time >= fromUnixTimestamp64Nano({since:Int64}, 'UTC')"),
        "until": (filters.until_ns, "time <= fromUnixTimestamp64Nano({until:Int64}, 'UTC')"),
        "severity": (filters.min_severity, "severity_number >= {severity:UInt8}"),
        "service": (filters.service, "service_name = {service:String}"),
        "trace_id": (filters.trace_id, "trace_id = {trace_id:String}"),
        "span_id": (filters.span_id, "span_id = {span_id:String}"),
        "text": (filters.text, "positionCaseInsensitiveUTF8(body, {text:String}) > 0"),
    }
    for key, (value, condition) in simple.items():
        if value is not None:
            params[key] = value
            where.append(condition)
    for i, (key, value) in enumerate(filters.attributes):
        params[f"ak{i}"], params[f"av{i}"] = key, value
        where.append(f"mapContains(attributes, {{ak{i}:String}}) AND attributes[{{ak{i}:String}}] = {{av{i}:String}}")
    if after is not None:
        params["after_time"], params["after_hash"] = int(after[0]), int(after[1])
        where.append("time <= fromUnixTimestamp64Nano({after_time:Int64}, 'UTC')")
        where.append("(toUnixTimestamp64Nano(time), h) < ({after_time:Int64}, {after_hash:UInt64})")
    columns = ", ".join(
        f"toUnixTimestamp64Nano({c}) AS {c}_ns" if c in ("time", "observed_time") else c for c in COLUMNS
    )
    sql = (
        f"SELECT {columns}, {_ROW_HASH} AS h FROM logs WHERE {' AND '.join(where)}"
        " ORDER BY time DESC, h DESC LIMIT {limit:UInt32}"
    )
    return [dict(zip((*COLUMNS, "hash"), row, strict=True)) for row in reader.rows(sql, params)]
