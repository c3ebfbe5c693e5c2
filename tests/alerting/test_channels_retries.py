"""Per-integration retries: a notification to several channels is one delivery per channel; a failed
channel is retried with backoff on its own while the one that took it is never sent it again; a
4xx is not retried; the per-channel rate limit holds deliveries back and they go out later."""

from __future__ import annotations

import time

import pytest
from django.db import transaction

from tests.alerting import channel_receivers as receivers
from tests.alerting.channel_receivers import CHANNELS, Receiver, admin_client, item, message
from tests.webapp.conftest import World
from webapp.costs.models import ChannelDelivery, NotificationChannel
from webapp.costs.senders import DeliveryError, deliver
from workers.delayed import EMBEDDED
from workers.tasks.channels import send_to_channels

world, receiver, _fresh_throttles = receivers.world, receivers.receiver, receivers.fresh_throttles  # fixtures
pytestmark = pytest.mark.usefixtures("transactional_db")  # retries read the rows from the timer thread


def _channel(world: World, name: str, url: str, **extra: object) -> NotificationChannel:
    response = admin_client(world).post(CHANNELS, {"name": name, "kind": "webhook", "url": url, **extra},
                                        format="json")  # fmt: skip
    assert response.status_code == 201, response.content
    return NotificationChannel.objects.get(pk=response.json()["id"])


def _settled(ids: list[int], timeout: float = 30) -> dict[str, ChannelDelivery]:
    """The deliveries once the timer thread has nothing left to run. The rows are read only then: the
    test database is SQLite's shared-cache memory database, where a read here while the timer thread
    writes makes that write fail at once ("table is locked") instead of waiting its turn."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if EMBEDDED.pending() == 0:
            rows = list(ChannelDelivery.objects.filter(pk__in=ids).select_related("channel"))
            if all(r.status != ChannelDelivery.PENDING for r in rows):
                return {r.channel.name: r for r in rows}
        time.sleep(0.05)
    raise AssertionError(f"deliveries {ids} still pending after {timeout} s")


def test_only_the_failed_channel_is_retried(world: World, receiver: Receiver, settings: object) -> None:
    settings.WEBHOOK_BACKOFF_SECONDS = 0.2  # type: ignore[attr-defined]
    flaky, steady = Receiver(), Receiver()
    try:
        flaky.replies = [500, 502]  # two failures, then taken
        channels = [_channel(world, "flaky", flaky.url()), _channel(world, "steady", steady.url())]
        ids = send_to_channels(channels, message(item("HighErrorRate")))
        rows = _settled(ids)
        assert (rows["flaky"].status, rows["flaky"].attempts, rows["flaky"].response_status) == ("delivered", 3, 200)
        assert (rows["steady"].status, rows["steady"].attempts) == ("delivered", 1)
        assert flaky.attempts == [500, 502, 200] and steady.attempts == [200]  # never re-sent
        assert len(flaky.received) == 1 and flaky.received[0].body["groupKey"] == '{}:{model_id="gpt-4o"}'
    finally:
        flaky.close()
        steady.close()


def test_a_client_error_is_not_retried(world: World, receiver: Receiver) -> None:
    receiver.replies = [400]
    ids = send_to_channels([_channel(world, "bad", receiver.url())], message(item("A")))
    row = _settled(ids)["bad"]
    assert (row.status, row.attempts, row.last_error, row.response_status) == ("failed", 1, "HTTP 400", 400)
    assert receiver.attempts == [400]


def test_a_disabled_channel_gets_no_delivery(world: World, receiver: Receiver) -> None:
    channel = _channel(world, "paused", receiver.url(), enabled=False)
    assert send_to_channels([channel], message(item("A"))) == []
    with pytest.raises(DeliveryError, match="disabled"):
        deliver(channel, message(item("A")))
    assert receiver.attempts == []


def test_the_rate_limit_holds_back_the_excess(world: World, receiver: Receiver) -> None:
    channel = _channel(world, "limited", receiver.url(), rate_limit_per_minute=3)
    for n in range(3):
        deliver(channel, message(item(f"A{n}")))
    with pytest.raises(DeliveryError) as refused:
        deliver(channel, message(item("A3")))
    assert refused.value.retryable and refused.value.status == 429
    assert str(refused.value) == "rate limit of 3 a minute reached"
    assert 19.0 < (refused.value.retry_after or 0) <= 20.0  # one token every 60/3 s
    assert len(receiver.received) == 3  # the fourth never reached the receiver
    other = _channel(world, "unlimited", receiver.url())  # the limit is per channel
    deliver(other, message(item("B")))
    assert len(receiver.received) == 4


def test_a_rate_limited_delivery_goes_out_after_the_wait(world: World, receiver: Receiver, settings: object) -> None:
    settings.WEBHOOK_BACKOFF_SECONDS = 0.0  # type: ignore[attr-defined]
    # a token each 5 s: both are queued before the first retry runs on the timer thread
    channel = _channel(world, "fast", receiver.url(), rate_limit_per_minute=12)
    NotificationChannel.objects.filter(pk=channel.pk).update(rate_tokens=0.0, rate_refilled_at=time.time())
    with transaction.atomic():  # both rows written before the timer thread runs either (it starts on commit)
        ids = send_to_channels([channel], message(item("A"))) + send_to_channels([channel], message(item("B")))
    _settled(ids)
    rows = list(ChannelDelivery.objects.filter(pk__in=ids))
    assert [r.status for r in rows] == ["delivered", "delivered"]
    assert all(r.attempts >= 2 for r in rows)  # each was held back at least once, then sent
    assert sorted(r.body["alerts"][0]["labels"]["alertname"] for r in receiver.received) == ["A", "B"]
    assert receiver.attempts == [200, 200]  # held back before the request: the receiver saw no excess
