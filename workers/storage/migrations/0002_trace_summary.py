"""trace_summary: one logical row per (project, trace_id), kept by a materialised view on spans.

Every column is an idempotent aggregate (min/max, uniqExact, argMin, groupUniqArray over
span-keyed tuples), so a span delivered twice leaves the summary exact. Rows are bucketed by the
hour of each span; readers merge states per trace (workers.storage.traces.reads.trace_summaries).
"""

SQL: list[str] = [
    """
CREATE TABLE IF NOT EXISTS trace_summary
(
    project LowCardinality(String),
    start_hour DateTime('UTC'),
    trace_id String CODEC(ZSTD(1)),
    start_time SimpleAggregateFunction(min, DateTime64(9, 'UTC')),
    end_time SimpleAggregateFunction(max, DateTime64(9, 'UTC')),
    span_ids AggregateFunction(uniqExact, String),
    error_span_ids AggregateFunction(uniqExactIf, String, UInt8),
    root_span AggregateFunction(argMin, Tuple(String, String), Tuple(UInt8, DateTime64(9, 'UTC'))),
    usage AggregateFunction(groupUniqArrayIf, Tuple(String, UInt64, UInt64, UInt64, UInt64, UInt8), UInt8),
    models AggregateFunction(groupUniqArrayIf, String, UInt8),
    services AggregateFunction(groupUniqArray, String)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(start_hour)
ORDER BY (project, start_hour, trace_id)
TTL start_hour + INTERVAL {retention_days} DAY
""",
    # usage tuple: (span_id, input_tokens, output_tokens, total_tokens, cost_micros, priced);
    # total falls back to input + output when the span reported no total. Times are qualified
    # (spans.start_time) because the output aliases would otherwise shadow the span columns.
    """
CREATE MATERIALIZED VIEW IF NOT EXISTS trace_summary_mv TO trace_summary AS
SELECT
    project,
    toStartOfHour(spans.start_time) AS start_hour,
    trace_id,
    min(spans.start_time) AS start_time,
    max(spans.end_time) AS end_time,
    uniqExactState(toString(span_id)) AS span_ids,
    uniqExactIfState(toString(span_id), toUInt8(status_code = 'error')) AS error_span_ids,
    argMinState(
        (toString(name), toString(service_name)),
        (toUInt8(parent_span_id != ''), spans.start_time)
    ) AS root_span,
    groupUniqArrayIfState(
        (
            toString(span_id),
            toUInt64(ifNull(input_tokens, 0)),
            toUInt64(ifNull(output_tokens, 0)),
            toUInt64(ifNull(total_tokens, ifNull(input_tokens, 0) + ifNull(output_tokens, 0))),
            toUInt64(ifNull(cost_micros, 0)),
            toUInt8(cost_micros IS NOT NULL)
        ),
        toUInt8(
            input_tokens IS NOT NULL OR output_tokens IS NOT NULL
            OR total_tokens IS NOT NULL OR cost_micros IS NOT NULL
        )
    ) AS usage,
    groupUniqArrayIfState(toString(model_id), toUInt8(model_id != '')) AS models,
    groupUniqArrayState(toString(service_name)) AS services
FROM spans
GROUP BY project, start_hour, trace_id
""",
]
