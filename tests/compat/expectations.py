"""What PyFlare must store for each (family, case): derived from the provider's fixed answers
(examples/provider_stub.py CASES) and from what each instrumentation is known to send, quirks included.

A quirk is a place where an instrumentation reports something other than the provider said (or
nothing); each is written down here with what it is, so that a test failure means PyFlare changed,
not that an expectation was bent to fit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from examples.provider_stub import CASES, DATED

OPENAI_CASES = ("chat", "chat-cached", "stream-usage", "stream-no-usage", "tools", "embeddings", "responses")
ANTHROPIC_CASES = ("messages", "messages-cache", "messages-stream", "messages-tools")
TOOL_OUTPUT = "get_weather("

# Published list prices, USD per million tokens (openai.com/api/pricing, anthropic.com/pricing),
# independent of PyFlare's price table. Update here when the pricing source changes at merge.
PRICES: dict[str, dict[str, Decimal]] = {
    "gpt-4o-mini": {"input": Decimal("0.15"), "cache_read": Decimal("0.075"), "output": Decimal("0.60")},
    "gpt-4.1-mini": {"input": Decimal("0.40"), "cache_read": Decimal("0.10"), "output": Decimal("1.60")},
    "text-embedding-3-small": {"input": Decimal("0.02"), "output": Decimal("0")},
    "claude-sonnet-4-5": {"input": Decimal("3"), "cache_read": Decimal("0.30"), "cache_write": Decimal("3.75"),
                          "output": Decimal("15")},
}  # fmt: skip
# Cases pricing is known to leave unpriced: their cost is reported, not asserted (none today).
UNPRICED_TODAY: set[str] = set()
# A span's cost in the trace API is its exact cost rounded to whole micro-dollars.
COST_TOLERANCE_USD = Decimal("0.000002")


def base_model(model: str) -> str:
    return re.sub(r"-\d{4}-\d{2}-\d{2}$", "", model)


def provider_cost(case: str, model: str) -> Decimal | None:
    """The price of the provider's answer to `case`, from its own usage and PRICES."""
    prices = PRICES.get(base_model(model))
    c = CASES[case]
    if prices is None:
        return None
    per = Decimal(1_000_000)
    if case in ANTHROPIC_CASES:  # Anthropic's input_tokens exclude cache reads and writes
        total = (c.input_tokens * prices["input"] + c.cache_read * prices["cache_read"]
                 + c.cache_write * prices["cache_write"] + c.output_tokens * prices["output"])  # fmt: skip
    else:  # OpenAI's prompt_tokens include the cached ones
        cached = c.cache_read * prices.get("cache_read", prices["input"])
        total = (c.input_tokens - c.cache_read) * prices["input"] + cached + c.output_tokens * prices["output"]
    return total / per


@dataclass(frozen=True)
class Expect:
    span_name: str
    model: str
    provider: str
    input_tokens: int | None
    output_tokens: int | None
    cache_read: int  # None and 0 compare alike: families differ in sending zeros
    cache_write: int
    finish: tuple[str, ...]
    input_has: str  # '' = the preview is empty
    output_has: str
    response_id: bool  # gen_ai.response.id is on the span
    cost_checked: bool  # stored usage is the provider's and the model is priced today
    inference_type: str = "llm"


