"""OTLP spans -> an Arrow table of `SPAN_SCHEMA`, built column-wise once per batch (DESIGN.md §3).

`span_rows.normalise_spans` fills flat Python lists; `to_arrow` turns each into one Arrow array.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from workers.telemetry.batch import OtlpBatch
from workers.telemetry.columnar import list_array, map_array, scalar_array, shared_map_array
from workers.telemetry.columns import EVENT, LINK, SPAN_SCHEMA, STR, TS_NS
from workers.telemetry.span_rows import SpanParts, normalise_spans

_MAP_COLUMNS = {"attributes": ("attr_keys", "attr_values"), "features": ("feature_keys", "feature_values")}


class TraceBatch(OtlpBatch[ExportTraceServiceRequest]):
    """Spans from OTLP export requests, normalised into one Arrow table per batch."""

    signal = "traces"
    schema = SPAN_SCHEMA
    request_type = ExportTraceServiceRequest
    parts_type = SpanParts

    def _normalise(
        self, request: ExportTraceServiceRequest, parts: SpanParts, partition: int, offset: int, resource_base: int
    ) -> None:
        normalise_spans(request, parts, self.options, partition, offset, resource_base)

    def _arrays(self, p: SpanParts, columns: list[tuple[Any, ...]]) -> list[pa.Array]:
        arrays = []
        for field, values in zip(SPAN_SCHEMA, columns, strict=True):
            name = field.name
            if name in _MAP_COLUMNS:
                keys, vals = _MAP_COLUMNS[name]
                arrays.append(map_array(values, getattr(p, keys), getattr(p, vals)))
            elif name == "resource":
                arrays.append(shared_map_array(values, p.resources))
            elif name == "events":
                items = pa.StructArray.from_arrays(
                    [pa.array(p.event_times, TS_NS), pa.array(p.event_names, STR),
                     map_array(p.event_attr_counts, p.event_keys, p.event_values)],
                    fields=list(EVENT),
                )
                arrays.append(list_array(values, items, field.type))
            elif name == "links":
                items = pa.StructArray.from_arrays(
                    [pa.array(p.link_trace_ids, STR), pa.array(p.link_span_ids, STR),
                     pa.array(p.link_states, STR), map_array(p.link_attr_counts, p.link_keys, p.link_values)],
                    fields=list(LINK),
                )
                arrays.append(list_array(values, items, field.type))
            elif name == "finish_reasons":
                arrays.append(pa.array(values, field.type))
            else:
                arrays.append(scalar_array(values, field.type))
        return arrays
