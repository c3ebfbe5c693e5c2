"""GenAI content carried by OTLP log records -> span content rows, and those rows -> span previews.

Instrumentations such as OpenTelemetry's openai-v2 send the prompt and the completion as log
records beside the span: one record per message (`gen_ai.{system,user,assistant,tool}.message`,
`gen_ai.choice`) or one record for the whole call (`gen_ai.client.inference.operation.details`
with `gen_ai.input.messages`/`gen_ai.output.messages`). Each such record with a span id becomes one
row per direction (input/output) of `span_content`; the trace API joins a span's rows, in record
order, into the previews the span itself lacks (docs/ingestion.md, "Content in log records").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from workers.telemetry.anyvalue import from_json
from workers.telemetry.columns import STR, TS_NS
from workers.telemetry.messages import choice_message, finish_reasons_of, message_text, parse_messages, render_text

INPUT_ROLES = {
    "gen_ai.system.message": "system",
    "gen_ai.user.message": "user",
    "gen_ai.assistant.message": "assistant",
    "gen_ai.tool.message": "tool",
}
CHOICE = "gen_ai.choice"
DETAILS = "gen_ai.client.inference.operation.details"
CONTENT_EVENTS = frozenset([*INPUT_ROLES, CHOICE, DETAILS, "gen_ai.content.prompt", "gen_ai.content.completion"])

SPAN_CONTENT_SCHEMA = pa.schema([
    pa.field("project", STR, nullable=False),
    pa.field("trace_id", STR, nullable=False),
    pa.field("span_id", STR, nullable=False),
    pa.field("time", TS_NS, nullable=False),  # the record's time: orders a span's messages
    pa.field("direction", STR, nullable=False),  # input | output
    pa.field("event_name", STR, nullable=False),
    pa.field("text", STR, nullable=False),  # rendered like span previews ("role: text" lines)
    pa.field("finish_reasons", pa.list_(STR), nullable=False),
])  # fmt: skip

Content = tuple[str, str, list[str]]  # (direction, text, finish reasons)


def _json_object(text: str) -> dict[str, Any]:
    """The body as an object: JSON objects as they are, other text as the message content."""
    if text.startswith("{"):
        try:
            value = from_json(text)
        except (ValueError, RecursionError):
            return {"content": text}
        if isinstance(value, dict):
            return value
    return {"content": text} if text else {}


def _line(message: dict[str, Any]) -> str:
    """`role: text` of one message, '' when it carries no text (content capture off)."""
    role, text = message_text(message)
    if not text:
        return ""
    return f"{role}: {text}" if role else text


def record_content(event_name: str, body: str, attributes: Mapping[str, str]) -> list[Content]:
    """What one log record says about its span's input and output."""
    if event_name in INPUT_ROLES:
        message = _json_object(body)
        line = _line({**message, "role": message.get("role") or INPUT_ROLES[event_name]})
        return [("input", line, [])] if line else []
    if event_name == CHOICE:
        choice = _json_object(body)
        finish = [str(choice["finish_reason"])] if choice.get("finish_reason") else []
        line = _line(choice_message(choice))
        return [("output", line, finish)] if line or finish else []
    if event_name == DETAILS:
        return _details(_json_object(body), attributes)
    if event_name == "gen_ai.content.prompt":
        text = render_text(attributes.get("gen_ai.prompt", ""))
        return [("input", text, [])] if text else []
    if event_name == "gen_ai.content.completion":
        text = render_text(attributes.get("gen_ai.completion", ""))
        return [("output", text, [])] if text else []
    return []


def _details(body: dict[str, Any], attributes: Mapping[str, str]) -> list[Content]:
    """Both directions of one call, from attributes (the usual place) or the body."""

    def field(name: str) -> Any:
        return attributes.get(name) or body.get(name)

    out: list[Content] = []
    lines = []
    system = field("gen_ai.system_instructions")
    if system:
        parts = parse_messages(system)
        text = " ".join(message_text(p)[1] for p in parts) if parts is not None else str(system)
        if text:
            lines.append(f"system: {text}")
    inputs = field("gen_ai.input.messages")
    if inputs:
        lines.append(render_text(inputs))
    if any(lines):
        out.append(("input", "\n".join(line for line in lines if line), []))
    outputs = field("gen_ai.output.messages")
    finish = finish_reasons_of(outputs) if outputs else []
    if not finish and attributes.get("gen_ai.response.finish_reasons"):
        listed = parse_messages(attributes["gen_ai.response.finish_reasons"])
        finish = [str(r) for r in listed] if listed is not None else [attributes["gen_ai.response.finish_reasons"]]
    text = render_text(outputs) if outputs else ""
    if text or finish:
        out.append(("output", text, finish))
    return out


def content_table(logs: pa.Table, preview_chars: int) -> pa.Table | None:
    """Span content rows of a logs batch (LOG_SCHEMA), or None when no record carries any."""
    mask = pc.and_(
        pc.is_in(logs["event_name"], value_set=pa.array(sorted(CONTENT_EVENTS), STR)),
        pc.not_equal(logs["span_id"], ""),
    )
    if not pc.any(mask).as_py():
        return None
    records = logs.filter(mask).select(["project", "trace_id", "span_id", "time", "event_name", "body", "attributes"])
    columns: dict[str, list[Any]] = {name: [] for name in SPAN_CONTENT_SCHEMA.names}
    for r in records.to_pylist():
        for direction, text, finish in record_content(r["event_name"], r["body"], dict(r["attributes"])):
            for name in ("project", "trace_id", "span_id", "time", "event_name"):
                columns[name].append(r[name])
            columns["direction"].append(direction)
            columns["text"].append(text[:preview_chars])
            columns["finish_reasons"].append(finish)
    if not columns["text"]:
        return None
    return pa.Table.from_pydict(columns, schema=SPAN_CONTENT_SCHEMA)


@dataclass(frozen=True)
class JoinedContent:
    input: str
    output: str
    finish_reasons: tuple[str, ...]


def join_content(rows: Iterable[tuple[str, int, str, str, Iterable[str]]], preview_chars: int) -> JoinedContent:
    """One span's previews from its content rows `(direction, time, event_name, text, finish)`:
    texts in record order, one per line; a row delivered twice counts once."""
    seen = set()
    inputs: list[tuple[int, str]] = []
    outputs: list[tuple[int, str]] = []
    finish: list[tuple[int, tuple[str, ...]]] = []
    for direction, time, event_name, text, reasons in rows:
        key = (direction, time, event_name, text)
        if key in seen:
            continue
        seen.add(key)
        if direction == "input":
            inputs.append((time, text))
        else:
            outputs.append((time, text))
            if reasons:
                finish.append((time, tuple(reasons)))

    def joined(items: list[tuple[int, str]]) -> str:
        return "\n".join(t for _, t in sorted(items, key=lambda i: i[0]) if t)[:preview_chars]

    reasons = tuple(r for _, rs in sorted(finish, key=lambda i: i[0]) for r in rs)
    return JoinedContent(joined(inputs), joined(outputs), reasons)

