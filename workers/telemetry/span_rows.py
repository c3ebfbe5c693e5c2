"""One OTLP span -> one row tuple plus flat map/list entries: the ingest hot path.

Per span every field is read once and every attribute costs one dict lookup (semconv.SPEC);
values that need more work (messages, events, features) are handled after the attribute loop,
only for spans that have them.
"""

from __future__ import annotations

from hashlib import blake2b
from typing import Any

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from workers.telemetry import semconv
from workers.telemetry.anyvalue import any_text
from workers.telemetry.batch import Parts
from workers.telemetry.embedding import embedding_vector
from workers.telemetry.errors import DecodeError, quoted
from workers.telemetry.genai_events import GENAI_EVENTS, EventMessages
from workers.telemetry.limits import MAX_TIME_NS, ZERO_SPAN_ID, ZERO_TRACE_ID, TimeWindow, check_time
from workers.telemetry.options import EmbeddingRecord, NormaliseOptions
from workers.telemetry.providers import normalise_provider
from workers.telemetry.resource import resource_info
from workers.telemetry.semconv import token_count
from workers.telemetry.span_extras import apply_event_messages, apply_extras, inference_type, output_finish_reasons

_KINDS = {0: "unspecified", 1: "internal", 2: "server", 3: "client", 4: "producer", 5: "consumer"}
_STATUS = {0: "unset", 1: "ok", 2: "error"}
_U32 = 2**32
_OUTPUT = semconv.OUTPUT


class SpanParts(Parts):
    """Row tuples are in SPAN_SCHEMA order; map/list columns hold their entry count there and
    `resource` the batch-wide index of the span's resource."""

    def __init__(self) -> None:
        super().__init__()
        self.attr_keys: list[str] = []
        self.attr_values: list[str] = []
        self.feature_keys: list[str] = []
        self.feature_values: list[str] = []
        self.event_times: list[int] = []
        self.event_names: list[str] = []
        self.event_attr_counts: list[int] = []
        self.event_keys: list[str] = []
        self.event_values: list[str] = []
        self.link_trace_ids: list[str] = []
        self.link_span_ids: list[str] = []
        self.link_states: list[str] = []
        self.link_attr_counts: list[int] = []
        self.link_keys: list[str] = []
        self.link_values: list[str] = []