def _openai(family: str, case: str) -> Expect | None:
    c = CASES[case]
    stream_no_usage = case == "stream-no-usage"
    embeddings = case == "embeddings"
    model = "gpt-4.1-mini" if case == "responses" else "text-embedding-3-small" if embeddings else "gpt-4o-mini"
    finish: tuple[str, ...] = () if embeddings else ("tool_calls",) if c.tool_call else ("stop",)
    output = "" if embeddings else TOOL_OUTPUT if c.tool_call else c.text
    inputs = f"[case:{case}]"
    response_id = not embeddings
    cache_read = c.cache_read
    if family in ("openai-v2", "openai-v2-latest"):
        if case == "responses":
            return None  # 2.3b0 does not instrument the Responses API (2.4b0: not run)
        span_name = f"embeddings {model}" if embeddings else f"chat {model}"
        cache_read = 0  # quirk: neither 2.3b0 nor 2.4b0 reports cached prompt tokens
        if embeddings:
            inputs = ""  # no content events for embeddings
    elif family.startswith("openllmetry-openai"):
        span_name = {"embeddings": "openai.embeddings", "responses": "openai.response"}.get(case, "openai.chat")
        if c.tool_call:
            finish = ("tool_call",)  # OpenLLMetry's own word for tool calls
        if family.endswith("-events"):
            if case.startswith("stream"):
                output = ""  # quirk: the streamed choice is logged after the span ended (on its parent)
            if embeddings:
                finish, output = ("unknown",), "0.125 0.25"  # its choice event carries the vector
    elif family == "openinference-openai":
        span_name = {"embeddings": "CreateEmbeddings", "responses": "Response"}.get(case, "ChatCompletion")
        model = DATED.get(model, model)  # llm.model_name is the response's model
        response_id = False  # only inside output.value's JSON
        if case == "responses":
            finish = ()  # no finish reason for responses
        if embeddings:
            output = "0.125"  # input.value/output.value: the request and response JSON
    elif family == "pyflare-sdk":
        if case not in ("chat", "chat-cached", "embeddings"):
            return None
        span_name = f"embeddings {model}" if embeddings else f"chat {model}"
        response_id = False
    else:
        raise ValueError(family)
    return Expect(
        span_name=span_name, model=model, provider="openai", inference_type="embedding" if embeddings else "llm",
        input_tokens=None if stream_no_usage else c.input_tokens,
        output_tokens=None if stream_no_usage or embeddings else c.output_tokens,
        cache_read=cache_read, cache_write=0, finish=finish, input_has=inputs, output_has=output,
        response_id=response_id,
        cost_checked=not stream_no_usage and case not in UNPRICED_TODAY and cache_read == c.cache_read,
    )  # fmt: skip


def _anthropic(family: str, case: str) -> Expect | None:
    c = CASES[case]
    stream = case == "messages-stream"
    model = "claude-sonnet-4-5"
    # OpenLLMetry and the SDK report input tokens with cache reads and writes included (the GenAI
    # convention); PyFlare's SDK scenario passes Anthropic's own input_tokens through
    input_tokens = c.input_tokens + c.cache_read + c.cache_write
    output_tokens = c.output_tokens
    output = TOOL_OUTPUT if c.tool_call else c.text
    inputs = f"[case:{case}]"
    response_id = True
    cost_checked = True
    if family.startswith("openllmetry-anthropic"):
        span_name = "anthropic.chat"
        finish = ("tool_call",) if c.tool_call else ("stop",)
        if stream:
            output_tokens += 1  # quirk: adds message_start's output_tokens to message_delta's total
            cost_checked = False
        if family.endswith("-events"):
            finish, inputs, output = (), "", ""  # quirk: content events are logged on the parent span
            if not stream:
                model, response_id, cost_checked = "", False, False  # quirk: no request model in events mode
    elif family in ("anthropic-sdk", "anthropic-double"):
        span_name = "anthropic.messages.create"
        finish = ("tool_use",) if c.tool_call else ("end_turn",)
    elif family == "pyflare-sdk":
        if case != "messages-cache":
            return None
        span_name, finish, input_tokens, response_id = f"chat {model}", ("end_turn",), c.input_tokens, False
    else:
        raise ValueError(family)
    return Expect(
        span_name=span_name, model=model, provider="anthropic", input_tokens=input_tokens,
        output_tokens=output_tokens, cache_read=c.cache_read, cache_write=c.cache_write, finish=finish,
        input_has=inputs, output_has=output, response_id=response_id, cost_checked=cost_checked,
    )  # fmt: skip


def expect(family: str, case: str) -> Expect | None:
    """What the LLM span of `case` in `family` must look like; None when the family has no span for it."""
    if case in ANTHROPIC_CASES:
        return _anthropic(family, case)
    return _openai(family, case)


SINGLE_CALL_FAMILIES: dict[str, tuple[str, ...]] = {
    "openai-v2": OPENAI_CASES,
    "openai-v2-latest": ("chat", "chat-cached", "stream-usage", "tools", "embeddings"),
    "openllmetry-openai": OPENAI_CASES,
    "openllmetry-openai-events": OPENAI_CASES,
    "openinference-openai": OPENAI_CASES,
    "openllmetry-anthropic": ANTHROPIC_CASES,
    "openllmetry-anthropic-events": ANTHROPIC_CASES,
    "anthropic-sdk": ANTHROPIC_CASES,
    "pyflare-sdk": ("chat", "chat-cached", "embeddings", "messages-cache"),
}
