"""Pure alerting: label identity, matchers, silences, inhibition, maintenance windows and the
grouping rules that decide when a notification is due.

The semantics follow Prometheus Alertmanager's (an alert is its label set; groups batch alerts by
labels with group_wait / group_interval / repeat_interval; notifications only for a reason). No
storage, Django or Celery here: the alerting job loads rules, alerts and group state, calls these
functions and stores what they return. Times are epoch seconds (floats) throughout.
"""

from workers.analysis.alerting.composite import Expr, ExpressionError, parse_expression
from workers.analysis.alerting.dispatcher import Channel, Dispatcher, Notification, Route
from workers.analysis.alerting.durations import DurationError, format_duration, parse_duration
from workers.analysis.alerting.grouping import (
    Alert,
    Batch,
    GroupPolicy,
    GroupState,
    LogEntry,
    flush,
    forget_sent,
    group_key,
    merge,
    needs_notify,
    payload_alerts,
    receive,
    sent_entry,
    without,
)
from workers.analysis.alerting.inhibition import InhibitRule, inhibited
from workers.analysis.alerting.labels import Labels, fingerprint
from workers.analysis.alerting.matchers import Matcher, MatcherError, MatchOp, parse_matcher, parse_matchers
from workers.analysis.alerting.messages import AlertItem, AlertMessage, common
from workers.analysis.alerting.rules import (
    AnomalyRule,
    CompositeRule,
    Finding,
    Metric,
    PatternRule,
    Query,
    RateRule,
    RuleConfigError,
    RuleSpec,
    RuleType,
    ThresholdRule,
    baseline_windows,
    evaluate_anomaly,
    evaluate_composite,
    evaluate_pattern,
    evaluate_rate,
    evaluate_threshold,
    parse_rule,
)
from workers.analysis.alerting.silences import Silence, SilenceState, silenced_by
from workers.analysis.alerting.windows import MaintenanceWindow, TimeOfDay, WindowError

__all__ = [
    "Alert",
    "AlertItem",
    "AlertMessage",
    "AnomalyRule",
    "Batch",
    "Channel",
    "CompositeRule",
    "Dispatcher",
    "DurationError",
    "Expr",
    "ExpressionError",
    "Finding",
    "GroupPolicy",
    "GroupState",
    "InhibitRule",
    "Labels",
    "LogEntry",
    "MaintenanceWindow",
    "MatchOp",
    "Matcher",
    "MatcherError",
    "Metric",
    "Notification",
    "PatternRule",
    "Query",
    "RateRule",
    "Route",
    "RuleConfigError",
    "RuleSpec",
    "RuleType",
    "Silence",
    "SilenceState",
    "ThresholdRule",
    "TimeOfDay",
    "WindowError",
    "baseline_windows",
    "common",
    "evaluate_anomaly",
    "evaluate_composite",
    "evaluate_pattern",
    "evaluate_rate",
    "evaluate_threshold",
    "fingerprint",
    "flush",
    "forget_sent",
    "format_duration",
    "group_key",
    "inhibited",
    "merge",
    "needs_notify",
    "parse_duration",
    "parse_expression",
    "parse_matcher",
    "parse_matchers",
    "parse_rule",
    "payload_alerts",
    "receive",
    "sent_entry",
    "silenced_by",
    "without",
]
