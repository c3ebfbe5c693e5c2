"""`@pyflare.trace` on sync, async, generator and async-generator functions, exported through the
OTel SDK's in-memory span exporter."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncIterator, Iterator

import pytest
from opentelemetry import trace
from opentelemetry.trace import SpanKind, StatusCode

import pyflare


def _exception_event(span):
    events = [e for e in span.events if e.name == "exception"]
    assert len(events) == 1
    return events[0].attributes


def test_bare_decorator_records_span_with_previews(captured):
    @pyflare.trace
    def add(a, b):
        return a + b

    assert add(2, b=3) == 5
    span = captured.span("add")
    assert span.kind is SpanKind.INTERNAL
    assert span.status.status_code is StatusCode.UNSET
    assert span.attributes["pyflare.input.preview"] == "a=2, b=3"
    assert span.attributes["pyflare.output.preview"] == "5"
    function = span.attributes["code.function.name"]
    assert function.endswith("test_bare_decorator_records_span_with_previews.<locals>.add")
    assert span.parent is None


def test_wraps_keeps_name_doc_signature_and_function_kind():
    def plain(x: int, *, scale: float = 1.0) -> float:
        """Scale x."""
        return x * scale

    async def coro(x: int) -> int:
        return x

    def gen(n: int) -> Iterator[int]:
        yield from range(n)

    async def agen(n: int) -> AsyncIterator[int]:
        for i in range(n):
            yield i

    for fn, kind_check in (
        (plain, inspect.isfunction),
        (coro, inspect.iscoroutinefunction),
        (gen, inspect.isgeneratorfunction),
        (agen, inspect.isasyncgenfunction),
    ):
        wrapped = pyflare.trace(fn)
        assert wrapped.__name__ == fn.__name__
        assert wrapped.__doc__ == fn.__doc__
        assert wrapped.__wrapped__ is fn
        assert inspect.signature(wrapped) == inspect.signature(fn)
        assert kind_check(wrapped)


def test_options_become_span_attributes(captured):
    @pyflare.trace(
        name="score-churn",
        model_id="churn-xgb",
        model_version="7",
        provider="in-house",
        inference_type="classification",
        attributes={"team.cost_center": 42},
    )
    def score(row):
        return 0.8

    score({"tenure": 3})
    span = captured.span("score-churn")
    assert span.attributes["pyflare.model.id"] == "churn-xgb"
    assert span.attributes["pyflare.model.version"] == "7"
    assert span.attributes["pyflare.model.provider"] == "in-house"
    assert span.attributes["pyflare.inference.type"] == "classification"
    assert span.attributes["team.cost_center"] == 42
    assert span.attributes["pyflare.input.preview"] == "{'tenure': 3}"


def test_string_argument_names_the_span(captured):
    @pyflare.trace("rerank")
    def rank(items):
        return sorted(items)

    assert rank([3, 1]) == [1, 3]
    assert captured.span("rerank").attributes["pyflare.output.preview"] == "[1, 3]"


def test_unknown_inference_type_lists_valid_values():
    with pytest.raises(ValueError, match="object_detection") as info:
        pyflare.trace(inference_type="vision")
    assert "'vision'" in str(info.value)


def test_nested_calls_link_parent_and_share_trace(captured):
    @pyflare.trace
    def inner():
        return "x"

    @pyflare.trace
    def outer():
        return inner() + inner()

    outer()
    parent = captured.span("outer")
    children = [s for s in captured.spans if s.name == "inner"]
    assert len(children) == 2
    for child in children:
        assert child.parent.span_id == parent.context.span_id
        assert child.context.trace_id == parent.context.trace_id


def test_exception_is_recorded_and_reraised(captured):
    @pyflare.trace
    def explode(code):
        raise KeyError(f"missing {code}")

    with pytest.raises(KeyError, match="missing 7"):
        explode(7)
    span = captured.span("explode")
    assert span.status.status_code is StatusCode.ERROR
    assert span.status.description == "KeyError: 'missing 7'"
    assert span.attributes["error.type"] == "KeyError"
    event = _exception_event(span)
    assert event["exception.type"] == "KeyError"
    assert "pyflare.output.preview" not in span.attributes


def test_method_preview_leaves_out_self(captured):
    class Model:
        def __repr__(self):
            return "<Model>"

        @pyflare.trace
        def predict(self, rows):
            return [r * 2 for r in rows]

    assert Model().predict([1, 2]) == [2, 4]
    span = captured.span("Model.predict")
    assert span.attributes["pyflare.input.preview"] == "[1, 2]"


def test_single_keyword_argument_previews_as_its_value(captured):
    @pyflare.trace
    def echo(*, text):
        return text

    echo(text="hello there")
    span = captured.span("echo")
    assert span.attributes["pyflare.input.preview"] == "hello there"
    assert span.attributes["pyflare.output.preview"] == "hello there"


def test_preview_is_truncated_to_the_configured_length(start):
    captured = start(preview_length=20)

    @pyflare.trace
    def shout(text):
        return text.upper()

    shout("y" * 100)
    span = captured.span("shout")
    assert span.attributes["pyflare.input.preview"] == "y" * 19 + "…"
    assert span.attributes["pyflare.output.preview"] == "Y" * 19 + "…"


def test_capture_switches(start):
    captured = start(capture_content=True)

    @pyflare.trace(capture_input=False)
    def no_input(x):
        return x

    @pyflare.trace(capture_output=False)
    def no_output(x):
        return x

    no_input(1)
    no_output(2)
    assert "pyflare.input.preview" not in captured.span("no_input").attributes
    assert captured.span("no_input").attributes["pyflare.output.preview"] == "1"
    assert "pyflare.output.preview" not in captured.span("no_output").attributes
    assert captured.span("no_output").attributes["pyflare.input.preview"] == "2"


def test_capture_content_false_drops_all_previews(start):
    captured = start(capture_content=False)

    @pyflare.trace
    def secret(prompt):
        return prompt

    secret("my password")
    attributes = captured.span("secret").attributes
    assert "pyflare.input.preview" not in attributes
    assert "pyflare.output.preview" not in attributes


def test_async_function_spans_nest_and_record_errors(captured):
    @pyflare.trace
    async def fetch(n):
        await asyncio.sleep(0)
        if n < 0:
            raise ValueError("negative")
        return n * 10

    @pyflare.trace
    async def pipeline():
        return await fetch(4)

    assert asyncio.run(pipeline()) == 40
    with pytest.raises(ValueError, match="negative"):
        asyncio.run(fetch(-1))

    fetches = [s for s in captured.spans if s.name == "fetch"]
    ok = next(s for s in fetches if s.status.status_code is StatusCode.UNSET)
    failed = next(s for s in fetches if s.status.status_code is StatusCode.ERROR)
    assert ok.parent.span_id == captured.span("pipeline").context.span_id
    assert ok.attributes["pyflare.output.preview"] == "40"
    assert failed.parent is None
    assert _exception_event(failed)["exception.message"] == "negative"


def test_concurrent_tasks_keep_their_own_parents(captured):
    @pyflare.trace
    async def leaf(tag):
        await asyncio.sleep(0.01)
        return tag

    @pyflare.trace
    async def branch(tag):
        await asyncio.sleep(0)
        return await leaf(tag)

    async def main():
        return await asyncio.gather(branch("a"), branch("b"))

    assert asyncio.run(main()) == ["a", "b"]
    branches = {s.attributes["pyflare.input.preview"]: s for s in captured.spans if s.name == "branch"}
    leaves = {s.attributes["pyflare.input.preview"]: s for s in captured.spans if s.name == "leaf"}
    for tag in ("a", "b"):
        assert leaves[tag].parent.span_id == branches[tag].context.span_id
    assert branches["a"].context.trace_id != branches["b"].context.trace_id


def test_generator_span_covers_whole_iteration(captured):
    seen_inside = []
    seen_by_consumer = []

    @pyflare.trace
    def lookup(token):
        return token

    @pyflare.trace
    def stream(words):
        for word in words:
            seen_inside.append(trace.get_current_span())
            yield lookup(word)
        return len(words)

    def consume():
        result = yield from stream(["to", "ken"])
        return result

    with pyflare.span("request") as request:
        gen = consume()
        items = []
        try:
            while True:
                items.append(next(gen))
                seen_by_consumer.append(trace.get_current_span())
        except StopIteration as stop:
            returned = stop.value

    assert items == ["to", "ken"]
    assert returned == 2
    span = captured.span("stream")
    assert span.parent.span_id == request.span.get_span_context().span_id
    assert span.attributes["pyflare.output.preview"] == "token"
    assert span.attributes["pyflare.input.preview"] == "['to', 'ken']"
    assert all(s.get_span_context().span_id == span.context.span_id for s in seen_inside)
    # Between items the consumer's own span is current again, not the generator's.
    assert all(s is request.span for s in seen_by_consumer)
    for child in (s for s in captured.spans if s.name == "lookup"):
        assert child.parent.span_id == span.context.span_id
    assert span.end_time >= max(s.end_time for s in captured.spans if s.name == "lookup")


def test_generator_closed_early_ends_span_and_runs_cleanup(captured):
    cleaned = []

    @pyflare.trace
    def numbers():
        try:
            yield from range(100)
        finally:
            cleaned.append(True)

    gen = numbers()
    assert [next(gen), next(gen)] == [0, 1]
    assert captured.spans == ()  # still iterating: the span is open
    gen.close()
    assert cleaned == [True]
    span = captured.span("numbers")
    assert span.status.status_code is StatusCode.UNSET
    assert span.attributes["pyflare.output.preview"] == "[0, 1]"


def test_generator_error_is_recorded_and_reraised(captured):
    @pyflare.trace
    def flaky():
        yield 1
        raise RuntimeError("stream broke")

    gen = flaky()
    assert next(gen) == 1
    with pytest.raises(RuntimeError, match="stream broke"):
        next(gen)
    span = captured.span("flaky")
    assert span.status.status_code is StatusCode.ERROR
    assert span.attributes["error.type"] == "RuntimeError"


def test_generator_forwards_send_and_throw(captured):
    @pyflare.trace
    def accumulator():
        total = 0
        while True:
            try:
                value = yield total
            except ValueError:
                total = -1
                continue
            if value is None:
                return total
            total += value

    gen = accumulator()
    assert next(gen) == 0
    assert gen.send(5) == 5
    assert gen.send(2) == 7
    assert gen.throw(ValueError("reset")) == -1
    with pytest.raises(StopIteration):
        gen.send(None)
    span = captured.span("accumulator")
    assert span.status.status_code is StatusCode.UNSET


def test_async_generator_span_covers_iteration_and_errors(captured):
    @pyflare.trace
    async def tokens(prompt):
        for piece in ("Hel", "lo"):
            await asyncio.sleep(0)
            yield piece

    @pyflare.trace
    async def broken():
        yield "a"
        raise ConnectionError("upstream closed")

    async def main():
        with pyflare.span("handler") as handler:
            out = [piece async for piece in tokens("hi")]
        failures = []
        try:
            async for _ in broken():
                pass
        except ConnectionError as exc:
            failures.append(exc)
        return out, handler, failures

    out, handler, failures = asyncio.run(main())
    assert out == ["Hel", "lo"]
    assert len(failures) == 1
    span = captured.span("tokens")
    assert span.parent.span_id == handler.span.get_span_context().span_id
    assert span.attributes["pyflare.output.preview"] == "Hello"
    assert span.attributes["pyflare.input.preview"] == "hi"
    failed = captured.span("broken")
    assert failed.status.status_code is StatusCode.ERROR
    assert failed.status.description == "ConnectionError: upstream closed"


def test_async_generator_aclose_and_asend(captured):
    closed = []

    @pyflare.trace
    async def doubler():
        try:
            value = 0
            while True:
                value = (yield value * 2) or value
        finally:
            closed.append(True)

    async def main():
        gen = doubler()
        first = await gen.asend(None)
        second = await gen.asend(21)
        await gen.aclose()
        return first, second

    assert asyncio.run(main()) == (0, 42)
    assert closed == [True]
    assert captured.span("doubler").status.status_code is StatusCode.UNSET


def test_wrong_arguments_to_a_generator_end_the_span(captured):
    @pyflare.trace
    def gen(a):
        yield a

    with pytest.raises(TypeError):
        list(gen(1, 2))
    span = captured.span("gen")
    assert span.status.status_code is StatusCode.ERROR
    assert span.end_time is not None
