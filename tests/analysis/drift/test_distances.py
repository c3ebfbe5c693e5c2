"""Jensen-Shannon and normed Wasserstein against scipy.spatial.distance / scipy.stats."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest
from scipy.spatial.distance import jensenshannon
from scipy.stats import wasserstein_distance

from workers.analysis.drift import Histogram, QuantileSketch, get_test

JS = get_test("jensenshannon")
WASSERSTEIN = get_test("wasserstein")


def test_categorical_js_matches_scipy_with_new_categories() -> None:
    rng = np.random.default_rng(0)
    ref = rng.choice(["a", "b", "c"], size=3000, p=[0.5, 0.3, 0.2])
    cur = rng.choice(["a", "b", "d"], size=500, p=[0.3, 0.3, 0.4])
    cats = ["a", "b", "c", "d"]
    p = [(ref == c).sum() for c in cats]
    q = [(cur == c).sum() for c in cats]
    result = JS.run(ref, cur)
    assert result.score == pytest.approx(jensenshannon(p, q, base=2), rel=1e-9)
    assert result.drifted


@pytest.mark.parametrize("shift", [0.0, 0.1, 0.5, 3.0])
def test_numeric_js_on_reference_bins_matches_scipy(shift: float) -> None:
    rng = np.random.default_rng(1)
    ref, cur = rng.normal(size=10_000), rng.normal(shift, 1.0, size=2000)
    cuts = np.quantile(ref, np.arange(1, 10) / 10)
    edges = np.concatenate(([-np.inf], cuts, [np.inf]))
    p = [((ref >= lo) & (ref < hi)).sum() for lo, hi in pairwise(edges)]
    q = [((cur >= lo) & (cur < hi)).sum() for lo, hi in pairwise(edges)]
    assert JS.run(ref, cur).score == pytest.approx(jensenshannon(p, q, base=2), rel=1e-9, abs=1e-12)


def test_js_from_uploaded_histogram_equals_raw() -> None:
    rng = np.random.default_rng(2)
    ref, cur = rng.uniform(size=8000), rng.uniform(0.05, 1.05, size=900)
    edges = np.linspace(0, 1, 11)
    uploaded = Histogram.from_bins(edges, np.histogram(ref, bins=edges)[0])
    expected_q = np.bincount(np.searchsorted(edges[1:-1], cur, side="right"), minlength=10)
    expected = jensenshannon(uploaded.counts, expected_q, base=2)
    assert JS.score(JS.summarise(uploaded), cur).score == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize(
    ("n_ref", "n_cur", "shift", "rounding"),
    [(1, 1, 1.0, None), (2, 50, 0.0, None), (500, 400, 0.3, None), (3000, 3000, 0.0, 0), (100_000, 20_000, 0.02, None)],
)
def test_normed_wasserstein_matches_scipy(n_ref: int, n_cur: int, shift: float, rounding: int | None) -> None:
    rng = np.random.default_rng(n_ref + n_cur)
    ref = rng.normal(1000.0, 3.0, size=n_ref)
    cur = rng.normal(1000.0 + 3.0 * shift, 3.0, size=n_cur)
    if rounding is not None:
        ref, cur = np.round(ref, rounding), np.round(cur, rounding)
    result = WASSERSTEIN.run(ref, cur)
    distance = wasserstein_distance(ref, cur)
    assert result.details["wasserstein"] == pytest.approx(distance, rel=1e-6, abs=1e-9)
    if np.std(ref) > 0:
        assert result.score == pytest.approx(distance / np.std(ref), rel=1e-6, abs=1e-9)


def test_wasserstein_from_quantile_sketch_is_close() -> None:
    rng = np.random.default_rng(4)
    ref, cur = rng.normal(size=200_000), rng.normal(0.2, 1.0, size=3000)
    sketch = QuantileSketch.from_values(ref, points=1001)
    approx = WASSERSTEIN.score(WASSERSTEIN.summarise(sketch), cur)
    assert approx.details["approximate"] is True
    assert approx.score == pytest.approx(wasserstein_distance(ref, cur) / np.std(ref), rel=2e-2)


def test_constant_reference() -> None:
    assert WASSERSTEIN.run([2.0] * 10, [2.0] * 5).score == 0.0
    moved = WASSERSTEIN.run([2.0] * 10, [3.0] * 5)
    assert moved.score == float("inf") and moved.drifted and moved.to_dict()["score"] is None
