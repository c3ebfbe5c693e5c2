"""A feature's reference as stored by a drift monitor: the chosen method, its summary and options.

`build_reference` resolves the method (feature -> type -> monitor -> automatic), summarises the raw
data or uploaded summary once, and the result round-trips through `to_dict`/`FeatureReference.from_dict`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from workers.analysis.drift.registry import StatTest, get_test
from workers.analysis.drift.selection import resolve_method
from workers.analysis.drift.summaries import (
    CategoryCounts,
    SortedSample,
    Summary,
    count_categories,
    numeric_values,
    summary_from_dict,
)
from workers.analysis.drift.types import FeatureType, TestResult


@dataclass(frozen=True)
class FeatureReference:
    feature: str
    feature_type: FeatureType
    method: str
    method_source: str
    summary: Summary
    threshold: float | None = None  # None: the method's default
    options: Mapping[str, Any] = field(default_factory=dict)  # score options, JSON-able

    @property
    def test(self) -> StatTest:
        return get_test(self.method)

    def score(self, current: Any, threshold: float | None = None) -> TestResult:
        limit = threshold if threshold is not None else self.threshold
        return self.test.score(self.summary, current, limit, **self.options)

    def to_dict(self, arrays: bool = False) -> dict[str, Any]:
        return {
            "feature": self.feature,
            "feature_type": self.feature_type.value,
            "method": self.method,
            "method_source": self.method_source,
            "threshold": self.threshold,
            "options": dict(self.options),
            "summary": self.summary.to_dict(arrays),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FeatureReference:
        return cls(
            feature=data["feature"],
            feature_type=FeatureType(data["feature_type"]),
            method=get_test(data["method"]).name,
            method_source=data.get("method_source", "feature"),
            summary=summary_from_dict(data["summary"]),
            threshold=data.get("threshold"),
            options=dict(data.get("options", {})),
        )


def _size_and_distinct(reference: Any, feature_type: FeatureType) -> tuple[int, int | None]:
    if isinstance(reference, SortedSample):
        return reference.count, int(np.unique(reference.values).size)
    if isinstance(reference, CategoryCounts):
        return reference.count, len(reference.categories)
    if isinstance(reference, Summary):
        return reference.count, None
    if feature_type is FeatureType.NUMERICAL:
        values, _ = numeric_values(reference)
        return int(values.size), int(np.unique(values).size)
    if feature_type is FeatureType.CATEGORICAL:
        counts, _ = count_categories(reference)
        return int(sum(counts.values())), len(counts)
    return int(np.shape(reference)[0]), None


def build_reference(
    feature: str,
    reference: Any,
    feature_type: FeatureType | str,
    *,
    feature_method: str | None = None,
    type_methods: Mapping[str, str] | None = None,
    monitor_method: str | None = None,
    threshold: float | None = None,
    window_size: int | None = None,
    summarise_options: Mapping[str, Any] | None = None,
    score_options: Mapping[str, Any] | None = None,
) -> FeatureReference:
    """Resolve the method for one feature and summarise its reference (raw values or a Summary)."""
    kind = FeatureType(feature_type)
    size, distinct = _size_and_distinct(reference, kind)
    choice = resolve_method(
        kind,
        min(size, window_size) if window_size else size,
        feature_method=feature_method,
        type_methods=type_methods,
        monitor_method=monitor_method,
        distinct_values=distinct,
        summary_kind=reference.kind if isinstance(reference, Summary) else None,
    )
    summary = choice.test.summarise(reference, feature_type=kind, **(summarise_options or {}))
    options = dict(score_options or {})
    return FeatureReference(feature, kind, choice.test.name, choice.source, summary, threshold, options)
