"""Random OTLP trace requests that reach into every corner of span normalisation.

Keys come from every convention PyFlare reads plus unknown ones; values take every AnyValue kind,
including the awkward ones (empty strings, quotes and control characters, non-ASCII text, zero,
negative and huge numbers, special floats, composite values); spans carry events (GenAI and
other), links, features, embeddings, all kinds and status codes, several resources and scopes.
"""

from __future__ import annotations

import math
import random

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue

from workers.telemetry import semconv
from workers.telemetry.genai_events import GENAI_EVENTS

TEXTS = ["", "gpt-4o", "OpenAI", " Azure OpenAI ", "az.ai.openai", "AWS-Bedrock", "CHAT", "Embeddings",
         'say "hi"\n\tthen\\leave', "naïve café ✓", "控制\x01\x1f", "x" * 40, "Ünïcode provider", "ﬁ ligature",
         "12", "0", "-3", "4294967296", " 77 ", "1e3", "1_000", "nan", "[\"stop\",\"length\"]", "[1, 2]",
         "[not json", "stop", "İstanbul", "ǅ", "\x1c"]  # fmt: skip
INTS = [0, 1, -1, 7, 2**31, 2**32 - 1, 2**32, 2**63 - 1, -(2**63), 123456789]
DOUBLES = [0.0, -0.0, 0.1, 1.0, 1.5, 1e16, 1e15, 123456789012345.6, 1e-4, 1e-5, 2.5e-7, -2.5e20, 3.14159,
           math.inf, -math.inf, math.nan, 4294967295.9, 4294967296.0, -0.5, 1e308, 5e-324, 7.0]  # fmt: skip
UNKNOWN = ["http.route", "server.port", "db.statement", "custom.flag", "gen_ai.request.temperature",
           "pyflare.project.extra", "gen_ai.promptx", "llm.input_messagesx"]  # fmt: skip
INDEXED = ["gen_ai.prompt.0.content", "gen_ai.prompt.0.role", "gen_ai.completion.0.content",
           "gen_ai.completion.1.finish_reason", "llm.input_messages.0.message.content",
           "llm.output_messages.0.message.role", "retrieval.documents.2.document.content",
           "gen_ai.prompt.x.content", "llm.output_messages.0.message.tool_calls.1.tool_call.function.name",
           "llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments",
           "llm.input_messages.1.message.tool_calls.0.tool_call.function.name",
           "llm.output_messages.1.message.finish_reason", "gen_ai.completion.0.tool_calls.0.name",
           "gen_ai.completion.0.tool_calls.0.arguments", "gen_ai.prompt.1.tool_calls.2.name",
           "gen_ai.completion.0.tool_calls.0.id"]  # fmt: skip
EVENTS = ["exception", "gen_ai.first_token", "retry", "", *sorted(GENAI_EVENTS)]
RESOURCE_KEYS = ["service.name", "pyflare.project", "deployment.environment.name", "deployment.environment",
                 "host.name", "telemetry.sdk.language"]  # fmt: skip
SPEC_KEYS = [k for k in semconv._STATIC if k != "pyflare.embedding"]
# keys whose values the compiled decoder renders itself (no messages, no indexed prompts, no vectors)
PLAIN_KEYS = [k for k in SPEC_KEYS if semconv.SPEC[k][2] is not semconv._messages] + UNKNOWN + [
    "pyflare.features.age", "pyflare.features.plan"]  # fmt: skip


def any_value(rnd: random.Random, depth: int = 0, composite: float = 0.08) -> AnyValue:
    roll = rnd.random()
    if roll < composite and depth < 2:
        av = AnyValue()
        kind = rnd.choice(["strings", "strings", "mixed", "kvlist", "bytes", "empty_array"])
        if kind == "strings":
            av.array_value.values.extend(AnyValue(string_value=rnd.choice(TEXTS[1:])) for _ in range(rnd.randint(1, 3)))
        elif kind == "mixed":
            av.array_value.values.extend(any_value(rnd, depth + 1, 0.3) for _ in range(rnd.randint(1, 3)))
        elif kind == "kvlist":
            av.kvlist_value.values.extend(KeyValue(key=rnd.choice(TEXTS), value=any_value(rnd, depth + 1))
                                          for _ in range(rnd.randint(0, 2)))  # fmt: skip
        elif kind == "bytes":
            av.bytes_value = rnd.randbytes(rnd.randint(0, 6))
        else:
            av.array_value.SetInParent()
        return av
    roll = rnd.random()
    if roll < 0.45:
        return AnyValue(string_value=rnd.choice(TEXTS))
    if roll < 0.65:
        return AnyValue(int_value=rnd.choice([*INTS, rnd.randint(0, 5000)]))
    if roll < 0.85:
        return AnyValue(double_value=rnd.choice([*DOUBLES, rnd.uniform(-1e6, 1e6), rnd.random()]))
    if roll < 0.95:
        return AnyValue(bool_value=rnd.random() < 0.5)
    return AnyValue()  # no kind set


