"""P(D_n >= x) for the one-sample Kolmogorov statistic, as scipy.stats.kstwo.sf, fast in every regime.

scipy's kstwo.sf (Simard & L'Ecuyer's method selection) costs 0.1 ms in most regimes but ~100 ms
in two that drift monitoring hits with large windows (n ~ 1e5):
- 2.2 <= n x^2 < 370 (p from ~0.02 down to ~1e-320), and x >= 0.5: there it returns
  2 * smirnov(n, x), the one-sided tail, which scipy sums term by term (~n terms in double-double).
  Here the same Birnbaum-Tingey sum is evaluated in log space with numpy. Its terms
  A_j = C(n, j) (1 - x - j/n)^(n-j) (x + j/n)^(j-1) vary smoothly in j (on a scale of ~n/sqrt(n x^2)
  terms), so above 4,096 terms the sum is taken on every h-th term times h (the trapezoidal rule,
  whose error for such smooth sequences that vanish at both ends is exponentially small), on two
  interleaved grids: their mean is used when they agree to 1e-8 relative, else every term is summed.
  Relative error against scipy: ~1e-10 at n = 1e5, ~1e-9 at n = 1e6 (rounding of lgamma), for any p
  down to the float64 underflow, so tiny p-values are computed, not bounded. Above n = 1e6 scipy's
  smirnov itself switches to the approximation exp(-(6 n x + 1)^2 / (18 n)), used here too.
- n x^(3/2) <= 1.4 with n <= 100,000 (a tiny statistic; Durbin's matrix method, 1-100 ms from
  n ~ 2,000): when the limiting CDF K(sqrt(n) x) is at most 1e-9, 1 - K is returned. The finite-n
  CDF rises with x and is ~2.5-3x K where K ~ 1e-9 (from n = 2,000; the 1/sqrt(n) terms), so this is
  within ~3e-9 of scipy's 1 - CDF, which is ~1. Otherwise scipy is called.
Every other regime is scipy's own computation.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import gammaln
from scipy.stats import kstwo

MIN_LOG = -745.1332191019412  # log(2^-1075): scipy's smirnov is 0 below exp(MIN_LOG)
SMIRNOV_MAX_N = 1_000_000  # above this scipy's smirnov uses the (6nx+1)^2/18n approximation
FULL_SUM_TERMS = 4096
GRID_AGREEMENT = 1e-8  # far above lgamma's rounding (~1e-9 at n = 1e6), far below a grid too coarse
TINY_CDF = 1e-9


def kstwo_sf(x: float, n: int) -> float:
    """scipy.stats.kstwo.sf(x, n) (two-sided, one sample of size n) in <= ~1 ms for any n and x."""
    if n <= 140 or not 0.0 < x < 1.0:
        return float(kstwo.sf(x, n))  # small n, or the ends of the support: cheap in scipy
    t = n * x
    if t <= 1.0 or t >= n - 1:
        return float(kstwo.sf(x, n))  # closed forms
    if x >= 0.5:
        return _clip(2.0 * smirnov_sf(n, x))
    nxsquared = t * x
    if nxsquared >= 370.0:
        return 0.0
    if nxsquared >= 2.2:
        return _clip(2.0 * smirnov_sf(n, x))
    if 2_000 <= n <= 100_000 and n * x**1.5 <= 1.4:
        limit = limiting_cdf(math.sqrt(n) * x)
        if limit <= TINY_CDF:
            return 1.0 - limit
    return float(kstwo.sf(x, n))


def limiting_cdf(z: float) -> float:
    """Kolmogorov's limiting CDF K(z) by its small-z theta series (exact to rounding for z < 1)."""
    if z <= 0.0:
        return 0.0
    a = -(math.pi**2) / (8.0 * z * z)
    return math.sqrt(2.0 * math.pi) / z * sum(math.exp(a * (2 * k - 1) ** 2) for k in range(1, 6))


def smirnov_sf(n: int, x: float) -> float:
    """P(D_n^+ >= x), as scipy.special.smirnov(n, x), for 1 < n x < n - 1."""
    if -2.0 * n * x * x < MIN_LOG:
        return 0.0
    if n > SMIRNOV_MAX_N:
        return math.exp(-((6.0 * n * x + 1.0) ** 2) / (18.0 * n))
    last = math.floor(n - n * x)  # terms j = 0 .. n(1 - x); a term with 1 - x - j/n = 0 is 0
    if last + 1 <= FULL_SUM_TERMS:
        log_sum = _log_sum(_log_terms(n, x, np.arange(last + 1, dtype=np.float64)))
    else:
        step = (last + 1) // (FULL_SUM_TERMS // 2)
        grid = _log_terms(n, x, np.arange(0, last + 1, step, dtype=np.float64))
        shifted = _log_terms(n, x, np.arange(step // 2, last + 1, step, dtype=np.float64))
        a, b = _log_sum(grid), _log_sum(shifted)
        if abs(math.expm1(a - b)) <= GRID_AGREEMENT:
            log_sum = math.log(step / 2.0) + float(np.logaddexp(a, b))
        else:
            log_sum = _log_sum(_log_terms(n, x, np.arange(last + 1, dtype=np.float64)))
    return math.exp(math.log(x) + log_sum)


def _log_terms(n: int, x: float, j: np.ndarray) -> np.ndarray:
    """log of C(n, j) (1 - x - j/n)^(n-j) (x + j/n)^(j-1)."""
    nx = n * x
    with np.errstate(divide="ignore"):  # 1 - x - j/n = 0 at the last j when n(1 - x) is whole
        return (
            (gammaln(n + 1.0) - gammaln(j + 1.0) - gammaln(n - j + 1.0))
            + (n - j) * np.log(((n - j) - nx) / n)
            + (j - 1.0) * np.log((nx + j) / n)
        )


def _log_sum(logs: np.ndarray) -> float:
    top = float(logs.max())
    return top + math.log(float(np.exp(logs - top).sum()))


def _clip(p: float) -> float:
    return min(max(p, 0.0), 1.0)
