"""The logs table: one row per OTLP log record, with skip indexes for trace lookups and body words."""

SQL: list[str] = [
    """
CREATE TABLE IF NOT EXISTS logs
(
    project LowCardinality(String) CODEC(ZSTD(1)),
    service_name LowCardinality(String) CODEC(ZSTD(1)),
    time DateTime64(9, 'UTC') CODEC(Delta, ZSTD(1)),
    observed_time DateTime64(9, 'UTC') CODEC(Delta, ZSTD(1)),
    trace_id String CODEC(ZSTD(1)),
    span_id String CODEC(ZSTD(1)),
    severity_number UInt8 CODEC(ZSTD(1)),
    severity_text LowCardinality(String) CODEC(ZSTD(1)),
    body String CODEC(ZSTD(6)),
    event_name LowCardinality(String) CODEC(ZSTD(1)),
    model_id LowCardinality(String) CODEC(ZSTD(1)),
    attributes Map(LowCardinality(String), String) CODEC(ZSTD(3)),
    resource Map(LowCardinality(String), String) CODEC(ZSTD(3)),
    scope_name LowCardinality(String) CODEC(ZSTD(1)),
    source_partition Int32 CODEC(ZSTD(1)),
    source_offset Int64 CODEC(Delta, ZSTD(1)),
    _ingested_at DateTime64(3) DEFAULT now64(3) CODEC(Delta, ZSTD(1)),
    INDEX idx_trace_id trace_id TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_body lower(body) TYPE tokenbf_v1(32768, 3, 0) GRANULARITY 1
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(time)
ORDER BY (project, toStartOfHour(time), service_name, time)
TTL toDateTime(time) + INTERVAL {retention_days} DAY
SETTINGS index_granularity = 8192
""",
]
