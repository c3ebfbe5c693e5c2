"""Reference summaries: what a drift test keeps of a reference, computed once when it is set.

Every summary serialises to a JSON-able dict (`to_dict()`; `to_dict(arrays=True)` keeps numpy arrays
for binary storage) and comes back with `summary_from_dict`. Users who do not ship raw data build one
from precomputed forms: `Histogram.from_bins`, `QuantileSketch(...)`, `CategoryCounts.from_mapping`.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

import numpy as np

from workers.analysis.drift.types import DriftConfigError

_KINDS: dict[str, type[Summary]] = {}
S = TypeVar("S", bound="type[Summary]")


class Summary:
    """Base of every reference summary; `kind` names the form in stored dicts."""

    kind: ClassVar[str]

    @property
    def count(self) -> int:
        raise NotImplementedError

    def to_dict(self, arrays: bool = False) -> dict[str, Any]:
        raise NotImplementedError

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Summary:
        raise NotImplementedError

    def cached(self, key: str, build: Callable[[], Any]) -> Any:
        """Per-instance cache of derived arrays (prefix sums, kernel blocks); never serialised."""
        store: dict[str, Any] = self.__dict__.setdefault("_derived", {})
        if key not in store:
            store[key] = build()
        return store[key]


def summary_kind(cls: S) -> S:
    _KINDS[cls.kind] = cls
    return cls


def summary_from_dict(data: Mapping[str, Any]) -> Summary:
    kind = data.get("kind")
    if kind not in _KINDS:
        raise DriftConfigError(f"unknown summary kind {kind!r}; valid kinds: {', '.join(sorted(_KINDS))}")
    return _KINDS[kind].from_dict(data)


def _out(array: np.ndarray, arrays: bool) -> Any:
    return array if arrays else array.tolist()


# --- input coercion -------------------------------------------------------------------------------


def numeric_values(values: Any) -> tuple[np.ndarray, int]:
    """1-D float64 values without NaN/inf, and how many were dropped as missing."""
    array = np.asarray(values, dtype=np.float64).ravel()
    finite = np.isfinite(array)
    if finite.all():
        return array, 0
    return array[finite], int(array.size - finite.sum())


def vector_rows(values: Any) -> np.ndarray:
    """2-D float rows (float32 stays float32, anything else becomes float64)."""
    array = np.asarray(values)
    if array.dtype != np.float32:
        array = array.astype(np.float64)
    if array.ndim != 2 or array.shape[0] == 0:
        raise DriftConfigError(f"expected a non-empty 2-D array of rows, got shape {array.shape}")
    if not np.isfinite(array).all():
        raise DriftConfigError("vectors contain NaN or infinite values")
    return array


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def count_categories(values: Any) -> tuple[dict[Hashable, int], int]:
    """Counts per category (None/NaN are missing), and the number of missing values."""
    if isinstance(values, Mapping):
        raise DriftConfigError("pass category counts through CategoryCounts.from_mapping, not as values")
    if isinstance(values, np.ndarray) and values.dtype.kind in "biuf":
        flat = values.ravel()
        keep = ~np.isnan(flat) if flat.dtype.kind == "f" else np.ones(flat.size, dtype=bool)
        cats, counts = np.unique(flat[keep], return_counts=True)
        return dict(zip(cats.tolist(), counts.tolist(), strict=True)), int(flat.size - keep.sum())
    items = values.tolist() if isinstance(values, np.ndarray) else list(values)
    counter = Counter(items)
    missing = sum(counter.pop(key) for key in [k for k in counter if _is_missing(k)])
    return dict(counter), missing


# --- numerical summaries --------------------------------------------------------------------------


@summary_kind
@dataclass(frozen=True, eq=False)
class SortedSample(Summary):
    """All reference values, sorted: exact ECDF, quantiles and Wasserstein integrals."""

    kind: ClassVar[str] = "sorted_sample"
    values: np.ndarray

    @classmethod
    def from_values(cls, values: Any) -> SortedSample:
        array, _ = numeric_values(values)
        if array.size == 0:
            raise DriftConfigError("a numerical reference needs at least one finite value")
        return cls(np.sort(array))

    @property
    def count(self) -> int:
        return int(self.values.size)

    def cdf(self, x: np.ndarray, side: str) -> np.ndarray:
        """Reference ECDF at x; side='right' is F(x), side='left' the left limit F(x-)."""
        return np.searchsorted(self.values, x, side=side) / self.values.size  # type: ignore[call-overload]

    def cdf_limits(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(F(x-), F(x)) with one binary search: they differ only where x is itself a reference value."""
        v = self.values
        right = np.searchsorted(v, x, side="right")
        left = right.copy()
        tied = v[np.maximum(right - 1, 0)] == x  # right == 0: v[0] > x, never equal
        if tied.any():
            left[tied] = np.searchsorted(v, x[tied], side="left")
        return left / v.size, right / v.size

    @property
    def std(self) -> float:
        return float(self.cached("std", lambda: np.std(self.values)))

    def to_dict(self, arrays: bool = False) -> dict[str, Any]:
        return {"kind": self.kind, "values": _out(self.values, arrays)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SortedSample:
        return cls.from_values(data["values"])


@summary_kind
@dataclass(frozen=True, eq=False)
class QuantileSketch(Summary):
    """Quantiles of the reference: values[i] is the probs[i]-quantile of `count` samples.

    probs must start at 0 (minimum) and end at 1 (maximum). Between knots the CDF is interpolated
    linearly, so a KS statistic from a sketch is within max(diff(probs)) of the exact one.
    """

    kind: ClassVar[str] = "quantile_sketch"
    probs: np.ndarray
    values: np.ndarray
    sample_count: int

    def __post_init__(self) -> None:
        probs = np.asarray(self.probs, dtype=np.float64)
        values = np.asarray(self.values, dtype=np.float64)
        if probs.ndim != 1 or probs.shape != values.shape or probs.size < 2:
            raise DriftConfigError("a quantile sketch needs equal-length 1-D probs and values (at least 2)")
        if probs[0] != 0.0 or probs[-1] != 1.0 or np.any(np.diff(probs) <= 0):
            raise DriftConfigError("sketch probs must increase strictly from 0 (minimum) to 1 (maximum)")
        if not np.isfinite(values).all() or np.any(np.diff(values) < 0):
            raise DriftConfigError("sketch values must be finite and non-decreasing")
        if self.sample_count < 1:
            raise DriftConfigError("a quantile sketch needs the number of samples it summarises")
        object.__setattr__(self, "probs", probs)
        object.__setattr__(self, "values", values)

    @classmethod
    def from_values(cls, values: Any, points: int = 1001) -> QuantileSketch:
        array, _ = numeric_values(values)
        probs = np.linspace(0.0, 1.0, points)
        return cls(probs, np.quantile(array, probs), int(array.size))

    @property
    def count(self) -> int:
        return self.sample_count

    @property
    def resolution(self) -> float:
        return float(np.max(np.diff(self.probs)))

    def cdf(self, x: np.ndarray, side: str) -> np.ndarray:
        """Interpolated reference CDF; at a repeated knot (an atom) side picks before/after the jump."""
        v, p = self.values, self.probs
        k = np.searchsorted(v, x, side=side)  # type: ignore[call-overload]
        lo = np.clip(k - 1, 0, v.size - 1)
        hi = np.clip(k, 0, v.size - 1)
        width = v[hi] - v[lo]
        frac = np.divide(x - v[lo], width, out=np.zeros_like(x, dtype=np.float64), where=width > 0)
        inside = p[lo] + (p[hi] - p[lo]) * np.clip(frac, 0.0, 1.0)
        return np.where(k == 0, 0.0, np.where(k >= v.size, 1.0, inside))

    def cdf_limits(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return self.cdf(x, "left"), self.cdf(x, "right")

    def pseudo_sample(self, points: int = 100_000) -> SortedSample:
        """Evenly spaced quantiles of the interpolated distribution, for integrals over the sample."""
        u = (np.arange(points) + 0.5) / points
        return SortedSample(np.interp(u, self.probs, self.values))

    def to_dict(self, arrays: bool = False) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "probs": _out(self.probs, arrays),
            "values": _out(self.values, arrays),
            "count": self.sample_count,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> QuantileSketch:
        return cls(np.asarray(data["probs"]), np.asarray(data["values"]), int(data["count"]))


@summary_kind
@dataclass(frozen=True, eq=False)
class Histogram(Summary):
    """Reference counts in bins cut at `cuts`: bin 0 = (-inf, c0), bin i = [c(i-1), ci), last = [c(k-2), inf)."""

    kind: ClassVar[str] = "histogram"
    cuts: np.ndarray
    counts: np.ndarray

    def __post_init__(self) -> None:
        cuts = np.asarray(self.cuts, dtype=np.float64).ravel()
        counts = np.asarray(self.counts, dtype=np.float64).ravel()
        if counts.size != cuts.size + 1:
            raise DriftConfigError(f"{cuts.size} cut points need {cuts.size + 1} counts, got {counts.size}")
        if not np.isfinite(cuts).all() or np.any(np.diff(cuts) <= 0):
            raise DriftConfigError("histogram cut points must be finite and strictly increasing")
        if np.any(counts < 0) or counts.sum() <= 0:
            raise DriftConfigError("histogram counts must be non-negative with a positive total")
        object.__setattr__(self, "cuts", cuts)
        object.__setattr__(self, "counts", counts)

    @classmethod
    def from_bins(cls, edges: Any, counts: Any) -> Histogram:
        """From numpy-style edges (k+1) and counts (k). The outer edges are treated as open, so
        current values below the first or above the last edge fall into the end bins."""
        edges = np.asarray(edges, dtype=np.float64).ravel()
        if edges.size < 2:
            raise DriftConfigError("a histogram needs at least two edges")
        return cls(edges[1:-1], counts)

    @classmethod
    def from_quantile_bins(cls, values: Any, bins: int) -> Histogram:
        """Cuts at the reference quantiles j/bins (numpy 'linear'), equal cuts merged."""
        array, _ = numeric_values(values)
        if array.size == 0:
            raise DriftConfigError("a numerical reference needs at least one finite value")
        cuts = np.unique(np.quantile(array, np.arange(1, bins) / bins))
        return cls(cuts, np.bincount(np.searchsorted(cuts, array, side="right"), minlength=cuts.size + 1))

    @classmethod
    def from_sketch(cls, sketch: QuantileSketch, bins: int) -> Histogram:
        """Cuts at the sketch knots nearest to j/bins; counts = mass between knots x sample count."""
        targets = np.arange(1, bins) / bins
        knots = np.unique(np.abs(sketch.probs[None, :] - targets[:, None]).argmin(axis=1))
        knots = knots[(knots > 0) & (knots < sketch.probs.size - 1)]
        cuts = np.unique(sketch.values[knots])
        # mass below a cut is the CDF's left limit there, so a repeated knot (an atom) stays whole
        mass = np.diff(np.concatenate(([0.0], sketch.cdf(cuts, "left"), [1.0])))
        return cls(cuts, mass * sketch.sample_count)

    @property
    def count(self) -> int:
        return round(float(self.counts.sum()))

    def bin_counts(self, values: np.ndarray) -> np.ndarray:
        return np.bincount(np.searchsorted(self.cuts, values, side="right"), minlength=self.counts.size)

    def to_dict(self, arrays: bool = False) -> dict[str, Any]:
        return {"kind": self.kind, "cuts": _out(self.cuts, arrays), "counts": _out(self.counts, arrays)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Histogram:
        return cls(np.asarray(data["cuts"]), np.asarray(data["counts"]))


# --- categorical ----------------------------------------------------------------------------------


@summary_kind
@dataclass(frozen=True, eq=False)
class CategoryCounts(Summary):
    """Reference count per category (categories are JSON scalars: str, int, float or bool)."""

    kind: ClassVar[str] = "category_counts"
    categories: tuple[Hashable, ...]
    counts: np.ndarray

    def __post_init__(self) -> None:
        counts = np.asarray(self.counts, dtype=np.float64).ravel()
        if counts.size != len(self.categories) or counts.size == 0:
            raise DriftConfigError("category counts need one count per category and at least one category")
        if np.any(counts < 0) or counts.sum() <= 0:
            raise DriftConfigError("category counts must be non-negative with a positive total")
        if len(set(self.categories)) != len(self.categories):
            raise DriftConfigError("categories must be distinct")
        object.__setattr__(self, "categories", tuple(self.categories))
        object.__setattr__(self, "counts", counts)

    @classmethod
    def from_values(cls, values: Any) -> CategoryCounts:
        counts, _ = count_categories(values)
        if not counts:
            raise DriftConfigError("a categorical reference needs at least one non-missing value")
        return cls.from_mapping(counts)

    @classmethod
    def from_mapping(cls, counts: Mapping[Hashable, float]) -> CategoryCounts:
        cats = sorted(counts, key=lambda c: (type(c).__name__, c))
        return cls(tuple(cats), np.array([counts[c] for c in cats], dtype=np.float64))

    @property
    def count(self) -> int:
        return round(float(self.counts.sum()))

    def align(self, current: Mapping[Hashable, float]) -> tuple[list[Hashable], np.ndarray, np.ndarray]:
        """Categories of both sides (reference first, then new ones), reference and current counts."""
        index = {c: i for i, c in enumerate(self.categories)}
        new = [c for c in current if c not in index]
        cats = [*self.categories, *new]
        ref = np.concatenate((self.counts, np.zeros(len(new))))
        cur = np.array([current.get(c, 0) for c in cats], dtype=np.float64)
        return cats, ref, cur

    def to_dict(self, arrays: bool = False) -> dict[str, Any]:
        return {"kind": self.kind, "categories": list(self.categories), "counts": _out(self.counts, arrays)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CategoryCounts:
        return cls(tuple(data["categories"]), np.asarray(data["counts"]))


# --- vectors --------------------------------------------------------------------------------------


@summary_kind
@dataclass(frozen=True, eq=False)
class VectorSample(Summary):
    """Reference rows (embeddings or encoded tabular rows), possibly a seeded subsample."""

    kind: ClassVar[str] = "vector_sample"
    vectors: np.ndarray
    source_count: int = 0  # rows before subsampling
    bandwidth: float | None = None  # RBF kernel bandwidth, set by the MMD test

    @classmethod
    def from_rows(cls, rows: Any, max_rows: int | None = None, seed: int = 0) -> VectorSample:
        array = vector_rows(rows)
        total = array.shape[0]
        if max_rows is not None and total > max_rows:
            keep = np.sort(np.random.default_rng(seed).choice(total, size=max_rows, replace=False))
            array = array[keep]
        return cls(np.ascontiguousarray(array), total)

    @property
    def count(self) -> int:
        return self.source_count or int(self.vectors.shape[0])

    def to_dict(self, arrays: bool = False) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "dtype": str(self.vectors.dtype),
            "vectors": _out(self.vectors, arrays),
            "source_count": self.count,
            "bandwidth": self.bandwidth,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> VectorSample:
        vectors = np.asarray(data["vectors"], dtype=data.get("dtype", "float64"))
        bandwidth = data.get("bandwidth")
        return cls(
            np.ascontiguousarray(vectors),
            int(data.get("source_count", 0)),
            None if bandwidth is None else float(bandwidth),
        )


@summary_kind
@dataclass(frozen=True, eq=False)
class Centroid(Summary):
    """Mean reference vector (of L2-normalised rows when `normalised`)."""

    kind: ClassVar[str] = "centroid"
    mean: np.ndarray
    sample_count: int
    normalised: bool = True

    @classmethod
    def from_rows(cls, rows: Any, normalised: bool = True) -> Centroid:
        array = vector_rows(rows).astype(np.float64)
        return cls(mean_vector(array, normalised), int(array.shape[0]), normalised)

    @property
    def count(self) -> int:
        return self.sample_count

    def to_dict(self, arrays: bool = False) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "mean": _out(self.mean, arrays),
            "count": self.sample_count,
            "normalised": self.normalised,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Centroid:
        return cls(np.asarray(data["mean"], dtype=np.float64), int(data["count"]), bool(data["normalised"]))


def mean_vector(rows: np.ndarray, normalised: bool) -> np.ndarray:
    if normalised:
        norms = np.linalg.norm(rows, axis=1, keepdims=True)
        rows = np.divide(rows, norms, out=np.zeros_like(rows), where=norms > 0)
    return rows.mean(axis=0)


def all_kinds() -> Iterable[str]:
    return sorted(_KINDS)
