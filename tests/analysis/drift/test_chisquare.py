"""Chi-squared with rare-category pooling equals scipy.stats.chi2_contingency(pooled table, correction=False)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import chi2_contingency

from workers.analysis.drift import CategoryCounts, Histogram, get_test

CHI = get_test("chisquare")


def repeat(counts: dict[str, int]) -> list[str]:
    return [cat for cat, n in counts.items() for _ in range(n)]


def test_without_rare_categories_equals_chi2_contingency() -> None:
    rng = np.random.default_rng(0)
    ref = rng.choice(["a", "b", "c", "d"], size=3000, p=[0.4, 0.3, 0.2, 0.1])
    cur = rng.choice(["a", "b", "c", "d"], size=700, p=[0.35, 0.3, 0.2, 0.15])
    table = [[(ref == c).sum() for c in "abcd"], [(cur == c).sum() for c in "abcd"]]
    expected = chi2_contingency(table, correction=False)
    result = CHI.run(ref, cur)
    assert result.score == pytest.approx(expected.statistic, rel=1e-9)
    assert result.p_value == pytest.approx(expected.pvalue, rel=1e-6)
    assert result.details["dof"] == 3
    assert result.details["pooled"] == []


def test_rare_categories_are_pooled_into_other() -> None:
    # smaller side = 100 current values; expected count of a column = 100 * column total / 1100
    ref = repeat({"a": 500, "b": 480, "c": 15, "d": 5})
    cur = repeat({"a": 50, "b": 42, "c": 3, "e": 5})
    # c: 1.6, d: 0.45, e: 0.45 are rare -> other (c+d+e = 28 -> 2.5, still < 5) absorbs b (smallest kept)
    pooled_table = [[500, 480 + 15 + 5], [50, 42 + 3 + 5]]
    expected = chi2_contingency(pooled_table, correction=False)
    result = CHI.run(ref, cur)
    assert result.details["columns"] == ["a", "other"]
    assert sorted(result.details["pooled"]) == ["b", "c", "d", "e"]
    assert result.score == pytest.approx(expected.statistic, rel=1e-9)
    assert result.p_value == pytest.approx(expected.pvalue, rel=1e-6)


def test_pooling_keeps_large_enough_other() -> None:
    ref = repeat({"a": 400, "b": 300, "c": 250, "r1": 20, "r2": 20, "r3": 10})
    cur = repeat({"a": 40, "b": 30, "c": 40, "r1": 1, "r2": 2, "r3": 2})
    # smaller side 115; r1: 2.2, r2: 2.3, r3: 1.2 rare; other = 55 columns total -> 5.2 >= 5, kept alone
    expected = chi2_contingency([[400, 300, 250, 50], [40, 30, 40, 5]], correction=False)
    result = CHI.run(ref, cur)
    assert result.details["columns"] == ["a", "b", "c", "other"]
    assert result.p_value == pytest.approx(expected.pvalue, rel=1e-6)


def test_category_counts_upload_equals_raw() -> None:
    rng = np.random.default_rng(1)
    ref = rng.choice(["u", "v", "w", "rare"], size=4000, p=[0.5, 0.3, 0.199, 0.001])
    cur = rng.choice(["u", "v", "w"], size=300, p=[0.4, 0.4, 0.2])
    counts = dict(zip(*np.unique(ref, return_counts=True), strict=True))
    from_counts = CHI.score(CHI.summarise(CategoryCounts.from_mapping(counts)), cur)
    from_raw = CHI.run(ref, cur)
    assert from_counts.score == pytest.approx(from_raw.score, rel=1e-12)
    assert from_counts.p_value == pytest.approx(from_raw.p_value, rel=1e-12)


def test_histogram_bins_as_categories_equal_raw_binning() -> None:
    rng = np.random.default_rng(2)
    ref, cur = rng.normal(size=20_000), rng.normal(0.1, 1.0, size=2000)
    edges = np.linspace(-2.5, 2.5, 9)
    # outer bins are open: a value beyond +-2.5 belongs to the end bin, so count it there
    clipped_ref, clipped_cur = np.clip(ref, -2.49, 2.49), np.clip(cur, -2.49, 2.49)
    uploaded = Histogram.from_bins(edges, np.histogram(clipped_ref, bins=edges)[0])
    table = [np.histogram(clipped_ref, bins=edges)[0], np.histogram(clipped_cur, bins=edges)[0]]
    expected = chi2_contingency(table, correction=False)
    result = CHI.score(CHI.summarise(uploaded), cur)
    assert result.details["pooled"] == []
    assert result.score == pytest.approx(expected.statistic, rel=1e-9)
    assert result.p_value == pytest.approx(expected.pvalue, rel=1e-6)


def test_low_cardinality_numbers_are_categories() -> None:
    rng = np.random.default_rng(3)
    ref = rng.integers(0, 3, size=1000).astype(float)
    cur = rng.integers(0, 3, size=500).astype(float)
    table = [np.bincount(ref.astype(int)), np.bincount(cur.astype(int))]
    result = CHI.run(ref, cur, summarise_options=None)
    assert result.p_value == pytest.approx(chi2_contingency(table, correction=False).pvalue, rel=1e-6)
    assert result.details["columns"] == [0.0, 1.0, 2.0]


def test_single_column_cannot_drift() -> None:
    result = CHI.run(["a"] * 50, ["a"] * 20)
    assert (result.p_value, result.drifted) == (1.0, False)
