"""The row contract between normalisation and storage.

Normalisers emit column batches with exactly these names and Arrow types; the ClickHouse
migrations create tables with the same column names (a test compares both). Columns that the
table fills itself (`_ingested_at`) are not listed here.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

STR = pa.string()
MAP_STR = pa.map_(pa.string(), pa.string())
TS_NS = pa.timestamp("ns", tz="UTC")
EVENT = pa.struct([("time", TS_NS), ("name", STR), ("attributes", MAP_STR)])
LINK = pa.struct([("trace_id", STR), ("span_id", STR), ("trace_state", STR), ("attributes", MAP_STR)])


@dataclass(frozen=True)
class Column:
    name: str
    type: pa.DataType
    nullable: bool = False


def _schema(columns: tuple[Column, ...]) -> pa.Schema:
    return pa.schema([pa.field(c.name, c.type, nullable=c.nullable) for c in columns])


SPAN_COLUMNS: tuple[Column, ...] = (
    Column("project", STR),
    Column("trace_id", STR),  # 32 lowercase hex chars
    Column("span_id", STR),  # 16 lowercase hex chars
    Column("parent_span_id", STR),  # '' for a root span
    Column("trace_state", STR),
    Column("name", STR),
    Column("kind", STR),  # unspecified|internal|server|client|producer|consumer
    Column("start_time", TS_NS),
    Column("end_time", TS_NS),
    Column("duration_ns", pa.uint64()),
    Column("service_name", STR),
    Column("scope_name", STR),
    Column("scope_version", STR),
    Column("status_code", STR),  # unset|ok|error
    Column("status_message", STR),
    Column("model_id", STR),
    Column("model_version", STR),
    Column("provider", STR),  # normalised provider name, e.g. openai, azure.ai.openai
    Column("inference_type", STR),  # llm|embedding|classification|regression|object_detection|custom|''
    Column("operation", STR),  # gen_ai.operation.name or OpenInference span kind, lowercased
    Column("input_preview", STR),
    Column("output_preview", STR),
    Column("input_hash", STR),  # hex digest of the full input text; '' when there is no input
    Column("input_tokens", pa.uint32(), nullable=True),
    Column("output_tokens", pa.uint32(), nullable=True),
    Column("total_tokens", pa.uint32(), nullable=True),
    Column("cache_read_tokens", pa.uint32(), nullable=True),
    Column("cache_creation_tokens", pa.uint32(), nullable=True),
    Column("reasoning_tokens", pa.uint32(), nullable=True),
    # exact dollars, Decimal(38, 12) (0041); null = not priced (unknown model or no tokens)
    Column("cost_usd", pa.decimal128(38, 12), nullable=True),
    Column("finish_reasons", pa.list_(STR)),
    Column("user_id", STR),
    Column("session_id", STR),
    Column("feature_id", STR),
    Column("team", STR),
    Column("environment", STR),
    Column("prediction", STR),
    Column("prediction_score", pa.float64(), nullable=True),
    Column("features", MAP_STR),  # pyflare.features.<name> -> value as text
    Column("embedding_dim", pa.uint16()),  # length of pyflare.embedding (vector goes to Qdrant), 0 if none
    Column("attributes", MAP_STR),  # every span attribute except the embedding vector, values as text
    Column("resource", MAP_STR),
    Column("events", pa.list_(EVENT)),
    Column("links", pa.list_(LINK)),
    Column("source_partition", pa.int32()),  # Kafka partition, -1 when not from Kafka
    Column("source_offset", pa.int64()),  # Kafka offset, -1 when not from Kafka
)

METRIC_COLUMNS: tuple[Column, ...] = (
    Column("project", STR),
    Column("service_name", STR),
    Column("metric_name", STR),
    Column("metric_type", STR),  # gauge|sum|histogram|exponential_histogram|summary
    Column("unit", STR),
    Column("description", STR),
    Column("temporality", STR),  # ''|delta|cumulative
    Column("is_monotonic", pa.bool_()),
    Column("start_time", TS_NS),
    Column("time", TS_NS),
    Column("value", pa.float64()),  # gauge/sum value; histogram/summary: sum / count (mean), 0 if empty
    Column("count", pa.uint64()),
    Column("sum", pa.float64()),
    Column("min", pa.float64(), nullable=True),
    Column("max", pa.float64(), nullable=True),
    Column("bucket_counts", pa.list_(pa.uint64())),
    Column("explicit_bounds", pa.list_(pa.float64())),
    Column("quantiles", pa.map_(pa.float64(), pa.float64())),  # summary quantile -> value
    Column("model_id", STR),
    Column("attributes", MAP_STR),
    Column("resource", MAP_STR),
    Column("scope_name", STR),
    Column("source_partition", pa.int32()),
    Column("source_offset", pa.int64()),
)

LOG_COLUMNS: tuple[Column, ...] = (
    Column("project", STR),
    Column("service_name", STR),
    Column("time", TS_NS),  # time_unix_nano, or observed time when the record has none
    Column("observed_time", TS_NS),
    Column("trace_id", STR),
    Column("span_id", STR),
    Column("severity_number", pa.uint8()),
    Column("severity_text", STR),
    Column("body", STR),  # strings as is; other AnyValues as JSON
    Column("event_name", STR),
    Column("model_id", STR),
    Column("attributes", MAP_STR),
    Column("resource", MAP_STR),
    Column("scope_name", STR),
    Column("source_partition", pa.int32()),
    Column("source_offset", pa.int64()),
)

SPAN_SCHEMA = _schema(SPAN_COLUMNS)
METRIC_SCHEMA = _schema(METRIC_COLUMNS)
LOG_SCHEMA = _schema(LOG_COLUMNS)

# Signal name -> (ClickHouse table, Arrow schema). The ingest loop and the storage tests read this.
SIGNALS: dict[str, tuple[str, pa.Schema]] = {
    "traces": ("spans", SPAN_SCHEMA),
    "metrics": ("metrics", METRIC_SCHEMA),
    "logs": ("logs", LOG_SCHEMA),
}
