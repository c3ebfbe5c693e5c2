"""span_content: GenAI prompt/completion text that arrived in log records, keyed by span.

One row per log record and direction (input/output), rendered like span previews; the trace API
joins a span's rows into the previews the span lacks, whichever arrived first. A re-delivered
record has the same sorting key and collapses (reads dedupe too).
"""

SQL: list[str] = [
    """
CREATE TABLE IF NOT EXISTS span_content
(
    project LowCardinality(String) CODEC(ZSTD(1)),
    trace_id String CODEC(ZSTD(1)),
    span_id String CODEC(ZSTD(1)),
    time DateTime64(9, 'UTC') CODEC(Delta, ZSTD(1)),
    direction LowCardinality(String) CODEC(ZSTD(1)),
    event_name LowCardinality(String) CODEC(ZSTD(1)),
    text String CODEC(ZSTD(3)),
    finish_reasons Array(LowCardinality(String)) CODEC(ZSTD(1)),
    _ingested_at DateTime64(3) DEFAULT now64(3) CODEC(Delta, ZSTD(1))
)
ENGINE = ReplacingMergeTree(_ingested_at)
PARTITION BY toYYYYMM(time)
ORDER BY (project, trace_id, span_id, direction, time, event_name, cityHash64(text))
TTL toDateTime(time) + INTERVAL {retention_days} DAY
SETTINGS index_granularity = 8192
""",
]
