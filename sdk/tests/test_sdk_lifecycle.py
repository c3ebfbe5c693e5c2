"""init/get_client/flush/shutdown, disabled mode, and how PyFlare treats the global OTel providers."""

from __future__ import annotations

import asyncio
import logging

from opentelemetry import _logs, metrics, trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import pyflare


@pyflare.trace
def double(x):
    return 2 * x


@pyflare.trace
async def double_async(x):
    return 2 * x


@pyflare.trace
def countdown(n):
    while n:
        yield n
        n -= 1
    return "done"


@pyflare.trace
async def countdown_async(n):
    while n:
        yield n
        n -= 1


def _exercise_everything():
    results = [double(2), asyncio.run(double_async(3)), list(countdown(3))]

    async def collect():
        return [i async for i in countdown_async(2)]

    results.append(asyncio.run(collect()))
    with pyflare.span("s", a=1) as handle:
        handle.set_input("x")
        pyflare.log_features({"f": 1})
        pyflare.set_user("u")
    with pyflare.llm_span(model="m", provider="p") as llm:
        llm.set_tokens(input=1, output=1)
    results.append(handle.trace_id)
    results.append(llm.trace_id)
    return results


def test_disabled_creates_no_providers_and_emits_nothing(start):
    captured = start(enabled=False)
    assert _exercise_everything() == [4, 6, [3, 2, 1], [2, 1], None, None]
    assert captured.client.enabled is False
    assert captured.client.tracer_provider is None
    assert captured.client.meter_provider is None
    assert pyflare.get_client() is captured.client
    assert captured.exporter.get_finished_spans() == ()
    assert captured.reader.get_metrics_data() is None  # the reader was never attached to a provider
    assert isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider)
    assert captured.client.flush() is True


def test_disabled_by_environment(monkeypatch, start):
    monkeypatch.setenv("PYFLARE_ENABLED", "false")
    captured = start(enabled=None)
    _exercise_everything()
    assert captured.client.tracer_provider is None
    assert captured.exporter.get_finished_spans() == ()


def test_disabled_wrappers_pass_generator_return_values_through(start):
    start(enabled=False)

    def outer():
        return (yield from countdown(2))

    gen = outer()
    assert list(gen) == [2, 1]
    gen = outer()
    next(gen)
    next(gen)
    try:
        next(gen)
    except StopIteration as stop:
        assert stop.value == "done"


def test_enabled_client_traces_all_function_kinds(captured):
    assert _exercise_everything()[:4] == [4, 6, [3, 2, 1], [2, 1]]
    names = sorted(s.name for s in captured.spans)
    assert names == ["chat m", "countdown", "countdown_async", "double", "double_async", "s"]
    assert captured.span("countdown").attributes["pyflare.output.preview"] == "[3, 2, 1]"


def test_installs_globals_when_the_app_has_none(captured):
    assert captured.client.installed_globals == ("traces", "metrics", "logs")
    assert trace.get_tracer_provider() is captured.client.tracer_provider
    assert metrics.get_meter_provider() is captured.client.meter_provider
    assert _logs.get_logger_provider() is captured.client.logger_provider
    # A third-party instrumentation using the global API lands in PyFlare's pipeline.
    with trace.get_tracer("some.instrumentation").start_as_current_span("http GET"):
        pass
    assert captured.span("http GET").resource.attributes["pyflare.project"] == "test-project"


def test_existing_global_provider_is_not_clobbered(start):
    app_exporter = InMemorySpanExporter()
    app_provider = TracerProvider()
    app_provider.add_span_processor(SimpleSpanProcessor(app_exporter))
    trace.set_tracer_provider(app_provider)

    captured = start()
    assert trace.get_tracer_provider() is app_provider
    assert "traces" not in captured.client.installed_globals
    assert "metrics" in captured.client.installed_globals

    with trace.get_tracer("app").start_as_current_span("app-request") as app_span:
        double(1)
    pyflare_span = captured.span("double")
    assert [s.name for s in app_exporter.get_finished_spans()] == ["app-request"]
    # Context is shared, so PyFlare's span still hangs under the app's span.
    assert pyflare_span.parent.span_id == app_span.get_span_context().span_id


def test_set_global_true_warns_when_a_provider_exists(start, caplog):
    trace.set_tracer_provider(TracerProvider())
    with caplog.at_level(logging.WARNING, logger="pyflare"):
        captured = start(set_global=True)
    assert "global traces provider (TracerProvider) is already set" in caplog.text
    assert "traces" not in captured.client.installed_globals


def test_set_global_false_leaves_globals_alone(start):
    captured = start(set_global=False)
    assert captured.client.installed_globals == ()
    assert isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider)
    double(1)
    assert [s.name for s in captured.spans] == ["double"]


def test_reinit_replaces_the_previous_client(start):
    first = start()
    second = start(set_global=False)
    double(5)
    assert first.client.enabled is False
    assert pyflare.get_client() is second.client
    assert first.exporter.get_finished_spans() == ()
    assert [s.name for s in second.spans] == ["double"]


def test_shutdown_switches_tracing_off(captured):
    pyflare.shutdown()
    assert pyflare.get_client() is None
    assert double(4) == 8
    assert captured.exporter.get_finished_spans() == ()
    pyflare.shutdown()  # idempotent


def test_batch_mode_exports_on_flush(start):
    captured = start(batch=True)
    double(1)
    assert pyflare.flush(5_000) is True
    assert [s.name for s in captured.exporter.get_finished_spans()] == ["double"]
