"""OTLP spans -> an Arrow table of `SPAN_SCHEMA`, built column-wise once per batch (docs/ingestion.md).

Protobuf payloads go to the compiled decoder (`native.py`) when it is built; the spans it hands back,
and every request that arrives already decoded, go through `span_rows.normalise_spans`, which fills
flat Python lists that `to_arrow` turns into one Arrow array each.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from workers.telemetry import native
from workers.telemetry.batch import OtlpBatch
from workers.telemetry.columnar import list_array, map_array, scalar_array, shared_map_array
from workers.telemetry.columns import EVENT, LINK, SPAN_SCHEMA, STR, TS_NS
from workers.telemetry.decode import decode_request
from workers.telemetry.options import NormaliseOptions
from workers.telemetry.span_rows import SpanParts, normalise_spans

_MAP_COLUMNS = {"attributes": ("attr_keys", "attr_values"), "features": ("feature_keys", "feature_values")}


class TraceBatch(OtlpBatch[ExportTraceServiceRequest]):
    """Spans from OTLP export requests, normalised into one Arrow table per batch."""

    signal = "traces"
    schema = SPAN_SCHEMA
    request_type = ExportTraceServiceRequest
    parts_type = SpanParts

    def __init__(self, options: NormaliseOptions | None = None) -> None:
        super().__init__(options)
        self._native = native.span_columns(self.options)
        self._native_tables: list[pa.Table] = []  # decoder output already turned into Arrow
        self._native_rows = 0

    def __len__(self) -> int:
        return super().__len__() + self._native_rows + (len(self._native) if self._native is not None else 0)

    def clear(self) -> None:
        super().clear()
        if self._native is not None:
            self._native.clear()
        self._native_tables = []
        self._native_rows = 0

    def add_otlp(self, payload: bytes, *, encoding: str = "protobuf", partition: int = -1, offset: int = -1) -> int:
        if self._native is None or encoding != "protobuf":
            return super().add_otlp(payload, encoding=encoding, partition=partition, offset=offset)
        rows_before = len(self._native)
        window = self.options.time_window()
        self._native.set_time_bounds(window.earliest, window.latest)
        result = self._native.add(payload, partition, offset)
        if result is None:  # malformed, or nothing the decoder may take: Python decides (and says why)
            return super().add_otlp(payload, encoding=encoding, partition=partition, offset=offset)
        added, declined = result
        if declined:
            request = decode_request(payload, encoding, ExportTraceServiceRequest, self.signal)
            try:
                added += self.add_request(_only_spans(request, declined), partition=partition, offset=offset)
            except BaseException:
                self._native.rollback(rows_before)
                raise
        return added

    def to_arrow(self) -> pa.Table:
        """The batch's table; may be called again (a retried write) until `clear`."""
        if self._native is None:
            return super().to_arrow()
        if len(self._native):
            table = native.spans_table(self._native.finish())
            self._native_tables.append(table)
            self._native_rows += table.num_rows
        tables = [*self._native_tables, super().to_arrow()]
        return pa.concat_tables([t for t in tables if t.num_rows] or tables[-1:])

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


def _only_spans(request: ExportTraceServiceRequest, ordinals: list[int]) -> ExportTraceServiceRequest:
    """A request holding only the spans at these positions (counted over the whole request, in
    order), each under a copy of its resource and scope."""
    wanted = set(ordinals)
    subset = ExportTraceServiceRequest()
    position = 0
    for rs in request.resource_spans:
        target = None
        for ss in rs.scope_spans:
            picks = [span for i, span in enumerate(ss.spans) if position + i in wanted]
            position += len(ss.spans)
            if picks:
                if target is None:
                    target = subset.resource_spans.add()
                    target.resource.CopyFrom(rs.resource)
                    target.schema_url = rs.schema_url
                scope_spans = target.scope_spans.add()
                scope_spans.scope.CopyFrom(ss.scope)
                scope_spans.schema_url = ss.schema_url
                scope_spans.spans.extend(picks)
    return subset
