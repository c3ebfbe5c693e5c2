"""Numbered ClickHouse schema migrations, applied in order by `workers.storage.migrate`.

Each `NNNN_name.py` holds its own SQL in `SQL: list[str]` (a copy, never imported from live code)
with `{retention_days}` as the only placeholder. Statements must be idempotent (IF NOT EXISTS)
so that two runners starting at once are harmless. Never edit an applied migration: add one.
Numbering: see README.md here (a new migration takes a number above every shipped one).
"""

# Every migration in the order it shipped; a new one is appended. The entries that sort below an
# earlier one (0006 after 0020; 0021-0023 after 0040) shipped before the rule was written: they
# are the only migrations the runner applies after a higher-numbered one.
SHIPPED: tuple[str, ...] = (
    "0001_spans",
    "0002_trace_summary",
    "0003_metrics",
    "0004_logs",
    "0005_feedback",
    "0010_costs",
    "0011_costs_hourly",
    "0020_drift_results",
    "0006_trace_summary_lean",
    "0040_span_content",
    "0021_costs_exact",
    "0022_costs_model_family",
    "0023_costs_response_id",
    "0041_spans_cost_exact",
    "0050_alert_events",
)
