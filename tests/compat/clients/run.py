"""One instrumentation family driving the real clients against the local provider, in the compat venv.

Usage: run.py FAMILY. Environment: COMPAT_OTLP (pyflare serve's OTLP/HTTP base URL), COMPAT_API_KEY
(its intake key), COMPAT_PROVIDER (the provider server's base URL). Every case runs under its own
root span `case <name>`, so its spans share a trace; the last stdout line is a JSON manifest
{"family": ..., "cases": {case: trace id}} that the test reads.

This file runs in its own venv with the instrumentation packages, never in PyFlare's.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

OTLP = os.environ["COMPAT_OTLP"]
KEY = os.environ["COMPAT_API_KEY"]
PROVIDER = os.environ["COMPAT_PROVIDER"]
HEADERS = {"x-api-key": KEY}
TRACE_IDS: dict[str, str] = {}
TOOLS_OPENAI = [{"type": "function", "function": {
    "name": "get_weather", "description": "Weather of a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]  # fmt: skip
TOOLS_ANTHROPIC = [{"name": "get_weather", "description": "Weather of a city",
                    "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}}}]  # fmt: skip


def otel(service: str) -> Callable[[], None]:
    """Global tracer and logger providers exporting OTLP/HTTP to pyflare serve; returns a flush."""
    from opentelemetry import _logs, trace
    from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk._logs import LoggerProvider
    from opentelemetry.sdk._logs.export import SimpleLogRecordProcessor
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor

    resource = Resource.create({"service.name": service})
    tracer_provider = TracerProvider(resource=resource)
    tracer_provider.add_span_processor(
        SimpleSpanProcessor(OTLPSpanExporter(endpoint=f"{OTLP}/v1/traces", headers=HEADERS)))
    trace.set_tracer_provider(tracer_provider)
    logger_provider = LoggerProvider(resource=resource)
    logger_provider.add_log_record_processor(
        SimpleLogRecordProcessor(OTLPLogExporter(endpoint=f"{OTLP}/v1/logs", headers=HEADERS)))
    _logs.set_logger_provider(logger_provider)

    def flush() -> None:
        tracer_provider.shutdown()
        logger_provider.shutdown()

    return flush


@contextmanager
def case(name: str) -> Iterator[None]:
    from opentelemetry import trace

    with trace.get_tracer("compat.cases").start_as_current_span(f"case {name}") as span:
        TRACE_IDS[name] = format(span.get_span_context().trace_id, "032x")
        yield


def ask(name: str) -> str:
    return f"[case:{name}] What is the capital of France?"


# -- what each client does per case ---------------------------------------------------------------
def openai_cases(names: list[str]) -> None:
    import openai

    client = openai.OpenAI(base_url=f"{PROVIDER}/v1", api_key="sk-compat", max_retries=0)
    for name in names:
        with case(name):
            messages = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": ask(name)}]
            if name in ("chat", "chat-cached"):
                client.chat.completions.create(model="gpt-4o-mini", messages=messages)
            elif name == "stream-usage":
                for _ in client.chat.completions.create(model="gpt-4o-mini", messages=messages, stream=True,
                                                        stream_options={"include_usage": True}):
                    pass
            elif name == "stream-no-usage":
                for _ in client.chat.completions.create(model="gpt-4o-mini", messages=messages, stream=True):
                    pass
            elif name == "tools":
                client.chat.completions.create(model="gpt-4o-mini", messages=messages, tools=TOOLS_OPENAI)
            elif name == "embeddings":
                client.embeddings.create(model="text-embedding-3-small", input=ask(name))
            elif name == "responses":
                client.responses.create(model="gpt-4.1-mini", instructions="Be brief.", input=ask(name))
            else:
                raise ValueError(name)


def anthropic_cases(names: list[str]) -> None:
    import anthropic

    client = anthropic.Anthropic(base_url=PROVIDER, api_key="sk-ant-compat", max_retries=0)
    for name in names:
        with case(name):
            kwargs: dict[str, Any] = {"model": "claude-sonnet-4-5", "max_tokens": 100, "system": "Be brief.",
                                      "messages": [{"role": "user", "content": ask(name)}]}  # fmt: skip
            if name in ("messages", "messages-cache"):
                client.messages.create(**kwargs)
            elif name == "messages-stream":
                with client.messages.stream(**kwargs) as stream:
                    for _ in stream.text_stream:
                        pass
            elif name == "messages-tools":
                client.messages.create(**kwargs, tools=TOOLS_ANTHROPIC)
            else:
                raise ValueError(name)


def chain_case(name: str = "chain") -> None:
    from langchain_core.output_parsers import StrOutputParser
    from langchain_core.prompts import ChatPromptTemplate
    from langchain_openai import ChatOpenAI

    llm = ChatOpenAI(model="gpt-4o-mini", base_url=f"{PROVIDER}/v1", api_key="sk-compat", max_retries=0)
    prompt = ChatPromptTemplate.from_messages([("system", "Be brief."), ("user", "{question}")])
    chain = prompt | llm | StrOutputParser()
    with case(name):
        chain.invoke({"question": ask(name)})


OPENAI_ALL = ["chat", "chat-cached", "stream-usage", "stream-no-usage", "tools", "embeddings", "responses"]
ANTHROPIC_ALL = ["messages", "messages-cache", "messages-stream", "messages-tools"]


# -- the families ---------------------------------------------------------------------------------
def openai_v2() -> None:
    os.environ["OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"] = "true"
    from opentelemetry.instrumentation.openai_v2 import OpenAIInstrumentor

    OpenAIInstrumentor().instrument()
    openai_cases(OPENAI_ALL)


def openai_v2_latest() -> None:
    """openai-v2 2.4b0 on the latest GenAI conventions: content in one operation-details record."""
    os.environ["OTEL_SEMCONV_STABILITY_OPT_IN"] = "gen_ai_latest_experimental"
    os.environ["OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"] = "EVENT_ONLY"
    os.environ["OTEL_INSTRUMENTATION_GENAI_EMIT_EVENT"] = "true"
    from opentelemetry.instrumentation.openai_v2 import OpenAIInstrumentor

    OpenAIInstrumentor().instrument()
    openai_cases(["chat", "chat-cached", "stream-usage", "tools", "embeddings"])


def openllmetry_openai(use_attributes: bool) -> Callable[[], None]:
    def run() -> None:
        from opentelemetry.instrumentation.openai import OpenAIInstrumentor

        OpenAIInstrumentor(use_attributes=use_attributes).instrument()
        openai_cases(OPENAI_ALL)

    return run


def openllmetry_anthropic(use_attributes: bool) -> Callable[[], None]:
    def run() -> None:
        os.environ["ANTHROPIC_OPEN_TELEMETRY"] = "false"  # the SDK's own spans: family anthropic-sdk
        from opentelemetry.instrumentation.anthropic import AnthropicInstrumentor

        AnthropicInstrumentor(use_attributes=use_attributes).instrument()
        anthropic_cases(ANTHROPIC_ALL)

    return run


def anthropic_sdk() -> None:
    os.environ["ANTHROPIC_OPEN_TELEMETRY_TRACES_CONTENT_MODE"] = "content"
    anthropic_cases(ANTHROPIC_ALL)


def anthropic_double() -> None:
    """The SDK traces itself while OpenLLMetry also does: one call, two spans."""
    os.environ["ANTHROPIC_OPEN_TELEMETRY_TRACES_CONTENT_MODE"] = "content"
    from opentelemetry.instrumentation.anthropic import AnthropicInstrumentor

    AnthropicInstrumentor().instrument()
    anthropic_cases(["messages-cache"])


def openinference_openai() -> None:
    from openinference.instrumentation.openai import OpenAIInstrumentor

    OpenAIInstrumentor().instrument()
    openai_cases(OPENAI_ALL)


def openinference_langchain() -> None:
    from openinference.instrumentation.langchain import LangChainInstrumentor

    LangChainInstrumentor().instrument()
    chain_case()


def openinference_double() -> None:
    """OpenInference's openai and langchain instrumentors both on: the chain's call is seen twice."""
    from openinference.instrumentation.langchain import LangChainInstrumentor
    from openinference.instrumentation.openai import OpenAIInstrumentor

    LangChainInstrumentor().instrument()
    OpenAIInstrumentor().instrument()
    chain_case()


def pyflare_sdk() -> None:
    """PyFlare's own SDK: llm_span around the real clients, usage taken from their answers."""
    import anthropic
    import openai

    import pyflare

    os.environ["ANTHROPIC_OPEN_TELEMETRY"] = "false"  # only PyFlare's spans here
    pyflare.init(service_name="compat-pyflare-sdk", endpoint=OTLP, headers=HEADERS, batch=False)
    oai = openai.OpenAI(base_url=f"{PROVIDER}/v1", api_key="sk-compat", max_retries=0)
    ant = anthropic.Anthropic(base_url=PROVIDER, api_key="sk-ant-compat", max_retries=0)
    for name in ("chat", "chat-cached"):
        with case(name), pyflare.llm_span(model="gpt-4o-mini", provider="openai") as span:
            span.set_input(ask(name))
            answer = oai.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": ask(name)}])
            usage = answer.usage
            span.set_tokens(input=usage.prompt_tokens, output=usage.completion_tokens,
                            cache_read=usage.prompt_tokens_details.cached_tokens)  # fmt: skip
            span.set_response_model(answer.model)
            span.set_output(answer.choices[0].message.content)
            span.set_finish_reasons(answer.choices[0].finish_reason)
    with case("embeddings"), pyflare.llm_span(model="text-embedding-3-small", provider="openai",
                                              operation="embeddings") as span:  # fmt: skip
        span.set_input(ask("embeddings"))
        result = oai.embeddings.create(model="text-embedding-3-small", input=ask("embeddings"))
        span.set_tokens(input=result.usage.prompt_tokens)
    with case("messages-cache"), pyflare.llm_span(model="claude-sonnet-4-5", provider="anthropic") as span:
        span.set_input(ask("messages-cache"))
        reply = ant.messages.create(model="claude-sonnet-4-5", max_tokens=100,
                                    messages=[{"role": "user", "content": ask("messages-cache")}])  # fmt: skip
        u = reply.usage
        span.set_tokens(input=u.input_tokens, output=u.output_tokens, cache_read=u.cache_read_input_tokens,
                        cache_creation=u.cache_creation_input_tokens)  # fmt: skip
        span.set_output(reply.content[0].text)
        span.set_finish_reasons(reply.stop_reason)
    pyflare.shutdown()


FAMILIES: dict[str, Callable[[], None]] = {
    "openai-v2": openai_v2,
    "openai-v2-latest": openai_v2_latest,
    "openllmetry-openai": openllmetry_openai(True),
    "openllmetry-openai-events": openllmetry_openai(False),
    "openllmetry-anthropic": openllmetry_anthropic(True),
    "openllmetry-anthropic-events": openllmetry_anthropic(False),
    "anthropic-sdk": anthropic_sdk,
    "anthropic-double": anthropic_double,
    "openinference-openai": openinference_openai,
    "openinference-langchain": openinference_langchain,
    "openinference-double": openinference_double,
    "pyflare-sdk": pyflare_sdk,
}


def main() -> None:
    family = sys.argv[1]
    if family == "pyflare-sdk":
        FAMILIES[family]()  # pyflare.init sets the global providers itself
    else:
        flush = otel(f"compat-{family}")
        try:
            FAMILIES[family]()
        finally:
            flush()
    print(json.dumps({"family": family, "cases": TRACE_IDS}))


if __name__ == "__main__":
    main()
