"""A synthetic but realistic span corpus for the trace API benchmark: ~10 spans per trace, LLM
calls with tokens, cost and previews, a few errors, user/session/environment and attributes.

Built column-wise with numpy and inserted as Arrow batches in start-time order, like ingestion.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
from clickhouse_connect.driver.client import Client

from workers.storage.costs.rows import usd_array
from workers.telemetry.columns import EVENT, LINK, MAP_STR, SPAN_SCHEMA, STR

ROOT_NAMES = ["POST /chat", "POST /search", "GET /history", "POST /embed"]
ROOT_SERVICES = ["chat-api", "search-api", "gateway"]
CHILD_NAMES = ["retrieve", "rerank", "llm.chat", "embed", "tool.call", "db.query", "cache.get", "guardrail"]
CHILD_SERVICES = ["rag-worker", "llm-proxy", "vector-db", "tools", "guard"]
MODELS = ["gpt-4o", "gpt-4o-mini", "claude-3-5-sonnet", "llama-3-70b", "mistral-large", "gemini-1.5-pro"]
PRICE_MICROS_PER_TOKEN = [5.0, 0.3, 3.0, 0.9, 2.0, 1.25]
TIERS = ["free", "pro", "enterprise"]
REGIONS = ["eu-west-1", "us-east-1", "us-west-2", "ap-south-1", "sa-east-1", "eu-central-1"]
ENVIRONMENTS = ["production", "staging", "development"]
_VOCABULARY = (
    "invoice refund shipping order account password billing subscription cancel upgrade discount "
    "delivery tracking warranty return exchange payment card bank transfer crypto wallet balance "
    "statement loan mortgage insurance claim policy premium deductible coverage doctor appointment "
    "prescription pharmacy symptom fever headache travel flight hotel booking luggage visa passport "
    "weather forecast rain snow storm recipe pasta salad soup dessert coffee tea garden plant tomato"
)
WORDS = _VOCABULARY.split()


@dataclass(frozen=True)
class Corpus:
    traces: int
    spans: int
    start_ns: int
    end_ns: int
    trace_ids: list[str]
    sample_words: list[str]


def _sentences(rng: np.random.Generator, count: int) -> list[str]:
    out = []
    for _ in range(count):
        words = rng.choice(WORDS, size=int(rng.integers(20, 60)))
        out.append(" ".join(words).capitalize() + ".")
    return out


def _hex(values: np.ndarray, width: int) -> list[str]:
    return [f"{int(v):0{width}x}" for v in values]


def build_batch(rng: np.random.Generator, project: str, traces: int, t0: int, t1: int) -> pa.Table:
    """`traces` traces starting uniformly in [t0, t1) ns."""
    sizes = rng.integers(4, 17, size=traces)  # 4..16 spans, mean 10
    n = int(sizes.sum())
    trace_of = np.repeat(np.arange(traces), sizes)
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    pos = np.arange(n) - np.repeat(offsets, sizes)  # position inside the trace, 0 = root
    is_root = pos == 0
    trace_start = rng.integers(t0, t1, size=traces)
    high, low = rng.integers(0, 2**63, size=traces), rng.integers(0, 2**63, size=traces)
    trace_hex = [f"{int(h) << 1:016x}{int(lo):016x}" for h, lo in zip(high, low, strict=True)]  # random, like SDKs
    span_ids = rng.integers(1, 2**63, size=n)
    parent_pos = np.where(is_root, 0, (pos - 1) // 2)
    parent_ids = span_ids[np.repeat(offsets, sizes) + parent_pos]

    kind_pick = rng.integers(0, len(CHILD_NAMES), size=n)
    is_llm = (~is_root) & (kind_pick == CHILD_NAMES.index("llm.chat"))
    start = trace_start[trace_of] + pos * rng.integers(2_000_000, 40_000_000, size=n)
    dur = rng.lognormal(17.0, 1.0, size=n).astype(np.int64) + np.where(is_llm, 400_000_000, 0)
    end = start + dur
    trace_end = np.maximum.reduceat(end, offsets)  # the root covers every child
    end = np.where(is_root, trace_end[trace_of] + 1_000_000, end)
    errors = rng.random(n) < np.where(is_root, 0.02, 0.015)

    model_pick = rng.integers(0, len(MODELS), size=n)
    input_tokens = rng.integers(50, 4000, size=n)
    output_tokens = rng.integers(10, 1000, size=n)
    price = np.asarray(PRICE_MICROS_PER_TOKEN)[model_pick]
    cost = ((input_tokens + 3 * output_tokens) * price).astype(np.int64)
    sentences = _sentences(rng, 400)
    in_pick = rng.integers(0, len(sentences), size=n)
    out_pick = rng.integers(0, len(sentences), size=n)
    user = rng.integers(0, 10_000, size=traces)[trace_of]
    session = rng.integers(0, 50_000, size=traces)[trace_of]
    env = rng.choice(len(ENVIRONMENTS), p=[0.8, 0.15, 0.05], size=traces)[trace_of]
    tier = rng.integers(0, len(TIERS), size=traces)[trace_of]
    region = rng.integers(0, len(REGIONS), size=traces)[trace_of]
    root_pick = rng.integers(0, len(ROOT_NAMES), size=traces)[trace_of]
    root_service = rng.integers(0, len(ROOT_SERVICES), size=traces)[trace_of]
    child_service = rng.integers(0, len(CHILD_SERVICES), size=n)

    names = np.where(is_root, np.asarray(ROOT_NAMES)[root_pick], np.asarray(CHILD_NAMES)[kind_pick])
    services = np.where(is_root, np.asarray(ROOT_SERVICES)[root_service], np.asarray(CHILD_SERVICES)[child_service])
    services = np.where(is_llm, "llm-proxy", services)
    empty = pa.repeat(pa.scalar("", STR), n)

    def nullable_u32(values: np.ndarray) -> pa.Array:
        return pa.array(values.astype(np.uint32), pa.uint32(), mask=~is_llm)

    attr_keys = ["customer.tier", "region", "feature.flag", "sdk.version"]
    attr_values = np.stack(
        [
            np.asarray(TIERS)[tier],
            np.asarray(REGIONS)[region],
            np.where(rng.random(n) < 0.5, "on", "off"),
            np.full(n, "1.4.2"),
        ],
        axis=1,
    ).ravel()
    attr_offsets = pa.array(np.arange(0, 4 * n + 1, 4, dtype=np.int32))
    attributes = pa.MapArray.from_arrays(
        attr_offsets, pa.array(attr_keys * n, STR), pa.array(attr_values, STR), type=MAP_STR
    )
    res_offsets = pa.array(np.arange(0, 2 * n + 1, 2, dtype=np.int32))
    res_values = np.stack([services, np.full(n, project)], axis=1).ravel()
    resource = pa.MapArray.from_arrays(
        res_offsets, pa.array(["service.name", "pyflare.project"] * n, STR), pa.array(res_values, STR), type=MAP_STR
    )
    has_event = errors | (rng.random(n) < 0.05)
    event_rows = np.flatnonzero(has_event)
    event_struct = pa.StructArray.from_arrays(
        [
            pa.array(start[event_rows], pa.timestamp("ns", tz="UTC")),
            pa.array(np.where(errors[event_rows], "exception", "retry"), STR),
            pa.MapArray.from_arrays(
                pa.array(np.arange(len(event_rows) + 1, dtype=np.int32)),
                pa.array(["message"] * len(event_rows), STR),
                pa.array(["upstream timed out"] * len(event_rows), STR),
                type=MAP_STR,
            ),
        ],
        fields=list(EVENT),
    )
    event_offsets = np.concatenate([[0], np.cumsum(has_event)]).astype(np.int32)
    events = pa.ListArray.from_arrays(pa.array(event_offsets), event_struct, type=pa.list_(EVENT))
    links = pa.ListArray.from_arrays(
        pa.array(np.zeros(n + 1, dtype=np.int32)),
        pa.StructArray.from_arrays([pa.array([], STR)] * 3 + [pa.array([], MAP_STR)], fields=list(LINK)),
        type=pa.list_(LINK),
    )
    text = np.asarray(sentences, dtype=object)
    columns = {
        "project": pa.repeat(pa.scalar(project, STR), n),
        "trace_id": pa.array(trace_hex, STR).take(pa.array(trace_of)),
        "span_id": pa.array(_hex(span_ids, 16), STR),
        "parent_span_id": pa.array(np.where(is_root, "", np.asarray(_hex(parent_ids, 16))), STR),
        "trace_state": empty,
        "name": pa.array(names, STR),
        "kind": pa.array(np.where(is_root, "server", np.where(is_llm, "client", "internal")), STR),
        "start_time": pa.array(start, pa.timestamp("ns", tz="UTC")),
        "end_time": pa.array(end, pa.timestamp("ns", tz="UTC")),
        "duration_ns": pa.array((end - start).astype(np.uint64)),
        "service_name": pa.array(services, STR),
        "scope_name": pa.repeat(pa.scalar("pyflare", STR), n),
        "scope_version": pa.repeat(pa.scalar("1.4.2", STR), n),
        "status_code": pa.array(np.where(errors, "error", "ok"), STR),
        "status_message": pa.array(np.where(errors, "upstream timed out", ""), STR),
        "model_id": pa.array(np.where(is_llm, np.asarray(MODELS)[model_pick], ""), STR),
        "model_version": empty,
        "provider": pa.array(np.where(is_llm, "openai", ""), STR),
        "inference_type": pa.array(np.where(is_llm, "llm", ""), STR),
        "operation": pa.array(np.where(is_llm, "chat", ""), STR),
        "input_preview": pa.array(np.where(is_llm, text[in_pick], ""), STR),
        "output_preview": pa.array(np.where(is_llm, text[out_pick], ""), STR),
        "input_hash": empty,
        "input_tokens": nullable_u32(input_tokens),
        "output_tokens": nullable_u32(output_tokens),
        "total_tokens": nullable_u32(input_tokens + output_tokens),
        "cache_read_tokens": pa.nulls(n, pa.uint32()),
        "cache_creation_tokens": pa.nulls(n, pa.uint32()),
        "reasoning_tokens": pa.nulls(n, pa.uint32()),
        "cost_usd": usd_array(cost.astype(np.int64) * 1_000_000, is_llm),  # micro-dollars as exact dollars
        "finish_reasons": pa.array([["stop"] if x else [] for x in is_llm], pa.list_(STR)),
        "user_id": pa.array([f"user-{u}" for u in user], STR),
        "session_id": pa.array([f"sess-{s}" for s in session], STR),
        "feature_id": empty,
        "team": empty,
        "environment": pa.array(np.asarray(ENVIRONMENTS)[env], STR),
        "prediction": empty,
        "prediction_score": pa.nulls(n, pa.float64()),
        "features": pa.MapArray.from_arrays(
            pa.array(np.zeros(n + 1, dtype=np.int32)), pa.array([], STR), pa.array([], STR), type=MAP_STR
        ),
        "embedding_dim": pa.array(np.zeros(n, dtype=np.uint16)),
        "attributes": attributes,
        "resource": resource,
        "events": events,
        "links": links,
        "source_partition": pa.array(np.full(n, -1, dtype=np.int32)),
        "source_offset": pa.array(np.full(n, -1, dtype=np.int64)),
    }
    table = pa.Table.from_arrays([columns[f.name] for f in SPAN_SCHEMA], schema=SPAN_SCHEMA)
    return table.take(pa.array(np.argsort(start, kind="stable")))


def load(
    client: Client, project: str, traces: int, days: float = 7.0, batch_traces: int = 5_000, seed: int = 7
) -> Corpus:
    """Insert `traces` traces spread over the last `days`, oldest first, `batch_traces` per insert."""
    rng = np.random.default_rng(seed)
    end_ns = time.time_ns() - 60_000_000_000
    start_ns = end_ns - int(days * 86_400e9)
    spans = 0
    trace_ids: list[str] = []
    step = (end_ns - start_ns) / max(1, traces // batch_traces)
    for i, first in enumerate(range(0, traces, batch_traces)):
        count = min(batch_traces, traces - first)
        t0 = int(start_ns + i * step)
        batch = build_batch(rng, project, count, t0, int(t0 + step))
        client.insert_arrow("spans", batch, settings={"optimize_on_insert": 0})
        spans += batch.num_rows
        trace_ids.extend(batch.column("trace_id").unique().to_pylist())
    return Corpus(traces, spans, start_ns, end_ns, trace_ids, WORDS)


def describe(client: Client, project: str) -> Corpus:
    """The Corpus of a project loaded earlier (for reruns on the same data)."""
    spans, first, last = client.query(
        "SELECT count(), toUnixTimestamp64Nano(min(start_time)), toUnixTimestamp64Nano(max(start_time))"
        " FROM spans WHERE project = {p:String}",
        parameters={"p": project},
    ).result_rows[0]
    ids = [r[0] for r in client.query(
        "SELECT DISTINCT trace_id FROM spans WHERE project = {p:String}", parameters={"p": project}
    ).result_rows]  # fmt: skip
    return Corpus(len(ids), int(spans), int(first), int(last) + 60_000_000_000, ids, WORDS)
