"""spans.cost_usd: exact dollars, Decimal(38, 12), instead of whole micro-dollars; spans.response_id;
trace_summary's usage tuples carry the exact cost and the response id.

`spans.cost_micros` was each span's cost rounded to micro-dollars, so a 10-token embedding cost $0 and
trace totals drifted from `/costs`. Prices are whole pico-dollars per token, so Decimal(38, 12) holds
every span's cost exactly and sums of it stay exact (as costs in 0021). `response_id` is the provider's
response id (`gen_ai.response.id`, read from the span's attributes by its DEFAULT, so writers need
not send it): readers price one provider call traced twice on one span only.

Steps, each safe to repeat:
1. drop trace_summary's view (it reads `cost_micros`);
2. add `cost_usd` with a DEFAULT computed from `cost_micros` (old rows read as their old value) and
   `response_id`; materialise both into every part; replace cost_usd's DEFAULT by NULL (it must go
   before the column it reads; not REMOVE DEFAULT, so a retried step 2 can materialise again), then
   drop `cost_micros`;
3. replace trace_summary's `usage` state by one of tuples (span_id, input, output, total tokens,
   cost_usd, priced, response_id), create the view again and backfill `usage` (and the sets it merges
   with) from `spans FINAL` with the view's query: every state is a set or min/max, so rows the view
   wrote meanwhile and rows backfilled twice merge to the same summary.
Old spans keep their micro-dollar values (exact to the micro-dollar); `pyflare reprice` prices them
again exactly.
"""

# The view's query and the backfill's, as 0006 with the new usage tuple.
_SUMMARY = """SELECT
    project,
    toStartOfHour(spans.start_time) AS start_hour,
    trace_id,
    min(spans.start_time) AS start_time,
    max(spans.end_time) AS end_time,
    groupUniqArrayState((
        toString(span_id),
        spans.start_time,
        toUInt8(parent_span_id != ''),
        toString(name),
        toString(service_name),
        toString(model_id),
        toUInt8(status_code = 'error')
    )) AS span_set,
    groupUniqArrayIfState(
        (
            toString(span_id),
            toUInt64(ifNull(input_tokens, 0)),
            toUInt64(ifNull(output_tokens, 0)),
            toUInt64(ifNull(total_tokens, ifNull(input_tokens, 0) + ifNull(output_tokens, 0))),
            ifNull(cost_usd, toDecimal128(0, 12)),
            toUInt8(cost_usd IS NOT NULL),
            toString(response_id)
        ),
        toUInt8(
            input_tokens IS NOT NULL OR output_tokens IS NOT NULL
            OR total_tokens IS NOT NULL OR cost_usd IS NOT NULL
        )
    ) AS usage
FROM {source}
GROUP BY project, start_hour, trace_id
"""

SQL: list[str] = [
    "DROP VIEW IF EXISTS trace_summary_mv",
    """
ALTER TABLE spans
    ADD COLUMN IF NOT EXISTS cost_usd Nullable(Decimal(38, 12))
        DEFAULT CAST(cost_micros, 'Nullable(Decimal(38, 12))') / 1000000 CODEC(ZSTD(1)) AFTER reasoning_tokens,
    ADD COLUMN IF NOT EXISTS response_id String DEFAULT attributes['gen_ai.response.id'] CODEC(ZSTD(1)) AFTER input_hash
""",
    """
ALTER TABLE spans
    MATERIALIZE COLUMN cost_usd,
    MATERIALIZE COLUMN response_id
SETTINGS mutations_sync = 2
""",
    "ALTER TABLE spans MODIFY COLUMN cost_usd Nullable(Decimal(38, 12)) DEFAULT NULL",
    "ALTER TABLE spans DROP COLUMN IF EXISTS cost_micros SETTINGS mutations_sync = 2",
    "ALTER TABLE trace_summary DROP COLUMN IF EXISTS usage",
    """
ALTER TABLE trace_summary
    ADD COLUMN IF NOT EXISTS usage AggregateFunction(groupUniqArrayIf, Tuple(
        span_id String,
        input_tokens UInt64,
        output_tokens UInt64,
        total_tokens UInt64,
        cost_usd Decimal(38, 12),
        priced UInt8,
        response_id String), UInt8) AFTER span_set
""",
    """
CREATE MATERIALIZED VIEW IF NOT EXISTS trace_summary_mv TO trace_summary AS
"""
    + _SUMMARY.format(source="spans"),
    "INSERT INTO trace_summary (project, start_hour, trace_id, start_time, end_time, span_set, usage)\n"
    + _SUMMARY.format(source="spans FINAL")
    + "SETTINGS do_not_merge_across_partitions_select_final = 1\n",
]
