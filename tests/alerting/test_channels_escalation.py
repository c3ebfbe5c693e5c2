"""Escalation: an alert still firing and unacknowledged `after` seconds after a channel was notified
goes to that channel's escalation target (chains step on from when the previous channel was
notified); acknowledged or resolved alerts never escalate; loops and repeats are cut. Also the
token bucket behind per-channel rate limits."""

from __future__ import annotations

import pytest

from tests.alerting import channel_receivers as receivers
from tests.alerting.channel_receivers import CHANNELS, admin_client
from tests.webapp.conftest import World
from webapp.costs.channel_delivery import escalation_policy
from workers.analysis.alerting.escalation import AlertState, Escalation, EscalationStep, escalations_due
from workers.analysis.alerting.ratelimit import Bucket, take_token

world, _fresh_throttles = receivers.world, receivers.fresh_throttles  # fixtures
ONCALL, LEAD, MANAGER = 1, 2, 3
POLICY = {ONCALL: EscalationStep(LEAD, 300.0), LEAD: EscalationStep(MANAGER, 600.0)}


def test_nothing_is_due_before_the_delay() -> None:
    alert = AlertState("fp1", "firing", {ONCALL: 1000.0})
    assert escalations_due([alert], POLICY, 1299.9) == []
    assert escalations_due([alert], POLICY, 1300.0) == [Escalation("fp1", ONCALL, LEAD, 1300.0)]


def test_acknowledged_and_resolved_alerts_never_escalate() -> None:
    alerts = [AlertState("ack", "acknowledged", {ONCALL: 0.0}), AlertState("done", "resolved", {ONCALL: 0.0})]
    assert escalations_due(alerts, POLICY, 10_000.0) == []


def test_a_chain_steps_from_when_the_previous_channel_was_notified() -> None:
    escalated = AlertState("fp1", "firing", {ONCALL: 1000.0, LEAD: 1400.0})  # lead reached (late) at 1400
    assert escalations_due([escalated], POLICY, 1999.0) == []  # 1400 + 600 = 2000, not 1300 + 600
    assert escalations_due([escalated], POLICY, 2000.0) == [Escalation("fp1", LEAD, MANAGER, 2000.0)]
    everyone = AlertState("fp1", "firing", {ONCALL: 1000.0, LEAD: 1400.0, MANAGER: 2000.0})
    assert escalations_due([everyone], POLICY, 99_999.0) == []  # each channel once per alert


def test_loops_and_shared_targets_send_once() -> None:
    loop = {ONCALL: EscalationStep(LEAD, 60.0), LEAD: EscalationStep(ONCALL, 60.0)}
    assert escalations_due([AlertState("fp", "firing", {ONCALL: 0.0, LEAD: 60.0})], loop, 1e6) == []
    shared = {ONCALL: EscalationStep(MANAGER, 100.0), LEAD: EscalationStep(MANAGER, 50.0)}
    due = escalations_due([AlertState("fp", "firing", {ONCALL: 0.0, LEAD: 0.0})], shared, 200.0)
    assert due == [Escalation("fp", LEAD, MANAGER, 50.0)]  # the earlier one, once


def test_alerts_are_escalated_in_due_order() -> None:
    alerts = [AlertState("late", "firing", {ONCALL: 500.0}), AlertState("early", "firing", {ONCALL: 100.0})]
    assert [e.fingerprint for e in escalations_due(alerts, POLICY, 10_000.0)] == ["early", "late"]


def test_the_policy_comes_from_the_projects_channels(world: World) -> None:
    client = admin_client(world)
    lead = client.post(CHANNELS, {"name": "lead", "url": "https://x.example.com/lead"}, format="json").json()
    oncall = client.post(CHANNELS, {"name": "oncall", "url": "https://x.example.com/oncall", "escalate_to": lead["id"],
                                    "escalate_after_seconds": 900}, format="json").json()  # fmt: skip
    admin_client(world, "other").post(CHANNELS, {"name": "x", "url": "https://x.example.com/x"}, format="json")
    assert escalation_policy(world.own.project.pk) == {oncall["id"]: EscalationStep(lead["id"], 900.0)}
    assert escalation_policy(world.other.project.pk) == {}
    client.patch(f"{CHANNELS}/{lead['id']}", {"enabled": False}, format="json")
    assert escalation_policy(world.own.project.pk) == {}  # a paused target is not escalated to


def test_the_bucket_allows_a_burst_then_one_token_per_interval() -> None:
    bucket, allowed = None, []
    for _ in range(4):  # 3 a minute: a burst of 3, then refused
        took = take_token(bucket, 100.0, 3)
        bucket, allowed = took.bucket, [*allowed, took.allowed]
    assert allowed == [True, True, True, False] and took.retry_in == pytest.approx(20.0)
    assert take_token(bucket, 119.9, 3).allowed is False
    assert take_token(bucket, 120.0, 3).allowed is True  # 20 s later: one token back
    assert take_token(Bucket(0.0, 200.0), 100.0, 3).allowed is False  # a clock stepping back refills nothing
    assert take_token(Bucket(0.0, 0.0), 1e9, 3).bucket.tokens == pytest.approx(2.0)  # capped at the burst
