"""KS against scipy.stats.ks_2samp: statistic bit-for-bit, p-value to 1e-6 relative (exact and asymptotic)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import ks_2samp

from workers.analysis.drift import QuantileSketch, get_test

KS = get_test("ks")


def assert_p_close(ours: float, theirs: float) -> None:
    # below ~1e-10 both sides are 1 - (1 - p) in float64; compare absolutely there
    if theirs > 1e-10:
        assert abs(ours - theirs) <= 1e-6 * theirs, (ours, theirs)
    else:
        assert abs(ours - theirs) <= 1e-12, (ours, theirs)


@pytest.mark.parametrize(
    ("n_ref", "n_cur", "shift", "rounding"),
    [
        (1, 1, 0.0, None),
        (7, 13, 0.5, None),
        (50, 50, 0.3, None),  # equal sizes use the closed-form square formula
        (200, 120, 0.0, 1),  # ties
        (999, 1000, 0.1, None),
        (3000, 2999, 0.05, None),
        (10_000, 10_000, 0.02, None),
        (10_000, 9_999, 0.04, None),  # largest exact lattice
        (20_000, 3_000, 0.05, None),  # asymptotic
        (50_000, 40_000, 0.0, 2),
    ],
)
def test_matches_scipy(n_ref: int, n_cur: int, shift: float, rounding: int | None) -> None:
    rng = np.random.default_rng(n_ref * 7 + n_cur)
    ref = rng.standard_normal(n_ref)
    cur = rng.standard_normal(n_cur) + shift
    if rounding is not None:
        ref, cur = np.round(ref, rounding), np.round(cur, rounding)
    ours = KS.run(ref, cur)
    theirs = ks_2samp(ref, cur, method="auto")
    assert ours.score == pytest.approx(theirs.statistic, rel=1e-12, abs=0)
    assert_p_close(ours.p_value, theirs.pvalue)
    assert ours.drifted == (theirs.pvalue < 0.05)


def test_many_random_sizes_match_scipy() -> None:
    rng = np.random.default_rng(11)
    for _ in range(150):
        n_ref, n_cur = (int(v) for v in rng.integers(1, 300, size=2))
        ref = rng.standard_normal(n_ref)
        cur = rng.standard_normal(n_cur) + rng.choice([0.0, 0.4, 1.5])
        ours, theirs = KS.run(ref, cur), ks_2samp(ref, cur)
        assert ours.score == pytest.approx(theirs.statistic, rel=1e-12, abs=0)
        assert_p_close(ours.p_value, theirs.pvalue)


def test_asymp_method_matches_scipy() -> None:
    rng = np.random.default_rng(5)
    ref, cur = rng.standard_normal(800), rng.standard_normal(600) + 0.1
    ours = KS.run(ref, cur, method="asymp")
    assert_p_close(ours.p_value, ks_2samp(ref, cur, method="asymp").pvalue)
    assert ours.details["p_value_method"] == "asymp"


def test_summary_is_reused_across_windows_and_survives_json() -> None:
    rng = np.random.default_rng(3)
    ref = rng.exponential(size=5000)
    summary = KS.summarise(ref)
    reloaded = type(summary).from_dict(summary.to_dict())
    for shift in (0.0, 0.05, 0.2):
        cur = rng.exponential(size=700) + shift
        expected = ks_2samp(ref, cur)
        for s in (summary, reloaded):
            result = KS.score(s, cur)
            assert result.score == pytest.approx(expected.statistic, rel=1e-12)
            assert_p_close(result.p_value, expected.pvalue)


def test_missing_values_are_dropped_and_counted() -> None:
    rng = np.random.default_rng(4)
    ref, cur = rng.standard_normal(300), rng.standard_normal(200)
    with_gaps = np.concatenate((cur, [np.nan, np.inf, np.nan]))
    result = KS.run(ref, with_gaps)
    assert result.details["missing_current"] == 3
    assert result.score == pytest.approx(ks_2samp(ref, cur).statistic, rel=1e-12)


def test_quantile_sketch_statistic_within_its_resolution() -> None:
    rng = np.random.default_rng(8)
    ref = rng.gamma(2.0, size=200_000)
    sketch = QuantileSketch.from_values(ref, points=1001)
    for shift in (0.0, 0.03, 0.3):
        cur = rng.gamma(2.0, size=5000) + shift
        exact = ks_2samp(ref, cur).statistic
        approx = KS.score(KS.summarise(sketch), cur)
        assert abs(approx.score - exact) <= sketch.resolution + 1e-12
        assert approx.details["statistic_error_bound"] == pytest.approx(0.001)
        assert approx.details["n_reference"] == 200_000


def assert_same_p(ours: float, theirs: float) -> None:
    """1e-6 relative wherever scipy's p >= 1e-6 (and below, down to the underflow); same decision."""
    if theirs >= 1e-300:
        assert abs(ours - theirs) <= 1e-6 * theirs, (ours, theirs)
    else:
        assert ours <= 1e-290, (ours, theirs)
    for threshold in (0.1, 0.05, 0.01, 1e-3, 1e-6, 1e-12):
        assert (ours < threshold) == (theirs < threshold), (ours, theirs, threshold)


