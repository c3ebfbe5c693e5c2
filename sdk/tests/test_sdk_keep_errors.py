"""Ratio sampling that keeps error traces, checked on what a real OTLP/HTTP receiver gets."""

from __future__ import annotations

from collections import defaultdict

import pytest
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.proto.trace.v1.trace_pb2 import Status as ProtoStatus
from opentelemetry.trace import Status, StatusCode
from otlp_receivers import OtlpHttpReceiver

import pyflare

RATIO_BOUND = 2**62  # 0.25 * 2**64: the W3C/OTel rule keeps a trace whose low 64 bits fall below it


@pyflare.trace
def lookup(fail: bool) -> str:
    if fail:
        raise LookupError("index offline")
    return "ok"


@pyflare.trace
def handle(fail: bool, handled: bool) -> str:
    with pyflare.span("prepare"):
        pass
    try:
        return lookup(fail)
    except LookupError:
        if handled:  # the error is swallowed: only the inner span failed, the root ends OK
            return "fallback"
        raise


def _traces(receiver: OtlpHttpReceiver) -> dict[bytes, list]:
    by_trace = defaultdict(list)
    for _, span in receiver.inbox.spans():
        by_trace[span.trace_id].append(span)
    return dict(by_trace)


def _assert_whole(spans: list) -> None:
    """root -> (prepare, lookup), every parent link pointing at a received span."""
    names = sorted(s.name for s in spans)
    assert names == ["handle", "lookup", "prepare"]
    by_id = {s.span_id: s for s in spans}
    root = next(s for s in spans if s.name == "handle")
    assert root.parent_span_id == b""
    assert all(by_id[s.parent_span_id] is root for s in spans if s is not root)


@pytest.fixture
def receiver():
    with OtlpHttpReceiver() as server:
        yield server


def test_ratio_is_respected_and_error_free_traces_stay_dropped(receiver):
    pyflare.init("svc", endpoint=receiver.url, sample_rate=0.25, set_global=False)
    total = 1200
    for _ in range(total):
        handle(fail=False, handled=False)
    pyflare.shutdown()
    traces = _traces(receiver)
    # Binomial(1200, 0.25): mean 300, sd 15; 240..360 is four sd either side.
    assert 240 <= len(traces) <= 360
    for trace_id, spans in traces.items():
        assert int.from_bytes(trace_id[8:], "big") < RATIO_BOUND
        _assert_whole(spans)


def test_every_error_trace_is_exported_whole_at_ratio_zero(receiver):
    pyflare.init("svc", endpoint=receiver.url, sample_rate=0.0, set_global=False)
    outcomes = []
    for i in range(60):
        fail, handled = i % 3 != 0, i % 3 == 2  # 20 error-free, 20 raised to the caller, 20 handled
        try:
            outcomes.append(handle(fail=fail, handled=handled))
        except LookupError:
            outcomes.append("raised")
    pyflare.shutdown()
    assert outcomes == ["ok", "raised", "fallback"] * 20
    traces = _traces(receiver)
    assert len(traces) == 40  # exactly the traces with an error, none of the 20 clean ones
    raised = handled = 0
    for spans in traces.values():
        _assert_whole(spans)
        status = {s.name: s.status.code for s in spans}
        assert status["lookup"] == ProtoStatus.STATUS_CODE_ERROR
        if status["handle"] == ProtoStatus.STATUS_CODE_ERROR:
            raised += 1
        else:
            handled += 1
    assert (raised, handled) == (20, 20)


def test_an_exception_event_alone_marks_the_trace_failed(receiver):
    pyflare.init("svc", endpoint=receiver.url, sample_rate=0.0, set_global=False)
    with pyflare.span("job"), pyflare.span("step") as step:
        step.span.record_exception(ValueError("bad row"))  # an event only, status left unset
    with pyflare.span("clean-job"), pyflare.span("step"):
        pass
    pyflare.shutdown()
    names = sorted(s.name for spans in _traces(receiver).values() for s in spans)
    assert names == ["job", "step"]


def test_keep_errors_off_drops_error_traces_too(receiver, monkeypatch):
    monkeypatch.setenv("PYFLARE_SAMPLE_KEEP_ERRORS", "false")
    client = pyflare.init("svc", endpoint=receiver.url, sample_rate=0.0, set_global=False)
    assert client.error_keeper is None
    with pytest.raises(LookupError):
        handle(fail=True, handled=False)
    pyflare.shutdown()
    assert receiver.inbox.spans() == []


def test_the_buffer_bound_holds_and_an_evicted_trace_is_not_sent_in_part(receiver):
    client = pyflare.init("svc", endpoint=receiver.url, sample_rate=0.0, buffer_spans=10, set_global=False)
    keeper = client.error_keeper
    assert keeper is not None
    tracer = client.tracer
    roots = []
    peak = 0
    for i in range(6):  # six open roots, three finished children each: 18 spans offered to a 10-span buffer
        root = tracer.start_span(f"root-{i}", context=Context())  # a new trace each, not nested
        for j in range(3):
            tracer.start_span(f"child-{i}-{j}", context=trace.set_span_in_context(root)).end()
            peak = max(peak, keeper.buffered_spans)
        roots.append(root)
    assert peak <= 10
    # Each child is buffered; when full the oldest trace goes whole: roots 0-2 were evicted, 3-5 fit.
    assert keeper.buffered_spans == 9
    assert keeper.dropped_traces == 3
    for i, root in enumerate(roots):  # every trace fails
        root.set_status(Status(StatusCode.ERROR, f"root-{i} failed"))
        root.end()
    pyflare.shutdown()
    traces = _traces(receiver)
    received = sorted(sorted(s.name for s in spans) for spans in traces.values())
    expected = [sorted([f"root-{i}"] + [f"child-{i}-{j}" for j in range(3)]) for i in (3, 4, 5)]
    assert received == sorted(expected)
    assert keeper.kept_error_traces == 3
    assert keeper.buffered_spans == 0


@pytest.mark.parametrize("value", ["0", "-3", "lots", "2.5"])
def test_a_bad_buffer_size_is_refused_with_the_variable_named(monkeypatch, value):
    monkeypatch.setenv("PYFLARE_SAMPLE_BUFFER_SPANS", value)
    with pytest.raises(ValueError, match="PYFLARE_SAMPLE_BUFFER_SPANS"):
        pyflare.init("svc", sample_rate=0.5, set_global=False)
