"""Query forms and response shapes of the trace endpoints (the responses are built in
webapp.traces.shapes; these classes validate input and document output in the OpenAPI schema)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from webapp.api.params import MAX_TEXT, TimeField, limit_field

MAX_PAGE = 1000
MAX_DURATION_MS = 10 * 365 * 86_400_000  # ten years: durations are stored in nanoseconds as Int64


MAX_COLUMNS = 20


class TraceListQuery(serializers.Serializer):
    start_time = TimeField(required=False, help_text="traces that started at or after this time")
    end_time = TimeField(required=False, help_text="traces that started at or before this time")
    service = serializers.CharField(required=False, max_length=MAX_TEXT, help_text="a span of the trace ran here")
    model_id = serializers.CharField(required=False, max_length=MAX_TEXT, help_text="a span of the trace used it")
    status = serializers.ChoiceField(
        choices=["ok", "error"], required=False, help_text="error: some span failed; ok: none did"
    )
    min_duration_ms = serializers.FloatField(required=False, min_value=0, max_value=MAX_DURATION_MS)
    max_duration_ms = serializers.FloatField(required=False, min_value=0, max_value=MAX_DURATION_MS)
    q = serializers.CharField(
        required=False,
        max_length=MAX_TEXT,
        trim_whitespace=False,
        help_text="case-insensitive substring of a span's input or output preview",
    )
    environment = serializers.CharField(required=False, max_length=MAX_TEXT)
    user_id = serializers.CharField(required=False, max_length=MAX_TEXT)
    session_id = serializers.CharField(required=False, max_length=MAX_TEXT)
    sort = serializers.ChoiceField(choices=["time", "duration", "cost"], default="time")
    order = serializers.ChoiceField(choices=["asc", "desc"], default="desc")
    limit = limit_field(100, MAX_PAGE)
    cursor = serializers.CharField(required=False, max_length=2000, help_text="next_cursor of the previous page")
    columns = serializers.CharField(
        required=False,
        max_length=MAX_COLUMNS * 257,
        help_text=f"attribute keys to return per trace as `attributes`, comma-separated (at most {MAX_COLUMNS}); "
        "each holds the value of the trace's earliest span that has the key",
    )

    def validate_columns(self, value: str) -> list[str]:
        keys = list(dict.fromkeys(k.strip() for k in value.split(",") if k.strip()))
        if len(keys) > MAX_COLUMNS or any(len(k) > 256 for k in keys):
            raise serializers.ValidationError(f"at most {MAX_COLUMNS} attribute keys of up to 256 characters")
        return keys


class TraceExportQuery(TraceListQuery):
    output = serializers.ChoiceField(choices=["csv", "jsonl"], default="csv", help_text="file format")


class SpanPageQuery(serializers.Serializer):
    limit = limit_field(500, MAX_PAGE)
    cursor = serializers.CharField(required=False, max_length=2000, help_text="next_cursor of the previous page")


class TraceSummarySerializer(serializers.Serializer):
    trace_id = serializers.CharField()
    name = serializers.CharField(help_text="name of the root span (the earliest span without a parent)")
    service_name = serializers.CharField(help_text="service of the root span")
    start_time = serializers.CharField(help_text="RFC 3339, UTC, nanoseconds")
    end_time = serializers.CharField()
    start_time_unix_nano = serializers.IntegerField()
    end_time_unix_nano = serializers.IntegerField()
    duration_ms = serializers.FloatField()
    span_count = serializers.IntegerField()
    error_count = serializers.IntegerField()
    status = serializers.CharField(help_text="error when some span failed, else ok")
    model_id = serializers.CharField(help_text="first of `models` ('' when none)")
    models = serializers.ListField(child=serializers.CharField())
    services = serializers.ListField(child=serializers.CharField())
    input_tokens = serializers.IntegerField()
    output_tokens = serializers.IntegerField()
    total_tokens = serializers.IntegerField()
    cost_micros = serializers.IntegerField(allow_null=True, help_text=(
        "null when no span was priced; a provider call traced on two spans (duplicate_of) counts once"))
    cost_usd = serializers.FloatField(allow_null=True, help_text="the exact cost rounded to nano-dollars")
    cost_usd_exact = serializers.CharField(allow_null=True, help_text="the exact cost in dollars, a decimal string")


class TraceListItemSerializer(TraceSummarySerializer):
    columns = serializers.DictField(
        child=serializers.CharField(), required=False,
        help_text="values of the attribute keys asked for with ?columns= (keys no span has are left out)",
    )


class TraceListSerializer(serializers.Serializer):
    traces = TraceListItemSerializer(many=True)
    next_cursor = serializers.CharField(allow_null=True, help_text="pass as ?cursor= for the next page")
    next = serializers.CharField(allow_null=True, help_text="URL of the next page")


class EventSerializer(serializers.Serializer):
    time = serializers.CharField()
    time_unix_nano = serializers.IntegerField()
    name = serializers.CharField()
    attributes = serializers.DictField(child=serializers.CharField())


class LinkSerializer(serializers.Serializer):
    trace_id = serializers.CharField()
    span_id = serializers.CharField()
    trace_state = serializers.CharField()
    attributes = serializers.DictField(child=serializers.CharField())


class SpanRefSerializer(serializers.Serializer):
    trace_id = serializers.CharField()
    span_id = serializers.CharField()


class SpanSerializer(serializers.Serializer):
    trace_id = serializers.CharField()
    span_id = serializers.CharField()
    parent_span_id = serializers.CharField(help_text="'' for a root span")
    trace_state = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    start_time = serializers.CharField()
    end_time = serializers.CharField()
    start_time_unix_nano = serializers.IntegerField()
    end_time_unix_nano = serializers.IntegerField()
    duration_ns = serializers.IntegerField()
    duration_ms = serializers.FloatField()
    service_name = serializers.CharField()
    scope_name = serializers.CharField()
    scope_version = serializers.CharField()
    status_code = serializers.ChoiceField(choices=["unset", "ok", "error"])
    status_message = serializers.CharField()
    model_id = serializers.CharField()
    model_version = serializers.CharField()
    provider = serializers.CharField()
    inference_type = serializers.CharField()
    operation = serializers.CharField()
    input_preview = serializers.CharField()
    output_preview = serializers.CharField()
    input_hash = serializers.CharField()
    input_tokens = serializers.IntegerField(allow_null=True)
    output_tokens = serializers.IntegerField(allow_null=True)
    total_tokens = serializers.IntegerField(allow_null=True)
    cache_read_tokens = serializers.IntegerField(allow_null=True)
    cache_creation_tokens = serializers.IntegerField(allow_null=True)
    reasoning_tokens = serializers.IntegerField(allow_null=True)
    cost_micros = serializers.IntegerField(allow_null=True, help_text="the exact cost rounded half up")
    cost_usd = serializers.FloatField(allow_null=True, help_text="the exact cost rounded to nano-dollars")
    cost_usd_exact = serializers.CharField(allow_null=True, help_text="the exact cost in dollars, a decimal string")
    response_id = serializers.CharField(help_text="the provider's response id (gen_ai.response.id), '' when none")
    duplicate_of = SpanRefSerializer(allow_null=True, help_text=(
        "the first span of the same provider call (same gen_ai.response.id), when this span traced it again: "
        "the call is priced once, on that span"))  # fmt: skip
    finish_reasons = serializers.ListField(child=serializers.CharField())
    user_id = serializers.CharField()
    session_id = serializers.CharField()
    feature_id = serializers.CharField()
    team = serializers.CharField()
    environment = serializers.CharField()
    prediction = serializers.CharField()
    prediction_score = serializers.FloatField(allow_null=True)
    features = serializers.DictField(child=serializers.CharField())
    embedding_dim = serializers.IntegerField()
    attributes = serializers.DictField(child=serializers.CharField())
    resource = serializers.DictField(child=serializers.CharField())
    events = EventSerializer(many=True)
    links = LinkSerializer(many=True)


@extend_schema_field({"type": "array", "items": {"$ref": "#/components/schemas/SpanNode"}})
class SpanChildrenField(serializers.ListField):
    pass


class SpanNodeSerializer(SpanSerializer):
    children = SpanChildrenField(help_text="child spans, same shape, ordered by start time")
    flattened = serializers.BooleanField(
        required=False, help_text="present when the span sat deeper than the tree's depth limit"
    )


class SpanListSerializer(serializers.Serializer):
    spans = SpanSerializer(many=True)
    next_cursor = serializers.CharField(allow_null=True)
    next = serializers.CharField(allow_null=True)


class TraceDetailSerializer(TraceSummarySerializer):
    input_preview = serializers.CharField(help_text="input preview of the earliest span that has one")
    output_preview = serializers.CharField(help_text="output preview of the latest-ending span that has one")
    attributes = serializers.DictField(child=serializers.CharField(), help_text="the root span's attributes")
    spans = SpanNodeSerializer(many=True, help_text="root spans with nested children")
    spans_truncated = serializers.BooleanField(help_text="the trace has more spans than the detail shows")


class TraceFacetQuery(TraceListQuery):
    """The list's filters; sort, order and columns are accepted (the UI sends one query) and ignored."""

    limit = None  # type: ignore[assignment]
    cursor = None  # type: ignore[assignment]


class FacetValueSerializer(serializers.Serializer):
    value = serializers.CharField()
    count = serializers.IntegerField(help_text="traces matching the other facets' filters with a span of this value")


class TraceFacetsSerializer(serializers.Serializer):
    total = serializers.IntegerField(help_text="traces matching every filter")
    facets = serializers.DictField(
        child=FacetValueSerializer(many=True),
        help_text="service, model, status, environment, user, session: values by trace count, most first",
    )
