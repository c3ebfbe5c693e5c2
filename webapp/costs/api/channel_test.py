"""`POST /notification-channels/{id}/test`: send a test notification through the channel now.

It goes through the channel kind's own sender (webapp.costs.notify.CHANNEL_KINDS), the same code
and outbound policy as real alerts, once and without retries, and says what the receiver answered.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from webapp.costs.api.channels import CHANNEL_ID, WRITE, _channel
from webapp.costs.models import NotificationChannel
from webapp.costs.notify import CHANNEL_KINDS, DeliveryError
from webapp.projects.access import ProjectScoped


class ChannelTestSerializer(serializers.Serializer):
    delivered = serializers.BooleanField(help_text="the receiver accepted it (a 2xx answer)")
    response_status = serializers.IntegerField(allow_null=True, help_text="HTTP status of the answer, if any")
    error = serializers.CharField(help_text="why it was not delivered ('' when it was)")


def channel_test_payload(channel: NotificationChannel) -> dict[str, Any]:
    return {
        "type": "channel.test",
        "project": channel.project.slug,
        "channel": {"id": channel.pk, "name": channel.name, "kind": channel.kind},
        "message": f"Test notification from PyFlare for channel {channel.name!r}",
        "sent_at": timezone.now().isoformat(),
    }


class ChannelTestView(ProjectScoped, APIView):
    required_permissions = {"POST": WRITE}

    @extend_schema(parameters=[CHANNEL_ID], request=None, responses=ChannelTestSerializer,
                   tags=["notification-channels"], summary="Send a test notification through a channel",
                   operation_id="notification_channels_test")  # fmt: skip
    def post(self, request: Request, channel_id: int) -> Response:
        channel = _channel(self, channel_id)
        sender = CHANNEL_KINDS.get(channel.kind)
        if sender is None:
            return Response({"delivered": False, "response_status": None,
                             "error": f"unknown channel kind {channel.kind!r}"})  # fmt: skip
        try:
            status = sender(channel.url, channel_test_payload(channel))
        except DeliveryError as exc:
            return Response({"delivered": False, "response_status": exc.status, "error": str(exc)})
        return Response({"delivered": True, "response_status": status, "error": ""})
