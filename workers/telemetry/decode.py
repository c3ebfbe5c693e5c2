"""OTLP payload bytes -> protobuf request, for the binary and the JSON encoding.

OTLP/JSON differs from protobuf's JSON mapping in one place that matters: trace and span ids are
hex strings, not base64. Ids are turned into base64 before `json_format` parses the document;
enums as numbers and 64-bit integers as strings are accepted by `json_format` as the spec asks.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any, TypeVar

from google.protobuf import json_format
from google.protobuf.message import DecodeError as ProtobufDecodeError
from google.protobuf.message import Message

from workers.telemetry.errors import DecodeError

M = TypeVar("M", bound=Message)
ENCODINGS = ("protobuf", "json")

# Path from the request root to the objects that carry ids, per signal; each step lists the
# lowerCamelCase and the original field name (receivers accept both).
_ID_PATHS: dict[str, tuple[tuple[str, ...], ...]] = {
    "traces": (("resourceSpans", "resource_spans"), ("scopeSpans", "scope_spans"), ("spans",)),
    "logs": (("resourceLogs", "resource_logs"), ("scopeLogs", "scope_logs"), ("logRecords", "log_records")),
    "metrics": (("resourceMetrics", "resource_metrics"), ("scopeMetrics", "scope_metrics"), ("metrics",)),
}
_ID_FIELDS = {
    "traceId": 16, "trace_id": 16, "spanId": 8, "span_id": 8, "parentSpanId": 8, "parent_span_id": 8,
}
_METRIC_KINDS = ("gauge", "sum", "histogram", "exponentialHistogram", "exponential_histogram", "summary")


def decode_request(payload: bytes, encoding: str, message_type: type[M], signal: str) -> M:
    """Parse an OTLP export request; raise DecodeError saying what is wrong."""
    request = message_type()
    if encoding == "protobuf":
        try:
            request.ParseFromString(payload)
        except (ProtobufDecodeError, ValueError, RecursionError) as exc:
            raise DecodeError(f"{signal}: not a valid OTLP protobuf {message_type.__name__}: {exc}") from None
        return request
    if encoding != "json":
        raise DecodeError(f"{signal}: unknown encoding {encoding!r}; accepted: {', '.join(ENCODINGS)}")
    try:
        doc = json.loads(payload)
    except (ValueError, RecursionError) as exc:
        raise DecodeError(f"{signal}: OTLP/JSON payload is not valid JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise DecodeError(f"{signal}: OTLP/JSON payload must be an object, got {type(doc).__name__}")
    for holder in _id_holders(doc, signal):
        _ids_to_base64(holder, signal)
    try:
        json_format.ParseDict(doc, request, ignore_unknown_fields=True)
    except (json_format.ParseError, ValueError, TypeError, RecursionError) as exc:
        raise DecodeError(f"{signal}: OTLP/JSON payload does not match {message_type.__name__}: {exc}") from None
    return request


def _children(objs: list[Any], names: tuple[str, ...]) -> list[Any]:
    out = []
    for obj in objs:
        if isinstance(obj, dict):
            for name in names:
                items = obj.get(name)
                if isinstance(items, list):
                    out.extend(items)
    return out


def _id_holders(doc: dict[str, Any], signal: str) -> list[Any]:
    objs: list[Any] = [doc]
    for names in _ID_PATHS.get(signal, ()):
        objs = _children(objs, names)
    if signal == "traces":
        return objs + _children(objs, ("links",))
    if signal == "metrics":  # exemplars of every data point carry ids
        points = []
        for metric in objs:
            if isinstance(metric, dict):
                points.extend(_children([metric.get(k) for k in _METRIC_KINDS], ("dataPoints", "data_points")))
        return _children(points, ("exemplars",))
    return objs


def _ids_to_base64(obj: Any, signal: str) -> None:
    if not isinstance(obj, dict):
        return
    for name, size in _ID_FIELDS.items():
        value = obj.get(name)
        if not isinstance(value, str) or not value:
            continue
        try:
            raw = bytes.fromhex(value)
        except ValueError:
            raw = b""
        if len(raw) == size:
            obj[name] = base64.b64encode(raw).decode("ascii")
            continue
        try:  # protobuf's own JSON mapping (base64) is accepted too: some exporters send it
            raw = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raw = b""
        if len(raw) != size:
            raise DecodeError(f"{signal}: {name} {value[:64]!r} is not {size * 2} hex characters")
