"""Rule configurations and their decisions; expected values from independent computations."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy.stats import median_abs_deviation

from workers.analysis.alerting import (
    AnomalyRule,
    CompositeRule,
    PatternRule,
    RateRule,
    RuleConfigError,
    ThresholdRule,
    baseline_windows,
    evaluate_anomaly,
    evaluate_composite,
    evaluate_pattern,
    evaluate_rate,
    evaluate_threshold,
    parse_duration,
    parse_expression,
    parse_rule,
)

M1 = (("model_id", "m1"),)
M2 = (("model_id", "m2"),)


def test_threshold_fires_per_series_and_never_on_missing_data() -> None:
    rule = parse_rule("threshold", {"metric": "error_rate", "operator": ">", "value": 0.05, "window": "5m",
                                    "filters": {"service": "chat"}, "group_by": ["model_id"]})
    assert isinstance(rule, ThresholdRule)
    assert (rule.query.window, rule.query.filters, rule.query.group_by) == (300, {"service": "chat"}, ("model_id",))
    found = evaluate_threshold(rule, {M1: 0.2, M2: 0.05, (("model_id", "m3"),): None})
    assert [(f.labels["model_id"], f.firing) for f in found] == [("m1", True), ("m2", False), ("m3", False)]
    assert "0.2" in found[0].detail and "> 0.05" in found[0].detail


@pytest.mark.parametrize(("op", "fires_at"), [(">", [3]), (">=", [2, 3]), ("<", [1]), ("<=", [1, 2]),
                                              ("==", [2]), ("!=", [1, 3])])
def test_every_operator(op: str, fires_at: list[int]) -> None:
    rule = parse_rule("threshold", {"metric": "request_count", "operator": op, "value": 2})
    assert isinstance(rule, ThresholdRule)
    fired = [v for v in (1, 2, 3) if evaluate_threshold(rule, {(): float(v)})[0].firing]
    assert fired == fires_at


@pytest.mark.parametrize(("rule_type", "config", "says"), [
    ("nope", {}, "rule_type 'nope' is not one of"),
    ("threshold", {"operator": ">", "value": 1}, "metric is required"),
    ("threshold", {"metric": "cpu", "operator": ">", "value": 1}, "metric 'cpu' is not one of"),
    ("threshold", {"metric": "error_rate", "operator": "=>", "value": 1}, "operator '=>' is not one of"),
    ("threshold", {"metric": "error_rate", "operator": ">", "value": "high"}, "value must be a finite number"),
    ("threshold", {"metric": "error_rate", "operator": ">", "value": math.nan}, "value must be a finite number"),
    ("threshold", {"metric": "error_rate", "operator": ">", "value": 1, "window": "5 minutes"}, "not a duration"),
    ("threshold", {"metric": "error_rate", "operator": ">", "value": 1, "window": "1s"}, "window must be between"),
    ("threshold", {"metric": "error_rate", "operator": ">", "value": 1, "filters": {"host": "x"}}, "'host' is not one"),
    ("threshold", {"metric": "error_rate", "operator": ">", "value": 1, "group_by": "model_id"}, "must be a list"),
    ("threshold", {"metric": "drift_severity", "operator": ">", "value": 1, "group_by": ["service"]},
     "'service' is not one of model_id"),
    ("anomaly", {"metric": "latency_p95_ms", "direction": "sideways"}, "direction 'sideways'"),
    ("pattern", {"pattern": "(?<=x)y"}, "lookarounds and back-references"),
    ("pattern", {"pattern": "(unclosed"}, "is not a regular expression"),
    ("pattern", {"source": "logs", "field": "status_message", "pattern": "x"}, "field 'status_message'"),
    ("composite", {"expression": "a and"}, "rule id was expected"),
    ("composite", {"expression": "(a or b"}, "not closed"),
    ("composite", {"expression": "a b"}, "after a complete expression"),
    ("threshold", [], "config must be a JSON object"),
])
def test_bad_configs_name_the_problem(rule_type: str, config: object, says: str) -> None:
    with pytest.raises(RuleConfigError, match=says.replace("(", r"\(").replace("?", r"\?")):
        parse_rule(rule_type, config)  # type: ignore[arg-type]


def test_anomaly_uses_the_robust_z_score_of_its_baseline() -> None:
    rule = parse_rule("anomaly", {"metric": "latency_p95_ms", "sensitivity": 3, "direction": "up",
                                  "seasonality": "daily", "periods": 7})
    assert isinstance(rule, AnomalyRule)
    history = [100.0, 104.0, 98.0, 101.0, 97.0, 250.0, 103.0]  # one old outlier does not move the baseline
    for value in (112.0, 140.0, 60.0):
        expected = (value - np.median(history)) / median_abs_deviation(history, scale="normal")
        (found,) = evaluate_anomaly(rule, {M1: value}, {M1: history})
        assert f"z = {expected:.2f}" in found.detail
        assert found.firing is bool(expected > 3)
    both = parse_rule("anomaly", {"metric": "latency_p95_ms", "direction": "both"})
    assert isinstance(both, AnomalyRule)
    assert evaluate_anomaly(both, {M1: 60.0}, {M1: history})[0].firing  # a drop counts in both directions


def test_anomaly_stays_quiet_without_enough_baseline_and_handles_a_flat_one() -> None:
    rule = parse_rule("anomaly", {"metric": "request_count", "min_points": 3})
    assert isinstance(rule, AnomalyRule)
    (found,) = evaluate_anomaly(rule, {M1: 1e6}, {M1: [1.0, None]})
    assert not found.firing and "not enough baseline (1 of 3" in found.detail
    flat = [50.0] * 7
    assert not evaluate_anomaly(rule, {M1: 51.0}, {M1: flat})[0].firing  # z = 1 / 2.5 = 0.4
    assert evaluate_anomaly(rule, {M1: 60.0}, {M1: flat})[0].firing  # z = 10 / 2.5 = 4


def test_baseline_windows_follow_the_seasonality() -> None:
    for seasonality, step in (("none", 300), ("daily", 86400), ("weekly", 604800)):
        rule = parse_rule("anomaly", {"metric": "error_rate", "window": "5m", "seasonality": seasonality,
                                      "periods": 3})
        assert isinstance(rule, AnomalyRule)
        now = 1_000_000_000.0
        assert baseline_windows(rule, now) == [(now - 300 - k * step, now - k * step) for k in (1, 2, 3)]


def test_rate_compares_with_the_previous_window() -> None:
    rule = parse_rule("rate", {"metric": "cost_usd", "operator": ">", "value": 50, "window": "1h"})
    assert isinstance(rule, RateRule)
    found = evaluate_rate(rule, {M1: 16.0, M2: 12.0, (("model_id", "m3"),): 1.0},
                          {M1: 10.0, M2: 10.0, (("model_id", "m3"),): 0.0})
    assert [(f.value, f.firing) for f in found] == [(60.0, True), (20.0, False), (math.inf, True)]
    absolute = parse_rule("rate", {"metric": "request_count", "operator": "<", "value": -100, "change": "absolute"})
    assert isinstance(absolute, RateRule)
    assert evaluate_rate(absolute, {M1: 50.0}, {M1: 200.0})[0].firing
    assert not evaluate_rate(absolute, {M1: 50.0}, {})[0].firing  # no previous window: no decision


def test_pattern_counts_and_a_rule_without_matches_is_a_zero_count() -> None:
    rule = parse_rule("pattern", {"source": "spans", "field": "status_message", "pattern": "rate.?limit",
                                  "operator": ">=", "value": 3, "window": "10m"})
    assert isinstance(rule, PatternRule)
    assert [f.firing for f in evaluate_pattern(rule, {(): 3.0})] == [True]
    (quiet,) = evaluate_pattern(rule, {})
    assert (quiet.value, quiet.firing) == (0.0, False)
    absent = parse_rule("pattern", {"pattern": "x", "operator": "==", "value": 0})
    assert isinstance(absent, PatternRule)
    assert evaluate_pattern(absent, {})[0].firing  # "no heartbeat" rules fire on silence


def test_composite_expressions_match_python_boolean_logic() -> None:
    text = "r1 and (r2 or not r3) or r4"
    rule = parse_rule("composite", {"expression": text})
    assert isinstance(rule, CompositeRule)
    assert rule.expression.references() == {"r1", "r2", "r3", "r4"}
    for values in itertools.product([False, True], repeat=4):
        env = dict(zip(["r1", "r2", "r3", "r4"], values, strict=True))
        assert evaluate_composite(rule, env).firing is eval(text, {}, env)  # Python's own precedence
    assert parse_expression("not not a").evaluate({"a": True})


@pytest.mark.parametrize(("text", "seconds"), [("30s", 30), ("5m", 300), ("2h", 7200), ("1d", 86400), ("1w", 604800),
                                               (90, 90)])
def test_durations(text: str | int, seconds: float) -> None:
    assert parse_duration(text) == seconds
