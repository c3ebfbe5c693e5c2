"""Traces sent to the `pyflare serve` under test the way applications send them: the pyflare SDK
and the stock OpenTelemetry SDK with its OTLP/HTTP exporter, both with the project's API key."""

from __future__ import annotations

from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.trace import Status, StatusCode

import pyflare
from tests.serve.running import INIT_KEY, ServeProcess
from tests.ui.conftest import PROJECT


def sdk_llm_trace(serve: ServeProcess, *, service: str, model: str, question: str, answer: str,
                  input_tokens: int, output_tokens: int) -> str:
    """One `answer` trace with an LLM child through the pyflare SDK; returns its trace id."""
    pyflare.init(service_name=service, endpoint=serve.otlp_http, project=PROJECT, api_key=INIT_KEY, use_http=True)
    trace_id = ""
    try:
        @pyflare.trace(name="answer question")
        def run() -> str:
            nonlocal trace_id
            from opentelemetry import trace as otel_trace

            trace_id = format(otel_trace.get_current_span().get_span_context().trace_id, "032x")
            with pyflare.llm_span(model=model, provider="openai") as llm:
                llm.set_input(question)
                llm.set_output(answer)
                llm.set_tokens(input=input_tokens, output=output_tokens)
            return answer

        run()
        assert pyflare.flush(), "the SDK could not deliver its spans"
    finally:
        pyflare.shutdown()
    return trace_id


def otel_agent_trace(serve: ServeProcess, *, service: str, model: str, input_tokens: int = 120,
                     rerank: bool = False) -> dict[str, str]:
    """root "handle ticket" → "agent step" → ("chat <model>" with a tool call in its messages, "tool lookup");
    returns the span ids by name, and the trace id under "trace"."""
    import json

    exporter = OTLPSpanExporter(endpoint=f"{serve.otlp_http}/v1/traces", headers={"x-api-key": INIT_KEY})
    provider = TracerProvider(resource=Resource.create({"service.name": service, "pyflare.project": PROJECT}))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("pyflare.tests.ui")
    ids: dict[str, str] = {}

    def keep(name: str, span: object) -> None:
        ctx = span.get_span_context()  # type: ignore[attr-defined]
        ids[name] = format(ctx.span_id, "016x")
        ids["trace"] = format(ctx.trace_id, "032x")

    messages_in = [
        {"role": "user", "parts": [{"type": "text", "content": "Where is order 42?"}]},
        {"role": "assistant", "parts": [{"type": "tool_call", "id": "call_1", "name": "lookup_order",
                                         "arguments": {"order_id": 42}}]},
        {"role": "tool", "parts": [{"type": "tool_call_response", "id": "call_1", "response": "shipped"}]},
    ]
    messages_out = [{"role": "assistant", "parts": [{"type": "text", "content": "Order 42 has shipped."}]}]
    with tracer.start_as_current_span("handle ticket") as root:
        keep("handle ticket", root)
        with tracer.start_as_current_span("agent step") as agent:
            keep("agent step", agent)
            with tracer.start_as_current_span(f"chat {model}") as llm:
                keep("chat", llm)
                llm.set_attributes({
                    "gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": model,
                    "gen_ai.usage.input_tokens": input_tokens, "gen_ai.usage.output_tokens": 12,
                    "gen_ai.input.messages": json.dumps(messages_in),
                    "gen_ai.output.messages": json.dumps(messages_out),
                })
            with tracer.start_as_current_span("tool lookup") as tool:
                keep("tool lookup", tool)
                tool.set_attribute("order.id", "42")
            if rerank:
                with tracer.start_as_current_span("rerank") as extra:
                    keep("rerank", extra)
    provider.shutdown()
    return ids


def otel_genai_trace(serve: ServeProcess, *, service: str, model: str, error: bool = False) -> str:
    """A root span with a GenAI chat child through the stock OTel SDK; returns its trace id."""
    exporter = OTLPSpanExporter(endpoint=f"{serve.otlp_http}/v1/traces", headers={"x-api-key": INIT_KEY})
    provider = TracerProvider(resource=Resource.create({"service.name": service, "pyflare.project": PROJECT}))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("pyflare.tests.ui")
    with tracer.start_as_current_span("plan trip") as root:
        trace_id = format(root.get_span_context().trace_id, "032x")
        with tracer.start_as_current_span(f"chat {model}") as llm:
            llm.set_attributes({
                "gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": model,
                "gen_ai.usage.input_tokens": 40, "gen_ai.usage.output_tokens": 9,
            })
            if error:
                llm.set_status(Status(StatusCode.ERROR, "rate limited upstream"))
    provider.shutdown()
    return trace_id
