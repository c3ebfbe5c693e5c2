"""Registry of drift statistics: each file in `stattests/` registers one `StatTest`.

A test summarises a reference once (`summarise`) and scores current windows against that summary
(`score`). Lookups by name raise an error listing the valid names; nothing here is an if-chain.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from workers.analysis.drift.summaries import Summary
from workers.analysis.drift.types import DriftConfigError, DriftWhen, FeatureType, Measurement, TestResult

SummariseFn = Callable[..., Summary]
ScoreFn = Callable[..., Measurement]


class UnknownStatTestError(DriftConfigError):
    pass


class SummaryFormError(DriftConfigError):
    pass


@dataclass(frozen=True)
class StatTest:
    name: str
    display_name: str
    feature_types: frozenset[FeatureType]
    default_threshold: float
    drift_when: DriftWhen
    summarise_fn: SummariseFn
    score_fn: ScoreFn
    # summary kinds `score` works on; `summarise` also accepts raw data and the `reference_forms`
    summary_kinds: tuple[str, ...]
    reference_forms: tuple[str, ...]
    no_drift_score: float = 0.0  # the score of identical distributions (0.5 for an AUC)
    exactness: str = ""

    def summarise(self, reference: Any, feature_type: FeatureType | str | None = None, **options: Any) -> Summary:
        """Summarise raw reference data, or convert an uploaded summary into this test's form.

        `feature_type` matters for tests that take several types (PSI, chi-squared, Jensen-Shannon);
        when omitted it is inferred: numbers are numerical if the test allows it, else categorical.
        """
        if isinstance(reference, Summary) and reference.kind not in self.reference_forms:
            raise SummaryFormError(
                f"{self.name} cannot use a {reference.kind!r} reference; it accepts raw data or "
                f"{', '.join(self.reference_forms)}"
            )
        kind = self._feature_type(reference, feature_type)
        return self.summarise_fn(reference, feature_type=kind, **options)

    def _feature_type(self, reference: Any, requested: FeatureType | str | None) -> FeatureType:
        if requested is not None:
            kind = FeatureType(requested)
            if kind not in self.feature_types:
                allowed = ", ".join(sorted(t.value for t in self.feature_types))
                raise DriftConfigError(f"{self.name} does not apply to {kind.value} features; it takes {allowed}")
            return kind
        if len(self.feature_types) == 1:
            return next(iter(self.feature_types))
        numeric = not isinstance(reference, Summary) and np.asarray(reference).dtype.kind in "biuf"
        if numeric and FeatureType.NUMERICAL in self.feature_types:
            return FeatureType.NUMERICAL
        return FeatureType.CATEGORICAL

    def score(self, summary: Summary, current: Any, threshold: float | None = None, **options: Any) -> TestResult:
        if not isinstance(summary, Summary):
            raise SummaryFormError(f"{self.name} scores a summary; build one with get_test({self.name!r}).summarise")
        if summary.kind not in self.summary_kinds:
            raise SummaryFormError(
                f"{self.name} scores against {', '.join(self.summary_kinds)} summaries, got {summary.kind!r}; "
                f"build it with get_test({self.name!r}).summarise(...)"
            )
        limit = self.default_threshold if threshold is None else float(threshold)
        measured = self.score_fn(summary, current, **options)
        drifted = self.drift_when.decide(measured.score, measured.p_value, limit)
        return TestResult(self.name, measured.score, measured.p_value, drifted, limit, measured.details)

    def run(
        self,
        reference: Any,
        current: Any,
        threshold: float | None = None,
        summarise_options: Mapping[str, Any] | None = None,
        **options: Any,
    ) -> TestResult:
        """Summarise and score in one call (tests, one-off comparisons)."""
        return self.score(self.summarise(reference, **(summarise_options or {})), current, threshold, **options)

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "display_name": self.display_name,
            "feature_types": sorted(t.value for t in self.feature_types),
            "default_threshold": self.default_threshold,
            "drift_when": self.drift_when.value,
            "reference_forms": list(self.reference_forms),
            "exactness": self.exactness,
        }


_TESTS: dict[str, StatTest] = {}
_loaded = False


def register(test: StatTest) -> StatTest:
    if test.name in _TESTS:
        raise DriftConfigError(f"stat test {test.name!r} is registered twice")
    _TESTS[test.name] = test
    return test


def _load() -> None:
    # every module of the stattests package registers itself on import: no hand-kept list
    global _loaded
    if _loaded:
        return
    from workers.analysis.drift import stattests

    for module in pkgutil.iter_modules(stattests.__path__):
        importlib.import_module(f"{stattests.__name__}.{module.name}")
    _loaded = True


def get_test(name: str) -> StatTest:
    _load()
    try:
        return _TESTS[name]
    except KeyError:
        raise UnknownStatTestError(
            f"unknown drift method {name!r}; valid methods: {', '.join(sorted(_TESTS))}"
        ) from None


def all_tests() -> dict[str, StatTest]:
    _load()
    return dict(sorted(_TESTS.items()))


def methods_for(feature_type: FeatureType) -> list[str]:
    return [name for name, test in all_tests().items() if feature_type in test.feature_types]
