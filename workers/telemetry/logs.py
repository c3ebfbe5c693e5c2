"""OTLP log records -> rows of `LOG_SCHEMA`, one per record.

Bodies that are not strings (GenAI events send key-value lists) are kept as JSON; the event name
comes from the record's `event_name`, else from the older `event.name` attribute.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest

from workers.telemetry.anyvalue import any_python, to_json
from workers.telemetry.batch import OtlpBatch, Parts
from workers.telemetry.columnar import map_array, scalar_array, shared_map_array
from workers.telemetry.columns import LOG_SCHEMA
from workers.telemetry.errors import DecodeError
from workers.telemetry.limits import MAX_TIME_NS, check_time
from workers.telemetry.resource import resource_info
from workers.telemetry.semconv import read_attributes


class LogParts(Parts):
    def __init__(self) -> None:
        super().__init__()
        self.attr_keys: list[str] = []
        self.attr_values: list[str] = []


def body_text(av: Any) -> str:
    kind = av.WhichOneof("value")
    if kind == "string_value":
        return av.string_value
    return "" if kind is None else to_json(any_python(av))


class LogBatch(OtlpBatch[ExportLogsServiceRequest]):
    """Log records from OTLP export requests, one Arrow table per batch."""

    signal = "logs"
    schema = LOG_SCHEMA
    request_type = ExportLogsServiceRequest
    parts_type = LogParts

    def _normalise(
        self, request: ExportLogsServiceRequest, parts: LogParts, partition: int, offset: int, resource_base: int
    ) -> None:
        keys = parts.attr_keys
        window = self.options.time_window()
        first_row = len(parts.rows)  # errors name items by their position in the request
        for rl in request.resource_logs:
            res = resource_info(rl.resource, self.options.default_project)
            rid = resource_base + len(parts.resources)
            parts.resources.append((res.keys, res.values))
            for sl in rl.scope_logs:
                scope_name = sl.scope.name
                for record in sl.log_records:
                    trace_id = record.trace_id.hex()
                    span_id = record.span_id.hex()
                    if len(trace_id) not in (0, 32) or len(span_id) not in (0, 16):
                        raise DecodeError(
                            f"logs: record #{len(parts.rows) - first_row} has a malformed trace_id "
                            f"({len(record.trace_id)} bytes, want 16) or span_id ({len(record.span_id)} bytes, want 8)"
                        )
                    a0 = len(keys)
                    model = read_attributes(record.attributes, keys, parts.attr_values)
                    event_name = record.event_name
                    if not event_name and "event.name" in keys[a0:]:
                        event_name = parts.attr_values[a0 + keys[a0:].index("event.name")]
                    observed = record.observed_time_unix_nano
                    time = record.time_unix_nano or observed
                    if not window.earliest <= time <= window.latest or observed > MAX_TIME_NS:
                        what = f"logs: record #{len(parts.rows) - first_row}"
                        window.check(time, f"{what} time_unix_nano (or observed_time_unix_nano when 0)")
                        check_time(observed, f"{what} observed_time_unix_nano")
                    parts.rows.append((
                        res.project, res.service_name, time, observed or time, trace_id, span_id,
                        min(max(record.severity_number, 0), 255), record.severity_text, body_text(record.body),
                        event_name, model, len(keys) - a0, rid, scope_name, partition, offset,
                    ))

    def _arrays(self, p: LogParts, columns: list[tuple[Any, ...]]) -> list[pa.Array]:
        arrays = []
        for field, values in zip(LOG_SCHEMA, columns, strict=True):
            if field.name == "attributes":
                arrays.append(map_array(values, p.attr_keys, p.attr_values))
            elif field.name == "resource":
                arrays.append(shared_map_array(values, p.resources))
            else:
                arrays.append(scalar_array(values, field.type))
        return arrays
