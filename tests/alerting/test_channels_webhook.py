"""Webhook channels: an Alertmanager-compatible JSON body (version "4") POSTed to a real local
receiver, the bearer token sent but never shown, the test button, and failures that say why."""

from __future__ import annotations

import pytest

from tests.alerting import channel_receivers as receivers
from tests.alerting.channel_receivers import CHANNELS, Receiver, admin_client, item, message
from tests.webapp.conftest import World
from webapp.costs.models import NotificationChannel
from webapp.costs.senders import DeliveryError, deliver

world, receiver, _fresh_throttles = receivers.world, receivers.receiver, receivers.fresh_throttles  # fixtures


def _webhook(world: World, url: str, **extra: object) -> NotificationChannel:
    response = admin_client(world).post(CHANNELS, {"name": "hook", "kind": "webhook", "url": url, **extra},
                                        format="json")  # fmt: skip
    assert response.status_code == 201, response.content
    return NotificationChannel.objects.get(pk=response.json()["id"])


def test_the_body_is_alertmanagers_webhook_payload(world: World, receiver: Receiver) -> None:
    channel = _webhook(world, receiver.url("/am"), secrets={"bearer_token": "s3cret-token"})
    started = 1_780_000_000.0  # 2026-05-28T20:26:40Z
    deliver(channel, message(item("HighErrorRate", starts_at=started, model_id="gpt-4o"),
                             item("SlowP99", "resolved", starts_at=started, model_id="gpt-4o")))  # fmt: skip
    [request] = receiver.received
    assert request.path == "/am"
    assert request.headers["Authorization"] == "Bearer s3cret-token"
    assert request.body == {
        "version": "4",
        "groupKey": '{}:{model_id="gpt-4o"}',
        "truncatedAlerts": 0,
        "status": "firing",
        "receiver": "ops",
        "groupLabels": {"model_id": "gpt-4o"},
        "commonLabels": {"model_id": "gpt-4o"},
        "commonAnnotations": {},
        "externalURL": "https://pyflare.example/",
        "alerts": [
            {"status": "firing", "labels": {"alertname": "HighErrorRate", "model_id": "gpt-4o"},
             "annotations": {"summary": "HighErrorRate is firing"}, "startsAt": "2026-05-28T20:26:40Z",
             "endsAt": "0001-01-01T00:00:00Z", "generatorURL": "https://pyflare.example/alerts/HighErrorRate",
             "fingerprint": "fp-HighErrorRate-[('model_id', 'gpt-4o')]"},
            {"status": "resolved", "labels": {"alertname": "SlowP99", "model_id": "gpt-4o"},
             "annotations": {"summary": "SlowP99 is resolved"}, "startsAt": "2026-05-28T20:26:40Z",
             "endsAt": "2026-05-28T20:27:40Z", "generatorURL": "https://pyflare.example/alerts/SlowP99",
             "fingerprint": "fp-SlowP99-[('model_id', 'gpt-4o')]"},
        ],
    }  # fmt: skip


def test_the_token_is_write_only(world: World, receiver: Receiver) -> None:
    channel = _webhook(world, receiver.url(), secrets={"bearer_token": "s3cret-token"})
    client = admin_client(world)
    for shown in (client.get(f"{CHANNELS}/{channel.pk}").json(), client.get(CHANNELS).json()[0]):
        assert "s3cret-token" not in str(shown) and "secrets" not in shown
        assert shown["secrets_set"] == ["bearer_token"]
    renamed = client.patch(f"{CHANNELS}/{channel.pk}", {"name": "renamed"}, format="json")
    assert renamed.status_code == 200 and "s3cret-token" not in renamed.content.decode()
    assert NotificationChannel.objects.get(pk=channel.pk).secrets == {"bearer_token": "s3cret-token"}  # kept
    client.patch(f"{CHANNELS}/{channel.pk}", {"secrets": {"bearer_token": None}}, format="json")
    assert NotificationChannel.objects.get(pk=channel.pk).secrets == {}


def test_a_refusal_is_a_delivery_error_saying_whether_to_retry(world: World, receiver: Receiver) -> None:
    channel = _webhook(world, receiver.url())
    receiver.replies = [503, 404]
    with pytest.raises(DeliveryError) as first:
        deliver(channel, message(item("A")))
    assert (str(first.value), first.value.status, first.value.retryable) == ("HTTP 503", 503, True)
    with pytest.raises(DeliveryError) as second:
        deliver(channel, message(item("A")))
    assert (str(second.value), second.value.status, second.value.retryable) == ("HTTP 404", 404, False)
    assert receiver.received == [] and receiver.attempts == [503, 404]


def test_a_channel_not_sending_resolutions_skips_resolved_alerts(world: World, receiver: Receiver) -> None:
    channel = _webhook(world, receiver.url(), config={"send_resolved": False})
    deliver(channel, message(item("Gone", "resolved")))  # nothing left to send
    deliver(channel, message(item("Up"), item("Gone", "resolved")))
    [request] = receiver.received
    assert [a["labels"]["alertname"] for a in request.body["alerts"]] == ["Up"]


def test_the_test_button_says_delivered_or_why_not(world: World, receiver: Receiver) -> None:
    channel = _webhook(world, receiver.url())
    client = admin_client(world)
    ok = client.post(f"{CHANNELS}/{channel.pk}/test")
    assert ok.status_code == 200 and ok.json() == {"delivered": True, "error": "", "response_status": 200}
    [request] = receiver.received
    assert request.body["alerts"][0]["labels"] == {"alertname": "PyFlareChannelTest", "project": "own",
                                                   "channel": "hook"}  # fmt: skip
    receiver.replies = [500]
    failed = client.post(f"{CHANNELS}/{channel.pk}/test")
    assert failed.json() == {"delivered": False, "error": "HTTP 500", "response_status": 500}
    assert receiver.attempts == [200, 500]  # a failed test is reported, not retried


def test_another_projects_channel_is_a_404(world: World, receiver: Receiver) -> None:
    channel = _webhook(world, receiver.url())
    other = admin_client(world, "other")
    assert other.post(f"{CHANNELS}/{channel.pk}/test").status_code == 404
    assert other.get(f"{CHANNELS}/{channel.pk}").status_code == 404
    assert receiver.attempts == []


def test_a_viewer_cannot_send_a_test(world: World, receiver: Receiver) -> None:
    channel = _webhook(world, receiver.url())
    viewer = admin_client(world, role="viewer")
    assert viewer.post(f"{CHANNELS}/{channel.pk}/test").status_code == 403
    assert receiver.attempts == []
