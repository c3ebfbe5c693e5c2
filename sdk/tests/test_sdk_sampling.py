"""Head sampling: ParentBased(TraceIdRatioBased(sample_rate)) on PyFlare's own TracerProvider."""

from __future__ import annotations

from opentelemetry import context
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

import pyflare


def _work():
    @pyflare.trace
    def predict(x):
        pyflare.log_features({"x": x})
        return x + 1

    with pyflare.llm_span(model="gpt-4o-mini", provider="openai") as llm:
        llm.set_tokens(input=3, output=2)
        return predict(1)


def test_sample_rate_zero_drops_every_span_but_calls_still_work(start):
    captured = start(sample_rate=0.0)
    assert [_work() for _ in range(50)] == [2] * 50
    assert captured.spans == ()
    # Metrics are not sampled: every GenAI call is still counted.
    duration = captured.metric("gen_ai.client.operation.duration")
    assert sum(p.count for p in duration.data.data_points) == 50


def test_sample_rate_zero_from_environment(monkeypatch, start):
    monkeypatch.setenv("PYFLARE_SAMPLE_RATE", "0")
    captured = start(sample_rate=None)
    _work()
    assert captured.spans == ()


def test_ratio_keeps_the_traces_whose_low_64_bits_fall_under_the_bound(start):
    captured = start(sample_rate=0.25)
    total = 4000
    for i in range(total):
        with pyflare.span(f"root-{i}"):
            pass
    spans = captured.spans
    # 0.25 * 2**64 = 2**62: a kept trace id has its low 64 bits below 2**62 (W3C/OTel ratio rule).
    assert all((s.context.trace_id & (2**64 - 1)) < 2**62 for s in spans)
    # Binomial(4000, 0.25): mean 1000, sd ~27; 800..1200 is more than 7 sd wide.
    assert 800 <= len(spans) <= 1200


def _with_remote_parent(traceparent: str):
    carrier = {"traceparent": traceparent}
    return context.attach(TraceContextTextMapPropagator().extract(carrier))


def test_parent_decision_wins_over_the_ratio(start):
    captured = start(sample_rate=0.0)
    sampled_parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    token = _with_remote_parent(sampled_parent)
    try:
        with pyflare.span("child-of-sampled"):
            pass
    finally:
        context.detach(token)
    token = _with_remote_parent("00-1af7651916cd43dd8448eb211c80319c-c7ad6b7169203331-00")
    try:
        with pyflare.span("child-of-unsampled"):
            pass
    finally:
        context.detach(token)
    spans = captured.spans
    assert [s.name for s in spans] == ["child-of-sampled"]
    assert f"{spans[0].context.trace_id:032x}" == "0af7651916cd43dd8448eb211c80319c"
    assert f"{spans[0].parent.span_id:016x}" == "b7ad6b7169203331"
    assert spans[0].parent.is_remote
