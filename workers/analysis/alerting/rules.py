"""Alert rule configurations (validated) and their evaluation over metric values.

Five rule types, each a pure decision over values the storage layer computes per series (a series
is one combination of the rule's `group_by` labels):

- `threshold`: the metric over the window compared with a value (`error_rate > 0.05`).
- `anomaly`: the metric over the window against its own baseline — the same window in earlier
  periods (the previous windows, or the same time on earlier days / weeks for `seasonality`
  daily / weekly); fires when its robust z-score, (value - median) / (1.4826 * MAD), passes
  `sensitivity` in the chosen direction. With a flat baseline (MAD 0) the scale is 5 % of the
  median's magnitude (at least 1e-9), so a flat series alerts on a real move only.
- `rate`: the change of the metric from the previous window of equal length to this one, in percent
  (or absolute), compared with a value (`> 50` = grew by more than half).
- `pattern`: the count of spans or logs whose field matches a regex, compared with a value.
- `composite`: a boolean expression over other rules of the project (`r1 and (r2 or not r3)`),
  true for a rule while it has a firing alert.
"""

from __future__ import annotations

import math
import operator
import re
import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from workers.analysis.alerting.composite import Expr, ExpressionError, parse_expression
from workers.analysis.alerting.durations import DurationError, format_duration, parse_duration


class RuleConfigError(ValueError):
    """A rule configuration that cannot be used; the message names the field."""


class RuleType(StrEnum):
    THRESHOLD = "threshold"
    ANOMALY = "anomaly"
    RATE = "rate"
    PATTERN = "pattern"
    COMPOSITE = "composite"


class Metric(StrEnum):
    ERROR_RATE = "error_rate"
    REQUEST_COUNT = "request_count"
    LATENCY_P50_MS = "latency_p50_ms"
    LATENCY_P95_MS = "latency_p95_ms"
    LATENCY_P99_MS = "latency_p99_ms"
    INPUT_TOKENS = "input_tokens"
    OUTPUT_TOKENS = "output_tokens"
    COST_USD = "cost_usd"
    DRIFT_SEVERITY = "drift_severity"
    FEATURE_DRIFT_SHARE = "feature_drift_share"


SPAN_LABELS = ("model_id", "service", "environment", "provider", "operation", "team", "feature_id")
DRIFT_LABELS = ("model_id",)
DRIFT_METRICS = (Metric.DRIFT_SEVERITY, Metric.FEATURE_DRIFT_SHARE)
OPERATORS: dict[str, Callable[[float, float], bool]] = {
    ">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le, "==": operator.eq, "!=": operator.ne,
}
PATTERN_FIELDS = {
    "spans": ("status_message", "name", "output_preview", "status_code"),
    "logs": ("body", "severity_text"),
}
_UNSUPPORTED_REGEX = re.compile(r"\(\?[=!<]|\\[1-9]")  # lookarounds and back-references: not in ClickHouse's re2

SeriesKey = tuple[tuple[str, str], ...]  # the group_by labels of one series, sorted by name


@dataclass(frozen=True)
class Query:
    """What the storage layer computes for a rule: the metric per series over [now - window, now)."""

    metric: str
    window: float
    filters: Mapping[str, str] = field(default_factory=dict)
    group_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class ThresholdRule:
    query: Query
    op: str
    value: float


@dataclass(frozen=True)
class AnomalyRule:
    query: Query
    direction: str  # "up", "down" or "both"
    sensitivity: float
    seasonality: str  # "none", "daily" or "weekly"
    periods: int
    min_points: int


@dataclass(frozen=True)
class RateRule:
    query: Query
    op: str
    value: float
    change: str  # "percent" or "absolute"


@dataclass(frozen=True)
class PatternRule:
    source: str  # "spans" or "logs"
    field: str
    pattern: str
    op: str
    value: float
    window: float
    filters: Mapping[str, str] = field(default_factory=dict)
    group_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class CompositeRule:
    expression: Expr


RuleSpec = ThresholdRule | AnomalyRule | RateRule | PatternRule | CompositeRule


