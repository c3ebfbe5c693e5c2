"""costs: one row per span that carries token usage, priced or not, with the cost split by part.

ReplacingMergeTree keyed by the span (project, hour, trace_id, span_id) with `version` (when it was
priced, ns): a re-delivered span or a re-priced one replaces the older row, so `costs FINAL` holds
exactly one row per span. `_inserted_at` (server time, minmax-indexed; new inserts land in new parts)
tells the rollup which days changed since it last ran (workers.storage.costs.rollup). Costs outlive
spans: kept at least 400 days (monthly budgets and forecasts need the history), or the span retention
when that is longer.
"""

SQL: list[str] = [
    """
CREATE TABLE IF NOT EXISTS costs
(
    project LowCardinality(String) CODEC(ZSTD(1)),
    start_time DateTime64(9, 'UTC') CODEC(Delta, ZSTD(1)),
    trace_id String CODEC(ZSTD(1)),
    span_id String CODEC(ZSTD(1)),
    model_id LowCardinality(String) CODEC(ZSTD(1)),
    provider LowCardinality(String) CODEC(ZSTD(1)),
    input_hash String CODEC(ZSTD(1)),
    input_tokens UInt32 CODEC(T64, ZSTD(1)),
    output_tokens UInt32 CODEC(T64, ZSTD(1)),
    cache_read_tokens UInt32 CODEC(T64, ZSTD(1)),
    cache_creation_tokens UInt32 CODEC(T64, ZSTD(1)),
    reasoning_tokens UInt32 CODEC(T64, ZSTD(1)),
    input_cost_micros UInt64 CODEC(T64, ZSTD(1)),
    cache_cost_micros UInt64 CODEC(T64, ZSTD(1)),
    output_cost_micros UInt64 CODEC(T64, ZSTD(1)),
    total_cost_micros UInt64 CODEC(T64, ZSTD(1)),
    priced UInt8 CODEC(ZSTD(1)),
    unpriced_reason LowCardinality(String) CODEC(ZSTD(1)),
    price_id LowCardinality(String) CODEC(ZSTD(1)),
    price_version LowCardinality(String) CODEC(ZSTD(1)),
    user_id String CODEC(ZSTD(1)),
    feature_id LowCardinality(String) CODEC(ZSTD(1)),
    team LowCardinality(String) CODEC(ZSTD(1)),
    environment LowCardinality(String) CODEC(ZSTD(1)),
    dimensions Map(LowCardinality(String), String) CODEC(ZSTD(3)),
    version UInt64 CODEC(Delta, ZSTD(1)),
    _inserted_at DateTime64(3, 'UTC') DEFAULT now64(3) CODEC(Delta, ZSTD(1)),
    INDEX idx_inserted_at _inserted_at TYPE minmax GRANULARITY 1
)
ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(start_time)
ORDER BY (project, toStartOfHour(start_time), trace_id, span_id)
TTL toDateTime(start_time) + toIntervalDay(greatest({retention_days}, 400))
""",
]
