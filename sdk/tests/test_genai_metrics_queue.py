"""GenAI metrics are queued per call and put into the histograms at collection: nothing is lost, the
queue stays bounded, and exemplars still point at the call's trace."""

from __future__ import annotations

import pyflare
from pyflare.genai_metrics import PENDING_LIMIT
from pyflare.runtime import RUNTIME


def _call(input_tokens: int, output_tokens: int) -> str | None:
    with pyflare.llm_span(model="gpt-4o-mini", provider="openai") as llm:
        llm.set_tokens(input=input_tokens, output=output_tokens)
        return llm.trace_id


def _points(captured, name):
    metric = captured.metric(name)
    assert metric is not None, name
    return list(metric.data.data_points)


def test_every_call_is_counted_and_the_queue_stays_bounded(start):
    captured = start()
    metrics = RUNTIME.genai_metrics
    calls = PENDING_LIMIT * 3 + 7
    longest = 0
    for i in range(calls):
        _call(i % 50, 2 * (i % 7))
        longest = max(longest, len(metrics._pending))
    assert longest <= PENDING_LIMIT + 1  # drained on the recording thread once past the limit
    duration = _points(captured, "gen_ai.client.operation.duration")
    assert sum(p.count for p in duration) == calls
    tokens = {p.attributes["gen_ai.token.type"]: p for p in _points(captured, "gen_ai.client.token.usage")}
    assert tokens["input"].sum == sum(i % 50 for i in range(calls))
    assert tokens["output"].sum == sum(2 * (i % 7) for i in range(calls))
    assert len(metrics._pending) == 0
    assert captured.metric("pyflare.sdk.genai_metrics.drain") is None  # the drain hook exports nothing


def test_exemplars_link_to_the_calls_trace(start):
    captured = start()
    trace_id = _call(3, 4)
    (point,) = _points(captured, "gen_ai.client.operation.duration")
    assert [f"{e.trace_id:032x}" for e in point.exemplars] == [trace_id]
