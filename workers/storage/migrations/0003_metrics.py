"""The metrics table: one row per OTLP data point (gauge, sum, histogram, summary)."""

SQL: list[str] = [
    """
CREATE TABLE IF NOT EXISTS metrics
(
    project LowCardinality(String) CODEC(ZSTD(1)),
    service_name LowCardinality(String) CODEC(ZSTD(1)),
    metric_name LowCardinality(String) CODEC(ZSTD(1)),
    metric_type LowCardinality(String) CODEC(ZSTD(1)),
    unit LowCardinality(String) CODEC(ZSTD(1)),
    description LowCardinality(String) CODEC(ZSTD(1)),
    temporality LowCardinality(String) CODEC(ZSTD(1)),
    is_monotonic Bool CODEC(ZSTD(1)),
    start_time DateTime64(9, 'UTC') CODEC(DoubleDelta, ZSTD(1)),
    time DateTime64(9, 'UTC') CODEC(DoubleDelta, ZSTD(1)),
    value Float64 CODEC(Gorilla, ZSTD(1)),
    count UInt64 CODEC(T64, ZSTD(1)),
    sum Float64 CODEC(Gorilla, ZSTD(1)),
    min Nullable(Float64) CODEC(ZSTD(1)),
    max Nullable(Float64) CODEC(ZSTD(1)),
    bucket_counts Array(UInt64) CODEC(ZSTD(1)),
    explicit_bounds Array(Float64) CODEC(ZSTD(1)),
    quantiles Map(Float64, Float64) CODEC(ZSTD(1)),
    model_id LowCardinality(String) CODEC(ZSTD(1)),
    attributes Map(LowCardinality(String), String) CODEC(ZSTD(3)),
    resource Map(LowCardinality(String), String) CODEC(ZSTD(3)),
    scope_name LowCardinality(String) CODEC(ZSTD(1)),
    source_partition Int32 CODEC(ZSTD(1)),
    source_offset Int64 CODEC(Delta, ZSTD(1)),
    _ingested_at DateTime64(3) DEFAULT now64(3) CODEC(Delta, ZSTD(1)),
    INDEX idx_model_id model_id TYPE set(100) GRANULARITY 1
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(time)
ORDER BY (project, metric_name, service_name, model_id, time)
TTL toDateTime(time) + INTERVAL {retention_days} DAY
SETTINGS index_granularity = 8192
""",
]
