"""Writing a run's rows to `drift_results` and reading runs, history and trends back.

Rows with feature = '' are per drift type (and 'overall'); the others are per feature. JSON columns
never hold NaN or infinity (JSON has neither): such numbers become null.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
from clickhouse_connect.driver.client import Client

from workers.analysis.drift.monitor.scoring import ResultRow

_SCHEMA = pa.schema(
    [
        ("project", pa.string()), ("model_id", pa.string()), ("monitor_id", pa.uint64()), ("run_id", pa.string()),
        ("time", pa.timestamp("ms", tz="UTC")), ("window_start", pa.timestamp("ms", tz="UTC")),
        ("window_end", pa.timestamp("ms", tz="UTC")), ("drift_type", pa.string()), ("feature", pa.string()),
        ("feature_type", pa.string()), ("method", pa.string()), ("score", pa.float64()), ("p_value", pa.float64()),
        ("drifted", pa.bool_()), ("threshold", pa.float64()), ("severity", pa.float64()),
        ("n_reference", pa.uint64()), ("n_current", pa.uint64()), ("histogram", pa.string()), ("details", pa.string()),
    ]
)  # fmt: skip
_COLUMNS = (
    "run_id, toUnixTimestamp64Milli(time), toUnixTimestamp64Milli(window_start), toUnixTimestamp64Milli(window_end),"
    " drift_type, feature, feature_type, method, score, p_value, drifted, threshold, severity, n_reference,"
    " n_current, histogram, details"
)


def clean_json(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): clean_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean_json(v) for v in value]
    if isinstance(value, np.ndarray):
        return clean_json(value.tolist())
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def dumps(value: Any) -> str:
    return json.dumps(clean_json(value), allow_nan=False, default=str)


@dataclass(frozen=True)
class RunKey:
    project: str
    model_id: str
    monitor_id: int
    run_id: str
    time_ms: int
    window_start_ms: int
    window_end_ms: int


def write_rows(client: Client, key: RunKey, rows: Sequence[ResultRow]) -> None:
    records = [
        {
            "project": key.project, "model_id": key.model_id, "monitor_id": key.monitor_id, "run_id": key.run_id,
            "time": key.time_ms, "window_start": key.window_start_ms, "window_end": key.window_end_ms,
            "drift_type": r.drift_type, "feature": r.feature, "feature_type": r.feature_type, "method": r.method,
            "score": r.score, "p_value": r.p_value, "drifted": r.drifted, "threshold": float(r.threshold),
            "severity": float(r.severity), "n_reference": int(r.n_reference), "n_current": int(r.n_current),
            "histogram": "" if r.histogram is None else dumps(r.histogram), "details": dumps(r.details),
        }
        for r in rows
    ]  # fmt: skip
    client.insert_arrow("drift_results", pa.Table.from_pylist(records, schema=_SCHEMA))


@dataclass(frozen=True)
class StoredRow:
    run_id: str
    time_ms: int
    window_start_ms: int
    window_end_ms: int
    drift_type: str
    feature: str
    feature_type: str
    method: str
    score: float | None
    p_value: float | None
    drifted: bool
    threshold: float
    severity: float
    n_reference: int
    n_current: int
    histogram: dict[str, Any] | None
    details: dict[str, Any]


def _stored(row: Sequence[Any]) -> StoredRow:
    values = list(row)
    values[0] = str(values[0])
    values[15] = json.loads(values[15]) if values[15] else None
    values[16] = json.loads(values[16]) if values[16] else {}
    return StoredRow(*values)


def latest_run(client: Client, project: str, model_id: str) -> list[StoredRow]:
    sql = (
        f"SELECT {_COLUMNS} FROM drift_results WHERE project = {{project:String}} AND model_id = {{model:String}}"
        " AND run_id = (SELECT argMax(run_id, (window_end, time)) FROM drift_results"
        "   WHERE project = {project:String} AND model_id = {model:String})"
        " ORDER BY drift_type, feature"
    )
    return [_stored(r) for r in client.query(sql, parameters={"project": project, "model": model_id}).result_rows]


def type_severities(
    client: Client, project: str, model_id: str, drift_types: Sequence[str], limit: int
) -> dict[str, list[float]]:
    """The newest `limit` severities of each drift type's rows, oldest first (for trends)."""
    sql = (
        "SELECT drift_type, severity FROM drift_results WHERE project = {project:String}"
        " AND model_id = {model:String} AND drift_type IN {types:Array(String)} AND feature = ''"
        " ORDER BY drift_type, window_end DESC, time DESC LIMIT {limit:UInt32} BY drift_type"
    )
    params = {"project": project, "model": model_id, "types": [str(t) for t in drift_types], "limit": limit}
    found: dict[str, list[float]] = {str(t): [] for t in drift_types}
    for kind, value in client.query(sql, parameters=params).result_rows:
        found[kind].append(float(value))
    return {kind: values[::-1] for kind, values in found.items()}


def history(
    client: Client,
    project: str,
    model_id: str,
    *,
    drift_type: str | None,
    feature: str | None,
    start_ms: int | None,
    end_ms: int | None,
    limit: int,
) -> list[StoredRow]:
    """Rows newest first: type-level rows (feature '') unless a feature is named."""
    params: dict[str, Any] = {"project": project, "model": model_id, "feature": feature or "", "limit": limit}
    where = ["project = {project:String}", "model_id = {model:String}", "feature = {feature:String}"]
    if drift_type:
        params["type"] = drift_type
        where.append("drift_type = {type:String}")
    if start_ms is not None:
        params["start"] = start_ms
        where.append("window_end >= fromUnixTimestamp64Milli({start:Int64}, 'UTC')")
    if end_ms is not None:
        params["end"] = end_ms
        where.append("window_end <= fromUnixTimestamp64Milli({end:Int64}, 'UTC')")
    sql = (
        f"SELECT {_COLUMNS} FROM drift_results WHERE {' AND '.join(where)}"
        " ORDER BY window_end DESC, time DESC, drift_type LIMIT {limit:UInt32}"
    )
    return [_stored(r) for r in client.query(sql, parameters=params).result_rows]
