"""kstwo_sf against scipy.stats.kstwo.sf in each of scipy's regimes (the asymptotic KS p-value).

Grid: n from 141 (scipy's small-n switch) to beyond 1e6 (where scipy's smirnov approximates) and
n x^2 from a tiny statistic (Durbin's matrix) through Pelz-Good, the doubled one-sided Smirnov sum
(2.2 <= n x^2 < 370, and x >= 0.5) to 0 (n x^2 >= 370). Required: 1e-6 relative wherever p >= 1e-6;
the computed values in fact hold that down to the float64 underflow, which is checked too, with the
drift decision at several thresholds.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.special import smirnov
from scipy.stats import kstwo

from workers.analysis.drift.kolmogorov_tail import kstwo_sf, limiting_cdf, smirnov_sf

THRESHOLDS = (0.1, 0.05, 0.01, 1e-3, 1e-6, 1e-9, 1e-20)
SIZES = (141, 500, 2_000, 9_000, 25_000, 90_909, 100_001, 1_500_000)
LARGE = (500_000, 1_000_000)  # scipy needs ~1 s a point here: fewer points
NX2 = (0.01, 0.03, 0.05, 0.1, 0.3, 0.77, 1.5, 2.19)  # Durbin, Pelz-Good
NX2 += (2.2, 2.5, 3.0, 5.0, 7.2, 8.0, 15.0, 60.0, 200.0, 354.0, 369.9, 371.0)  # Smirnov sum, then 0


def check(ours: float, theirs: float) -> None:
    if theirs >= 1e-300:
        assert abs(ours - theirs) <= 1e-6 * theirs, (ours, theirs)
    else:  # scipy underflows to (near) 0; ours must be as small
        assert ours <= 1e-290, (ours, theirs)
    for threshold in THRESHOLDS:
        assert (ours < threshold) == (theirs < threshold), (ours, theirs, threshold)


@pytest.mark.parametrize("n", SIZES + LARGE)
def test_matches_scipy_over_the_regimes(n: int) -> None:
    for nx2 in NX2 if n not in LARGE else (0.05, 0.77, 2.2, 5.0, 60.0):
        x = math.sqrt(nx2 / n)
        check(kstwo_sf(x, n), float(kstwo.sf(x, float(n))))


@pytest.mark.parametrize("n", (150, 3_000, 90_909, 200_000))
def test_large_statistics_and_the_ends_of_the_support(n: int) -> None:
    for x in (0.3, 0.5, 0.5 + 1e-9, 0.75, 0.99, 1 - 1.5 / n, 1 - 0.5 / n, 1.0, 0.0, 0.6 / n, 1.0 / n, 1.5 / n):
        check(kstwo_sf(x, n), float(kstwo.sf(x, float(n))))


def test_random_points_in_the_smirnov_regime() -> None:
    rng = np.random.default_rng(17)
    for _ in range(20):
        n = int(rng.integers(141, 200_000))
        x = math.sqrt(rng.uniform(2.2, 370.0) / n)
        theirs = 2.0 * float(smirnov(n, x))
        if theirs > 1e-300:  # below, subnormal floats have few digits
            assert abs(2.0 * smirnov_sf(n, x) - theirs) <= 1e-8 * theirs, (n, x)
        check(kstwo_sf(x, n), float(kstwo.sf(x, float(n))))


def test_limiting_cdf_is_kolmogorovs() -> None:
    from scipy.special import kolmogorov

    for z in (0.3, 0.5, 0.8, 1.0):  # kolmogorov(z) is the limiting survival function
        assert limiting_cdf(z) == pytest.approx(1.0 - float(kolmogorov(z)), rel=1e-12)
    assert limiting_cdf(0.0) == 0.0 and limiting_cdf(0.1) < 1e-50