def parse_rule(rule_type: str, config: Mapping[str, Any]) -> RuleSpec:
    """A validated rule from its type and JSON config; RuleConfigError names what is wrong."""
    if not isinstance(config, Mapping):
        raise RuleConfigError("config must be a JSON object")
    try:
        kind = RuleType(rule_type)
    except ValueError:
        raise RuleConfigError(f"rule_type {rule_type!r} is not one of {', '.join(RuleType)}") from None
    try:
        if kind is RuleType.THRESHOLD:
            return ThresholdRule(_query(config), _op(config), _number(config, "value"))
        if kind is RuleType.ANOMALY:
            return AnomalyRule(
                _query(config),
                direction=_choice(config, "direction", ("up", "down", "both"), "both"),
                sensitivity=_number(config, "sensitivity", 3.0, minimum=0.5),
                seasonality=_choice(config, "seasonality", ("none", "daily", "weekly"), "none"),
                periods=int(_number(config, "periods", 7, minimum=2, maximum=60)),
                min_points=int(_number(config, "min_points", 3, minimum=2, maximum=60)),
            )
        if kind is RuleType.RATE:
            return RateRule(_query(config), _op(config), _number(config, "value"),
                            _choice(config, "change", ("percent", "absolute"), "percent"))
        if kind is RuleType.PATTERN:
            return _pattern(config)
        return CompositeRule(parse_expression(_text(config, "expression")))
    except (DurationError, ExpressionError) as exc:
        raise RuleConfigError(str(exc)) from None


def _query(config: Mapping[str, Any]) -> Query:
    metric = _text(config, "metric")
    if metric not in set(Metric):
        raise RuleConfigError(f"metric {metric!r} is not one of {', '.join(Metric)}")
    allowed = DRIFT_LABELS if metric in DRIFT_METRICS else SPAN_LABELS
    window = parse_duration(config.get("window", "5m"), name="window", minimum=10)
    return Query(metric, window, _filters(config, allowed), _group_by(config, allowed))


def _pattern(config: Mapping[str, Any]) -> PatternRule:
    source = _choice(config, "source", tuple(PATTERN_FIELDS), "spans")
    field_name = _choice(config, "field", PATTERN_FIELDS[source], PATTERN_FIELDS[source][0])
    pattern = _text(config, "pattern")
    if _UNSUPPORTED_REGEX.search(pattern):
        raise RuleConfigError("pattern: lookarounds and back-references are not supported (RE2 syntax)")
    try:
        re.compile(pattern)
    except re.error as exc:
        raise RuleConfigError(f"pattern {pattern!r} is not a regular expression ({exc})") from None
    allowed = SPAN_LABELS if source == "spans" else ("service",)
    return PatternRule(
        source, field_name, pattern, _op(config, default=">"), _number(config, "value", 0),
        parse_duration(config.get("window", "5m"), name="window", minimum=10),
        _filters(config, allowed), _group_by(config, allowed),
    )


def _text(config: Mapping[str, Any], name: str) -> str:
    value = config.get(name)
    if not isinstance(value, str) or not value.strip():
        raise RuleConfigError(f"{name} is required (a non-empty string)")
    return value.strip()


def _number(config: Mapping[str, Any], name: str, default: float | None = None, *,
            minimum: float = -math.inf, maximum: float = math.inf) -> float:
    value = config.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise RuleConfigError(f"{name} must be a finite number" + ("" if default is None else f" (default {default})"))
    if not minimum <= value <= maximum:
        raise RuleConfigError(f"{name} must be between {minimum:g} and {maximum:g}")
    return float(value)


def _op(config: Mapping[str, Any], default: str | None = None) -> str:
    op = config.get("operator", default)
    if op not in OPERATORS:
        raise RuleConfigError(f"operator {op!r} is not one of {' '.join(OPERATORS)}")
    return str(op)


def _choice(config: Mapping[str, Any], name: str, options: Sequence[str], default: str) -> str:
    value = config.get(name, default)
    if value not in options:
        raise RuleConfigError(f"{name} {value!r} is not one of {', '.join(options)}")
    return str(value)


def _filters(config: Mapping[str, Any], allowed: Sequence[str]) -> dict[str, str]:
    filters = config.get("filters") or {}
    if not isinstance(filters, Mapping):
        raise RuleConfigError("filters must be an object of label: value")
    for name, value in filters.items():
        if name not in allowed:
            raise RuleConfigError(f"filters: {name!r} is not one of {', '.join(allowed)}")
        if not isinstance(value, str):
            raise RuleConfigError(f"filters.{name} must be a string")
    return dict(filters)


def _group_by(config: Mapping[str, Any], allowed: Sequence[str]) -> tuple[str, ...]:
    group_by = config.get("group_by") or []
    if not isinstance(group_by, list) or not all(isinstance(g, str) for g in group_by):
        raise RuleConfigError("group_by must be a list of label names")
    for name in group_by:
        if name not in allowed:
            raise RuleConfigError(f"group_by: {name!r} is not one of {', '.join(allowed)}")
    return tuple(dict.fromkeys(group_by))


