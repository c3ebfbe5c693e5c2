"""Drift statistics for PyFlare (pure: numpy, scipy, scikit-learn only).

A registry of two-sample tests (`get_test`, `all_tests`), reference summaries that are computed once
and stored, the default method table with feature -> type -> monitor -> automatic precedence, and
pure combinators for feature, prediction and concept drift, severity and trend.
"""

from workers.analysis.drift.charts import histogram_pair
from workers.analysis.drift.concept_drift import (
    ConceptDrift,
    PerformanceDrop,
    concept_drift_from_joint,
    concept_drift_from_labels,
    joint_drift,
    performance_drop,
)
from workers.analysis.drift.feature_drift import FeatureDriftReport, feature_drift
from workers.analysis.drift.prediction_drift import prediction_drift, prediction_reference
from workers.analysis.drift.reference import FeatureReference, build_reference
from workers.analysis.drift.registry import (
    StatTest,
    SummaryFormError,
    UnknownStatTestError,
    all_tests,
    get_test,
    methods_for,
)
from workers.analysis.drift.selection import DEFAULT_TABLE, MethodChoice, resolve_method
from workers.analysis.drift.severity import (
    DriftTypeScore,
    magnitude,
    result_score,
    severity,
)
from workers.analysis.drift.summaries import (
    CategoryCounts,
    Centroid,
    Histogram,
    QuantileSketch,
    SortedSample,
    Summary,
    VectorSample,
    summary_from_dict,
)
from workers.analysis.drift.trend import Trend, TrendResult, score_trend
from workers.analysis.drift.types import DriftConfigError, DriftType, DriftWhen, FeatureType, TestResult
from workers.analysis.drift.verdict import Signal, Verdict, model_verdict, overall_status, type_level

__all__ = [
    "DEFAULT_TABLE",
    "CategoryCounts",
    "Centroid",
    "ConceptDrift",
    "DriftConfigError",
    "DriftType",
    "DriftTypeScore",
    "DriftWhen",
    "FeatureDriftReport",
    "FeatureReference",
    "FeatureType",
    "Histogram",
    "MethodChoice",
    "PerformanceDrop",
    "QuantileSketch",
    "Signal",
    "SortedSample",
    "StatTest",
    "Summary",
    "SummaryFormError",
    "TestResult",
    "Trend",
    "TrendResult",
    "UnknownStatTestError",
    "VectorSample",
    "Verdict",
    "all_tests",
    "build_reference",
    "concept_drift_from_joint",
    "concept_drift_from_labels",
    "feature_drift",
    "get_test",
    "histogram_pair",
    "joint_drift",
    "magnitude",
    "methods_for",
    "model_verdict",
    "overall_status",
    "performance_drop",
    "prediction_drift",
    "prediction_reference",
    "resolve_method",
    "result_score",
    "score_trend",
    "severity",
    "summary_from_dict",
    "type_level",
]
