"""Drift statistics: per-window cost with a reference summarised once, against scipy on the same data.

KS, PSI and chi-squared with a 1M-sample reference and 100k current samples (targets: KS <= 20 ms,
PSI and chi-squared <= 10 ms per window), Wasserstein and Jensen-Shannon alongside; MMD on
2,000 x 384 vs 2,000 x 384 with 100 permutations (target <= 0.3 s); the domain classifier on the same
embeddings; 100 numerical features x 10k values through feature_drift.

    python loadtests/bench_drift.py [--runs 15] [--only ks]

KS is first timed per drift regime (no, small, clear, large drift) beside scipy's ks_2samp and the
kstwo.sf call it makes (which PyFlare used before), with the statistic and p-value halves apart.

Prints medians of several runs and the 1-minute load average next to each figure (other processes
share this machine); asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from scipy.stats import chi2_contingency, ks_2samp, kstwo

from workers.analysis.drift import build_reference, feature_drift, get_test
from workers.analysis.drift.kolmogorov import asymptotic_n, ks_pvalue, ks_statistic


def timings_ms(action: Callable[[], Any], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return times


def median_ms(action: Callable[[], Any], runs: int) -> float:
    return statistics.median(timings_ms(action, runs))


def line(label: str, ms: float, target: str = "", extra: str = "") -> None:
    load = os.getloadavg()[0]
    print(f"{label:<52} {ms:10.2f} ms  {target:<10} load {load:4.2f}  {extra}")


def bench_univariate(runs: int) -> None:
    rng = np.random.default_rng(0)
    reference = rng.normal(size=1_000_000)
    current = rng.normal(0.01, 1.0, size=100_000)
    print("\n1M reference, 100k current (per-window medians; summarise = once per reference)")
    ks, psi, wasserstein, js = (get_test(n) for n in ("ks", "psi", "wasserstein", "jensenshannon"))
    for test, target in ((ks, "<= 20 ms"), (psi, "<= 10 ms"), (wasserstein, ""), (js, "")):
        line(f"{test.name}: summarise reference", median_ms(lambda t=test: t.summarise(reference), 3))
        summary = test.summarise(reference)
        test.score(summary, current)  # warm derived caches (prefix sums)
        line(f"{test.name}: score window", median_ms(lambda t=test, s=summary: t.score(s, current), runs), target)
    summary = ks.summarise(reference)
    ours = median_ms(lambda: ks.score(summary, current), runs)
    theirs = median_ms(lambda: ks_2samp(reference, current), max(3, runs // 3))
    mine, scipy_result = ks.score(summary, current), ks_2samp(reference, current)
    line("scipy.stats.ks_2samp (same data)", theirs, "", f"ratio scipy/ours = {theirs / ours:.1f}x")
    same_d = mine.score == scipy_result.statistic
    print(f"    D equal: {same_d}  p ours {mine.p_value:.6g} scipy {scipy_result.pvalue:.6g}")

    chi = get_test("chisquare")
    names = np.array([f"segment-{i:02d}" for i in range(40)])
    weights = rng.dirichlet(np.ones(40))
    ref_cats = rng.choice(names, size=1_000_000, p=weights).tolist()
    cur_cats = rng.choice(names, size=100_000, p=weights).tolist()  # a list of str, as a DB client returns
    line("chisquare: summarise reference (40 categories)", median_ms(lambda: chi.summarise(ref_cats), 3))
    cat_summary = chi.summarise(ref_cats)
    line(
        "chisquare: score window (list of 100k str)",
        median_ms(lambda: chi.score(cat_summary, cur_cats), runs),
        "<= 10 ms",
    )
    cur_codes = rng.choice(40, size=100_000, p=weights)
    code_summary = chi.summarise(rng.choice(40, size=1_000_000, p=weights), feature_type="categorical")
    line(
        "chisquare: score window (100k int codes)",
        median_ms(lambda: chi.score(code_summary, cur_codes), runs),
        "<= 10 ms",
    )
    line("psi: score window (categorical, list of 100k str)", median_ms(lambda: psi.score(cat_summary, cur_cats), runs))

    ref_counts = np.unique(np.asarray(ref_cats), return_counts=True)[1]

    def scipy_chi() -> None:  # the same per-window work: count the window, test the 2 x k table
        cur_counts = np.unique(np.asarray(cur_cats), return_counts=True)[1]
        chi2_contingency([ref_counts, cur_counts], correction=False)

    line("numpy count + scipy chi2_contingency (same window)", median_ms(scipy_chi, 5))


def bench_embeddings(runs: int) -> None:
    rng = np.random.default_rng(1)
    reference = rng.normal(size=(2000, 384)).astype(np.float32)
    currents = [(rng.normal(size=(2000, 384)) + shift).astype(np.float32) for shift in (0.0, 0.01, 0.0, 0.02)]
    mmd = get_test("mmd")
    print("\nembeddings 2,000 x 384 vs 2,000 x 384")
    line("mmd: summarise (median-heuristic bandwidth)", median_ms(lambda: mmd.summarise(reference), 3))
    cold = []
    for _ in range(3):
        summary = mmd.summarise(reference)
        start = time.perf_counter()
        mmd.score(summary, currents[0])
        cold.append(time.perf_counter() - start)
    line("mmd: first window (builds reference kernel block)", statistics.median(cold) * 1000, "<= 300 ms")
    summary = mmd.summarise(reference)
    mmd.score(summary, currents[0])
    index = iter(range(10**6))
    warm = median_ms(lambda: mmd.score(summary, currents[next(index) % len(currents)]), runs)
    line("mmd: next windows, 100 permutations, float32", warm, "<= 300 ms")
    line("mmd: one window, float64", median_ms(lambda: mmd.score(summary, currents[1], precision="float64"), 3))
    calm, moved = (mmd.score(summary, c) for c in currents[:2])
    print(f"    no drift: MMD2={calm.score:.2e} p={calm.p_value:.3f}; shift 0.01/dim: p={moved.p_value:.3f}")
    domain = get_test("domain_classifier")
    dc_summary = domain.summarise(reference)
    line("domain classifier: logistic, 5-fold AUC", median_ms(lambda: domain.score(dc_summary, currents[1]), 3))
    auc = [domain.score(dc_summary, c).score for c in currents[:2]]
    print(f"    AUC no drift {auc[0]:.3f}, shift 0.01/dim {auc[1]:.3f}")
    centroid = get_test("centroid_cosine")
    c_summary = centroid.summarise(reference)
    line("centroid cosine: score window", median_ms(lambda: centroid.score(c_summary, currents[1]), runs))


def bench_features(runs: int) -> None:
    rng = np.random.default_rng(2)
    names = [f"f{i:03d}" for i in range(100)]
    references = [build_reference(n, rng.normal(size=50_000), "numerical", window_size=10_000) for n in names]
    current = {n: rng.normal(size=10_000) for n in names}
    print("\n100 numerical features, 50k reference and 10k current values each (automatic method: wasserstein)")
    line("feature_drift over 100 features", median_ms(lambda: feature_drift(references, current), max(3, runs // 3)))


KS_WINDOWS = (("no drift", 0.0), ("small drift", 0.015), ("clear drift", 0.03), ("large drift", 0.08))


def bench_ks_regimes(runs: int) -> None:
    """KS per window at 1M / 100k where D is small, moderate and large, beside scipy on the same data.

    The p-value regimes of scipy's kstwo at n = round(nm / (n + m)) = 90,909: Pelz-Good (no drift),
    the doubled one-sided Smirnov sum (2.2 <= n D^2 < 370: small to large drift), 0 beyond.
    """
    rng = np.random.default_rng(7)
    reference = rng.normal(size=1_000_000)
    ks = get_test("ks")
    summary = ks.summarise(reference)  # once per reference (not timed)
    en = asymptotic_n(summary.count, 100_000)
    print(f"\nKS per window, 1M reference (sorted once), 100k current; medians of {runs} runs (scipy: fewer)")
    print(
        f"{'window':<13} {'n D^2':>8} {'p (ours)':>12} {'p (scipy)':>12} {'ours':>9} {'(best)':>9} {'D only':>9}"
        f" {'p only':>8} {'kstwo.sf':>9} {'ks_2samp':>9}  load"
    )
    for label, shift in KS_WINDOWS:
        current = rng.normal(shift, 1.0, 100_000)
        mine, theirs = ks.score(summary, current), ks_2samp(reference, current)
        d = mine.score
        times = timings_ms(lambda c=current: ks.score(summary, c), runs)
        ours, best = statistics.median(times), min(times)
        d_only = median_ms(lambda c=current: ks_statistic(summary.cdf_limits, c), runs)
        p_only = median_ms(lambda d=d: ks_pvalue(d, summary.count, 100_000), runs)
        kstwo_ms = median_ms(lambda d=d: kstwo.sf(d, en), max(3, runs // 3))
        scipy_ms = median_ms(lambda c=current: ks_2samp(reference, c), max(3, runs // 3))
        print(
            f"{label:<13} {en * d * d:8.2f} {mine.p_value:12.5g} {theirs.pvalue:12.5g} {ours:7.2f}ms {best:7.2f}ms"
            f" {d_only:7.2f}ms {p_only:6.2f}ms {kstwo_ms:7.2f}ms {scipy_ms:7.2f}ms  {os.getloadavg()[0]:4.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--only", choices=["ks"], help="run one part only")
    args = parser.parse_args()
    print(f"cpus {os.cpu_count()}  load at start {os.getloadavg()}")
    bench_ks_regimes(args.runs)
    if args.only == "ks":
        return
    bench_univariate(args.runs)
    bench_embeddings(max(5, args.runs // 2))
    bench_features(args.runs)


if __name__ == "__main__":
    main()
