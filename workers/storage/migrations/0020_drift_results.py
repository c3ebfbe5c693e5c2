"""drift_results: one row per scored item of a drift run (a feature, a drift type, the overall verdict).

Rows of one run share run_id and the window; `feature` is '' on drift-type and overall rows. The
chart histograms (reference vs current shares) are JSON text. Plain MergeTree without TTL: a few
hundred rows per window, and drift history is what trends and audits read.
"""

SQL: list[str] = [
    """
CREATE TABLE IF NOT EXISTS drift_results
(
    project LowCardinality(String) CODEC(ZSTD(1)),
    model_id LowCardinality(String) CODEC(ZSTD(1)),
    monitor_id UInt64 CODEC(ZSTD(1)),
    run_id UUID,
    time DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1)),
    window_start DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1)),
    window_end DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1)),
    drift_type LowCardinality(String) CODEC(ZSTD(1)),
    feature String CODEC(ZSTD(1)),
    feature_type LowCardinality(String) CODEC(ZSTD(1)),
    method LowCardinality(String) CODEC(ZSTD(1)),
    score Nullable(Float64) CODEC(ZSTD(1)),
    p_value Nullable(Float64) CODEC(ZSTD(1)),
    drifted Bool CODEC(ZSTD(1)),
    threshold Float64 CODEC(ZSTD(1)),
    severity Float64 CODEC(ZSTD(1)),
    n_reference UInt64 CODEC(T64, ZSTD(1)),
    n_current UInt64 CODEC(T64, ZSTD(1)),
    histogram String CODEC(ZSTD(3)),
    details String CODEC(ZSTD(3))
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(time)
ORDER BY (project, model_id, drift_type, feature, time)
SETTINGS index_granularity = 8192
""",
]
