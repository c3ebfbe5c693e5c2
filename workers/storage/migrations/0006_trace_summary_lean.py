"""trace_summary, leaner: two set states per (project, hour, trace) instead of six states.

0002 built uniqExact(span ids), uniqExactIf(error span ids), argMin(root), groupUniqArrayIf(usage),
groupUniqArrayIf(models) and groupUniqArray(services) for every inserted block: about 5 µs per
inserted span of one-span traces, 2 µs with five-span traces (one core, 50k-row Arrow batches); this
shape measured about 1.5 and 0.8. `span_set` holds one tuple per span (span_id, start_time,
has_parent, name, service_name, model_id, is_error); readers derive the span and error counts, the
root, the models and the services from it (workers.storage.traces.reads.trace_summaries). `usage` stays
as it was, usage-carrying spans only: the trace list's cost sort reads it alone, and folding it into
`span_set` made that read about 6x slower. Both are sets over span-keyed tuples, so a span delivered
twice adds nothing and every count and sum stays exact.

Steps, each safe to repeat or to run from two runners at once:
1. drop the old view, so nothing writes the old columns any more;
2. reshape the table in place (drop the old state columns, add `span_set`; TTL and partitions stay);
3. create the new view;
4. delete the rows written before this migration: their `span_set` is empty, every row the new view
   (or the backfill) writes has at least one tuple;
5. backfill from `spans FINAL` with the view's own query; rows the view wrote since step 3 merge
   with these into the same sets.
`workers.storage.costs.reprice` rebuilds hours with the view's SELECT, so it follows this shape.
"""

# One summary row per (project, hour, trace) of the spans it reads: the view's query and the backfill's.
# span_set tuple: (span_id, start_time, has_parent, name, service_name, model_id, is_error); usage
# tuple as in 0002: (span_id, input_tokens, output_tokens, total_tokens, cost_micros, priced).
# Times are qualified (spans.start_time) because the output aliases would otherwise shadow them.
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
            toUInt64(ifNull(cost_micros, 0)),
            toUInt8(cost_micros IS NOT NULL)
        ),
        toUInt8(
            input_tokens IS NOT NULL OR output_tokens IS NOT NULL
            OR total_tokens IS NOT NULL OR cost_micros IS NOT NULL
        )
    ) AS usage
FROM {source}
GROUP BY project, start_hour, trace_id
"""

SQL: list[str] = [
    "DROP VIEW IF EXISTS trace_summary_mv",
    """
ALTER TABLE trace_summary
    DROP COLUMN IF EXISTS span_ids,
    DROP COLUMN IF EXISTS error_span_ids,
    DROP COLUMN IF EXISTS root_span,
    DROP COLUMN IF EXISTS models,
    DROP COLUMN IF EXISTS services,
    ADD COLUMN IF NOT EXISTS span_set AggregateFunction(groupUniqArray, Tuple(
        span_id String,
        start_time DateTime64(9, 'UTC'),
        has_parent UInt8,
        name String,
        service_name String,
        model_id String,
        is_error UInt8)) AFTER end_time
""",
    """
CREATE MATERIALIZED VIEW IF NOT EXISTS trace_summary_mv TO trace_summary AS
"""
    + _SUMMARY.format(source="spans"),
    """
ALTER TABLE trace_summary DELETE WHERE empty(finalizeAggregation(span_set))
SETTINGS mutations_sync = 2
""",
    "INSERT INTO trace_summary (project, start_hour, trace_id, start_time, end_time, span_set, usage)\n"
    + _SUMMARY.format(source="spans FINAL")
    + "SETTINGS do_not_merge_across_partitions_select_final = 1\n",
]
