"""alert_events: one row per alert state change (firing, acknowledged, resolved, notified, ...).

History for analytics and audits: who acknowledged, when a channel was told, how long alerts fired.
Plain MergeTree: an event happens once; the control-plane database holds the current state.
"""

SQL: list[str] = [
    """
CREATE TABLE IF NOT EXISTS alert_events
(
    project LowCardinality(String) CODEC(ZSTD(1)),
    time DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1)),
    event LowCardinality(String) CODEC(ZSTD(1)),
    alert_id UInt64 CODEC(ZSTD(1)),
    fingerprint String CODEC(ZSTD(1)),
    state LowCardinality(String) CODEC(ZSTD(1)),
    source LowCardinality(String) CODEC(ZSTD(1)),
    rule_id UInt64 CODEC(ZSTD(1)),
    alertname String CODEC(ZSTD(1)),
    severity LowCardinality(String) CODEC(ZSTD(1)),
    model_id LowCardinality(String) CODEC(ZSTD(1)),
    value Nullable(Float64) CODEC(ZSTD(1)),
    labels Map(String, String) CODEC(ZSTD(1)),
    annotations Map(String, String) CODEC(ZSTD(3)),
    actor String CODEC(ZSTD(1)),
    channel String CODEC(ZSTD(1)),
    group_key String CODEC(ZSTD(1)),
    starts_at DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1)),
    ends_at Nullable(DateTime64(3, 'UTC')) CODEC(ZSTD(1))
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(time)
ORDER BY (project, time, fingerprint)
SETTINGS index_granularity = 8192
""",
]
