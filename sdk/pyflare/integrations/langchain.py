"""LangChain integration: a callback handler that turns runs into spans — chains, chat models and LLMs,
agents and their actions, tools, retrievers (their documents as retrieval contexts) and memory.

One line: `pyflare.instrument("langchain")` adds the handler to every callback manager; or pass
`PyFlareCallbackHandler()` in `callbacks=[...]` yourself. Each run's span is the child of its parent
run's span (by LangChain's run ids, so the tree holds across threads and async tasks) and is the
current span while the run executes, so provider spans and `pyflare.span()` nest under it. When a
provider integration (OpenAI, Anthropic) records the model call itself, the LangChain model span
keeps no usage (marked `pyflare.gen_ai.delegated`): the call is counted once. docs/sdk/langchain.md.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler
from opentelemetry import context, trace
from opentelemetry.trace import Span, SpanKind

from pyflare import genai_messages, semconv, span_data
from pyflare.integrations._genai import FRAMEWORK_LLM_SPANS, capture_enabled, classify_error
from pyflare.integrations._patch import Patches
from pyflare.preview import render_value
from pyflare.runtime import RUNTIME

_MEMORY_NAMES = ("RunnableWithMessageHistory", "load_history", "insert_history")
_patches = Patches()
_options = {"capture": False}


class _Run:
    __slots__ = ("kind", "span", "token")

    def __init__(self, span: Span, kind: str, token: object) -> None:
        self.span = span
        self.kind = kind
        self.token = token


def _name(serialized: dict[str, Any] | None, kwargs: dict[str, Any], default: str) -> str:
    name = kwargs.get("name")
    if name:
        return str(name)
    if serialized:
        if serialized.get("name"):
            return str(serialized["name"])
        ids = serialized.get("id")
        if isinstance(ids, list) and ids:
            return str(ids[-1])
    return default


class PyFlareCallbackHandler(BaseCallbackHandler):
    """Spans for LangChain runs. Thread-safe; inline so the span is current in the run's own task."""

    run_inline = True
    raise_error = False

    def __init__(self, capture_content: bool | None = None) -> None:
        self._runs: dict[UUID, _Run] = {}
        self._lock = threading.Lock()
        self._capture = capture_enabled(capture_content) if capture_content is not None else None

    @property
    def capture(self) -> bool:
        wanted = _options["capture"] if self._capture is None else self._capture
        return wanted and RUNTIME.capture_content

    # -- span bookkeeping ------------------------------------------------------------------------
    def _start(
        self,
        run_id: UUID,
        parent_run_id: UUID | None,
        name: str,
        kind: str,
        attributes: dict[str, Any],
        span_kind: SpanKind = SpanKind.INTERNAL,
    ) -> Span | None:
        tracer = RUNTIME.tracer
        if tracer is None:
            return None
        with self._lock:
            parent = self._runs.get(parent_run_id) if parent_run_id is not None else None
        ctx = trace.set_span_in_context(parent.span) if parent is not None else None
        attributes[semconv.FRAMEWORK_RUN_TYPE] = kind
        span = tracer.start_span(name, context=ctx, kind=span_kind, attributes=attributes)
        token = context.attach(trace.set_span_in_context(span))
        with self._lock:
            self._runs[run_id] = _Run(span, kind, token)
        return span

    def _end(self, run_id: UUID, error: BaseException | None = None) -> _Run | None:
        with self._lock:
            run = self._runs.pop(run_id, None)
        if run is None:
            return None
        if error is not None:
            span_data.record_failure(run.span, error)
            run.span.set_attribute(semconv.ERROR_CATEGORY, classify_error(error))
        try:
            context.detach(run.token)  # type: ignore[arg-type]
        finally:
            run.span.end()
        return run

    def _span(self, run_id: UUID) -> Span | None:
        with self._lock:
            run = self._runs.get(run_id)
        return run.span if run is not None else None

    def _preview(self, key: str, value: Any) -> dict[str, Any]:
        if not self.capture:
            return {}
        text = render_value(value, RUNTIME.preview_length)
        redact = RUNTIME.redact
        return {key: redact(text) if redact is not None else text}

    # -- chains, agents, memory ------------------------------------------------------------------
    def on_chain_start(
        self,
        serialized: dict[str, Any],
        inputs: Any,
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        **kwargs: Any,
    ) -> None:
        name = _name(serialized, kwargs, "chain")
        kind = "memory" if name in _MEMORY_NAMES or "Memory" in name else "chain"
        self._start(run_id, parent_run_id, name, kind, self._preview(semconv.INPUT_PREVIEW, inputs))

    def on_chain_end(self, outputs: Any, *, run_id: UUID, **kwargs: Any) -> None:
        span = self._span(run_id)
        if span is not None:
            for key, value in self._preview(semconv.OUTPUT_PREVIEW, outputs).items():
                span.set_attribute(key, value)
        self._end(run_id)

    def on_chain_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self._end(run_id, error)

    def on_agent_action(self, action: Any, *, run_id: UUID, **kwargs: Any) -> None:
        span = self._span(run_id)
        if span is None:
            return
        span.set_attribute(semconv.FRAMEWORK_RUN_TYPE, "agent")
        span.set_attribute(semconv.GEN_AI_OPERATION, "invoke_agent")
        event = {semconv.GEN_AI_TOOL_NAME: str(getattr(action, "tool", ""))}
        if self.capture:
            event[semconv.GEN_AI_TOOL_CALL_ARGUMENTS] = render_value(getattr(action, "tool_input", ""), 1000)
        span.add_event("agent_action", event)

    def on_agent_finish(self, finish: Any, *, run_id: UUID, **kwargs: Any) -> None:
        span = self._span(run_id)
        if span is not None:
            span.add_event(
                "agent_finish", self._preview(semconv.OUTPUT_PREVIEW, getattr(finish, "return_values", ""))
            )

    # -- models ----------------------------------------------------------------------------------
    def _model_start(
        self,
        serialized: dict[str, Any],
        run_id: UUID,
        parent_run_id: UUID | None,
        kwargs: dict[str, Any],
        operation: str,
        inputs: dict[str, Any],
    ) -> None:
        params = kwargs.get("invocation_params") or {}
        metadata = kwargs.get("metadata") or {}
        model = params.get("model") or params.get("model_name") or metadata.get("ls_model_name")
        provider = metadata.get("ls_provider")
        attributes: dict[str, Any] = {"pyflare.langchain.operation": operation}
        if model:
            attributes["pyflare.langchain.model"] = str(model)
        if provider:
            attributes["pyflare.langchain.provider"] = str(provider)
        attributes.update(inputs)
        name = f"{operation} {model}" if model else _name(serialized, kwargs, operation)
        span = self._start(run_id, parent_run_id, name, "llm", attributes, SpanKind.CLIENT)
        if span is not None:
            FRAMEWORK_LLM_SPANS[span.get_span_context().span_id] = False

    def on_chat_model_start(
        self,
        serialized: dict[str, Any],
        messages: list[list[Any]],
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        **kwargs: Any,
    ) -> None:
        inputs: dict[str, Any] = {}
        if self.capture and messages:
            converted = [
                genai_messages.message(
                    _role(m), m.content, getattr(m, "tool_calls", None) or None, RUNTIME.redact
                )
                for m in messages[0]
            ]
            inputs[semconv.GEN_AI_INPUT_MESSAGES] = genai_messages.to_json(converted)
        self._model_start(serialized, run_id, parent_run_id, kwargs, "chat", inputs)

    def on_llm_start(
        self,
        serialized: dict[str, Any],
        prompts: list[str],
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        **kwargs: Any,
    ) -> None:
        inputs = {}
        if self.capture and prompts:
            converted = genai_messages.input_messages(prompts, RUNTIME.redact)
            inputs[semconv.GEN_AI_INPUT_MESSAGES] = genai_messages.to_json(converted)
        self._model_start(serialized, run_id, parent_run_id, kwargs, "text_completion", inputs)

    def on_llm_end(self, response: Any, *, run_id: UUID, **kwargs: Any) -> None:
        span = self._span(run_id)
        if span is not None:
            delegated = FRAMEWORK_LLM_SPANS.pop(span.get_span_context().span_id, False)
            if delegated:
                span.set_attribute(semconv.DELEGATED_TO_PROVIDER, True)
            else:
                _record_llm_result(span, response, self.capture)
        self._end(run_id)

    def on_llm_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        span = self._span(run_id)
        if span is not None:
            FRAMEWORK_LLM_SPANS.pop(span.get_span_context().span_id, None)
        self._end(run_id, error)

    # -- tools and retrievers --------------------------------------------------------------------
    def on_tool_start(
        self,
        serialized: dict[str, Any],
        input_str: str,
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        **kwargs: Any,
    ) -> None:
        name = _name(serialized, kwargs, "tool")
        attributes: dict[str, Any] = {
            semconv.GEN_AI_OPERATION: "execute_tool",
            semconv.GEN_AI_TOOL_NAME: name,
            semconv.GEN_AI_TOOL_TYPE: "function",
        }
        call_id = (
            (kwargs.get("inputs") or {}).get("tool_call_id")
            if isinstance(kwargs.get("inputs"), dict)
            else None
        )
        if call_id:
            attributes[semconv.GEN_AI_TOOL_CALL_ID] = call_id
        if self.capture:
            redact = RUNTIME.redact
            attributes[semconv.GEN_AI_TOOL_CALL_ARGUMENTS] = redact(input_str) if redact else input_str
        self._start(run_id, parent_run_id, f"execute_tool {name}", "tool", attributes)

    def on_tool_end(self, output: Any, *, run_id: UUID, **kwargs: Any) -> None:
        span = self._span(run_id)
        if span is not None and self.capture:
            text = render_value(getattr(output, "content", output), RUNTIME.preview_length)
            redact = RUNTIME.redact
            span.set_attribute(semconv.GEN_AI_TOOL_CALL_RESULT, redact(text) if redact else text)
        self._end(run_id)

    def on_tool_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self._end(run_id, error)

    def on_retriever_start(
        self,
        serialized: dict[str, Any],
        query: str,
        *,
        run_id: UUID,
        parent_run_id: UUID | None = None,
        **kwargs: Any,
    ) -> None:
        name = _name(serialized, kwargs, "retriever")
        attributes = {semconv.GEN_AI_DATA_SOURCE_ID: name, **self._preview(semconv.INPUT_PREVIEW, query)}
        self._start(run_id, parent_run_id, f"retrieve {name}", "retriever", attributes)

    def on_retriever_end(self, documents: Sequence[Any], *, run_id: UUID, **kwargs: Any) -> None:
        span = self._span(run_id)
        if span is not None:
            span.set_attribute("pyflare.retrieval.document_count", len(documents))
            if self.capture:
                redact = RUNTIME.redact
                texts = [str(getattr(d, "page_content", d)) for d in documents]
                span_data.write_retrieval_contexts(span, [redact(t) for t in texts] if redact else texts)
        self._end(run_id)

    def on_retriever_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self._end(run_id, error)


