"""Grouping and notification timing, in the style of Alertmanager's acceptance tests: alerts pushed at
fractional seconds on a virtual clock, notifications asserted with the times they leave."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from workers.analysis.alerting import Alert, Channel, Dispatcher, GroupPolicy, Route, parse_matchers
from workers.analysis.alerting.matchers import matches_all

Sent = tuple[float, str, tuple[str, ...], tuple[str, ...]]  # time, channel, firing, resolved
POLICY = GroupPolicy(group_by=("model_id",), group_wait=1.0, group_interval=2.0, repeat_interval=6.0)


def alert(name: str, starts: float, ends: float = math.inf, model: str = "m1", **extra: str) -> Alert:
    return Alert({"alertname": name, "model_id": model, **extra}, starts_at=starts, ends_at=ends, updated_at=starts)


@dataclass
class Sim:
    dispatcher: Dispatcher
    failing: set[str] = field(default_factory=set)
    muted: Callable[..., bool] | None = None
    sent: list[Sent] = field(default_factory=list)

    def run(self, pushes: Iterable[tuple[float, str, Alert]], until: float) -> list[Sent]:
        queue = sorted(pushes, key=lambda p: p[0])
        now = 0.0
        while True:
            next_flush = self.dispatcher.next_flush()
            next_push = queue[0][0] if queue else math.inf
            now = min(next_push, next_flush if next_flush is not None else math.inf)
            if now > until:
                return self.sent
            if queue and next_push <= now:
                _, route, a = queue.pop(0)
                self.dispatcher.push(route, a, now)
                continue
            for n in self.dispatcher.flush_due(now, self.muted):
                if n.channel.name in self.failing:
                    self.dispatcher.failed(n)
                    continue
                self.sent.append((round(now, 3), n.channel.name,
                                  tuple(a.labels["alertname"] for a in n.alerts if not a.resolved(now)),
                                  tuple(a.labels["alertname"] for a in n.alerts if a.resolved(now))))
                self.dispatcher.delivered(n)


def sim(*channels: Channel, policy: GroupPolicy = POLICY) -> Sim:
    return Sim(Dispatcher({"r": Route("r", policy, channels or (Channel("hook"),))}))


def test_group_wait_batches_alerts_that_arrive_together() -> None:
    s = sim()
    sent = s.run([(0.3, "r", alert("A", 0.3)), (0.9, "r", alert("B", 0.9))], until=5)
    # the group was created at 0.3: one notification at 1.3 with both; nothing new until the repeat
    assert sent == [(1.3, "hook", ("A", "B"), ())]


def test_group_interval_paces_new_members_and_repeat_interval_resends() -> None:
    s = sim()
    sent = s.run([(0.0, "r", alert("A", 0.0)), (1.5, "r", alert("B", 1.5))], until=12)
    # first at 1.0 (group_wait); B waits for the next flush at 3.0; the unchanged group is sent again at
    # the first flush more than 6 s after the last notification (3.0 + 6 < 11.0)
    assert sent == [(1.0, "hook", ("A",), ()), (3.0, "hook", ("A", "B"), ()), (11.0, "hook", ("A", "B"), ())]


def test_groups_are_separate_by_group_by_labels() -> None:
    s = sim()
    sent = s.run([(0.0, "r", alert("A", 0.0, model="m1")), (0.5, "r", alert("A", 0.5, model="m2"))], until=2)
    assert sent == [(1.0, "hook", ("A",), ()), (1.5, "hook", ("A",), ())]


def test_an_old_alert_flushes_a_new_group_at_once() -> None:
    s = sim()
    # the alert started 10 s before it reached the group: it has waited longer than group_wait
    sent = s.run([(10.0, "r", alert("A", 0.0))], until=11)
    assert sent == [(10.0, "hook", ("A",), ())]


def test_resolutions_are_notified_then_the_group_ends() -> None:
    s = sim()
    sent = s.run([(0.0, "r", alert("A", 0.0)), (0.0, "r", alert("B", 0.0)),
                  (1.5, "r", alert("A", 0.0, ends=1.5))], until=20)
    assert sent == [(1.0, "hook", ("A", "B"), ()), (3.0, "hook", ("B",), ("A",)),
                    (11.0, "hook", ("B",), ()), (19.0, "hook", ("B",), ())]  # repeats: strictly after 6 s
    s2 = sim()
    sent2 = s2.run([(0.0, "r", alert("A", 0.0)), (1.5, "r", alert("A", 0.0, ends=1.5))], until=20)
    assert sent2 == [(1.0, "hook", ("A",), ()), (3.0, "hook", (), ("A",))]
    assert s2.dispatcher.groups == {}  # the resolved alert was sent: the group is gone


def test_an_alert_resolved_before_anyone_heard_of_it_is_not_notified() -> None:
    s = sim()
    sent = s.run([(0.0, "r", alert("A", 0.0)), (0.5, "r", alert("A", 0.0, ends=0.5))], until=10)
    assert sent == []
    assert s.dispatcher.groups == {}


def test_a_channel_without_resolutions_is_not_sent_them() -> None:
    s = sim(Channel("hook"), Channel("pager", send_resolved=False))
    sent = s.run([(0.0, "r", alert("A", 0.0)), (0.0, "r", alert("B", 0.0)),
                  (1.5, "r", alert("A", 0.0, ends=1.5)), (3.5, "r", alert("B", 0.0, ends=3.5))], until=20)
    assert sent == [
        (1.0, "hook", ("A", "B"), ()), (1.0, "pager", ("A", "B"), ()),
        (3.0, "hook", ("B",), ("A",)),  # pager: nothing new firing, resolutions not wanted
        # A left the group once its resolution was out; pager's log is cleared with nothing delivered
        (5.0, "hook", (), ("B",)), (5.0, "pager", (), ()),
    ]


def test_a_failed_channel_is_retried_alone_at_the_next_flush() -> None:
    s = sim(Channel("hook"), Channel("slack"))
    s.failing = {"slack"}
    s.run([(0.0, "r", alert("A", 0.0))], until=1.5)
    s.failing = set()
    sent = s.run([], until=4)
    assert sent == [(1.0, "hook", ("A",), ()), (3.0, "slack", ("A",), ())]


def test_a_resolved_alert_stays_until_every_channel_has_the_resolution() -> None:
    s = sim(Channel("hook"), Channel("slack"))
    s.run([(0.0, "r", alert("A", 0.0)), (1.5, "r", alert("A", 0.0, ends=1.5))], until=2)
    s.failing = {"slack"}
    s.run([], until=3.5)
    assert s.dispatcher.groups  # slack did not get the resolution: the alert is kept
    s.failing = set()
    sent = s.run([], until=10)
    assert sent[-1] == (5.0, "slack", (), ("A",))
    assert s.dispatcher.groups == {}


def test_an_alert_firing_again_after_resolving_is_a_new_occurrence() -> None:
    s = sim()
    sent = s.run([(0.0, "r", alert("A", 0.0)), (1.5, "r", alert("A", 0.0, ends=1.5)),
                  (6.0, "r", alert("A", 6.0))], until=10)
    # the group ended at 3.0; the new occurrence starts a new group (group_wait again)
    assert sent == [(1.0, "hook", ("A",), ()), (3.0, "hook", (), ("A",)), (7.0, "hook", ("A",), ())]


def test_muted_alerts_are_left_out_and_an_all_muted_group_sends_nothing() -> None:
    silence = parse_matchers(['alertname="B"'])
    s = sim()
    s.muted = lambda labels, firing: matches_all(silence, labels)
    sent = s.run([(0.0, "r", alert("A", 0.0)), (0.0, "r", alert("B", 0.0))], until=2)
    assert sent == [(1.0, "hook", ("A",), ())]
    s2 = sim()
    s2.muted = lambda labels, firing: True
    assert s2.run([(0.0, "r", alert("A", 0.0))], until=10) == []


def test_merging_keeps_the_earliest_start_and_newest_annotations() -> None:
    d = Dispatcher({"r": Route("r", POLICY, (Channel("hook"),))})
    key = d.push("r", Alert({"alertname": "A"}, starts_at=5, ends_at=50, annotations={"v": "1"}, updated_at=5), 5)
    d.push("r", Alert({"alertname": "A"}, starts_at=8, ends_at=60, annotations={"v": "2"}, updated_at=8), 8)
    (held,) = d.alerts[key].values()
    assert (held.starts_at, held.ends_at, held.annotations) == (5, 60, {"v": "2"})
