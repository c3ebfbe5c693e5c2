"""costs_hourly: the hourly cost rollup, one row per (project, hour, dimension, value); and
costs_rollup_state: how far it is settled.

Long format, so its size is bounded by the distinct values of each dimension per hour, whatever
their combinations: dimension '' holds the project's totals, 'model', 'provider', 'user',
'feature', 'team', 'environment' and 'dim.<key>' (custom dimensions) hold one row per value.
Exact by construction instead of by merge semantics: never fed row by row (a materialised view
would count a re-delivered or re-priced span twice), `settle` rebuilds whole day partitions from
`costs FINAL` and swaps each in with REPLACE PARTITION, so every row is the exact sum of one hour
and a plain MergeTree suffices. Readers add the hours after `settled_until` (and partial hours at
the edges of a range) from `costs FINAL` (workers.storage.costs.reads).
"""

SQL: list[str] = [
    """
CREATE TABLE IF NOT EXISTS costs_hourly
(
    project LowCardinality(String) CODEC(ZSTD(1)),
    hour DateTime('UTC') CODEC(Delta, ZSTD(1)),
    dimension LowCardinality(String) CODEC(ZSTD(1)),
    value String CODEC(ZSTD(1)),
    requests UInt64 CODEC(T64, ZSTD(1)),
    priced_requests UInt64 CODEC(T64, ZSTD(1)),
    input_tokens UInt64 CODEC(T64, ZSTD(1)),
    output_tokens UInt64 CODEC(T64, ZSTD(1)),
    cache_read_tokens UInt64 CODEC(T64, ZSTD(1)),
    cache_creation_tokens UInt64 CODEC(T64, ZSTD(1)),
    reasoning_tokens UInt64 CODEC(T64, ZSTD(1)),
    input_cost_micros UInt64 CODEC(T64, ZSTD(1)),
    cache_cost_micros UInt64 CODEC(T64, ZSTD(1)),
    output_cost_micros UInt64 CODEC(T64, ZSTD(1)),
    total_cost_micros UInt64 CODEC(T64, ZSTD(1))
)
ENGINE = MergeTree
PARTITION BY toYYYYMMDD(hour)
ORDER BY (project, dimension, hour, value)
TTL hour + toIntervalDay(greatest({retention_days}, 400))
""",
    """
CREATE TABLE IF NOT EXISTS costs_rollup_state
(
    name String,
    settled_until DateTime64(3, 'UTC'),
    watermark DateTime64(3, 'UTC'),
    version UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY name
""",
]
