"""Span fields that need more than one attribute: indexed messages, output messages, features,
GenAI events, and the inference type derived from what was seen.

Called only for spans that carry such attributes, so the common path stays one dict lookup.
"""

from __future__ import annotations

from typing import Any

from workers.telemetry.genai_events import EventMessages
from workers.telemetry.messages import finish_reasons_of, parse_messages, render
from workers.telemetry.semconv import (
    FEATURES,
    FINISH,
    INDEXED,
    INPUT,
    MODEL,
    OUTPUT,
    PROVIDER,
)

_EMBEDDING_OPERATIONS = frozenset(["embeddings", "embedding"])
_LLM_OPERATIONS = frozenset(["chat", "text_completion", "generate_content", "completion", "llm"])
_LLM_SIGNAL_SLOTS = (MODEL, PROVIDER)
# Event-derived values rank after the current GenAI attributes, as the deprecated convention.
_EVENT_RANK = 20


def offer(vals: list[Any], ranks: list[int], slot: int, rank: int, value: Any) -> None:
    if rank < ranks[slot]:
        ranks[slot] = rank
        vals[slot] = value


def apply_extras(
    extras: list[tuple[int, int, Any, str]],
    vals: list[Any],
    ranks: list[int],
    feature_keys: list[str],
    feature_values: list[str],
) -> None:
    indexed: dict[tuple[int, int], dict[int, dict[str, str]]] = {}
    for slot, rank, conv, text in extras:
        if slot == FEATURES:
            feature_keys.append(conv)
            feature_values.append(text)
        elif slot == INDEXED:
            target, index, part = conv
            message = indexed.setdefault((target, rank), {}).setdefault(index, {})
            if type(part) is tuple:  # (call index, "name" | "arguments") of a flattened tool call
                message.setdefault("tool_calls", {}).setdefault(part[0], {})[part[1]] = text
            else:
                message[part] = text
    for (target, rank), by_index in indexed.items():
        ordered = [_with_tool_calls(by_index[i]) for i in sorted(by_index)]
        if any("document" in m for m in ordered):
            joined = "\n".join(m["document"] for m in ordered if "document" in m)
        else:
            joined = render(ordered)
        offer(vals, ranks, target, rank, joined)
        if target == OUTPUT:
            reasons = tuple(m["finish_reason"] for m in ordered if m.get("finish_reason"))
            if reasons:
                offer(vals, ranks, FINISH, rank, reasons)


def _with_tool_calls(message: dict[str, Any]) -> dict[str, Any]:
    """The message with its flattened tool calls as a list in call order, as messages.py reads them."""
    calls = message.get("tool_calls")
    if type(calls) is dict:
        message["tool_calls"] = [calls[i] for i in sorted(calls)]
    return message


def output_finish_reasons(keys: list[str], values: list[str], start: int) -> tuple[str, ...]:
    """Finish reasons from the span's gen_ai.output.messages, for spans that lack
    gen_ai.response.finish_reasons (the map holds the messages as JSON text in either case)."""
    try:
        text = values[keys.index("gen_ai.output.messages", start)]
    except ValueError:
        return ()
    return tuple(finish_reasons_of(parse_messages(text) or []))


def apply_event_messages(messages: EventMessages, vals: list[Any], ranks: list[int]) -> None:
    text = messages.input_text()
    if text is not None:
        offer(vals, ranks, INPUT, _EVENT_RANK, text)
    text = messages.output_text()
    if text is not None:
        offer(vals, ranks, OUTPUT, _EVENT_RANK, text)
    if messages.finish:
        offer(vals, ranks, FINISH, _EVENT_RANK + 1, tuple(messages.finish))


def inference_type(operation: str, ranks: list[int], has_tokens: bool) -> str:
    """Inference type when pyflare.inference.type is absent: embedding, llm or ''.

    `llm` needs an LLM signal: tokens, an LLM operation, or a model or provider that came from a
    GenAI or OpenInference attribute (rank 10-49). input.value/output.value alone are not one:
    OpenInference puts them on chain, tool and retriever spans too.
    """
    if operation in _EMBEDDING_OPERATIONS:
        return "embedding"
    if has_tokens or operation in _LLM_OPERATIONS:
        return "llm"
    for slot in _LLM_SIGNAL_SLOTS:
        if 10 <= ranks[slot] < 50:
            return "llm"
    return ""
