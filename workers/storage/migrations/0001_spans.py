"""The spans table: one row per span, re-delivered duplicates collapse on merge or with FINAL.

Every sort-key expression is a function of the span itself, so a duplicate lands on the same key.
Codecs were chosen with loadtests/bench_compression.py: Delta for times (irregular gaps, so not
DoubleDelta), ZSTD(6) for text and maps, ZSTD(1) elsewhere.
"""

SQL: list[str] = [
    """
CREATE TABLE IF NOT EXISTS spans
(
    project LowCardinality(String) CODEC(ZSTD(1)),
    trace_id String CODEC(ZSTD(1)),
    span_id String CODEC(ZSTD(1)),
    parent_span_id String CODEC(ZSTD(1)),
    trace_state String CODEC(ZSTD(1)),
    name LowCardinality(String) CODEC(ZSTD(1)),
    kind LowCardinality(String) CODEC(ZSTD(1)),
    start_time DateTime64(9, 'UTC') CODEC(Delta, ZSTD(1)),
    end_time DateTime64(9, 'UTC') CODEC(Delta, ZSTD(1)),
    duration_ns UInt64 CODEC(T64, ZSTD(1)),
    service_name LowCardinality(String) CODEC(ZSTD(1)),
    scope_name LowCardinality(String) CODEC(ZSTD(1)),
    scope_version LowCardinality(String) CODEC(ZSTD(1)),
    status_code LowCardinality(String) CODEC(ZSTD(1)),
    status_message String CODEC(ZSTD(6)),
    model_id LowCardinality(String) CODEC(ZSTD(1)),
    model_version LowCardinality(String) CODEC(ZSTD(1)),
    provider LowCardinality(String) CODEC(ZSTD(1)),
    inference_type LowCardinality(String) CODEC(ZSTD(1)),
    operation LowCardinality(String) CODEC(ZSTD(1)),
    input_preview String CODEC(ZSTD(6)),
    output_preview String CODEC(ZSTD(6)),
    input_hash String CODEC(ZSTD(1)),
    input_tokens Nullable(UInt32) CODEC(T64, ZSTD(1)),
    output_tokens Nullable(UInt32) CODEC(T64, ZSTD(1)),
    total_tokens Nullable(UInt32) CODEC(T64, ZSTD(1)),
    cache_read_tokens Nullable(UInt32) CODEC(T64, ZSTD(1)),
    cache_creation_tokens Nullable(UInt32) CODEC(T64, ZSTD(1)),
    reasoning_tokens Nullable(UInt32) CODEC(T64, ZSTD(1)),
    cost_micros Nullable(UInt64) CODEC(T64, ZSTD(1)),
    finish_reasons Array(LowCardinality(String)) CODEC(ZSTD(1)),
    user_id String CODEC(ZSTD(1)),
    session_id String CODEC(ZSTD(1)),
    feature_id LowCardinality(String) CODEC(ZSTD(1)),
    team LowCardinality(String) CODEC(ZSTD(1)),
    environment LowCardinality(String) CODEC(ZSTD(1)),
    prediction String CODEC(ZSTD(1)),
    prediction_score Nullable(Float64) CODEC(ZSTD(1)),
    features Map(LowCardinality(String), String) CODEC(ZSTD(6)),
    embedding_dim UInt16 CODEC(ZSTD(1)),
    attributes Map(LowCardinality(String), String) CODEC(ZSTD(6)),
    resource Map(LowCardinality(String), String) CODEC(ZSTD(6)),
    events Array(Tuple(
        time DateTime64(9, 'UTC'),
        name LowCardinality(String),
        attributes Map(LowCardinality(String), String))) CODEC(ZSTD(6)),
    links Array(Tuple(
        trace_id String,
        span_id String,
        trace_state String,
        attributes Map(LowCardinality(String), String))) CODEC(ZSTD(6)),
    source_partition Int32 CODEC(ZSTD(1)),
    source_offset Int64 CODEC(Delta, ZSTD(1)),
    _ingested_at DateTime64(3) DEFAULT now64(3) CODEC(Delta, ZSTD(1)),
    INDEX idx_trace_id trace_id TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_session_id session_id TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_user_id user_id TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_model_id model_id TYPE set(100) GRANULARITY 1,
    INDEX idx_status_code status_code TYPE set(4) GRANULARITY 1
)
ENGINE = ReplacingMergeTree(_ingested_at)
PARTITION BY toYYYYMM(start_time)
ORDER BY (project, toStartOfHour(start_time), service_name, name, start_time, trace_id, span_id)
TTL toDateTime(start_time) + INTERVAL {retention_days} DAY
SETTINGS index_granularity = 8192
""",
]
