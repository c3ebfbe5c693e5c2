"""GenAI content in OTLP log records -> span content rows -> the previews of their span.

Records are emitted through the real OpenTelemetry SDK's LoggerProvider inside a span, in the shapes
openai-v2 sends: one record per message (event name in `event_name`, or in the older `event.name`
attribute) and, in newer versions, one `gen_ai.client.inference.operation.details` record.
"""

from __future__ import annotations

import json
from typing import Any

import pyarrow as pa
from opentelemetry.sdk.trace import TracerProvider

from tests.telemetry.sdk_requests import log_request
from workers.telemetry.log_content import SPAN_CONTENT_SCHEMA, content_table, join_content, record_content
from workers.telemetry.logs import LogBatch

TOOL_CALL = {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'}}


def _logged(emit: Any) -> tuple[pa.Table, str, str]:
    tracer = TracerProvider().get_tracer("t")
    ids: list[str] = []

    def record(logger: Any) -> None:
        with tracer.start_as_current_span("chat gpt-4o-mini") as span:
            ctx = span.get_span_context()
            ids.extend([format(ctx.trace_id, "032x"), format(ctx.span_id, "016x")])
            emit(logger)

    batch = LogBatch()
    batch.add_request(log_request(record))
    return batch.to_arrow(), ids[0], ids[1]


def _joined(table: pa.Table | None, chars: int = 1000) -> Any:
    assert table is not None and table.schema == SPAN_CONTENT_SCHEMA
    rows = [(r["direction"], r["time"].value, r["event_name"], r["text"], r["finish_reasons"])
            for r in table.to_pylist()]  # fmt: skip
    return join_content(rows, chars)


def test_one_record_per_message_as_openai_v2_sends_them() -> None:
    def emit(logger: Any) -> None:
        logger.emit(event_name="gen_ai.system.message", body={"content": "Be brief."},
                    attributes={"gen_ai.system": "openai"})
        logger.emit(event_name="gen_ai.user.message", body={"content": "Weather in Paris?"})
        logger.emit(event_name="gen_ai.assistant.message", body={"tool_calls": [TOOL_CALL]})
        logger.emit(event_name="gen_ai.tool.message", body={"content": "rainy", "id": "call_1"})
        logger.emit(body={"index": 0, "finish_reason": "stop",
                          "message": {"role": "assistant", "content": "Rainy, take an umbrella."}},
                    attributes={"event.name": "gen_ai.choice"})  # the older place of the event name

    logs, trace_id, span_id = _logged(emit)
    table = content_table(logs, 1000)
    assert table is not None
    assert {(r["project"], r["trace_id"], r["span_id"]) for r in table.to_pylist()} == {("shop", trace_id, span_id)}
    joined = _joined(table)
    assert joined.input == ('system: Be brief.\nuser: Weather in Paris?\n'
                            'assistant: get_weather({"city":"Paris"})\ntool: rainy')  # fmt: skip
    assert joined.output == "assistant: Rainy, take an umbrella."
    assert joined.finish_reasons == ("stop",)


def test_choice_shapes_of_openllmetry_events() -> None:
    """Tool calls beside the message instead of in it, and one content part instead of a list."""
    tools = record_content("gen_ai.choice", json.dumps(
        {"index": 0, "message": {"content": None}, "finish_reason": "tool_calls", "tool_calls": [TOOL_CALL]}), {})
    assert tools == [("output", 'assistant: get_weather({"city":"Paris"})', ["tool_calls"])]
    one_part = {"content": {"type": "text", "content": "Streamed hello."}}
    part = record_content("gen_ai.choice", json.dumps({"index": 0, "message": one_part, "finish_reason": "stop"}), {})
    assert part == [("output", "assistant: Streamed hello.", ["stop"])]


def test_operation_details_record_of_newer_versions() -> None:
    inputs = [{"role": "user", "parts": [{"type": "text", "content": "Hi"}]}]
    outputs = [{"role": "assistant", "parts": [{"type": "text", "content": "Hello!"}], "finish_reason": "stop"}]

    def emit(logger: Any) -> None:
        logger.emit(event_name="gen_ai.client.inference.operation.details", attributes={
            "gen_ai.system_instructions": json.dumps([{"type": "text", "content": "Be kind."}]),
            "gen_ai.input.messages": json.dumps(inputs), "gen_ai.output.messages": json.dumps(outputs),
        })  # fmt: skip

    joined = _joined(content_table(_logged(emit)[0], 1000))
    assert (joined.input, joined.output, joined.finish_reasons) == ("system: Be kind.\nuser: Hi", "assistant: Hello!",
                                                                    ("stop",))  # fmt: skip


def test_records_without_content_or_span_or_genai_name_give_no_rows() -> None:
    def emit(logger: Any) -> None:
        logger.emit(event_name="gen_ai.user.message", body={})  # content capture off
        logger.emit(event_name="app.log", body="hello")

    assert content_table(_logged(emit)[0], 1000) is None
    outside = LogBatch()
    outside.add_request(log_request(lambda log: log.emit(event_name="gen_ai.user.message", body={"content": "x"})))
    assert content_table(outside.to_arrow(), 1000) is None  # no span to join with
    # a choice without content still tells why the model stopped
    assert record_content("gen_ai.choice", '{"index":0,"finish_reason":"length","message":{}}', {}) == [
        ("output", "", ["length"])]  # fmt: skip


def test_join_orders_by_record_time_counts_a_redelivery_once_and_truncates() -> None:
    rows = [("output", 30, "gen_ai.choice", "assistant: b", ["stop"]),
            ("input", 20, "gen_ai.user.message", "user: second", []),
            ("input", 10, "gen_ai.system.message", "system: first", []),
            ("input", 20, "gen_ai.user.message", "user: second", [])]  # fmt: skip
    joined = join_content(rows, 1000)
    assert (joined.input, joined.output, joined.finish_reasons) == ("system: first\nuser: second", "assistant: b",
                                                                    ("stop",))  # fmt: skip
    assert join_content(rows, 9).input == "system: f"
