"""Two-sample Kolmogorov-Smirnov: the exact statistic against a pre-sorted reference, and its p-value.

D is found in O(m log n): between two current points the current ECDF is flat and the reference ECDF
rises, so |F - G| peaks at the interval ends, i.e. at each current point (F(c) vs G(c)) or just before
it (F(c-) vs G(c-)). P-values follow scipy.stats.ks_2samp(method="auto"): exact lattice-path counting
when max(n, m) <= 10,000, else the asymptotic Kolmogorov distribution at round(nm / (n + m)).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction

import numpy as np
from scipy.stats import kstwo

MAX_EXACT_N = 10_000  # the switch scipy's method="auto" uses

ReferenceCdf = Callable[[np.ndarray, str], np.ndarray]


def ks_statistic(reference_cdf: ReferenceCdf, current: np.ndarray) -> float:
    """sup |F_ref - G_cur| with G the ECDF of `current` (any order) and F given as a CDF function."""
    cur = np.sort(current)
    m = cur.size
    cur_right = np.searchsorted(cur, cur, side="right") / m
    cur_left = np.searchsorted(cur, cur, side="left") / m
    at_points = np.abs(reference_cdf(cur, "right") - cur_right)
    before_points = np.abs(reference_cdf(cur, "left") - cur_left)
    return float(max(at_points.max(), before_points.max()))


def ks_pvalue(d: float, n1: int, n2: int, method: str = "auto") -> tuple[float, float, str]:
    """(p-value, statistic used, method used). The exact method rounds D onto the n1 x n2 lattice."""
    if method == "auto":
        method = "exact" if max(n1, n2) <= MAX_EXACT_N else "asymp"
    if method == "exact":
        g = math.gcd(n1, n2)
        lcm = (n1 // g) * n2
        h = round(d * lcm)
        lattice_d = h / lcm
        if h == 0:
            return 1.0, lattice_d, "exact"
        p = _outside_square(n1, h) if n1 == n2 else 1.0 - _inside_fraction(n1, n2, h * g)
        return float(min(max(p, 0.0), 1.0)), lattice_d, "exact"
    if method == "asymp":
        en = round(n1 * n2 / (n1 + n2))
        return float(np.clip(kstwo.sf(d, en), 0.0, 1.0)), d, "asymp"
    raise ValueError(f"unknown KS p-value method {method!r}; valid: auto, exact, asymp")


def _outside_square(n: int, h: int) -> float:
    """P(D >= h/n) for two samples of size n: 2 * sum_k (-1)^(k+1) C(2n, n-kh) / C(2n, n)."""
    total = 0.0
    ratio = 1.0  # C(2n, n - kh) / C(2n, n), built chunk by chunk
    sign = 1.0
    for k in range(1, n // h + 1):
        j = np.arange((k - 1) * h, k * h, dtype=np.float64)
        ratio *= float(np.prod((n - j) / (n + j + 1.0)))
        if ratio == 0.0:
            break
        total += sign * ratio
        sign = -sign
    return 2.0 * total


def _inside_fraction(n1: int, n2: int, bound: int) -> float:
    """Share of lattice paths (0,0)->(n1,n2) with |i*n2 - j*n1| < bound at every point.

    Rows run over the smaller sample; each row is a cumulative sum over the band of allowed columns.
    Rows are rescaled by exact powers of two, and the final division by C(n1+n2, n1) is done in exact
    rational arithmetic, so the only rounding is in the float cumulative sums.
    """
    if n1 > n2:
        n1, n2 = n2, n1
    row = np.zeros(n2 + 1)
    hi = min(n2, -(-bound // n1) - 1)  # columns of row 0: j*n1 < bound
    row[: hi + 1] = 1.0
    lo = 0
    exponent = 0
    for i in range(1, n1 + 1):
        new_lo = max(0, (i * n2 - bound) // n1 + 1)
        new_hi = min(n2, -(-(i * n2 + bound) // n1) - 1)
        row[lo:new_lo] = 0.0  # columns that left the band
        band = row[new_lo : new_hi + 1]
        np.cumsum(band, out=band)
        lo = new_lo
        top = band[-1]
        if top > 1e280:
            mantissa_exp = math.frexp(top)[1]
            band *= 2.0**-mantissa_exp
            exponent += mantissa_exp
    inside = Fraction(row[n2]) * (Fraction(2) ** exponent) / math.comb(n1 + n2, n1)
    return float(inside)