def _key(rnd: random.Random, plain: bool) -> str:
    if plain:
        return rnd.choice(PLAIN_KEYS)
    roll = rnd.random()
    if roll < 0.6:
        return rnd.choice(SPEC_KEYS)
    if roll < 0.75:
        return rnd.choice(UNKNOWN)
    if roll < 0.87:
        return "pyflare.features." + rnd.choice(["age", "plan", "score", ""])
    if roll < 0.95:
        return rnd.choice(INDEXED)
    return "pyflare.embedding"


def _embedding(rnd: random.Random) -> AnyValue:
    av = AnyValue()
    if rnd.random() < 0.8:
        av.array_value.values.extend(AnyValue(double_value=rnd.uniform(-1, 1)) for _ in range(rnd.randint(1, 4)))
    else:
        av.string_value = "[0.5, 1, -2]"
    return av


def _attributes(rnd: random.Random, target: object, n: int, composite: float) -> None:
    for _ in range(n):
        key = _key(rnd, plain=not composite)
        value = _embedding(rnd) if key == "pyflare.embedding" else any_value(rnd, composite=composite)
        target.add(key=key, value=value)  # type: ignore[attr-defined]


def random_request(rnd: random.Random, spans: int, composite: float = 0.08, plain: float = 0.3) -> bytes:
    """A serialised request of about `spans` spans over 1-3 resources and 1-2 scopes each. A share
    `plain` of the spans only has keys the compiled decoder renders, string/int/double/bool values and
    no events of the GenAI kind."""
    request = ExportTraceServiceRequest()
    left = spans
    while left > 0:
        rs = request.resource_spans.add()
        for key in rnd.sample(RESOURCE_KEYS, rnd.randint(0, len(RESOURCE_KEYS))):
            rs.resource.attributes.add(key=key, value=AnyValue(string_value=rnd.choice(TEXTS[:8])))
        for _ in range(rnd.randint(1, 2)):
            ss = rs.scope_spans.add()
            if rnd.random() < 0.8:
                ss.scope.name, ss.scope.version = rnd.choice(TEXTS), rnd.choice(["", "1.2.3"])
            for _ in range(min(left, rnd.randint(1, 12))):
                left -= 1
                _span(rnd, ss.spans.add(), 0.0 if rnd.random() < plain else composite)
    return request.SerializeToString()


def _span(rnd: random.Random, span: object, composite: float) -> None:
    span.trace_id = rnd.randbytes(16)  # type: ignore[attr-defined]
    span.span_id = rnd.randbytes(8)  # type: ignore[attr-defined]
    if rnd.random() < 0.6:
        span.parent_span_id = rnd.randbytes(8)  # type: ignore[attr-defined]
    span.name = rnd.choice(TEXTS)  # type: ignore[attr-defined]
    span.kind = rnd.choice([0, 1, 2, 3, 4, 5, 9])  # type: ignore[attr-defined]
    span.trace_state = rnd.choice(["", "vendor=abc"])  # type: ignore[attr-defined]
    start = rnd.randint(1_700_000_000, 1_800_000_000) * 10**9 + rnd.randint(0, 10**9)
    span.start_time_unix_nano = start  # type: ignore[attr-defined]
    span.end_time_unix_nano = start + rnd.choice([0, -5, 1_000, 2_500_000_000])  # type: ignore[attr-defined]
    span.status.code = rnd.choice([0, 1, 2, 7])  # type: ignore[attr-defined]
    span.status.message = rnd.choice(["", "card declined", "ünïcode"])  # type: ignore[attr-defined]
    _attributes(rnd, span.attributes, rnd.randint(0, 14), composite)  # type: ignore[attr-defined]
    for _ in range(rnd.choice([0, 0, 1, 2])):
        event = span.events.add(name=rnd.choice(EVENTS if composite else EVENTS[:4]),  # type: ignore[attr-defined]
                                time_unix_nano=start + rnd.randint(0, 1000))  # fmt: skip
        for _ in range(rnd.randint(0, 3)):
            event.attributes.add(key=rnd.choice(["gen_ai.event.content", "attempt", "ok", "content", "role"]),
                                 value=any_value(rnd, composite=composite))  # fmt: skip
    for _ in range(rnd.choice([0, 0, 0, 1])):
        link = span.links.add(trace_id=rnd.randbytes(16), span_id=rnd.randbytes(8),  # type: ignore[attr-defined]
                              trace_state=rnd.choice(["", "k=v"]))  # fmt: skip
        link.attributes.add(key="link.kind", value=any_value(rnd, composite=composite))
