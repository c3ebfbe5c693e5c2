"""A rule's metric over the last day, as the rule would have seen it: the value over the rule's own
window ending at evenly spaced instants, so a threshold line drawn over it means what the rule means.

Span and pattern metrics are read in one query for all windows: their instants are 5 minutes apart or
one window apart, whichever is longer (at most 288 points a day), so windows of 5 minutes or more tile
the day and no spike falls between two points. Cost and drift metrics cost a query per window: their
instants are at least 30 minutes apart (48 points). Windows never overlap (window_values needs
disjoint windows).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from clickhouse_connect.driver.client import Client

from workers.analysis.alerting.rules import AnomalyRule, Metric, PatternRule, RateRule, SeriesKey, ThresholdRule
from workers.storage.alerting.metrics import PER_WINDOW_QUERY, pattern_window_counts, window_values

DAY = 86400.0
MAX_POINTS = 288  # one query reads every window
MAX_POINTS_PER_WINDOW_QUERY = 48  # cost and drift: a query per window
MAX_SERIES = 20

Previewable = ThresholdRule | AnomalyRule | RateRule | PatternRule


@dataclass(frozen=True)
class PreviewSeries:
    labels: dict[str, str]
    values: list[float | None]  # one per window, oldest first


@dataclass(frozen=True)
class Preview:
    windows: list[tuple[float, float]]  # [start, end) epoch seconds, oldest first
    series: list[PreviewSeries]
    truncated: bool  # more series than MAX_SERIES matched; the largest are kept


def preview_windows(window: float, end: float, span: float = DAY,
                    max_points: int = MAX_POINTS) -> list[tuple[float, float]]:  # fmt: skip
    step = max(window, span / max_points)
    count = max(1, min(max_points, math.floor(span / step)))
    return [(end - k * step - window, end - k * step) for k in range(count - 1, -1, -1)]


def _series(per_window: list[dict[SeriesKey, float | None]]) -> tuple[list[PreviewSeries], bool]:
    keys = sorted({key for values in per_window for key in values})
    series = [PreviewSeries(dict(key), [values.get(key) for values in per_window]) for key in keys]

    def peak(s: PreviewSeries) -> float:
        return max((v for v in s.values if v is not None), default=-math.inf)

    if len(series) > MAX_SERIES:
        return sorted(series, key=peak, reverse=True)[:MAX_SERIES], True
    return series, False


def preview(client: Client, project: str, spec: Previewable, end: float) -> Preview:
    """The rule's metric (a pattern rule: its match count) per series over the day before `end`."""
    if isinstance(spec, PatternRule):
        windows = preview_windows(spec.window, end)
        per_window: list[dict[SeriesKey, float | None]] = [
            dict(counts) for counts in pattern_window_counts(client, project, spec, windows)
        ]
        if not spec.group_by:  # no match in a window is a count of 0, as the rule sees it
            per_window = [values or {(): 0.0} for values in per_window]
    else:
        points = MAX_POINTS_PER_WINDOW_QUERY if Metric(spec.query.metric) in PER_WINDOW_QUERY else MAX_POINTS
        windows = preview_windows(spec.query.window, end, max_points=points)
        per_window = window_values(client, project, spec.query, windows)
    series, truncated = _series(per_window)
    return Preview(windows, series, truncated)
