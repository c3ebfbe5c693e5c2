"""One rule's evaluation: the values it decides on (read through workers.storage.alerting) and the
pure core's verdict per series. Composite rules decide on which rules fire right now."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from clickhouse_connect.driver.client import Client

from webapp.alerting.models import AlertRule
from workers.analysis.alerting import (
    AnomalyRule,
    CompositeRule,
    Finding,
    PatternRule,
    RateRule,
    RuleConfigError,
    RuleType,
    ThresholdRule,
    baseline_windows,
    evaluate_anomaly,
    evaluate_composite,
    evaluate_pattern,
    evaluate_rate,
    evaluate_threshold,
)
from workers.analysis.alerting.rules import Query
from workers.storage.alerting.metrics import pattern_counts, window_values
from workers.storage.alerting.shared import Values, shared_window_values, shares


def shared_threshold_values(client: Client, project: str, rules: Sequence[AlertRule], now: float
                            ) -> dict[int, Values]:  # fmt: skip
    """The values of every threshold rule over span metrics among `rules`, read one query per shape
    (workers.storage.alerting.shared) rather than one per rule; rule id -> values."""
    queries: dict[int, Query] = {}
    for rule in rules:
        if rule.rule_type != RuleType.THRESHOLD:
            continue
        try:
            spec = rule.spec()
        except RuleConfigError:
            continue  # its own evaluation records the error
        if isinstance(spec, ThresholdRule) and shares(spec.query):
            queries[rule.pk] = spec.query
    return dict(zip(queries, shared_window_values(client, project, list(queries.values()), now), strict=True))


def evaluate_rule(client: Client, rule: AlertRule, now: float, firing_rules: Mapping[str, bool],
                  shared: Values | None = None) -> list[Finding]:  # fmt: skip
    """Findings of `rule` as of `now` (epoch seconds); `shared`: its values read with other rules'.
    Raises RuleConfigError / UnsupportedQuery for a rule that cannot be evaluated (the caller records
    it on the rule)."""
    spec = rule.spec()
    project = rule.project.slug
    if isinstance(spec, ThresholdRule) and shared is not None:
        return evaluate_threshold(spec, shared)
    if isinstance(spec, ThresholdRule):
        (values,) = window_values(client, project, spec.query, [(now - spec.query.window, now)])
        return evaluate_threshold(spec, values)
    if isinstance(spec, RateRule):
        window = spec.query.window
        current, previous = window_values(client, project, spec.query, [(now - window, now),
                                                                        (now - 2 * window, now - window)])
        return evaluate_rate(spec, current, previous)
    if isinstance(spec, AnomalyRule):
        baseline = baseline_windows(spec, now)
        current, *past = window_values(client, project, spec.query, [(now - spec.query.window, now), *baseline])
        history = {key: [p.get(key) for p in past] for key in current}
        return evaluate_anomaly(spec, current, history)
    if isinstance(spec, PatternRule):
        return evaluate_pattern(spec, pattern_counts(client, project, spec, now))
    assert isinstance(spec, CompositeRule)
    return [evaluate_composite(spec, firing_rules)]
