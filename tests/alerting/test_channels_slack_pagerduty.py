"""Slack (incoming webhook: text and Block Kit) and PagerDuty (Events API v2: a stable dedup_key per
group, trigger then resolve) against real local receivers; their secrets never come back."""

from __future__ import annotations

import dataclasses

from tests.alerting import channel_receivers as receivers
from tests.alerting.channel_receivers import CHANNELS, Receiver, admin_client, item, message
from tests.webapp.conftest import World
from webapp.costs.models import NotificationChannel
from webapp.costs.senders import deliver

world, receiver, _fresh_throttles = receivers.world, receivers.receiver, receivers.fresh_throttles  # fixtures


def _create(world: World, body: dict[str, object]) -> NotificationChannel:
    response = admin_client(world).post(CHANNELS, body, format="json")
    assert response.status_code == 201, response.content
    return NotificationChannel.objects.get(pk=response.json()["id"])


def test_slack_gets_a_fallback_text_and_one_section_per_alert(world: World, receiver: Receiver) -> None:
    channel = _create(world, {"name": "slack", "kind": "slack", "url": receiver.url("/services/T0/B0/XYZ"),
                              "config": {"channel": "#alerts", "username": "pyflare"}})  # fmt: skip
    deliver(channel, message(item("HighErrorRate", model_id="gpt-4o"), item("Slow<p99>", "resolved")))
    [request] = receiver.received
    body = request.body
    assert request.path == "/services/T0/B0/XYZ"
    assert (body["channel"], body["username"]) == ("#alerts", "pyflare")
    assert body["text"] == "[FIRING:1] HighErrorRate model_id=gpt-4o"
    header, first, second, context = body["blocks"]
    assert header == {"type": "header", "text": {"type": "plain_text", "text": body["text"]}}
    assert first["text"]["text"] == (":red_circle: *firing* HighErrorRate is firing (alertname=HighErrorRate, "
                                     "model_id=gpt-4o) <https://pyflare.example/alerts/HighErrorRate|open>")
    assert second["text"]["text"].startswith(":large_green_circle: *resolved* Slow&lt;p99&gt; is resolved")
    assert context["elements"][0]["text"] == "project own · <https://pyflare.example/|PyFlare>"


def test_a_slack_url_is_shown_without_its_secret_path(world: World, receiver: Receiver) -> None:
    channel = _create(world, {"name": "slack", "kind": "slack", "url": receiver.url("/services/T0/B0/XYZ")})
    shown = admin_client(world).get(f"{CHANNELS}/{channel.pk}").json()
    assert shown["url"] == "http://127.0.0.1/…" and "XYZ" not in str(shown)


def test_pagerduty_triggers_then_resolves_with_one_dedup_key(world: World, receiver: Receiver) -> None:
    channel = _create(world, {"name": "pager", "kind": "pagerduty", "url": receiver.url("/v2/enqueue"),
                              "config": {"severity": "critical"}, "secrets": {"routing_key": "R0UT1NG"}})  # fmt: skip
    deliver(channel, message(item("HighErrorRate", model_id="gpt-4o"), item("SlowP99", model_id="gpt-4o")))
    deliver(channel, message(item("HighErrorRate", "resolved", model_id="gpt-4o"),
                             item("SlowP99", "resolved", model_id="gpt-4o")))  # fmt: skip
    trigger, resolve = (r.body for r in receiver.received)
    assert trigger["dedup_key"] == resolve["dedup_key"] != ""
    assert (trigger["routing_key"], trigger["event_action"], resolve["event_action"]) == ("R0UT1NG", "trigger",
                                                                                          "resolve")  # fmt: skip
    assert resolve == {"routing_key": "R0UT1NG", "dedup_key": trigger["dedup_key"], "event_action": "resolve"}
    payload = trigger["payload"]
    assert (payload["summary"], payload["severity"], payload["source"]) == (
        "[FIRING:2] HighErrorRate model_id=gpt-4o", "critical", "pyflare/own")
    assert payload["custom_details"]["num_firing"] == 2
    assert [link["href"] for link in trigger["links"]] == ["https://pyflare.example/alerts/HighErrorRate",
                                                           "https://pyflare.example/alerts/SlowP99"]  # fmt: skip


def test_another_group_gets_another_dedup_key(world: World, receiver: Receiver) -> None:
    channel = _create(world, {"name": "pager", "kind": "pagerduty", "url": receiver.url(),
                              "secrets": {"routing_key": "R0UT1NG"}})  # fmt: skip
    first = message(item("A"))
    deliver(channel, first)
    deliver(channel, dataclasses.replace(first, group_key='{}:{model_id="o3"}'))
    keys = [r.body["dedup_key"] for r in receiver.received]
    assert len(set(keys)) == 2


def test_the_routing_key_is_write_only(world: World, receiver: Receiver) -> None:
    channel = _create(world, {"name": "pager", "kind": "pagerduty", "url": receiver.url(),
                              "secrets": {"routing_key": "R0UT1NG"}})  # fmt: skip
    for shown in (admin_client(world).get(f"{CHANNELS}/{channel.pk}").json(), admin_client(world).get(CHANNELS).json()):
        assert "R0UT1NG" not in str(shown)
    assert admin_client(world).get(f"{CHANNELS}/{channel.pk}").json()["secrets_set"] == ["routing_key"]


def test_pagerduty_uses_the_events_api_url_by_default(world: World) -> None:
    channel = _create(world, {"name": "pager", "kind": "pagerduty", "secrets": {"routing_key": "R0UT1NG"}})
    assert channel.destination == "https://events.pagerduty.com/v2/enqueue"