@pytest.fixture(scope="module")
def big_reference() -> tuple[np.ndarray, object]:
    ref = np.random.default_rng(21).normal(size=1_000_000)
    return ref, KS.summarise(ref)


@pytest.mark.parametrize(
    ("shift", "regime"),
    [
        (0.0, "none"),
        (0.008, "small"),  # p ~ 1e-2 .. 1e-4: scipy's slow doubled-Smirnov sum
        (0.02, "clear"),  # p ~ 1e-8
        (0.05, "large"),  # p ~ 1e-50
        (0.6, "huge"),  # n D^2 >= 370: p = 0
    ],
)
def test_one_million_reference_windows_match_scipy(big_reference: tuple, shift: float, regime: str) -> None:
    ref, summary = big_reference
    cur = np.random.default_rng(int(shift * 1000) + 5).normal(shift, 1.0, 100_000)
    ours, theirs = KS.score(summary, cur), ks_2samp(ref, cur, method="auto")
    assert ours.score == pytest.approx(theirs.statistic, rel=1e-12, abs=0)
    assert ours.details["p_value_method"] == "asymp"
    assert_same_p(ours.p_value, float(theirs.pvalue))
    assert ours.drifted == (theirs.pvalue < 0.05) == (regime != "none")


@pytest.mark.parametrize(
    ("n_ref", "n_cur", "shift", "rounding"),
    [
        (10_000, 8_000, 0.3, None),  # exact lattice count, p ~ 1e-60 (was 0.19 from 1 - (1 - p))
        (3_000, 2_400, 0.3, None),  # exact, p ~ 1e-15 (was 28% off)
        (6_000, 4_000, 0.12, None),  # exact, p ~ 1e-20
        (7_500, 6_000, 0.4, None),  # exact, a band wider than float64's range: log counts, p ~ 1e-59
        (10_000, 10_000, 0.15, None),  # exact, equal sizes, tiny p
        (10_001, 300, 0.3, None),  # asymptotic just above the switch, small n = round(nm/(n+m)) = 290
        (10_001, 150, 0.0, None),  # n = 148: scipy's Durbin / Pomeranz side
        (60_000, 50_000, 0.03, None),  # asymptotic, p ~ 1e-6
        (200_000, 30_000, 0.0, 0),  # heavy ties (integers) on both sides
        (200_000, 30_000, 0.05, 0),
        (300_000, 5_000, 0.04, 1),
    ],
)
def test_regimes_and_ties_match_scipy(n_ref: int, n_cur: int, shift: float, rounding: int | None) -> None:
    rng = np.random.default_rng(n_ref + n_cur)
    ref, cur = rng.normal(0, 3, n_ref), rng.normal(shift * 3, 3, n_cur)
    if rounding is not None:
        ref, cur = np.round(ref, rounding), np.round(cur, rounding)
    ours, theirs = KS.run(ref, cur), ks_2samp(ref, cur, method="auto")
    assert ours.score == pytest.approx(theirs.statistic, rel=1e-12, abs=0)
    assert_same_p(ours.p_value, float(theirs.pvalue))


def test_reference_values_tied_with_the_window() -> None:
    # the window's values are reference values: F(c-) and F(c) differ at every point
    rng = np.random.default_rng(31)
    ref = rng.integers(0, 50, 400_000).astype(float)
    cur = rng.integers(0, 52, 40_000).astype(float)
    ours, theirs = KS.run(ref, cur), ks_2samp(ref, cur)
    assert ours.score == pytest.approx(theirs.statistic, rel=1e-12, abs=0)
    assert_same_p(ours.p_value, float(theirs.pvalue))


def test_log_cumsum_equals_logaddexp_accumulate() -> None:
    from workers.analysis.drift.kolmogorov import _log_cumsum

    rng = np.random.default_rng(41)
    for trial in range(60):
        size = int(rng.integers(1, 3000))
        v = np.concatenate(([rng.uniform(-60, 60)], np.sort(rng.uniform(-50, rng.choice([10, 500, 3000]), size))))
        if trial % 3 == 0:
            v[1 : 1 + size // 4] = -np.inf  # no path counted yet at the low end
        if trial % 5 == 0:
            v[0] = -np.inf
        expected, got = np.logaddexp.accumulate(v), v.copy()
        _log_cumsum(got)
        finite = np.isfinite(expected)
        assert np.array_equal(finite, np.isfinite(got))
        assert np.allclose(got[finite], expected[finite], rtol=1e-13, atol=1e-11)
