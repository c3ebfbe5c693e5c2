"""What the alerting endpoints share: permissions, durations written as '5m' or seconds, the caller's
name for audit fields, a project-scoped model serializer that validates like the admin, and the
events of hand-made state changes."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as ModelValidationError
from django.db import models, transaction
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request

from webapp.alerting.pipeline import record
from webapp.api.telemetry import telemetry_client
from webapp.projects.models import Project
from workers.analysis.alerting import DurationError, format_duration, parse_duration
from workers.storage.alerting.events import AlertEvent

READ, WRITE = "alerts:read", "alerts:write"


@extend_schema_field(OpenApiTypes.STR)
class DurationSeconds(serializers.Field):
    """A duration as '30s', '5m', '4h', '1d' or a number of seconds; given back as text ('5m')."""

    def __init__(self, *, minimum: float = 0.0, maximum: float = 30 * 86400.0, **kwargs: Any) -> None:
        self.minimum, self.maximum = minimum, maximum
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> float:
        try:
            return parse_duration(data, name=self.field_name or "duration", minimum=self.minimum, maximum=self.maximum)
        except DurationError as exc:
            raise serializers.ValidationError(str(exc)) from None

    def to_representation(self, value: float) -> str:
        return format_duration(float(value))


def actor(request: Request) -> str:
    user = request.user
    key = getattr(user, "api_key", None)
    if key is not None:
        return f"api-key:{key.name}"
    return str(getattr(user, "email", "") or user)


class ProjectModelSerializer(serializers.ModelSerializer):
    """Saves through model.full_clean(), so the API and the admin refuse the same things (a 400 naming
    the field); many-to-many fields are set after the save."""

    def save_for(self, project: Project, **extra: Any) -> Any:
        data = {**self.validated_data, **extra}
        many = {k: data.pop(k) for k in list(data) if isinstance(self.Meta.model._meta.get_field(k),
                                                                   models.ManyToManyField)}  # fmt: skip
        obj = self.instance or self.Meta.model(project=project)
        for name, value in data.items():
            setattr(obj, name, value)
        try:
            obj.full_clean()
        except ModelValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from None
        with transaction.atomic():
            obj.save()
            for name, value in many.items():
                getattr(obj, name).set(value)
        return obj


def record_events(events: list[AlertEvent]) -> None:
    record(telemetry_client(), events, None)