def normalise_spans(
    request: ExportTraceServiceRequest,
    parts: SpanParts,
    options: NormaliseOptions,
    partition: int,
    offset: int,
    resource_base: int,
) -> None:
    preview_chars = options.preview_chars
    spec_of = semconv.SPEC.__getitem__  # unknown keys resolve through __missing__
    empty_slots = semconv.EMPTY_SLOTS
    empty_ranks = semconv.EMPTY_RANKS
    kinds_get = _KINDS.get
    status_get = _STATUS.get
    rows_append = parts.rows.append
    attr_keys = parts.attr_keys
    ak_append = attr_keys.append
    av_append = parts.attr_values.append
    event_times = parts.event_times
    et_append = event_times.append
    en_append = parts.event_names.append
    ec_append = parts.event_attr_counts.append
    event_keys = parts.event_keys
    event_values = parts.event_values
    ek_append = event_keys.append
    ev_append = event_values.append
    link_trace_ids = parts.link_trace_ids
    genai_events = GENAI_EVENTS
    feature_keys = parts.feature_keys
    window = options.time_window()
    earliest, latest = window.earliest, window.latest
    first_row = len(parts.rows)  # errors name items by their position in the request

    for rs in request.resource_spans:
        res = resource_info(rs.resource, options.default_project)
        rid = resource_base + len(parts.resources)  # index in the batch's resource list
        parts.resources.append((res.keys, res.values))
        project = res.project
        service = res.service_name
        res_env = res.environment
        for ss in rs.scope_spans:
            scope = ss.scope
            scope_name = scope.name
            scope_version = scope.version
            for span in ss.spans:
                tid = span.trace_id.hex()
                sid = span.span_id.hex()
                pid = span.parent_span_id.hex()
                if len(tid) != 32 or len(sid) != 16 or (pid and len(pid) != 16):
                    raise DecodeError(_bad_ids(span, len(parts.rows) - first_row))
                if tid == ZERO_TRACE_ID or sid == ZERO_SPAN_ID:
                    index = len(parts.rows) - first_row
                    raise DecodeError(f"traces: span #{index} ({quoted(span.name)}) has an all-zero "
                                      f"{'trace_id' if tid == ZERO_TRACE_ID else 'span_id'}, which OTLP calls invalid")
                start = span.start_time_unix_nano
                end = span.end_time_unix_nano
                if not earliest <= start <= latest or end > MAX_TIME_NS:
                    _bad_times(span, len(parts.rows) - first_row, window)
                vals = empty_slots[:]
                ranks = empty_ranks[:]
                extras = None
                embedding = None
                a0 = len(attr_keys)
                for kv in span.attributes:
                    key = kv.key
                    av = kv.value
                    text = av.string_value
                    spec = spec_of(key)
                    if spec is None:  # not a field source: only kept in the map
                        ak_append(key)
                        if text:
                            av_append(text)
                        elif num := av.int_value:  # non-zero int; a zero or other kind says 0
                            av_append(str(num))
                        elif dbl := av.double_value:
                            av_append(repr(dbl))
                        else:
                            av_append(any_text(av))
                        continue
                    slot, rank, conv = spec
                    if conv is None:  # text field
                        if not text:
                            text = any_text(av)
                        ak_append(key)
                        av_append(text)
                        if rank < ranks[slot]:
                            ranks[slot] = rank
                            vals[slot] = text
                    elif conv is token_count:
                        num = av.int_value
                        if num:  # an int; zero and other kinds take the general path
                            text = str(num)
                            if not 0 < num < _U32:
                                num = None
                        else:
                            if not text:
                                text = any_text(av)
                            num = token_count(av, text)
                        ak_append(key)
                        av_append(text)
                        if rank < ranks[slot]:
                            ranks[slot] = rank
                            vals[slot] = num
                    elif slot == -1:  # semconv.EMBEDDING: the vector leaves the attributes
                        embedding = av
                    else:
                        if not text:
                            text = any_text(av)
                        ak_append(key)
                        av_append(text)
                        if slot < 0:
                            if extras is None:
                                extras = []
                            extras.append((slot, rank, conv, text))
                        elif rank < ranks[slot]:
                            ranks[slot] = rank
                            vals[slot] = conv(av, text)

                e0 = len(event_times)
                messages = None
                for ev in span.events:
                    if ev.time_unix_nano > MAX_TIME_NS:
                        check_time(ev.time_unix_nano, f"traces: span {sid} event {quoted(ev.name)} time_unix_nano")
                    et_append(ev.time_unix_nano)
                    name = ev.name
                    en_append(name)
                    k0 = len(event_keys)
                    for kv in ev.attributes:
                        ek_append(kv.key)
                        av = kv.value
                        ev_append(av.string_value or any_text(av))
                    ec_append(len(event_keys) - k0)
                    if name in genai_events:
                        if messages is None:
                            messages = EventMessages()
                        messages.read(name, dict(zip(event_keys[k0:], event_values[k0:], strict=True)))

                l0 = len(link_trace_ids)
                if span.links:
                    _read_links(span, parts)

                n_features = 0
                if extras is not None:
                    f0 = len(feature_keys)
                    apply_extras(extras, vals, ranks, parts.feature_keys, parts.feature_values)
                    n_features = len(feature_keys) - f0
                if messages is not None:
                    apply_event_messages(messages, vals, ranks)

                (model, model_version, provider, itype, operation, inp, out, in_tok, out_tok, total, cache_read,
                 cache_creation, reasoning, finish, user, session, feature, team, env, prediction, score,
                 embedding_type) = vals
                if not finish and ranks[_OUTPUT] == 10:  # the output came from gen_ai.output.messages
                    finish = output_finish_reasons(attr_keys, parts.attr_values, a0)
                if provider:
                    provider = normalise_provider(provider)
                if operation:
                    operation = operation.lower()
                if itype is None:
                    itype = inference_type(operation, ranks, in_tok is not None or out_tok is not None)
                if total is None and (in_tok is not None or out_tok is not None):
                    total = (in_tok or 0) + (out_tok or 0)
                    if total >= _U32:
                        total = None
                if inp:
                    input_hash = blake2b(inp.encode(), digest_size=16).hexdigest()
                    if len(inp) > preview_chars:
                        inp = inp[:preview_chars]
                else:
                    inp = input_hash = ""
                if out:
                    if len(out) > preview_chars:
                        out = out[:preview_chars]
                else:
                    out = ""
                dim = 0
                if embedding is not None:
                    vector = embedding_vector(embedding)
                    if vector:
                        dim = min(len(vector), 65535)
                        parts.embeddings.append(
                            EmbeddingRecord(project, tid, sid, model, start, embedding_type, vector)
                        )
                status = span.status
                rows_append((
                    project, tid, sid, pid, span.trace_state, span.name, kinds_get(span.kind, "unspecified"),
                    start, end, end - start if end > start else 0, service, scope_name, scope_version,
                    status_get(status.code, "unset"), status.message,
                    model, model_version, provider, itype, operation, inp, out, input_hash,
                    in_tok, out_tok, total, cache_read, cache_creation, reasoning, None, finish,
                    user, session, feature, team, env or res_env, prediction, score,
                    n_features, dim, len(attr_keys) - a0, rid, len(event_times) - e0,
                    len(link_trace_ids) - l0, partition, offset,
                ))


def _read_links(span: Any, parts: SpanParts) -> None:
    for link in span.links:
        tid = link.trace_id.hex()
        sid = link.span_id.hex()
        if len(tid) != 32 or len(sid) != 16:
            raise DecodeError(f"traces: span {span.span_id.hex()} has a link with a malformed trace or span id")
        parts.link_trace_ids.append(tid)
        parts.link_span_ids.append(sid)
        parts.link_states.append(link.trace_state)
        k0 = len(parts.link_keys)
        for kv in link.attributes:
            parts.link_keys.append(kv.key)
            av = kv.value
            parts.link_values.append(av.string_value or any_text(av))
        parts.link_attr_counts.append(len(parts.link_keys) - k0)


def _bad_times(span: Any, index: int, window: TimeWindow) -> None:
    what = f"traces: span #{index} ({quoted(span.name)})"
    window.check(span.start_time_unix_nano, f"{what} start_time_unix_nano")
    check_time(span.end_time_unix_nano, f"{what} end_time_unix_nano")


def _bad_ids(span: Any, index: int) -> str:
    return (
        f"traces: span #{index} ({quoted(span.name)}) has malformed ids: trace_id {len(span.trace_id)} bytes "
        f"(want 16), span_id {len(span.span_id)} bytes (want 8), parent_span_id "
        f"{len(span.parent_span_id)} bytes (want 0 or 8)"
    )
