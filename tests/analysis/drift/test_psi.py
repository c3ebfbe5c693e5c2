"""PSI against a hand-written PSI, and uploaded histograms / category counts against raw data."""

from __future__ import annotations

import math
from itertools import pairwise

import numpy as np
import pytest

from workers.analysis.drift import CategoryCounts, Histogram, QuantileSketch, get_test, summary_from_dict

PSI = get_test("psi")
EPS = 1e-4


def hand_psi_numeric(ref: np.ndarray, cur: np.ndarray, bins: int = 10) -> float:
    cuts = sorted(set(np.quantile(ref, [j / bins for j in range(1, bins)]).tolist()))
    edges = [-math.inf, *cuts, math.inf]
    total = 0.0
    for lo, hi in pairwise(edges):
        e = sum(1 for v in ref if lo <= v < hi) / len(ref)
        a = sum(1 for v in cur if lo <= v < hi) / len(cur)
        e, a = e or EPS, a or EPS
        total += (a - e) * math.log(a / e)
    return total


def hand_psi_categorical(ref: list[str], cur: list[str]) -> float:
    total = 0.0
    for cat in set(ref) | set(cur):
        e = ref.count(cat) / len(ref) or EPS
        a = cur.count(cat) / len(cur) or EPS
        total += (a - e) * math.log(a / e)
    return total


@pytest.mark.parametrize("shift", [0.0, 0.2, 1.0, 4.0])
def test_numeric_psi_matches_hand_computation(shift: float) -> None:
    rng = np.random.default_rng(int(shift * 10))
    ref = rng.normal(size=3000)
    cur = rng.normal(loc=shift, size=1200)
    result = PSI.run(ref, cur)
    assert result.score == pytest.approx(hand_psi_numeric(ref, cur), rel=1e-6)
    assert result.drifted == (result.score >= 0.2)
    assert result.details["bins"] == 10


def test_categorical_psi_with_new_and_vanished_categories() -> None:
    rng = np.random.default_rng(1)
    ref = rng.choice(["a", "b", "c", "d"], size=2000, p=[0.4, 0.3, 0.2, 0.1]).tolist()
    cur = rng.choice(["a", "b", "c", "e"], size=800, p=[0.25, 0.25, 0.3, 0.2]).tolist()
    result = PSI.run(ref, cur, summarise_options=None)
    assert result.score == pytest.approx(hand_psi_categorical(ref, cur), rel=1e-6)
    assert result.drifted


def test_uploaded_histogram_gives_the_same_psi_as_raw_data() -> None:
    rng = np.random.default_rng(2)
    ref = rng.lognormal(size=50_000)
    cur = rng.lognormal(mean=0.1, size=4000)
    cuts = np.quantile(ref, np.arange(1, 10) / 10)
    edges = np.concatenate(([ref.min()], cuts, [ref.max() + 1.0]))
    counts, _ = np.histogram(ref, bins=edges)  # what a user would compute and upload
    uploaded = Histogram.from_bins(edges, counts)
    from_raw = PSI.run(ref, cur)
    from_upload = PSI.score(PSI.summarise(uploaded), cur)
    assert from_upload.score == pytest.approx(from_raw.score, rel=1e-12)
    reloaded = summary_from_dict(uploaded.to_dict())
    assert PSI.score(reloaded, cur).score == pytest.approx(from_raw.score, rel=1e-12)


def test_uploaded_category_counts_give_the_same_psi_as_raw_data() -> None:
    rng = np.random.default_rng(3)
    ref = rng.choice(["x", "y", "z"], size=5000, p=[0.5, 0.3, 0.2])
    cur = rng.choice(["x", "y", "z"], size=600, p=[0.4, 0.4, 0.2])
    counts = {c: int((ref == c).sum()) for c in ("x", "y", "z")}
    from_raw = PSI.run(ref, cur)
    from_counts = PSI.score(CategoryCounts.from_mapping(counts), cur)
    assert from_counts.score == pytest.approx(from_raw.score, rel=1e-12)


def test_quantile_sketch_psi_is_close_to_raw() -> None:
    rng = np.random.default_rng(4)
    ref = rng.normal(size=100_000)
    cur = rng.normal(0.3, 1.0, size=5000)
    sketch = QuantileSketch.from_values(ref, points=101)
    approx = PSI.score(PSI.summarise(sketch), cur).score
    assert approx == pytest.approx(PSI.run(ref, cur).score, rel=1e-2)


def test_small_reference_gets_fewer_bins() -> None:
    rng = np.random.default_rng(5)
    result = PSI.run(rng.normal(size=23), rng.normal(size=40))
    assert result.details["bins"] == 4  # 23 values / 5 per bin
