"""Attribute key -> which span field it feeds, from which convention, at which precedence.

One dict lookup per attribute: `SPEC[key]` gives `(slot, rank, convert)` or None. A lower
rank wins, so conventions rank pyflare.* (0-9) < OTel GenAI current (10-19) < GenAI deprecated
(20-29) < OpenInference (30-39) < OpenLLMetry legacy (40-49). Indexed keys such as
`gen_ai.prompt.0.content` are parsed once (`__missing__`) and cached in the same dict.
"""

from __future__ import annotations

import re
from typing import Any

from opentelemetry.proto.common.v1.common_pb2 import AnyValue

from workers.telemetry.anyvalue import any_float, any_int, any_python, any_strings, any_text
from workers.telemetry.messages import render_text

# Slots of the per-span field vector; span_rows.py unpacks it in this order.
(
    MODEL,
    MODEL_VERSION,
    PROVIDER,
    ITYPE,
    OPERATION,
    INPUT,
    OUTPUT,
    IN_TOK,
    OUT_TOK,
    TOTAL_TOK,
    CACHE_READ,
    CACHE_CREATE,
    REASONING,
    FINISH,
    USER,
    SESSION,
    FEATURE,
    TEAM,
    ENV,
    PREDICTION,
    SCORE,
    EMB_TYPE,
) = range(22)
# Value of each slot when no attribute fed it: None where the column is nullable or the value
# is derived later (inference type, previews), '' or () otherwise.
_DEFAULTS: dict[int, Any] = {
    MODEL: "", MODEL_VERSION: "", PROVIDER: "", ITYPE: None, OPERATION: "", INPUT: None, OUTPUT: None,
    IN_TOK: None, OUT_TOK: None, TOTAL_TOK: None, CACHE_READ: None, CACHE_CREATE: None, REASONING: None,
    FINISH: (), USER: "", SESSION: "", FEATURE: "", TEAM: "", ENV: "", PREDICTION: "", SCORE: None, EMB_TYPE: "",
}
EMPTY_SLOTS: list[Any] = [_DEFAULTS[slot] for slot in range(len(_DEFAULTS))]
NO_RANK = 99
EMPTY_RANKS: list[int] = [NO_RANK] * len(EMPTY_SLOTS)

# Slots < 0 are not single-value fields; span_rows.py handles them after the attribute loop.
# Their convert entry is never None (None means "plain text field" to the hot loop).
EMBEDDING = -1  # pyflare.embedding: vector to EmbeddingRecord, not kept in attributes
INDEXED = -2  # gen_ai.prompt.N.*, llm.input_messages.N.*, retrieval.documents.N.* ...
FEATURES = -3  # pyflare.features.<name>

Spec = tuple[int, int, Any]  # (slot, rank, convert: None for text, or a function of (AnyValue, text))


def token_count(av: AnyValue, text: str) -> int | None:
    n = any_int(av)
    return n if n is None or 0 <= n < 2**32 else None  # token columns are UInt32


def _float(av: AnyValue, text: str) -> float | None:
    return any_float(av)


_STRINGS: dict[str, tuple[str, ...]] = {}  # text -> items; finish reasons are a handful of values


def _strings(av: AnyValue, text: str) -> tuple[str, ...]:
    items = _STRINGS.get(text)
    if items is None:
        items = tuple(any_strings(av, text))
        if len(text) <= 256:
            if len(_STRINGS) >= 10_000:
                _STRINGS.clear()
            _STRINGS[text] = items
    return items


def messages_value(av: AnyValue, text: str) -> Any:
    """A messages attribute as JSON text or as structured AnyValue (arrays of kvlists)."""
    return text if av.WhichOneof("value") == "string_value" else any_python(av)


def _messages(av: AnyValue, text: str) -> str:
    return render_text(messages_value(av, text))


