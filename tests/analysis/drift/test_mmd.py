"""MMD^2_u against a direct O(n^2) double loop, and the matrix-product permutations against a plain loop."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy.spatial.distance import cdist, pdist

from workers.analysis.drift import DriftConfigError, get_test, summary_from_dict

MMD = get_test("mmd")


def loop_mmd2(x: np.ndarray, y: np.ndarray, sigma: float) -> float:
    def k(a: np.ndarray, b: np.ndarray) -> float:
        return math.exp(-sum((float(p) - float(q)) ** 2 for p, q in zip(a, b, strict=True)) / (2 * sigma**2))

    n, m = len(x), len(y)
    xx = sum(k(x[i], x[j]) for i in range(n) for j in range(n) if i != j) / (n * (n - 1))
    yy = sum(k(y[i], y[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    xy = sum(k(x[i], y[j]) for i in range(n) for j in range(m)) / (n * m)
    return xx + yy - 2 * xy


@pytest.mark.parametrize("shift", [0.0, 0.3, 1.0])
def test_unbiased_mmd_matches_direct_loop(shift: float) -> None:
    rng = np.random.default_rng(int(shift * 10))
    x, y = rng.normal(size=(45, 6)), rng.normal(shift, 1.0, size=(38, 6))
    summary = MMD.summarise(x)
    sigma = float(np.median(pdist(x)))  # median heuristic on the reference, computed independently
    assert summary.bandwidth == pytest.approx(sigma, rel=1e-9)
    expected = loop_mmd2(x, y, sigma)
    exact = MMD.score(summary, y, precision="float64")
    assert exact.score == pytest.approx(expected, rel=1e-6)
    fast = MMD.score(summary, y)  # float32 kernel, float64 sums
    assert fast.score == pytest.approx(expected, rel=1e-4, abs=1e-7)
    assert fast.details["bandwidth"] == pytest.approx(sigma, rel=1e-9)


def test_permutation_p_value_equals_a_plain_permutation_loop() -> None:
    rng = np.random.default_rng(7)
    x, y = rng.normal(size=(30, 4)), rng.normal(0.25, 1.0, size=(25, 4))
    summary = MMD.summarise(x)
    result = MMD.score(summary, y, permutations=40, seed=3, precision="float64")

    pooled = np.vstack((x, y))
    kernel = np.exp(-cdist(pooled, pooled, "sqeuclidean") / (2 * summary.bandwidth**2))
    n, m = len(x), len(y)

    def stat(group: np.ndarray) -> float:
        mask = np.zeros(n + m, dtype=bool)
        mask[group] = True
        kxx, kyy, kxy = kernel[np.ix_(mask, mask)], kernel[np.ix_(~mask, ~mask)], kernel[np.ix_(mask, ~mask)]
        return (kxx.sum() - n) / (n * (n - 1)) + (kyy.sum() - m) / (m * (m - 1)) - 2 * kxy.mean()

    observed = stat(np.arange(n))
    perm_rng = np.random.default_rng(3)  # the documented procedure: rng.permutation(n + m)[:n] per round
    permuted = [stat(perm_rng.permutation(n + m)[:n]) for _ in range(40)]
    expected_p = (1 + sum(s >= observed for s in permuted)) / 41
    assert result.score == pytest.approx(observed, rel=1e-9)
    assert result.p_value == expected_p


def test_seeded_result_is_reproducible_and_summary_survives_json() -> None:
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(200, 16)).astype(np.float32), rng.normal(size=(150, 16)).astype(np.float32)
    summary = MMD.summarise(x)
    reloaded = summary_from_dict(json.loads(json.dumps(summary.to_dict())))
    first, again, from_json = MMD.score(summary, y), MMD.score(summary, y), MMD.score(reloaded, y)
    assert first == again
    assert (from_json.score, from_json.p_value) == (first.score, first.p_value)


def test_detects_a_shift_in_high_dimensions() -> None:
    rng = np.random.default_rng(2)
    x = rng.normal(size=(300, 64)).astype(np.float32)
    y = (rng.normal(size=(300, 64)) + 0.15).astype(np.float32)
    result = MMD.run(x, y)
    assert result.drifted and result.p_value == pytest.approx(1 / 101)


def test_large_inputs_are_subsampled_with_the_seed() -> None:
    rng = np.random.default_rng(3)
    summary = MMD.summarise(rng.normal(size=(500, 3)), max_rows=100)
    result = MMD.score(summary, rng.normal(size=(400, 3)), max_rows=120, permutations=10)
    assert (result.details["n_reference"], result.details["n_current"]) == (100, 120)
    assert summary.count == 500


def test_dimension_mismatch_is_explained() -> None:
    summary = MMD.summarise(np.zeros((5, 3)))
    with pytest.raises(DriftConfigError, match="4 dims, the reference 3"):
        MMD.score(summary, np.zeros((5, 4)))
