"""Query-parameter fields shared by the telemetry read endpoints, with messages that name what is
accepted: times (ISO-8601 or unix nanoseconds), limits, `attr.<key>=<value>` filters.

Unknown parameters are refused (a typo in a filter would otherwise silently return everything).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

from webapp.projects.access import PROJECT_QUERY_PARAM

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MAX_NS = 2**63 - 1  # DateTime64(9) ends in 2262
ATTR_PREFIX = "attr."
MAX_ATTR_FILTERS = 20
MAX_TEXT = 1000  # longest filter value accepted; previews themselves are at most 1000 characters
HEX32 = re.compile(r"^[0-9a-fA-F]{32}$")
HEX16 = re.compile(r"^[0-9a-fA-F]{16}$")
TIME_HELP = "ISO-8601 (e.g. 2025-01-31T12:00:00Z; no offset means UTC) or unix time in nanoseconds"


def datetime_to_ns(moment: datetime) -> int:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - _EPOCH) // timedelta(microseconds=1) * 1_000


def ns_to_iso(ns: int) -> str:
    """RFC 3339 UTC with nanoseconds, e.g. 2025-01-31T12:00:00.123456789Z."""
    seconds, rest = divmod(int(ns), 1_000_000_000)
    base = (_EPOCH + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{base}.{rest:09d}Z"


def parse_time(raw: str) -> int:
    """Unix nanoseconds from ISO-8601 or a non-negative integer of nanoseconds."""
    text = raw.strip()
    if text.isdigit():
        value = int(text)
        if value > MAX_NS:
            raise ValueError("unix nanoseconds beyond 2262-04-11 are not representable")
        return value
    try:
        moment = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        raise ValueError(f"{raw[:40]!r} is not a time; use {TIME_HELP}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    ns = datetime_to_ns(moment)
    if not 0 <= ns <= MAX_NS:
        raise ValueError("times must lie between 1970-01-01 and 2262-04-11")
    return ns


@extend_schema_field(OpenApiTypes.STR)
class TimeField(serializers.Field):
    """A point in time as unix nanoseconds (int) after validation."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", TIME_HELP)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> int:
        try:
            return parse_time(str(data))
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from None

    def to_representation(self, value: int) -> str:
        return ns_to_iso(value)


class HexIdField(serializers.RegexField):
    """A trace id (32 hex digits) or span id (16 hex digits), returned lower-case."""

    def __init__(self, digits: int, **kwargs: Any) -> None:
        what = "trace" if digits == 32 else "span"
        super().__init__(
            HEX32 if digits == 32 else HEX16,
            error_messages={"invalid": f"a {what} id is {digits} hexadecimal digits"},
            **kwargs,
        )

    def to_internal_value(self, data: Any) -> str:
        return str(super().to_internal_value(data)).lower()


def limit_field(default: int, maximum: int) -> serializers.IntegerField:
    return serializers.IntegerField(
        min_value=1,
        max_value=maximum,
        default=default,
        help_text=f"items per page, 1-{maximum} (default {default}); larger values are refused, not clamped",
    )


def validate_query(
    request: Request, form_class: type[serializers.Serializer], *, attr_filters: bool = False
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Validated values of `form_class` from the query string, plus `attr.<key>` filters."""
    params = request.query_params
    fields = form_class().fields
    known = set(fields) | {PROJECT_QUERY_PARAM}
    errors: dict[str, list[str]] = {}
    attrs: list[tuple[str, str]] = []
    for name in params:
        if attr_filters and name.startswith(ATTR_PREFIX):
            key = name[len(ATTR_PREFIX) :]
            if not key or len(key) > 256:
                errors[name] = ["name the attribute after 'attr.' (at most 256 characters), e.g. attr.region=eu"]
                continue
            for value in params.getlist(name):
                if len(value) > MAX_TEXT:
                    errors[name] = [f"attribute values are at most {MAX_TEXT} characters"]
                attrs.append((key, value))
        elif name not in known:
            accepted = sorted(known) + ([f"{ATTR_PREFIX}<key>"] if attr_filters else [])
            errors[name] = [f"unknown parameter; accepted: {', '.join(accepted)}"]
        elif len(params.getlist(name)) > 1 and not isinstance(fields.get(name), serializers.ListField):
            errors[name] = ["give this parameter once"]
    if len(attrs) > MAX_ATTR_FILTERS:
        errors["attr"] = [f"at most {MAX_ATTR_FILTERS} attr.<key> filters"]
    data: dict[str, Any] = {}
    for name, field in fields.items():
        if name in params:
            data[name] = params.getlist(name) if isinstance(field, serializers.ListField) else params.get(name)
    form = form_class(data=data)
    if not form.is_valid():
        errors.update({k: [str(m) for m in v] for k, v in form.errors.items()})
    if errors:
        raise ValidationError(errors)
    return dict(form.validated_data), attrs


def check_range(values: dict[str, Any], low: str, high: str) -> None:
    if values.get(low) is not None and values.get(high) is not None and values[low] > values[high]:
        raise ValidationError({low: [f"{low} must not be after {high}"]})