_TEXT = None  # the attribute's text as it is; span_rows.py stores it without a call
_int = token_count  # span_rows.py recognises it and uses the number it already decoded
# key -> (slot, rank, convert)
_STATIC: dict[str, Spec | None] = {
    # pyflare SDK
    "pyflare.model.id": (MODEL, 0, _TEXT),
    "pyflare.model.version": (MODEL_VERSION, 0, _TEXT),
    "pyflare.model.provider": (PROVIDER, 0, _TEXT),
    "pyflare.inference.type": (ITYPE, 0, _TEXT),
    "pyflare.input.preview": (INPUT, 0, _TEXT),
    "pyflare.output.preview": (OUTPUT, 0, _TEXT),
    "pyflare.user.id": (USER, 0, _TEXT),
    "pyflare.feature.id": (FEATURE, 0, _TEXT),
    "pyflare.team": (TEAM, 0, _TEXT),
    "pyflare.environment": (ENV, 0, _TEXT),
    "pyflare.prediction": (PREDICTION, 0, _TEXT),
    "pyflare.prediction.score": (SCORE, 0, _float),
    "pyflare.embedding": (EMBEDDING, 0, "vector"),
    "pyflare.embedding.type": (EMB_TYPE, 0, _TEXT),
    # OTel GenAI, current
    "gen_ai.provider.name": (PROVIDER, 10, _TEXT),
    "gen_ai.request.model": (MODEL, 10, _TEXT),
    "gen_ai.response.model": (MODEL, 11, _TEXT),
    "gen_ai.operation.name": (OPERATION, 10, _TEXT),
    "gen_ai.usage.input_tokens": (IN_TOK, 10, _int),
    "gen_ai.usage.output_tokens": (OUT_TOK, 10, _int),
    "gen_ai.usage.total_tokens": (TOTAL_TOK, 12, _int),
    "gen_ai.usage.cache_read.input_tokens": (CACHE_READ, 10, _int),
    "gen_ai.usage.cache_creation.input_tokens": (CACHE_CREATE, 10, _int),
    "gen_ai.usage.cache_write.input_tokens": (CACHE_CREATE, 11, _int),  # the Anthropic SDK's own spans
    "gen_ai.usage.reasoning.output_tokens": (REASONING, 10, _int),
    "gen_ai.response.finish_reasons": (FINISH, 10, _strings),
    "anthropic.message.stop_reason": (FINISH, 12, _strings),  # the Anthropic SDK's own spans
    "gen_ai.input.messages": (INPUT, 10, _messages),
    "gen_ai.output.messages": (OUTPUT, 10, _messages),  # finish reasons: span_extras.output_finish_reasons
    "gen_ai.conversation.id": (SESSION, 10, _TEXT),
    # OTel GenAI, deprecated (<= 1.36); prompt/completion events are read in genai_events.py
    "gen_ai.system": (PROVIDER, 20, _TEXT),
    "gen_ai.usage.prompt_tokens": (IN_TOK, 20, _int),
    "gen_ai.usage.completion_tokens": (OUT_TOK, 20, _int),
    "gen_ai.prompt": (INPUT, 21, _messages),  # the event attributes, which some tracers put on the span
    "gen_ai.completion": (OUTPUT, 21, _messages),
    # OpenInference
    "llm.model_name": (MODEL, 30, _TEXT),
    "embedding.model_name": (MODEL, 31, _TEXT),
    "llm.provider": (PROVIDER, 30, _TEXT),
    "llm.system": (PROVIDER, 31, _TEXT),
    "llm.token_count.prompt": (IN_TOK, 30, _int),
    "llm.token_count.completion": (OUT_TOK, 30, _int),
    "llm.token_count.total": (TOTAL_TOK, 30, _int),
    "llm.token_count.prompt_details.cache_read": (CACHE_READ, 30, _int),
    "llm.token_count.prompt_details.cache_write": (CACHE_CREATE, 30, _int),
    "llm.token_count.completion_details.reasoning": (REASONING, 30, _int),
    "llm.finish_reason": (FINISH, 30, _strings),
    "openinference.span.kind": (OPERATION, 30, _TEXT),
    "input.value": (INPUT, 31, _TEXT),
    "output.value": (OUTPUT, 31, _TEXT),
    "session.id": (SESSION, 30, _TEXT),
    "user.id": (USER, 30, _TEXT),
    # OpenLLMetry legacy
    "llm.usage.total_tokens": (TOTAL_TOK, 40, _int),
    "llm.request.type": (OPERATION, 40, _TEXT),
    "gen_ai.usage.cache_read_input_tokens": (CACHE_READ, 40, _int),
    "gen_ai.usage.cache_creation_input_tokens": (CACHE_CREATE, 40, _int),
    "gen_ai.usage.reasoning_tokens": (REASONING, 40, _int),
    "enduser.id": (USER, 41, _TEXT),
}

