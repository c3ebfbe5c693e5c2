"""Writing and reading the `feedback` table (`POST` and `GET /feedback`).

A label may be a string or a number; numbers are also kept in `label_number` so accuracy work can
aggregate them. Feedback for a trace that is not (yet) stored is accepted: ingestion is
asynchronous and a label can arrive before its spans.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
from clickhouse_connect.driver.client import Client

from workers.storage.traces.reader import RowReader


@dataclass(frozen=True)
class Feedback:
    id: uuid.UUID
    trace_id: str
    span_id: str
    time_ns: int
    label: str
    label_number: float | None
    score: float | None
    comment: str
    source: str
    user_id: str
    submitted_by: str


_SCHEMA = pa.schema(
    [
        ("project", pa.string()),
        ("id", pa.string()),
        ("trace_id", pa.string()),
        ("span_id", pa.string()),
        ("time", pa.timestamp("ns", tz="UTC")),
        ("label", pa.string()),
        ("label_number", pa.float64()),
        ("score", pa.float64()),
        ("comment", pa.string()),
        ("source", pa.string()),
        ("user_id", pa.string()),
        ("submitted_by", pa.string()),
    ]
)


def record(client: Client, project: str, item: Feedback) -> None:
    """Store one submission (an Arrow insert keeps the nanosecond time exact); a failed insert raises
    the client's ClickHouseError."""
    values = [
        project, str(item.id), item.trace_id, item.span_id, item.time_ns, item.label, item.label_number,
        item.score, item.comment, item.source, item.user_id, item.submitted_by,
    ]  # fmt: skip
    table = pa.Table.from_pylist([dict(zip(_SCHEMA.names, values, strict=True))], schema=_SCHEMA)
    client.insert_arrow("feedback", table)


def list_feedback(
    reader: RowReader,
    project: str,
    trace_id: str | None,
    span_id: str | None,
    source: str | None,
    since_ns: int | None,
    until_ns: int | None,
    limit: int,
    after: Sequence[Any] | None,
) -> list[Feedback]:
    """Newest first, after the cursor key [time ns, id]."""
    params: dict[str, Any] = {"project": project, "limit": limit}
    where = ["project = {project:String}"]
    simple = {
        "trace_id": (trace_id, "trace_id = {trace_id:String}"),
        "span_id": (span_id, "span_id = {span_id:String}"),
        "source": (source, "source = {source:String}"),
        "since": (since_ns, "time >= fromUnixTimestamp64Nano({since:Int64}, 'UTC')"),
        "until": (until_ns, "time <= fromUnixTimestamp64Nano({until:Int64}, 'UTC')"),
    }
    for key, (value, condition) in simple.items():
        if value is not None:
            params[key] = value
            where.append(condition)
    if after is not None:
        params["after_time"], params["after_id"] = int(after[0]), str(after[1])
        where.append("(toUnixTimestamp64Nano(time), toString(id)) < ({after_time:Int64}, {after_id:String})")
    sql = (
        "SELECT id, trace_id, span_id, toUnixTimestamp64Nano(time) AS t, label, label_number, score, comment,"
        f" source, user_id, submitted_by FROM feedback WHERE {' AND '.join(where)}"
        " ORDER BY t DESC, toString(id) DESC LIMIT {limit:UInt32}"
    )
    rows = reader.rows(sql, params)
    return [Feedback(r[0], r[1], r[2], int(r[3]), r[4], r[5], r[6], r[7], r[8], r[9], r[10]) for r in rows]