def _role(message: Any) -> str:
    kind = getattr(message, "type", "user")
    return {"human": "user", "ai": "assistant", "system": "system", "tool": "tool"}.get(kind, str(kind))


def _record_llm_result(span: Span, response: Any, capture: bool) -> None:
    """Usage, model and finish reasons from a LangChain LLMResult (no provider span recorded them)."""
    attributes = span.attributes if hasattr(span, "attributes") else {}
    model = attributes.get("pyflare.langchain.model") if attributes else None
    provider = attributes.get("pyflare.langchain.provider") if attributes else None
    operation = attributes.get("pyflare.langchain.operation", "chat") if attributes else "chat"
    span.set_attribute(semconv.GEN_AI_OPERATION, operation)
    span.set_attribute(semconv.INFERENCE_TYPE, "llm")
    if model:
        span.set_attribute(semconv.GEN_AI_REQUEST_MODEL, model)
        span.set_attribute(semconv.MODEL_ID, model)
    if provider:
        span.set_attribute(semconv.GEN_AI_PROVIDER, provider)
        span.set_attribute(semconv.MODEL_PROVIDER, provider)
    generations = [g for batch in response.generations or [] for g in batch]
    usage: dict[str, Any] = {}
    finish: list[str] = []
    outputs = []
    for g in generations:
        message = getattr(g, "message", None)
        meta = getattr(message, "usage_metadata", None) or {}
        for key in ("input_tokens", "output_tokens"):
            usage[key] = usage.get(key, 0) + (meta.get(key) or 0) if meta else usage.get(key)
        details = meta.get("input_token_details") or {}
        out_details = meta.get("output_token_details") or {}
        for key, value in (
            ("cache_read", details.get("cache_read")),
            ("cache_creation", details.get("cache_creation")),
            ("reasoning", out_details.get("reasoning")),
        ):
            if value:
                usage[key] = usage.get(key, 0) + value
        info = getattr(g, "generation_info", None) or {}
        reason = info.get("finish_reason") or (getattr(message, "response_metadata", None) or {}).get(
            "finish_reason"
        )
        if reason:
            finish.append(str(reason))
        response_model = (getattr(message, "response_metadata", None) or {}).get("model_name")
        if response_model:
            span.set_attribute(semconv.GEN_AI_RESPONSE_MODEL, response_model)
        if capture:
            tool_calls = getattr(message, "tool_calls", None) or None
            outputs.append(
                genai_messages.output_message(
                    getattr(message, "content", g.text), tool_calls, reason, RUNTIME.redact
                )
            )
    if not usage.get("input_tokens") and not usage.get("output_tokens"):
        token_usage = (response.llm_output or {}).get("token_usage") or {}
        usage["input_tokens"] = token_usage.get("prompt_tokens")
        usage["output_tokens"] = token_usage.get("completion_tokens")
    span_data.write_tokens(
        span,
        usage.get("input_tokens"),
        usage.get("output_tokens"),
        usage.get("cache_read"),
        usage.get("cache_creation"),
        usage.get("reasoning"),
    )
    if finish:
        span.set_attribute(semconv.GEN_AI_FINISH_REASONS, finish)
    if outputs:
        span.set_attribute(semconv.GEN_AI_OUTPUT_MESSAGES, genai_messages.to_json(outputs))


# -- one-line setup -------------------------------------------------------------------------------------
_HANDLER: dict[str, PyFlareCallbackHandler] = {}


def _add_handler(original: Any) -> Any:
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        handler = _HANDLER.get("handler")
        if handler is not None and not any(
            isinstance(h, PyFlareCallbackHandler) for h in self.inheritable_handlers
        ):
            self.add_handler(handler, inherit=True)

    return __init__


def instrument(capture_content: bool | None = None, **_: Any) -> None:
    """Add PyFlare's handler to every LangChain callback manager (idempotent)."""
    _options["capture"] = capture_enabled(capture_content)
    if _patches.active:
        return
    _HANDLER["handler"] = PyFlareCallbackHandler()
    _patches.wrap("langchain_core.callbacks.base", "BaseCallbackManager", "__init__", _add_handler)


def uninstrument() -> None:
    _patches.undo()
    _HANDLER.clear()


def is_instrumented() -> bool:
    return _patches.active
