"""False-positive rate under no drift (200 seeded repetitions) and detection power on known shifts.

Power is printed as a table (see it with `pytest -rP`); only a weak sanity bound is asserted.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from workers.analysis.drift import get_test

REPS = 200
ALPHA = 0.05
Pair = tuple[object, object]
CATS = np.array(list("abcdefgh"))
CAT_P = np.array([0.3, 0.2, 0.15, 0.1, 0.1, 0.1, 0.04, 0.01])


def rejection_rate(method: str, draw: Callable[[np.random.Generator], Pair], reps: int, **options: object) -> float:
    test = get_test(method)
    hits = 0
    for rep in range(reps):
        ref, cur = draw(np.random.default_rng(10_000 + rep))
        hits += test.run(ref, cur, **options).drifted  # default thresholds: alpha = 0.05 for p-values
    return hits / reps


NO_DRIFT: dict[str, tuple[Callable[[np.random.Generator], Pair], dict[str, object]]] = {
    "ks": (lambda r: (r.normal(size=500), r.normal(size=400)), {}),
    "chisquare": (lambda r: (r.choice(CATS, 500, p=CAT_P), r.choice(CATS, 300, p=CAT_P)), {}),
    # fewer permutations and rows than production to keep 200 repetitions fast
    "mmd": (lambda r: (r.normal(size=(80, 8)), r.normal(size=(60, 8))), {"permutations": 99}),
}


@pytest.mark.parametrize("method", list(NO_DRIFT))
def test_false_positive_rate_is_nominal(method: str) -> None:
    draw, options = NO_DRIFT[method]
    rate = rejection_rate(method, draw, REPS, **options)
    print(f"{method}: false-positive rate {rate:.3f} over {REPS} no-drift repetitions at alpha={ALPHA}")
    assert 0.02 <= rate <= 0.09


def shifted_normal(n: int, shift: float) -> Callable[[np.random.Generator], Pair]:
    return lambda r: (r.normal(size=n), r.normal(shift, 1.0, size=n))


def shifted_categories(n: int, moved: float) -> Callable[[np.random.Generator], Pair]:
    # move `moved` of the probability mass from the first category to the last
    p = CAT_P.copy()
    p[0] -= moved
    p[-1] += moved
    return lambda r: (r.choice(CATS, n, p=CAT_P), r.choice(CATS, n, p=p))


def shifted_vectors(n: int, shift: float) -> Callable[[np.random.Generator], Pair]:
    return lambda r: (r.normal(size=(n, 16)), r.normal(shift, 1.0, size=(n, 16)))


def test_power_table() -> None:
    reps = 40
    rows = [
        ("ks", "mean shift (sd)", [0.0, 0.05, 0.1, 0.2, 0.5], lambda s: shifted_normal(1000, s), {}),
        ("psi", "mean shift (sd)", [0.0, 0.05, 0.1, 0.2, 0.5], lambda s: shifted_normal(1000, s), {}),
        ("wasserstein", "mean shift (sd)", [0.0, 0.05, 0.1, 0.2, 0.5], lambda s: shifted_normal(1000, s), {}),
        ("chisquare", "mass moved", [0.0, 0.01, 0.02, 0.05, 0.1], lambda s: shifted_categories(1000, s), {}),
        ("jensenshannon", "mass moved", [0.0, 0.01, 0.02, 0.05, 0.1], lambda s: shifted_categories(1000, s), {}),
        (
            "mmd",
            "shift per dim (sd)",
            [0.0, 0.05, 0.1, 0.2, 0.5],
            lambda s: shifted_vectors(100, s),
            {"permutations": 99},
        ),
    ]
    power: dict[tuple[str, float], float] = {}
    lines = [f"detection rate over {reps} seeded repetitions (n=1000 per side; mmd: 100 x 16 dims); size 0 = no drift"]
    for method, unit, sizes, make, options in rows:
        rates = [rejection_rate(method, make(size), reps, **options) for size in sizes]
        power.update({(method, size): rate for size, rate in zip(sizes, rates, strict=True)})
        cells = "  ".join(f"{size:>5}: {rate:4.2f}" for size, rate in zip(sizes, rates, strict=True))
        lines.append(f"{method:<14} {unit:<19} {cells}")
    print("\n".join(lines))
    assert power[("ks", 0.5)] > 0.8
    assert power[("chisquare", 0.1)] > 0.8
    assert power[("mmd", 0.5)] > 0.8
