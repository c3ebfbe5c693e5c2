"""GenAI content that an instrumentation sends as log records shows in its span's previews through
the trace API, whether the span or the records reach `pyflare serve` first."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests
from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import InMemoryLogRecordExporter, SimpleLogRecordProcessor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExportResult
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from tests.serve.running import INIT_KEY, ServeProcess

RESOURCE = Resource.create({"service.name": "logged-content-bot"})
KEY = {"x-api-key": INIT_KEY}


def _call(question: str, own_input: str | None = None) -> tuple[list[ReadableSpan], list[Any], str, str]:
    """An openai-v2-like call: a chat span without content, its messages as log records."""
    spans, logs = InMemorySpanExporter(), InMemoryLogRecordExporter()
    tracer_provider = TracerProvider(resource=RESOURCE)
    tracer_provider.add_span_processor(SimpleSpanProcessor(spans))
    logger_provider = LoggerProvider(resource=RESOURCE)
    logger_provider.add_log_record_processor(SimpleLogRecordProcessor(logs))
    logger = logger_provider.get_logger("opentelemetry.instrumentation.openai_v2")
    attributes = {"gen_ai.operation.name": "chat", "gen_ai.system": "openai", "gen_ai.request.model": "gpt-4o-mini"}
    if own_input is not None:
        attributes["pyflare.input.preview"] = own_input
    with tracer_provider.get_tracer("t").start_as_current_span("chat gpt-4o-mini", attributes=attributes) as span:
        ctx = span.get_span_context()
        logger.emit(event_name="gen_ai.user.message", body={"content": question})
        logger.emit(event_name="gen_ai.choice", body={"index": 0, "finish_reason": "stop",
                                                      "message": {"role": "assistant", "content": "4"}})
    tracer_provider.shutdown()
    logger_provider.shutdown()
    return list(spans.get_finished_spans()), list(logs.get_finished_logs()), format(ctx.trace_id, "032x"), \
        format(ctx.span_id, "016x")


def _send_spans(serve: ServeProcess, spans: list[ReadableSpan]) -> None:
    exporter = OTLPSpanExporter(endpoint=f"{serve.otlp_http}/v1/traces", headers=KEY, timeout=30)
    assert exporter.export(spans) == SpanExportResult.SUCCESS


def _send_logs(serve: ServeProcess, logs: list[Any]) -> None:
    exporter = OTLPLogExporter(endpoint=f"{serve.otlp_http}/v1/logs", headers=KEY, timeout=30)
    assert exporter.export(logs).name == "SUCCESS"


def _api(serve: ServeProcess, path: str) -> dict[str, Any]:
    reply = requests.get(f"{serve.web}/api/v1/{path}", headers={"X-API-Key": INIT_KEY}, timeout=30)
    assert reply.status_code == 200, reply.text
    return reply.json()


def _check(serve: ServeProcess, trace_id: str, span_id: str, question: str) -> None:
    (span,) = _api(serve, f"traces/{trace_id}/spans")["spans"]
    assert span["span_id"] == span_id
    assert (span["input_preview"], span["output_preview"], span["finish_reasons"]) == (
        f"user: {question}", "assistant: 4", ["stop"])  # fmt: skip
    detail = _api(serve, f"traces/{trace_id}")
    assert (detail["input_preview"], detail["output_preview"]) == (f"user: {question}", "assistant: 4")
    assert detail["spans"][0]["output_preview"] == "assistant: 4"


def test_span_first_then_its_content_logs(serve: ServeProcess) -> None:
    spans, logs, trace_id, span_id = _call("What is 2+2?")
    _send_spans(serve, spans)
    assert _api(serve, f"traces/{trace_id}/spans")["spans"][0]["input_preview"] == ""
    _send_logs(serve, logs)
    _check(serve, trace_id, span_id, "What is 2+2?")


def test_content_logs_first_then_their_span(serve: ServeProcess) -> None:
    spans, logs, trace_id, span_id = _call("And 3+3?")
    _send_logs(serve, logs)
    _send_logs(serve, logs)  # an at-least-once re-delivery shows once
    _send_spans(serve, spans)
    _check(serve, trace_id, span_id, "And 3+3?")


def test_span_and_content_logs_sent_at_once(serve: ServeProcess) -> None:
    """Both signals in flight together (usually one ingest batch): the join does not depend on order."""
    spans, logs, trace_id, span_id = _call("And 4+4?")
    with ThreadPoolExecutor(2) as pool:
        sent = [pool.submit(_send_logs, serve, logs), pool.submit(_send_spans, serve, spans)]
        for future in sent:
            future.result()  # an export that failed fails the test here
    _check(serve, trace_id, span_id, "And 4+4?")


def test_the_spans_own_preview_wins(serve: ServeProcess) -> None:
    spans, logs, trace_id, _ = _call("ignored", own_input="the app's own preview")
    _send_logs(serve, logs)
    _send_spans(serve, spans)
    (span,) = _api(serve, f"traces/{trace_id}/spans")["spans"]
    assert (span["input_preview"], span["output_preview"]) == ("the app's own preview", "assistant: 4")
