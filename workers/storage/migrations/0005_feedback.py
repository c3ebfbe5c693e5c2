"""feedback: ground-truth labels and user scores on a trace or span, sent through POST /feedback.

Plain MergeTree (every submission is kept: a label may be revised by a later one), ordered for
"all feedback of a trace". No TTL: labels are scarce and drift/accuracy work needs their history.
"""

SQL: list[str] = [
    """
CREATE TABLE IF NOT EXISTS feedback
(
    project LowCardinality(String) CODEC(ZSTD(1)),
    id UUID,
    trace_id String CODEC(ZSTD(1)),
    span_id String CODEC(ZSTD(1)),
    time DateTime64(9, 'UTC') CODEC(Delta, ZSTD(1)),
    label String CODEC(ZSTD(3)),
    label_number Nullable(Float64) CODEC(ZSTD(1)),
    score Nullable(Float64) CODEC(ZSTD(1)),
    comment String CODEC(ZSTD(6)),
    source LowCardinality(String) CODEC(ZSTD(1)),
    user_id String CODEC(ZSTD(1)),
    submitted_by String CODEC(ZSTD(1)),
    _ingested_at DateTime64(3) DEFAULT now64(3) CODEC(Delta, ZSTD(1))
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(time)
ORDER BY (project, trace_id, time)
SETTINGS index_granularity = 8192
""",
]
