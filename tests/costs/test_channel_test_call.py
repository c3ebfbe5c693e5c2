"""`POST /notification-channels/{id}/test` sends one notification through the channel's own sender
to a real local HTTP receiver, reports what it answered, and is for `alerts:write` in the
channel's project only."""

from __future__ import annotations

from rest_framework.test import APIClient

from tests.costs.conftest import Webhook
from tests.webapp.conftest import World
from webapp.costs.models import NotificationChannel

CHANNELS = "/api/v1/notification-channels"


def _client(world: World, role: str, side: str = "own") -> APIClient:
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=getattr(world, side).keys[role])
    return client


def _channel(world: World, url: str) -> NotificationChannel:
    return NotificationChannel.objects.create(project=world.own.project, name="on-call", url=url)


def test_the_test_call_delivers_through_the_channel(world: World, webhook: Webhook) -> None:
    channel = _channel(world, webhook.url)
    response = _client(world, "admin").post(f"{CHANNELS}/{channel.pk}/test")
    assert response.status_code == 200, response.content
    assert response.json() == {"delivered": True, "response_status": 200, "error": ""}
    assert len(webhook.received) == 1
    sent = webhook.received[0]
    assert sent["type"] == "channel.test"
    assert (sent["project"], sent["channel"]["id"], sent["channel"]["name"]) == ("own", channel.pk, "on-call")


def test_a_failing_receiver_is_reported_not_retried(world: World, webhook: Webhook) -> None:
    webhook.replies = [503, 503]
    channel = _channel(world, webhook.url)
    body = _client(world, "admin").post(f"{CHANNELS}/{channel.pk}/test").json()
    assert body["delivered"] is False and body["response_status"] == 503
    assert "503" in body["error"]
    assert webhook.replies == [503]  # one attempt only
    assert webhook.received == []


def test_viewers_cannot_and_other_projects_do_not_see_the_channel(world: World, webhook: Webhook) -> None:
    channel = _channel(world, webhook.url)
    denied = _client(world, "viewer").post(f"{CHANNELS}/{channel.pk}/test")
    assert denied.status_code == 403 and "alerts:write" in denied.json()["message"]
    assert _client(world, "admin", side="other").post(f"{CHANNELS}/{channel.pk}/test").status_code == 404
    assert _client(world, "admin").post(f"{CHANNELS}/999999/test").status_code == 404
    assert webhook.received == []
