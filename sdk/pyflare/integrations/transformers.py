"""Hugging Face transformers: every pipeline call is one span (`pyflare.instrument("transformers")`).

The span is named "<task> <model>" and carries the task, the model (`gen_ai.request.model` and
`pyflare.model.id`), the latency, the batch size, and tokens: input tokens as the pipeline's tokenizer
counts them for the text inputs (special tokens included: what the model reads), output tokens as the
tokenizer counts the newly generated text (the prompt removed) for generation tasks. Classification
results give `pyflare.prediction` and its score (first input's top label). Previews of inputs and
outputs are written only when content capture is on. Generation, classification and embedding tasks
also feed the GenAI `gen_ai.client.operation.duration` / `gen_ai.client.token.usage` metrics.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable
from typing import Any

from opentelemetry import context
from opentelemetry import trace as otel_trace
from opentelemetry.trace import Span

from pyflare import semconv, span_data
from pyflare.runtime import RUNTIME

PROVIDER = "transformers"
TASK = "pyflare.transformers.task"
LATENCY_MS = "pyflare.transformers.latency_ms"
BATCH_SIZE = "pyflare.batch.size"

_GENERATION = {"text-generation", "text2text-generation", "summarization", "translation"}
_CLASSIFICATION = {"text-classification", "sentiment-analysis", "zero-shot-classification",
                   "token-classification", "ner", "image-classification", "audio-classification"}  # fmt: skip
_EMBEDDING = {"feature-extraction", "sentence-similarity"}

_originals: list[tuple[type, Callable[..., Any]]] = []
_local = threading.local()
_lock = threading.Lock()


def _inference_type(task: str) -> semconv.InferenceType:
    if task in _GENERATION or task.startswith("translation"):
        return semconv.InferenceType.LLM
    if task in _CLASSIFICATION:
        return semconv.InferenceType.CLASSIFICATION
    if task in _EMBEDDING:
        return semconv.InferenceType.EMBEDDING
    return semconv.InferenceType.CUSTOM


def _operation(kind: semconv.InferenceType) -> str:
    return {semconv.InferenceType.LLM: "text_completion", semconv.InferenceType.EMBEDDING: "embeddings"}.get(
        kind, "inference"
    )


def model_name(pipeline: Any) -> str:
    model = getattr(pipeline, "model", None)
    name = getattr(model, "name_or_path", None) or getattr(
        getattr(model, "config", None), "_name_or_path", ""
    )
    return str(name) or type(model).__name__


def _texts(inputs: Any) -> list[str] | None:
    """The text inputs (one string, a list of strings, or chat messages' contents); None otherwise."""
    if isinstance(inputs, str):
        return [inputs]
    if isinstance(inputs, (list, tuple)) and inputs:
        if all(isinstance(i, str) for i in inputs):
            return list(inputs)
        if all(isinstance(i, dict) and isinstance(i.get("content"), str) for i in inputs):
            return ["\n".join(i["content"] for i in inputs)]  # one conversation is one input
    return None


def _count(tokenizer: Any, texts: list[str], special_tokens: bool) -> int:
    return sum(len(tokenizer(t, add_special_tokens=special_tokens)["input_ids"]) for t in texts)


def _generated(outputs: Any, prompts: list[str]) -> list[str]:
    """The new text of each generation result (a prompt echoed at its start is removed)."""
    flat = outputs
    while isinstance(flat, list) and flat and isinstance(flat[0], list):
        flat = [item for group in flat for item in group]
    results = flat if isinstance(flat, list) else [flat]
    texts = []
    for index, result in enumerate(results):
        if not isinstance(result, dict):
            continue
        text = result.get("generated_text", result.get("summary_text", result.get("translation_text")))
        if isinstance(text, list) and text and isinstance(text[-1], dict):  # chat: the reply message
            text = text[-1].get("content")
        if not isinstance(text, str):
            continue
        prompt = prompts[index] if index < len(prompts) else (prompts[0] if len(prompts) == 1 else "")
        texts.append(text[len(prompt) :] if prompt and text.startswith(prompt) else text)
    return texts


def _top_label(outputs: Any) -> tuple[Any, float | None] | None:
    first = outputs
    while isinstance(first, list) and first:
        first = first[0]
    if isinstance(first, dict) and "label" in first:
        score = first.get("score")
        return first["label"], float(score) if score is not None else None
    if isinstance(first, dict) and "labels" in first and first["labels"]:  # zero-shot
        return first["labels"][0], float(first["scores"][0])
    return None


def _preview(value: Any) -> str:
    return str(value)[: RUNTIME.preview_length]


class _Call:
    def __init__(self, pipeline: Any, inputs: Any) -> None:
        self.task = str(getattr(pipeline, "task", "") or type(pipeline).__name__)
        self.model = model_name(pipeline)
        self.kind = _inference_type(self.task)
        self.tokenizer = getattr(pipeline, "tokenizer", None)
        self.texts = _texts(inputs)
        self.inputs = inputs
        chat = isinstance(inputs, (list, tuple)) and bool(inputs) and isinstance(inputs[0], dict)
        self.batch = len(inputs) if isinstance(inputs, (list, tuple)) and not chat else 1
        self.attributes: dict[str, Any] = {
            semconv.GEN_AI_OPERATION: _operation(self.kind),
            semconv.GEN_AI_PROVIDER: PROVIDER,
            semconv.GEN_AI_REQUEST_MODEL: self.model,
            semconv.MODEL_ID: self.model,
            semconv.MODEL_PROVIDER: PROVIDER,
            semconv.INFERENCE_TYPE: self.kind.value,
            TASK: self.task,
        }

    def tokens(self, outputs: Any) -> tuple[int | None, int | None]:
        if self.tokenizer is None or self.texts is None:
            return None, None
        input_tokens = _count(self.tokenizer, self.texts, special_tokens=True)
        output_tokens = None
        if self.kind is semconv.InferenceType.LLM:
            output_tokens = _count(self.tokenizer, _generated(outputs, self.texts), special_tokens=False)
        return input_tokens, output_tokens

    def write(self, span: Span, outputs: Any, elapsed_s: float) -> tuple[int | None, int | None]:
        span.set_attribute(LATENCY_MS, elapsed_s * 1e3)
        span.set_attribute(BATCH_SIZE, self.batch)
        input_tokens, output_tokens = self.tokens(outputs)
        span_data.write_tokens(span, input=input_tokens, output=output_tokens)
        if self.kind is semconv.InferenceType.CLASSIFICATION:
            top = _top_label(outputs)
            if top is not None:
                span_data.write_prediction(span, *top)
        if RUNTIME.capture_content:
            span.set_attribute(semconv.INPUT_PREVIEW, _preview(self.inputs))
            span.set_attribute(semconv.OUTPUT_PREVIEW, _preview(outputs))
        return input_tokens, output_tokens


def _traced(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def __call__(pipeline: Any, *args: Any, **kwargs: Any) -> Any:
        tracer = RUNTIME.tracer
        if tracer is None or getattr(_local, "inside", False):
            return original(pipeline, *args, **kwargs)
        inputs = args[0] if args else next(iter(kwargs.values()), None)
        call = _Call(pipeline, inputs)
        span = tracer.start_span(f"{call.task} {call.model}", attributes=call.attributes)
        token = context.attach(otel_trace.set_span_in_context(span))
        _local.inside = True  # a pipeline's __call__ calls its base class's: one span per user call
        start = time.perf_counter()
        try:
            outputs = original(pipeline, *args, **kwargs)
        except Exception as exc:
            span_data.record_failure(span, exc)
            span.end()
            raise
        finally:
            elapsed = time.perf_counter() - start
            _local.inside = False
            context.detach(token)
        try:
            tokens = call.write(span, outputs, elapsed) if span.is_recording() else (None, None)
        finally:
            span.end()
        metrics = RUNTIME.genai_metrics
        if metrics is not None:
            keys = (semconv.GEN_AI_OPERATION, semconv.GEN_AI_PROVIDER, semconv.GEN_AI_REQUEST_MODEL)
            metrics.record({k: call.attributes[k] for k in keys}, elapsed, *tokens, span)
        return outputs

    return __call__


def _pipeline_classes(base: type) -> list[type]:
    """`base` and every subclass defined so far (each task's pipeline overrides `__call__`)."""
    found, pending = [], [base]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return found


def instrument(**_options: Any) -> None:
    """Trace every `transformers` pipeline call in the process."""
    import transformers.pipelines  # noqa: F401  (defines every task's pipeline class)
    from transformers import Pipeline

    with _lock:
        if _originals:
            return
        for cls in _pipeline_classes(Pipeline):
            original = cls.__dict__.get("__call__")
            if original is not None:
                _originals.append((cls, original))
                cls.__call__ = _traced(original)  # type: ignore[method-assign]


def uninstrument() -> None:
    with _lock:
        while _originals:
            cls, original = _originals.pop()
            cls.__call__ = original  # type: ignore[method-assign]


def is_instrumented() -> bool:
    return bool(_originals)
