"""Writing alert state changes to `alert_events` (migration 0050) and reading an alert's history back.

Events are written in one columnar insert per evaluation tick; the same records travel as JSON on
Kafka `pyflare.alerts` in scale mode (`as_json`), keyed by fingerprint.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
from clickhouse_connect.driver.client import Client

EVENTS = ("firing", "acknowledged", "resolved", "notified", "notify_failed", "muted", "unmuted")

_SCHEMA = pa.schema([
    ("project", pa.string()), ("time", pa.timestamp("ms", tz="UTC")), ("event", pa.string()),
    ("alert_id", pa.uint64()), ("fingerprint", pa.string()), ("state", pa.string()), ("source", pa.string()),
    ("rule_id", pa.uint64()), ("alertname", pa.string()), ("severity", pa.string()), ("model_id", pa.string()),
    ("value", pa.float64()), ("labels", pa.map_(pa.string(), pa.string())),
    ("annotations", pa.map_(pa.string(), pa.string())), ("actor", pa.string()), ("channel", pa.string()),
    ("group_key", pa.string()), ("starts_at", pa.timestamp("ms", tz="UTC")), ("ends_at", pa.timestamp("ms", tz="UTC")),
])  # fmt: skip


@dataclass(frozen=True)
class AlertEvent:
    project: str
    time: float  # epoch seconds
    event: str
    alert_id: int
    fingerprint: str
    state: str
    starts_at: float
    ends_at: float | None = None
    source: str = "rule"
    rule_id: int = 0
    severity: str = ""
    model_id: str = ""
    value: float | None = None
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    actor: str = ""
    channel: str = ""
    group_key: str = ""

    def __post_init__(self) -> None:
        if self.event not in EVENTS:
            raise ValueError(f"event {self.event!r} is not one of {', '.join(EVENTS)}")

    def as_json(self) -> dict[str, Any]:
        """The Kafka record: times as ISO 8601 UTC."""
        out = asdict(self)
        for name in ("time", "starts_at", "ends_at"):
            out[name] = None if out[name] is None else _moment(out[name]).isoformat()
        out["alertname"] = self.labels.get("alertname", "")
        return out


def _moment(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def write_events(client: Client, events: Sequence[AlertEvent]) -> None:
    if not events:
        return
    rows = [{
        **{k: getattr(e, k) for k in ("project", "event", "alert_id", "fingerprint", "state", "source", "rule_id",
                                     "severity", "model_id", "value", "actor", "channel", "group_key")},
        "time": _moment(e.time), "starts_at": _moment(e.starts_at),
        "ends_at": None if e.ends_at is None else _moment(e.ends_at),
        "alertname": e.labels.get("alertname", ""), "labels": list(e.labels.items()),
        "annotations": list(e.annotations.items()),
    } for e in events]  # fmt: skip
    client.insert_arrow("alert_events", pa.Table.from_pylist(rows, schema=_SCHEMA))


def alert_history(client: Client, project: str, alert_id: int, limit: int = 200) -> list[dict[str, Any]]:
    """An alert's events, oldest first."""
    result = client.query(
        "SELECT time, event, state, actor, channel, value FROM alert_events"
        " WHERE project = {project:String} AND alert_id = {alert:UInt64} ORDER BY time, event LIMIT {limit:UInt32}",
        parameters={"project": project, "alert": alert_id, "limit": limit},
    )
    return [dict(zip(result.column_names, row, strict=True)) for row in result.result_rows]


def first_notified(client: Client, project: str, alert_ids: Sequence[int]) -> dict[int, dict[str, float]]:
    """When each channel (by name) was first told about each alert: alert id -> channel -> epoch seconds.
    Escalation times every step from these."""
    if not alert_ids:
        return {}
    result = client.query(
        "SELECT alert_id, channel, toUnixTimestamp64Milli(min(time)) / 1000 FROM alert_events"
        " WHERE project = {project:String} AND event = 'notified' AND alert_id IN {ids:Array(UInt64)}"
        " GROUP BY alert_id, channel",
        parameters={"project": project, "ids": list(alert_ids)},
    )
    out: dict[int, dict[str, float]] = {}
    for alert_id, channel, at in result.result_rows:
        out.setdefault(int(alert_id), {})[str(channel)] = float(at)
    return out
