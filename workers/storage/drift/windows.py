"""Reading one model's window of spans from ClickHouse: features, predictions, feedback labels and
the embedding dimension its spans carry.

Features come from the `features` map (`pyflare.features.<name>`): numerical ones through
toFloat64OrNull (unparseable or absent -> NaN), categorical ones as text ('' -> missing). Reads use
FINAL so re-delivered spans count once (measured faster than without it on wide map reads). Windows
above `max_rows` are sampled by a hash of the span id: uniform, and the same rows on every re-run.
Feature names travel as query parameters, never inside the SQL text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa
from clickhouse_connect.driver.client import Client

from workers.analysis.drift.monitor.window import LabelledRows, WindowRows, WindowSpec
from workers.analysis.drift.types import FeatureType

NUMERIC_SHARE = 0.95  # a feature is numerical when this share of its non-empty values parse as numbers
_SPAN_FILTER = (
    "project = {project:String} AND model_id = {model:String}"
    " AND start_time >= fromUnixTimestamp64Nano({start:Int64}, 'UTC')"
    " AND start_time < fromUnixTimestamp64Nano({end:Int64}, 'UTC')"
    " AND (length(features) > 0 OR prediction != '' OR prediction_score IS NOT NULL)"
)


def window_parameters(spec: WindowSpec) -> dict[str, Any]:
    return {"project": spec.project, "model": spec.model_id, "start": spec.start_ns, "end": spec.end_ns}


def count_rows(client: Client, spec: WindowSpec) -> int:
    sql = f"SELECT count() FROM spans FINAL WHERE {_SPAN_FILTER}"
    return int(client.query(sql, parameters=window_parameters(spec)).result_rows[0][0])


def discover_features(client: Client, spec: WindowSpec, limit: int = 1000) -> dict[str, FeatureType]:
    """Feature names seen in the window and their type (numerical if nearly all values parse)."""
    sql = (
        "SELECT k, countIf(v != '') AS present, countIf(toFloat64OrNull(v) IS NOT NULL) AS numeric,"
        " countIf(startsWith(v, '[')) AS arrays"
        f" FROM spans FINAL ARRAY JOIN mapKeys(features) AS k, mapValues(features) AS v WHERE {_SPAN_FILTER}"
        " GROUP BY k ORDER BY k LIMIT {limit:UInt32}"
    )
    found: dict[str, FeatureType] = {}
    for name, present, numeric, arrays in client.query(
        sql, parameters=window_parameters(spec) | {"limit": limit}
    ).result_rows:
        if present == 0 or arrays > present / 2:
            continue  # empty, or a list-valued attribute that no univariate test can take
        found[name] = FeatureType.NUMERICAL if numeric >= NUMERIC_SHARE * present else FeatureType.CATEGORICAL
    return found


def _sample_clause(total: int, max_rows: int, params: dict[str, Any]) -> str:
    if total <= max_rows:
        return ""
    params["cut"] = int((2**64 - 1) * (max_rows / total))
    return " AND cityHash64(span_id) <= {cut:UInt64}"


def _text(column: pa.ChunkedArray) -> list[str | None]:
    return [value or None for value in column.to_pylist()]


def read_window(
    client: Client, spec: WindowSpec, features: Sequence[tuple[str, FeatureType]], max_rows: int
) -> WindowRows:
    """Feature columns of the window (numerical or categorical as given), predictions and scores."""
    params = window_parameters(spec)
    total = count_rows(client, spec)
    if total == 0:
        return WindowRows(spec, 0)
    sample = _sample_clause(total, max_rows, params)
    columns = ["prediction", "prediction_score"]
    for index, (name, kind) in enumerate(features):
        params[f"f{index}"] = name
        value = f"features[{{f{index}:String}}]"
        columns.append(
            f"toFloat64OrNull({value}) AS c{index}" if kind is FeatureType.NUMERICAL else f"{value} AS c{index}"
        )
    sql = f"SELECT {', '.join(columns)} FROM spans FINAL WHERE {_SPAN_FILTER}{sample}"
    table = client.query_arrow(sql, parameters=params, use_strings=True)
    rows = WindowRows(
        spec,
        total,
        prediction=_text(table.column("prediction")),
        prediction_score=table.column("prediction_score").to_numpy(zero_copy_only=False).astype(np.float64),
    )
    for index, (name, kind) in enumerate(features):
        column = table.column(f"c{index}")
        if kind is FeatureType.NUMERICAL:
            rows.numeric[name] = column.to_numpy(zero_copy_only=False).astype(np.float64)
        else:
            rows.categorical[name] = _text(column)
    return rows


def read_labelled(client: Client, spec: WindowSpec, max_rows: int) -> LabelledRows:
    """Window spans joined with their feedback: a span's own label, else one given for its whole trace."""
    sql = (
        "SELECT argMax(f.label, (f.span_id != '', f.time)) AS label,"
        " argMax(f.label_number, (f.span_id != '', f.time)) AS label_number,"
        " any(s.prediction), any(s.prediction_score)"
        f" FROM (SELECT trace_id, span_id, prediction, prediction_score FROM spans FINAL WHERE {_SPAN_FILTER}"
        "   AND prediction != '') AS s"
        " INNER JOIN (SELECT trace_id, span_id, label, label_number, time FROM feedback"
        "   WHERE project = {project:String} AND label != '') AS f"
        " ON s.trace_id = f.trace_id AND (f.span_id = s.span_id OR f.span_id = '')"
        " GROUP BY s.trace_id, s.span_id LIMIT {limit:UInt32}"
    )
    table = client.query_arrow(sql, parameters=window_parameters(spec) | {"limit": max_rows}, use_strings=True)
    return LabelledRows(
        label=[str(v) for v in table.column("label").to_pylist()],
        label_number=table.column("label_number").to_numpy(zero_copy_only=False).astype(np.float64),
        prediction=[str(v) for v in table.column(2).to_pylist()],
        prediction_score=table.column(3).to_numpy(zero_copy_only=False).astype(np.float64),
    )


def embedding_dim(client: Client, spec: WindowSpec) -> int | None:
    """The embedding dimension most of the window's spans carry (None: no embeddings)."""
    sql = (
        "SELECT embedding_dim, count() AS n FROM spans FINAL WHERE project = {project:String}"
        " AND model_id = {model:String} AND embedding_dim > 0"
        " AND start_time >= fromUnixTimestamp64Nano({start:Int64}, 'UTC')"
        " AND start_time < fromUnixTimestamp64Nano({end:Int64}, 'UTC')"
        " GROUP BY embedding_dim ORDER BY n DESC, embedding_dim LIMIT 1"
    )
    found = client.query(sql, parameters=window_parameters(spec)).result_rows
    return int(found[0][0]) if found else None
