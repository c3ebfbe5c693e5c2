"""Percentiles from histogram buckets, merging histograms whose bucket boundaries differ.

Each histogram is read as a piecewise-linear cumulative distribution: counts spread evenly inside
their bucket (as Prometheus' histogram_quantile assumes). The open-ended first and last buckets are
closed by the observed min and max when the points carry them, else by 0 (or the first boundary
when it is negative) and by the last boundary. The
sum of such distributions is piecewise linear on the union of all boundaries, so merging is exact
for this model and a quantile is found by inverting the merged cumulative counts.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Histogram:
    bounds: Sequence[float]  # explicit upper bounds; len(counts) == len(bounds) + 1
    counts: Sequence[int]
    minimum: float | None = None
    maximum: float | None = None


def _edges(h: Histogram) -> list[float]:
    """Bucket edges e0 < e1 < ... with bucket i covering (e_i, e_{i+1}]."""
    bounds = list(h.bounds)
    if not bounds:
        low = h.minimum if h.minimum is not None else 0.0
        high = h.maximum if h.maximum is not None else low
        return [low, high]
    # without a recorded min, the first bucket starts at 0 for positive bounds (as Prometheus does)
    first = min(0.0, bounds[0]) if h.minimum is None else min(h.minimum, bounds[0])
    last = bounds[-1] if h.maximum is None else max(h.maximum, bounds[-1])
    return [first, *bounds, last]


def _cdf_at(h: Histogram, edges: list[float], x: float) -> float:
    """Observations of `h` at or below x under the linear-within-bucket model."""
    total = 0.0
    for i, count in enumerate(h.counts):
        if not count:
            continue
        low, high = edges[i], edges[i + 1]
        if x >= high:
            total += count
        elif x > low:
            total += count * (x - low) / (high - low)
    return total


def quantile(histograms: Sequence[Histogram], q: float) -> float | None:
    """The q-quantile (0 ≤ q ≤ 1) of the merged histograms; None when they hold no observations."""
    usable = [h for h in histograms if len(h.counts) == len(h.bounds) + 1 and sum(h.counts) > 0]
    if not usable:
        return None
    all_edges = [_edges(h) for h in usable]
    points = sorted({x for edges in all_edges for x in edges})
    cumulative = [sum(_cdf_at(h, e, x) for h, e in zip(usable, all_edges, strict=True)) for x in points]
    target = q * cumulative[-1]
    i = bisect.bisect_left(cumulative, target)
    if i == 0:
        return points[0]
    if i >= len(points):
        return points[-1]
    below, above = cumulative[i - 1], cumulative[i]
    if above == below:
        return points[i]
    return points[i - 1] + (points[i] - points[i - 1]) * (target - below) / (above - below)
