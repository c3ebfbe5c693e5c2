"""Matchers, fingerprints, silences and inhibition: Alertmanager's documented meaning."""

from __future__ import annotations

import itertools

import pytest

from workers.analysis.alerting import (
    InhibitRule,
    Matcher,
    MatcherError,
    MatchOp,
    Silence,
    SilenceState,
    fingerprint,
    inhibited,
    parse_matcher,
    parse_matchers,
    silenced_by,
)


@pytest.mark.parametrize(
    ("text", "labels", "expected"),
    [
        ('service="api"', {"service": "api"}, True),
        ('service="api"', {"service": "api2"}, False),
        ('service!="api"', {"service": "web"}, True),
        ('service!="api"', {}, True),
        ('team=""', {}, True),  # a missing label matches as the empty string
        ('team=""', {"team": "a"}, False),
        ('service=~"api|web"', {"service": "web"}, True),
        ('service=~"api|web"', {"service": "api-gateway"}, False),  # fully anchored
        ('service=~"api|web"', {"service": "my-api"}, False),
        ('service!~"api.*"', {"service": "api-gateway"}, False),
        ('service!~"api.*"', {"service": "web"}, True),
        ('model_id=~"gpt-4o.*"', {"model_id": "gpt-4o-mini-2024-07-18"}, True),
        ('msg="a \\"quoted\\" \\\\ value"', {"msg": 'a "quoted" \\ value'}, True),
        ("env=prod", {"env": "prod"}, True),
        ("gen_ai.system=openai", {"gen_ai.system": "openai"}, True),
    ],
)
def test_matchers(text: str, labels: dict[str, str], expected: bool) -> None:
    assert parse_matcher(text).matches(labels) is expected


def test_matcher_round_trips_through_its_text() -> None:
    m = Matcher("msg", MatchOp.EQ, 'say "hi" \\ bye')
    assert parse_matcher(str(m)) == m


def test_a_braced_list_splits_outside_quotes() -> None:
    ms = parse_matchers('{service="a,b", env=~"prod|stage"}')
    assert [(m.name, m.op, m.value) for m in ms] == [("service", MatchOp.EQ, "a,b"), ("env", MatchOp.RE, "prod|stage")]


@pytest.mark.parametrize(("text", "says"), [
    ("service", "is not a matcher"),
    ('9lives="x"', "is not a label name"),
    ('service=~"("', "not a regular expression"),
    ('service=="x"', "is not a matcher"),
])
def test_bad_matchers_say_what_is_wrong(text: str, says: str) -> None:
    with pytest.raises(MatcherError, match=says):
        parse_matcher(text)


def test_fingerprint_is_the_label_set() -> None:
    labels = {"alertname": "HighErrorRate", "model_id": "gpt-4o", "service": "chat"}
    for order in itertools.permutations(labels):
        assert fingerprint({k: labels[k] for k in order}) == fingerprint(labels)
    assert fingerprint({"a": "bc"}) != fingerprint({"ab": "c"})
    assert fingerprint(labels) != fingerprint({**labels, "service": "chat2"})


def test_silence_lifecycle_and_matching() -> None:
    s = Silence("s1", parse_matchers(['model_id=~"gpt-4o.*"', 'env!="dev"']), starts_at=100, ends_at=200,
                created_by="ana", comment="vendor incident")
    labels = {"model_id": "gpt-4o-mini", "env": "prod"}
    assert [s.state(t) for t in (99.9, 100, 199.9, 200)] == [
        SilenceState.PENDING, SilenceState.ACTIVE, SilenceState.ACTIVE, SilenceState.EXPIRED]
    assert silenced_by([s], labels, 150) == ["s1"]
    assert silenced_by([s], {**labels, "env": "dev"}, 150) == []
    assert silenced_by([s], labels, 250) == []


@pytest.mark.parametrize("matchers", [[], ['team=""'], ['team=~".*"'], ['team!="x"']])
def test_a_silence_that_would_mute_everything_is_refused(matchers: list[str]) -> None:
    with pytest.raises(MatcherError):
        Silence("s", parse_matchers(matchers), starts_at=0, ends_at=10)


def test_a_silence_ends_after_it_starts() -> None:
    with pytest.raises(MatcherError, match="end after it starts"):
        Silence("s", parse_matchers(['a="b"']), starts_at=10, ends_at=10)


def test_inhibition_needs_a_firing_source_with_equal_labels() -> None:
    rule = InhibitRule(source=parse_matchers(['severity="critical"']),
                       target=parse_matchers(['severity="warning"']), equal=("model_id",))
    warning = {"alertname": "Latency", "severity": "warning", "model_id": "m1"}
    assert inhibited(warning, [rule], [{"alertname": "Down", "severity": "critical", "model_id": "m1"}])
    assert not inhibited(warning, [rule], [{"alertname": "Down", "severity": "critical", "model_id": "m2"}])
    assert not inhibited(warning, [rule], [])  # the source resolved: the target is notified again
    # a label missing on both sides counts as equal
    assert inhibited({"severity": "warning"}, [rule], [{"severity": "critical"}])


def test_an_alert_does_not_inhibit_itself() -> None:
    rule = InhibitRule(source=parse_matchers(['alertname="X"']), target=parse_matchers(['alertname="X"']))
    a = {"alertname": "X", "i": "1"}
    assert not inhibited(a, [rule], [a])
    assert inhibited(a, [rule], [a, {"alertname": "X", "i": "2"}])