# Indexed keys: regex (group 1 = index), target slot, rank, part name (None: regex group 2;
# TOOL_CALL: groups 2 and 3 are the call's index and field, the part is `(call index, field)`).
TOOL_CALL = "tool_call"
_INDEXED: tuple[tuple[re.Pattern[str], int, int, str | None], ...] = (
    (re.compile(r"llm\.input_messages\.(\d+)\.message\.(role|content)$"), INPUT, 30, None),
    (re.compile(r"llm\.input_messages\.(\d+)\.message\.contents\.\d+\.message_content\.text$"),
     INPUT, 30, "content"),
    (re.compile(r"llm\.input_messages\.(\d+)\.message\.tool_calls\.(\d+)\.tool_call\.function\.(name|arguments)$"),
     INPUT, 30, TOOL_CALL),
    (re.compile(r"llm\.output_messages\.(\d+)\.message\.(role|content|finish_reason)$"), OUTPUT, 30, None),
    (re.compile(r"llm\.output_messages\.(\d+)\.message\.contents\.\d+\.message_content\.text$"),
     OUTPUT, 30, "content"),
    (re.compile(r"llm\.output_messages\.(\d+)\.message\.tool_calls\.(\d+)\.tool_call\.function\.(name|arguments)$"),
     OUTPUT, 30, TOOL_CALL),
    (re.compile(r"retrieval\.documents\.(\d+)\.document\.content$"), OUTPUT, 32, "document"),
    (re.compile(r"gen_ai\.prompt\.(\d+)\.(role|content)$"), INPUT, 40, None),
    (re.compile(r"gen_ai\.prompt\.(\d+)\.tool_calls\.(\d+)\.(name|arguments)$"), INPUT, 40, TOOL_CALL),
    (re.compile(r"gen_ai\.completion\.(\d+)\.(role|content|finish_reason)$"), OUTPUT, 40, None),
    (re.compile(r"gen_ai\.completion\.(\d+)\.tool_calls\.(\d+)\.(name|arguments)$"), OUTPUT, 40, TOOL_CALL),
)
_INDEXED_PREFIXES = ("llm.input_messages.", "llm.output_messages.", "retrieval.documents.", "gen_ai.prompt.",
                     "gen_ai.completion.")
_CACHE_LIMIT = 50_000  # keys seen beyond this are resolved each time instead of remembered


def resolve(key: str) -> Spec | None:
    """Spec of a key that is not in the static table: indexed, feature or unknown."""
    if key.startswith("pyflare.features."):
        return (FEATURES, 0, key[len("pyflare.features."):])
    if key.startswith(_INDEXED_PREFIXES):
        for pattern, target, rank, part in _INDEXED:
            m = pattern.match(key)
            if m:
                if part == TOOL_CALL:
                    return (INDEXED, rank, (target, int(m.group(1)), (int(m.group(2)), m.group(3))))
                return (INDEXED, rank, (target, int(m.group(1)), part or m.group(2)))
    return None


class _SpecTable(dict[str, Spec | None]):
    """The static table plus every key met so far (bounded): a hit costs one C-level lookup."""

    def __missing__(self, key: str) -> Spec | None:
        spec = resolve(key)
        if len(self) < _CACHE_LIMIT:
            self[key] = spec
        return spec


SPEC = _SpecTable(_STATIC)


# Metrics and logs carry no spans: only the model is read from their attributes.
_MODEL_KEYS = {"pyflare.model.id": 0, "gen_ai.request.model": 1, "gen_ai.response.model": 2, "llm.model_name": 3}


def read_attributes(kvs: Any, keys: list[str], values: list[str]) -> str:
    """Append every attribute's key and text; return the model id they name ('' if none)."""
    model = ""
    best = NO_RANK
    model_rank = _MODEL_KEYS.get
    for kv in kvs:
        key = kv.key
        av = kv.value
        text = av.string_value or any_text(av)
        keys.append(key)
        values.append(text)
        rank = model_rank(key)
        if rank is not None and rank < best:
            best = rank
            model = text
    return model
