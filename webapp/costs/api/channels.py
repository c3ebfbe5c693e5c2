"""Notification channels over REST (`/notification-channels`): where alerts are sent, of five kinds
(webhook, slack, pagerduty, email, alertmanager; docs/alerting-channels.md), and a test send.

Alerting configuration: `alerts:read` to list, `alerts:write` to change (operators hold both).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from webapp.costs.channel_kinds import KINDS
from webapp.costs.errors import DeliveryError
from webapp.costs.models import NotificationChannel
from webapp.costs.senders import channel_test_message, send
from webapp.projects.access import ProjectScoped

READ, WRITE = "alerts:read", "alerts:write"
CHANNEL_ID = OpenApiParameter("channel_id", int, OpenApiParameter.PATH, description="the channel's id")


class ChannelSerializer(serializers.ModelSerializer):
    config = serializers.JSONField(required=False, help_text="the kind's settings (docs/alerting-channels.md)")
    secrets = serializers.JSONField(required=False, write_only=True,
                                    help_text="routing keys, passwords, tokens: write-only; on change, the keys "
                                              "sent replace the stored ones (null removes one)")  # fmt: skip
    secrets_set = serializers.SerializerMethodField(help_text="names of the secrets stored (never their values)")
    escalate_to = serializers.IntegerField(required=False, allow_null=True, min_value=1, source="escalate_to_id",
                                           help_text="id of a channel of this project notified too when an alert "
                                                     "stays unacknowledged")  # fmt: skip

    class Meta:
        model = NotificationChannel
        fields = ["id", "name", "kind", "url", "config", "secrets", "secrets_set", "enabled", "rate_limit_per_minute",
                  "escalate_to", "escalate_after_seconds", "created_at"]  # fmt: skip
        read_only_fields = ["id", "created_at"]
        extra_kwargs = {"escalate_after_seconds": {"min_value": 1}}

    def get_secrets_set(self, channel: NotificationChannel) -> list[str]:
        return sorted(channel.secrets or {})

    def to_representation(self, instance: NotificationChannel) -> dict[str, Any]:
        data = super().to_representation(instance)
        kind = KINDS.get(instance.kind)
        if kind is not None and kind.url_is_secret and instance.url:
            parts = urlsplit(instance.url)
            data["url"] = f"{parts.scheme}://{parts.hostname}/…"  # the path is the credential (Slack)
        return data

    def save_for(self, project: Any) -> NotificationChannel:
        channel = self.instance or NotificationChannel(project=project)
        data = dict(self.validated_data)
        kind_changed = "kind" in data and data["kind"] != channel.kind
        secrets = data.pop("secrets", None)
        if secrets is not None and not isinstance(secrets, dict):
            raise serializers.ValidationError({"secrets": "must be an object"})
        if "escalate_to_id" in data:
            channel.escalate_to = _escalation_target(project, data.pop("escalate_to_id"))
        if kind_changed and "config" not in data:
            data["config"] = {}  # another kind's settings do not carry over
        for name, value in data.items():
            setattr(channel, name, value)
        stored = {} if kind_changed else dict(channel.secrets or {})
        for name, value in (secrets or {}).items():
            stored.pop(name, None) if value is None else stored.__setitem__(name, value)
        channel.secrets = stored
        channel.full_clean()  # per-kind settings, destinations, one name per project: 400s naming the field
        channel.save()
        return channel


def _escalation_target(project: Any, channel_id: int | None) -> NotificationChannel | None:
    if channel_id is None:
        return None
    target = NotificationChannel.objects.filter(pk=channel_id, project=project).first()
    if target is None:
        raise serializers.ValidationError({"escalate_to": "no such channel in this project"})
    return target


def _channel(view: ProjectScoped, channel_id: int) -> NotificationChannel:
    return get_object_or_404(NotificationChannel, pk=channel_id, project=view.access.project)


class ChannelListView(ProjectScoped, APIView):
    required_permissions = {"GET": READ, "POST": WRITE}

    @extend_schema(responses=ChannelSerializer(many=True), summary="The project's notification channels",
                   tags=["notification-channels"], operation_id="notification_channels_list")  # fmt: skip
    def get(self, request: Request) -> Response:
        return Response(ChannelSerializer(NotificationChannel.objects.filter(project=self.access.project),
                                          many=True).data)  # fmt: skip

    @extend_schema(request=ChannelSerializer, responses={201: ChannelSerializer}, tags=["notification-channels"],
                   summary="Add a notification channel (webhook, slack, pagerduty, email or alertmanager)",
                   operation_id="notification_channels_create", examples=[
                       OpenApiExample("webhook", request_only=True, value={
                           "name": "on-call hook", "kind": "webhook", "url": "https://hooks.example.com/pyflare"}),
                       OpenApiExample("pagerduty", request_only=True, value={
                           "name": "pager", "kind": "pagerduty", "config": {"severity": "critical"},
                           "secrets": {"routing_key": "R0UT1NGKEY"}}),
                       OpenApiExample("email", request_only=True, value={
                           "name": "team mail", "kind": "email", "config": {
                               "host": "smtp.example.com", "port": 587, "starttls": True,
                               "from": "pyflare@example.com", "to": ["oncall@example.com"]},
                           "secrets": {"username": "pyflare", "password": "…"}})])
    def post(self, request: Request) -> Response:
        form = ChannelSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return Response(ChannelSerializer(form.save_for(self.access.project)).data, status=status.HTTP_201_CREATED)


class ChannelDetailView(ProjectScoped, APIView):
    required_permissions = {"GET": READ, "PATCH": WRITE, "DELETE": WRITE}

    @extend_schema(parameters=[CHANNEL_ID], responses=ChannelSerializer, summary="One notification channel",
                   tags=["notification-channels"], operation_id="notification_channels_retrieve")  # fmt: skip
    def get(self, request: Request, channel_id: int) -> Response:
        return Response(ChannelSerializer(_channel(self, channel_id)).data)

    @extend_schema(parameters=[CHANNEL_ID], request=ChannelSerializer, responses=ChannelSerializer,
                   tags=["notification-channels"], summary="Change a notification channel",
                   operation_id="notification_channels_partial_update",
                   examples=[OpenApiExample("pause", value={"enabled": False}, request_only=True)])  # fmt: skip
    def patch(self, request: Request, channel_id: int) -> Response:
        form = ChannelSerializer(_channel(self, channel_id), data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        return Response(ChannelSerializer(form.save_for(self.access.project)).data)

    @extend_schema(parameters=[CHANNEL_ID], responses={204: None}, summary="Remove a notification channel",
                   tags=["notification-channels"], operation_id="notification_channels_destroy")  # fmt: skip
    def delete(self, request: Request, channel_id: int) -> Response:
        _channel(self, channel_id).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class ChannelTestResultSerializer(serializers.Serializer):
    delivered = serializers.BooleanField()
    error = serializers.CharField(allow_blank=True, help_text="why the receiver did not take it (empty if delivered)")
    response_status = serializers.IntegerField(allow_null=True, help_text="the receiver's HTTP status or SMTP code")


class ChannelTestView(ProjectScoped, APIView):
    required_permissions = {"POST": WRITE}

    @extend_schema(parameters=[CHANNEL_ID], request=None, responses=ChannelTestResultSerializer,
                   tags=["notification-channels"], operation_id="notification_channels_test",
                   summary="Send a test notification through the channel (one attempt; says delivered or why not)")
    def post(self, request: Request, channel_id: int) -> Response:
        channel = _channel(self, channel_id)
        try:
            status_code = send(channel, channel_test_message(channel, request.build_absolute_uri("/")))
        except DeliveryError as exc:
            return Response({"delivered": False, "error": str(exc), "response_status": exc.status})
        return Response({"delivered": True, "error": "", "response_status": status_code})
