"""The registry of PyFlare's ClickHouse tables: what each is, its engine, and who creates it.

Tests and tools iterate `TABLES` instead of keeping their own lists; a migration that adds a table
adds its entry here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class TableSpec:
    name: str
    kind: Literal["table", "materialized_view"]
    engine: str  # as reported by system.tables.engine
    created_by: str  # migration id, or "runner" for the history table
    ttl_column: str | None = None  # expiry follows retention_days on this column
    deduplicated: bool = False  # re-delivered rows collapse (read with FINAL for exact results)
    description: str = ""


TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in (
        TableSpec(
            "schema_migrations",
            "table",
            "ReplacingMergeTree",
            "runner",
            deduplicated=True,
            description="applied migrations: id, checksum of their SQL, time",
        ),
        TableSpec(
            "spans",
            "table",
            "ReplacingMergeTree",
            "0001_spans",
            ttl_column="start_time",
            deduplicated=True,
            description="one row per span (columns.SPAN_SCHEMA)",
        ),
        TableSpec(
            "trace_summary",
            "table",
            "AggregatingMergeTree",
            "0002_trace_summary",
            ttl_column="start_hour",
            description="set states per trace and hour (span_set, usage; reshaped by 0006_trace_summary_lean); "
            "read by workers/storage/traces/reads.py",
        ),
        TableSpec(
            "trace_summary_mv",
            "materialized_view",
            "MaterializedView",
            "0006_trace_summary_lean",  # first by 0002_trace_summary, replaced here
            description="feeds trace_summary from every insert into spans",
        ),
        TableSpec(
            "metrics",
            "table",
            "MergeTree",
            "0003_metrics",
            ttl_column="time",
            description="one row per metric data point (columns.METRIC_SCHEMA)",
        ),
        TableSpec(
            "logs",
            "table",
            "MergeTree",
            "0004_logs",
            ttl_column="time",
            description="one row per log record (columns.LOG_SCHEMA)",
        ),
        TableSpec(
            "feedback",
            "table",
            "MergeTree",
            "0005_feedback",
            description="labels and scores on traces/spans from POST /api/v1/feedback (kept without TTL)",
        ),
        TableSpec(
            "costs",
            "table",
            "ReplacingMergeTree",
            "0010_costs",
            deduplicated=True,
            description="one row per token-carrying span: tokens and cost by part (kept >= 400 days)",
        ),
        TableSpec(
            "costs_hourly",
            "table",
            "MergeTree",
            "0011_costs_hourly",
            description="exact hourly cost rollup, rebuilt per day from costs FINAL (workers.storage.costs)",
        ),
        TableSpec(
            "costs_rollup_state",
            "table",
            "ReplacingMergeTree",
            "0011_costs_hourly",
            deduplicated=True,
            description="how far costs_hourly is settled and since when costs changed",
        ),
        TableSpec(
            "drift_results",
            "table",
            "MergeTree",
            "0020_drift_results",
            description="drift scores per run, window, drift type and feature (kept without TTL)",
        ),
        TableSpec(
            "span_content",
            "table",
            "ReplacingMergeTree",
            "0040_span_content",
            ttl_column="time",
            deduplicated=True,
            description="GenAI message text from log records, by span (log_content.SPAN_CONTENT_SCHEMA); "
            "joined into span previews at read",
        ),
        TableSpec(
            "alert_events",
            "table",
            "MergeTree",
            "0050_alert_events",
            description="one row per alert state change (firing, acknowledged, resolved, notified)",
        ),
    )
}
