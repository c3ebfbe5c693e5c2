"""Which statistic a feature gets: feature choice -> feature-type choice -> monitor choice -> automatic.

Automatic choices come from DEFAULT_TABLE (first matching row; within a row, the first method that can
use the reference's form, so an uploaded histogram falls back to PSI). `sample_size` is the number of
values the test will compare: the smaller of the reference and the expected window when known.

| feature type | condition              | methods (preference)         | why                                        |
|--------------|------------------------|------------------------------|--------------------------------------------|
| numerical    | <= 5 distinct values   | chisquare                    | a flag or small code behaves as categories |
| numerical    | n <= 1000              | ks, psi                      | calibrated p-value with power on small n   |
| numerical    | n > 1000               | wasserstein, psi             | on large n p-values flag negligible shifts |
| categorical  | n <= 1000              | chisquare, jensenshannon     | calibrated p-value on small n              |
| categorical  | n > 1000               | jensenshannon, chisquare     | bounded distance with a fixed threshold    |
| embedding    | any                    | mmd, centroid_cosine         | kernel two-sample test on <= 2,000 rows    |
| multivariate | any                    | domain_classifier            | learns which joint patterns moved          |
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from workers.analysis.drift.registry import StatTest, get_test
from workers.analysis.drift.types import DriftConfigError, FeatureType

SMALL_SAMPLE = 1000
FEW_DISTINCT = 5


@dataclass(frozen=True)
class DefaultRule:
    feature_type: FeatureType
    methods: tuple[str, ...]
    max_size: int | None = None  # rule applies when sample_size <= max_size
    max_distinct: int | None = None  # rule applies when distinct values <= max_distinct (if known)

    def matches(self, feature_type: FeatureType, sample_size: int, distinct_values: int | None) -> bool:
        if feature_type is not self.feature_type:
            return False
        if self.max_size is not None and sample_size > self.max_size:
            return False
        return self.max_distinct is None or (distinct_values is not None and distinct_values <= self.max_distinct)


DEFAULT_TABLE: tuple[DefaultRule, ...] = (
    DefaultRule(FeatureType.NUMERICAL, ("chisquare",), max_distinct=FEW_DISTINCT),
    DefaultRule(FeatureType.NUMERICAL, ("ks", "psi"), max_size=SMALL_SAMPLE),
    DefaultRule(FeatureType.NUMERICAL, ("wasserstein", "psi")),
    DefaultRule(FeatureType.CATEGORICAL, ("chisquare", "jensenshannon"), max_size=SMALL_SAMPLE),
    DefaultRule(FeatureType.CATEGORICAL, ("jensenshannon", "chisquare")),
    DefaultRule(FeatureType.EMBEDDING, ("mmd", "centroid_cosine")),
    DefaultRule(FeatureType.MULTIVARIATE, ("domain_classifier",)),
)


@dataclass(frozen=True)
class MethodChoice:
    test: StatTest
    source: str  # "feature" | "type" | "monitor" | "automatic"


def _fits(test: StatTest, feature_type: FeatureType, summary_kind: str | None) -> str | None:
    """None when the test can run, else the reason it cannot."""
    if feature_type not in test.feature_types:
        allowed = ", ".join(sorted(t.value for t in test.feature_types))
        return f"{test.name} does not apply to {feature_type.value} features (it takes {allowed})"
    if summary_kind is not None and summary_kind not in test.reference_forms:
        return f"{test.name} cannot use a {summary_kind!r} reference (it accepts {', '.join(test.reference_forms)})"
    return None


def resolve_method(
    feature_type: FeatureType | str,
    sample_size: int,
    *,
    feature_method: str | None = None,
    type_methods: Mapping[str, str] | None = None,
    monitor_method: str | None = None,
    distinct_values: int | None = None,
    summary_kind: str | None = None,
) -> MethodChoice:
    """Pick the statistic for one feature.

    A feature-level or type-level choice that cannot run raises; a monitor-wide choice only applies
    to the features it fits (e.g. "ks" on a monitor leaves categorical features on automatic).
    `type_methods` maps feature type names ("numerical", ...) to method names.
    """
    kind = FeatureType(feature_type)
    explicit = (("feature", feature_method), ("type", (type_methods or {}).get(kind.value)))
    for source, name in explicit:
        if name:
            test = get_test(name)
            problem = _fits(test, kind, summary_kind)
            if problem:
                raise DriftConfigError(f"{source}-level method: {problem}")
            return MethodChoice(test, source)
    if monitor_method:
        test = get_test(monitor_method)
        if _fits(test, kind, summary_kind) is None:
            return MethodChoice(test, "monitor")
    for rule in DEFAULT_TABLE:
        if rule.matches(kind, sample_size, distinct_values):
            for name in rule.methods:
                test = get_test(name)
                if _fits(test, kind, summary_kind) is None:
                    return MethodChoice(test, "automatic")
    raise DriftConfigError(f"no default drift method for a {kind.value} feature with a {summary_kind!r} reference")
