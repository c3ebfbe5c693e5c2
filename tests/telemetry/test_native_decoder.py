"""The compiled span decoder against the Python normaliser, its reference: for the same payloads a
batch with the decoder and a batch without it hold exactly the same rows (compared as sorted Python
values, since the decoder's rows come first), and the decoder really takes the usual spans itself.
"""

from __future__ import annotations

import json
import math
import random
from typing import Any

import pyarrow as pa
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from tests.telemetry.random_spans import random_request
from tests.telemetry.sdk_requests import trace_request
from workers.telemetry import native
from workers.telemetry.columns import SPAN_SCHEMA
from workers.telemetry.errors import DecodeError
from workers.telemetry.options import NormaliseOptions
from workers.telemetry.traces import TraceBatch


def test_the_decoder_is_built() -> None:
    assert native.available(), "pyflare_native is missing: scripts/bootstrap builds native/"


def _batch(monkeypatch: pytest.MonkeyPatch, use_native: bool, options: NormaliseOptions) -> TraceBatch:
    monkeypatch.setenv("PYFLARE_NATIVE", "1" if use_native else "0")
    batch = TraceBatch(options)
    assert (batch._native is not None) is use_native
    return batch


def _comparable(value: Any) -> Any:
    """NaN != NaN: compare floats by their text so that a NaN score matches a NaN score."""
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    if isinstance(value, list):
        return [_comparable(v) for v in value]
    if isinstance(value, dict):
        return {k: _comparable(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return tuple(_comparable(v) for v in value)
    return value


def _rows(table: pa.Table) -> list[str]:
    table.validate(full=True)
    assert table.schema == SPAN_SCHEMA
    return sorted(json.dumps(_comparable(r), default=str, sort_keys=True) for r in table.to_pylist())


def _both(
    monkeypatch: pytest.MonkeyPatch, payloads: list[bytes], options: NormaliseOptions
) -> tuple[pa.Table, pa.Table]:
    fast, reference = _batch(monkeypatch, True, options), _batch(monkeypatch, False, options)
    for i, payload in enumerate(payloads):
        assert fast.add_otlp(payload, partition=3, offset=i) == reference.add_otlp(payload, partition=3, offset=i)
    assert len(fast) == len(reference)
    assert [(e.span_id, e.vector) for e in fast.embeddings] == [(e.span_id, e.vector) for e in reference.embeddings]
    return fast.to_arrow(), reference.to_arrow()


@pytest.mark.parametrize("seed", range(12))
def test_random_requests_give_the_same_rows(monkeypatch: pytest.MonkeyPatch, seed: int) -> None:
    rnd = random.Random(seed)
    payloads = [random_request(rnd, rnd.randint(1, 60)) for _ in range(25)]
    options = NormaliseOptions(preview_chars=rnd.choice([0, 5, 1000]), default_project=f"p{seed}")
    fast, reference = _both(monkeypatch, payloads, options)
    assert fast.num_rows == reference.num_rows > 0
    assert _rows(fast) == _rows(reference)


def test_plain_spans_are_taken_by_the_decoder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYFLARE_NATIVE", "1")
    rnd = random.Random(99)
    columns = native.span_columns(NormaliseOptions())
    taken = declined = 0
    for _ in range(40):
        payload = random_request(rnd, 30, plain=1.0)
        added, left = columns.add(payload, -1, -1)
        taken, declined = taken + added, declined + len(left)
    # plain spans are only declined for values such as a token count written as "1e3"
    assert taken > 4 * declined


def _chat(tracer: Any) -> None:
    for i in range(20):
        with tracer.start_as_current_span("chat gpt-4o", attributes={
            "gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o",
            "gen_ai.usage.input_tokens": 100 + i, "gen_ai.usage.output_tokens": 7,
            "gen_ai.response.finish_reasons": ["stop"], "gen_ai.request.temperature": 0.2,
            "pyflare.features.plan": "pro", "server.port": 443, "input.value": f"question {i}",
        }) as span:  # fmt: skip
            span.add_event("gen_ai.first_token", {"gen_ai.response.id": f"r{i}"})


def test_sdk_genai_spans_go_through_the_decoder_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    payload = trace_request(_chat).SerializeToString()
    monkeypatch.setenv("PYFLARE_NATIVE", "1")
    assert native.span_columns(NormaliseOptions()).add(payload, 0, 0) == (20, [])
    fast, reference = _both(monkeypatch, [payload], NormaliseOptions(preview_chars=5))
    assert _rows(fast) == _rows(reference)
    row = fast.sort_by("input_tokens").to_pylist()[0]
    assert (row["model_id"], row["provider"], row["inference_type"], row["input_tokens"], row["total_tokens"],
            row["finish_reasons"], row["features"], row["input_preview"]) == (
        "gpt-4o", "openai", "llm", 100, 107, ["stop"], [("plan", "pro")], "quest")  # fmt: skip


def test_malformed_payloads_fail_as_the_python_path_says(monkeypatch: pytest.MonkeyPatch) -> None:
    good = trace_request(_chat)
    bad_ids = ExportTraceServiceRequest()
    bad_ids.CopyFrom(good)
    bad_ids.resource_spans[0].scope_spans[0].spans[3].span_id = b"\x01\x02"
    for payload in (good.SerializeToString()[:-7], bad_ids.SerializeToString(), b"\xff\xff\xff"):
        errors = []
        for use_native in (True, False):
            batch = _batch(monkeypatch, use_native, NormaliseOptions())
            with pytest.raises(DecodeError) as caught:
                batch.add_otlp(payload)
            assert len(batch) == 0
            errors.append(str(caught.value))
        assert errors[0] == errors[1]


def test_a_failure_in_the_python_share_leaves_the_batch_as_it_was(monkeypatch: pytest.MonkeyPatch) -> None:
    class Failing(TraceBatch):
        def add_request(self, request: Any, *, partition: int = -1, offset: int = -1) -> int:
            raise RuntimeError("normaliser failed")

    monkeypatch.setenv("PYFLARE_NATIVE", "1")
    rnd = random.Random(5)
    batch = Failing(NormaliseOptions())
    plain = trace_request(_chat).SerializeToString()  # taken whole by the decoder
    mixed = random_request(rnd, 40, plain=0.0, composite=0.9)
    kept = batch.add_otlp(plain)
    with pytest.raises(RuntimeError):
        batch.add_otlp(mixed)
    assert len(batch) == kept and batch.to_arrow().num_rows == kept


def test_to_arrow_can_be_repeated_until_clear(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYFLARE_NATIVE", "1")
    rnd = random.Random(11)
    batch = TraceBatch(NormaliseOptions())
    batch.add_otlp(random_request(rnd, 50))
    first = batch.to_arrow()
    assert _rows(batch.to_arrow()) == _rows(first)  # a retried write sends the same rows
    batch.add_otlp(random_request(rnd, 20))
    assert batch.to_arrow().num_rows == len(batch) > first.num_rows
    batch.clear()
    assert len(batch) == 0 and batch.to_arrow().num_rows == 0
