"""Channel settings are validated per kind, with 400s naming the field; another kind's settings do
not carry over; escalation stays inside the project; every HTTP kind refuses private destinations at
save time and again at delivery."""

from __future__ import annotations

from typing import Any

import pytest

from tests.alerting import channel_receivers as receivers
from tests.alerting.channel_receivers import CHANNELS, Receiver, admin_client, item, message
from tests.webapp.conftest import World
from webapp.costs.models import NotificationChannel
from webapp.costs.senders import DeliveryError, deliver

world, receiver, _fresh_throttles = receivers.world, receivers.receiver, receivers.fresh_throttles  # fixtures
MAIL = {"host": "smtp.example.com", "from": "pyflare@example.com", "to": ["oncall@example.com"]}


@pytest.mark.parametrize(("body", "field", "words"), [
    ({"kind": "sms", "url": "https://x.example.com/"}, "kind", "valid"),
    ({"kind": "webhook"}, "url", "needs the receiver's URL"),
    ({"kind": "webhook", "url": "https://x.example.com/", "config": {"colour": "red"}}, "config.colour",
     "unknown setting"),
    ({"kind": "webhook", "url": "https://x.example.com/", "config": {"send_resolved": "yes"}},
     "config.send_resolved", "true or false"),
    ({"kind": "pagerduty"}, "secrets.routing_key", "required"),
    ({"kind": "pagerduty", "secrets": {"routing_key": "k"}, "config": {"severity": "dire"}}, "config.severity",
     "critical, error, warning, info"),
    ({"kind": "email", "config": {**MAIL, "port": 70000}}, "config.port", "1 to 65535"),
    ({"kind": "email", "config": {**MAIL, "to": []}}, "config.to", "at least one"),
    ({"kind": "email", "config": {**MAIL, "to": ["not-an-address"]}}, "config.to", "not an email address"),
    ({"kind": "email", "config": {k: v for k, v in MAIL.items() if k != "from"}}, "config.from", "required"),
    ({"kind": "email", "config": {**MAIL, "host": "smtp.example.com\r\nRCPT TO:x"}}, "config.host", "one line"),
    ({"kind": "email", "config": MAIL, "url": "https://x.example.com/"}, "url", "has no URL"),
    ({"kind": "email", "config": MAIL, "secrets": {"username": "u"}}, "secrets.password", "go together"),
    ({"kind": "slack", "url": "https://hooks.example.com/x", "config": "loud"}, "config", "object"),
    ({"kind": "webhook", "url": "https://x.example.com/", "rate_limit_per_minute": -1}, "rate_limit_per_minute", ""),
])  # fmt: skip
def test_bad_settings_are_a_400_naming_the_field(world: World, body: dict[str, Any], field: str, words: str) -> None:
    response = admin_client(world).post(CHANNELS, {"name": "c", **body}, format="json")
    assert response.status_code == 400, response.content
    details = response.json()["details"]
    assert field in details, details
    assert words in str(details[field])
    assert not NotificationChannel.objects.filter(name="c").exists()


def test_changing_the_kind_drops_the_old_kinds_settings(world: World) -> None:
    client = admin_client(world)
    created = client.post(CHANNELS, {"name": "c", "kind": "pagerduty", "config": {"severity": "info"},
                                     "secrets": {"routing_key": "k"}}, format="json").json()  # fmt: skip
    changed = client.patch(f"{CHANNELS}/{created['id']}", {"kind": "webhook", "url": "https://x.example.com/"},
                           format="json")  # fmt: skip
    assert changed.status_code == 200, changed.content
    assert (changed.json()["config"], changed.json()["secrets_set"]) == ({"send_resolved": True}, [])


def test_escalation_targets_a_channel_of_the_same_project(world: World) -> None:
    own, other = admin_client(world), admin_client(world, "other")
    target = own.post(CHANNELS, {"name": "lead", "url": "https://x.example.com/lead"}, format="json").json()
    foreign = other.post(CHANNELS, {"name": "theirs", "url": "https://x.example.com/t"}, format="json").json()
    first = {"name": "first", "url": "https://x.example.com/1"}
    refused = own.post(CHANNELS, {**first, "escalate_to": foreign["id"], "escalate_after_seconds": 300},
                       format="json")  # fmt: skip
    assert refused.status_code == 400 and "no such channel" in str(refused.json()["details"]["escalate_to"])
    half = own.post(CHANNELS, {**first, "escalate_to": target["id"]}, format="json")
    assert half.status_code == 400 and "escalate_after_seconds" in half.json()["details"]
    ok = own.post(CHANNELS, {**first, "escalate_to": target["id"], "escalate_after_seconds": 300}, format="json")
    assert ok.status_code == 201 and ok.json()["escalate_to"] == target["id"]
    itself = own.patch(f"{CHANNELS}/{ok.json()['id']}", {"escalate_to": ok.json()["id"]}, format="json")
    assert itself.status_code == 400 and "itself" in str(itself.json()["details"]["escalate_to"])


@pytest.mark.parametrize("kind", ["webhook", "slack", "pagerduty", "alertmanager"])
def test_every_http_kind_refuses_a_private_destination(world: World, kind: str) -> None:
    body = {"name": "c", "kind": kind, "url": "http://10.1.2.3/hook", "secrets": {"routing_key": "k"}}
    if kind != "pagerduty":
        body["secrets"] = {}
    response = admin_client(world).post(CHANNELS, body, format="json")
    assert response.status_code == 400
    assert "destination not allowed" in str(response.json()["details"]["url"])


@pytest.mark.parametrize("kind", ["webhook", "slack", "pagerduty", "alertmanager"])
def test_delivery_refuses_a_destination_no_longer_allowed(world: World, receiver: Receiver, settings: Any,
                                                          kind: str) -> None:  # fmt: skip
    secrets = {"routing_key": "k"} if kind == "pagerduty" else {}
    created = admin_client(world).post(CHANNELS, {"name": "c", "kind": kind, "url": receiver.url(),
                                                  "secrets": secrets}, format="json")  # fmt: skip
    assert created.status_code == 201, created.content
    settings.OUTBOUND_ALLOW_CIDRS = []  # the admin setting changed since
    with pytest.raises(DeliveryError) as refused:
        deliver(NotificationChannel.objects.get(pk=created.json()["id"]), message(item("A")))
    assert str(refused.value) == ("destination not allowed: the URL's host resolves to a loopback address"
                                  " (to reach it, add its network to PYFLARE_OUTBOUND_ALLOW_CIDRS"
                                  " or set PYFLARE_OUTBOUND_ALLOW_PRIVATE=true)")
    assert not refused.value.retryable and receiver.attempts == []
