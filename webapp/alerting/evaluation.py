"""One rule's evaluation: the values it decides on (read through workers.storage.alerting) and the
pure core's verdict per series. Composite rules decide on which rules fire right now."""

from __future__ import annotations

from collections.abc import Mapping

from clickhouse_connect.driver.client import Client

from webapp.alerting.models import AlertRule
from workers.analysis.alerting import (
    AnomalyRule,
    CompositeRule,
    Finding,
    PatternRule,
    RateRule,
    ThresholdRule,
    baseline_windows,
    evaluate_anomaly,
    evaluate_composite,
    evaluate_pattern,
    evaluate_rate,
    evaluate_threshold,
)
from workers.storage.alerting.metrics import pattern_counts, window_values


def evaluate_rule(client: Client, rule: AlertRule, now: float, firing_rules: Mapping[str, bool]) -> list[Finding]:
    """Findings of `rule` as of `now` (epoch seconds). Raises RuleConfigError / UnsupportedQuery for
    a rule that cannot be evaluated (the caller records it on the rule)."""
    spec = rule.spec()
    project = rule.project.slug
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
