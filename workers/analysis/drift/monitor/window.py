"""A monitored window as values: which spans (project, model, [start, end) in unix ns) and what was read.

Storage fills these (workers/storage/drift/windows.py); scoring only reads them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np

NS = 1_000_000_000


def to_ns(moment: datetime) -> int:
    return int(moment.timestamp()) * NS + moment.microsecond * 1000


def from_ns(ns: int) -> datetime:
    return datetime.fromtimestamp(ns // NS, tz=UTC).replace(microsecond=(ns % NS) // 1000)


@dataclass(frozen=True)
class WindowSpec:
    project: str
    model_id: str
    start_ns: int
    end_ns: int


@dataclass
class WindowRows:
    spec: WindowSpec
    total_rows: int  # rows in the window before sampling
    numeric: dict[str, np.ndarray] = field(default_factory=dict)  # NaN = missing
    categorical: dict[str, list[str | None]] = field(default_factory=dict)
    prediction: list[str | None] = field(default_factory=list)
    prediction_score: np.ndarray = field(default_factory=lambda: np.empty(0))

    @property
    def n_rows(self) -> int:
        return int(self.prediction_score.size)

    def feature(self, name: str) -> Any:
        return self.numeric[name] if name in self.numeric else self.categorical.get(name)


@dataclass(frozen=True)
class LabelledRows:
    """Predictions of the window's spans that received a feedback label (the latest one wins)."""

    label: list[str]
    label_number: np.ndarray  # NaN when the label was not sent as a number
    prediction: list[str]
    prediction_score: np.ndarray

    @property
    def size(self) -> int:
        return len(self.label)
