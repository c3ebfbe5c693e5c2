"""Notification channels over REST (`/notification-channels`): where budget alerts are sent.

Alerting configuration: `alerts:read` to list, `alerts:write` to change (operators hold both).
"""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from webapp.costs.models import NotificationChannel
from webapp.projects.access import ProjectScoped

READ, WRITE = "alerts:read", "alerts:write"
CHANNEL_ID = OpenApiParameter("channel_id", int, OpenApiParameter.PATH, description="the channel's id")


class ChannelSerializer(serializers.ModelSerializer):
    class Meta:
        model = NotificationChannel
        fields = ["id", "name", "kind", "url", "enabled", "created_at"]
        read_only_fields = ["id", "created_at"]

    def save_for(self, project: Any) -> NotificationChannel:
        channel = self.instance or NotificationChannel(project=project)
        for name, value in self.validated_data.items():
            setattr(channel, name, value)
        channel.full_clean()  # includes the one-name-per-project rule: a 400 naming the field
        channel.save()
        return channel


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
                   summary="Add a notification channel (a webhook receiving alerts as JSON POSTs)",
                   operation_id="notification_channels_create",
                   examples=[OpenApiExample("webhook", request_only=True, value={
                       "name": "on-call hook", "kind": "webhook", "url": "https://hooks.example.com/pyflare"})])
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