@dataclass(frozen=True)
class Finding:
    """One series' verdict: its labels, the value seen and whether the rule fires for it."""

    labels: Mapping[str, str]
    value: float | None
    firing: bool
    detail: str


def _label_dict(key: SeriesKey) -> dict[str, str]:
    return dict(key)


def evaluate_threshold(rule: ThresholdRule, values: Mapping[SeriesKey, float | None]) -> list[Finding]:
    out = []
    for key, value in sorted(values.items()):
        firing = value is not None and OPERATORS[rule.op](value, rule.value)
        shown = "no data" if value is None else f"{value:g}"
        out.append(Finding(_label_dict(key), value, firing,
                           f"{rule.query.metric} over {format_duration(rule.query.window)} is {shown} "
                           f"({rule.op} {rule.value:g} fires)"))
    return out


def robust_z(value: float, history: Sequence[float]) -> float:
    """(value - median) / (1.4826 * MAD) of `history`; a flat history scales by 5 % of the median."""
    median = statistics.median(history)
    mad = statistics.median(abs(h - median) for h in history)
    scale = 1.4826 * mad if mad > 0 else max(abs(median) * 0.05, 1e-9)
    return (value - median) / scale


def baseline_windows(rule: AnomalyRule, now: float) -> list[tuple[float, float]]:
    """The [start, end) windows whose values make the baseline, newest first."""
    window = rule.query.window
    step = {"none": window, "daily": 86400.0, "weekly": 7 * 86400.0}[rule.seasonality]
    return [(now - window - k * step, now - k * step) for k in range(1, rule.periods + 1)]


def evaluate_anomaly(rule: AnomalyRule, values: Mapping[SeriesKey, float | None],
                     history: Mapping[SeriesKey, Sequence[float | None]]) -> list[Finding]:
    out = []
    for key, value in sorted(values.items()):
        past = [h for h in history.get(key, ()) if h is not None]
        if value is None or len(past) < rule.min_points:
            out.append(Finding(_label_dict(key), value, False,
                               f"not enough baseline ({len(past)} of {rule.min_points} points)"))
            continue
        z = robust_z(value, past)
        firing = {"up": z > rule.sensitivity, "down": z < -rule.sensitivity, "both": abs(z) > rule.sensitivity}
        out.append(Finding(_label_dict(key), value, firing[rule.direction],
                           f"{rule.query.metric} is {value:g}, baseline median {statistics.median(past):g}, "
                           f"z = {z:.2f} (fires beyond {rule.sensitivity:g}, {rule.direction})"))
    return out


def change(current: float, previous: float, kind: str) -> float:
    if kind == "absolute":
        return current - previous
    if previous == 0:
        return 0.0 if current == 0 else math.copysign(math.inf, current)
    return (current - previous) / abs(previous) * 100.0


def evaluate_rate(rule: RateRule, values: Mapping[SeriesKey, float | None],
                  previous: Mapping[SeriesKey, float | None]) -> list[Finding]:
    out = []
    for key, value in sorted(values.items()):
        before = previous.get(key)
        if value is None or before is None:
            out.append(Finding(_label_dict(key), value, False, "no data in one of the two windows"))
            continue
        moved = change(value, before, rule.change)
        unit = "%" if rule.change == "percent" else ""
        out.append(Finding(_label_dict(key), moved, OPERATORS[rule.op](moved, rule.value),
                           f"{rule.query.metric} went from {before:g} to {value:g} ({moved:+g}{unit}; "
                           f"{rule.op} {rule.value:g}{unit} fires)"))
    return out


def evaluate_pattern(rule: PatternRule, counts: Mapping[SeriesKey, float]) -> list[Finding]:
    keys = sorted(counts) or [()]  # no match at all is a count of 0 for the rule as a whole
    out = []
    for key in keys:
        count = counts.get(key, 0.0)
        out.append(Finding(_label_dict(key), count, OPERATORS[rule.op](count, rule.value),
                           f"{count:g} {rule.source} with {rule.field} matching {rule.pattern!r} in "
                           f"{format_duration(rule.window)} ({rule.op} {rule.value:g} fires)"))
    return out


def evaluate_composite(rule: CompositeRule, firing: Mapping[str, bool]) -> Finding:
    value = rule.expression.evaluate(firing)
    return Finding({}, 1.0 if value else 0.0, value, f"{rule.expression} is {'true' if value else 'false'}")
