"""Settings of span normalisation and the embedding records it hands out.

`NormaliseOptions.from_env()` reads the same names as the rest of PyFlare's configuration.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from workers.env import env_str
from workers.telemetry.limits import TimeWindow, time_window


@dataclass(frozen=True)
class NormaliseOptions:
    preview_chars: int = 1000  # input/output previews are cut to this many characters
    # Project of a resource without pyflare.project. Intake stamps every resource with its key's project
    # first (workers.telemetry.project_claim), so stored telemetry never falls back to this.
    default_project: str = "default"
    # Storage retention (PYFLARE_RETENTION_DAYS): times the TTL would delete at once are refused.
    # None (plain unit use) checks only the int64 nanosecond limit.
    retention_days: int | None = None

    def __post_init__(self) -> None:
        if self.preview_chars < 0:
            raise ValueError(f"preview_chars must be >= 0, got {self.preview_chars}")
        if not self.default_project:
            raise ValueError("default_project must not be empty")
        if self.retention_days is not None and self.retention_days < 1:
            raise ValueError(f"retention_days must be at least 1, got {self.retention_days}")

    def time_window(self) -> TimeWindow:
        """The storable range of the times the TTL applies to (span start, log and point time), now."""
        return time_window(self.retention_days, time.time_ns())

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> NormaliseOptions:
        raw = env_str("PYFLARE_PREVIEW_CHARS", "", environ).strip()
        try:
            preview = int(raw) if raw else cls.preview_chars
        except ValueError:
            raise ValueError(f"PYFLARE_PREVIEW_CHARS must be a whole number, got {raw!r}") from None
        days = env_str("PYFLARE_RETENTION_DAYS", "", environ).strip() or "30"  # the storage default
        try:
            retention = int(days)
        except ValueError:
            raise ValueError(f"PYFLARE_RETENTION_DAYS must be a whole number of days, got {days!r}") from None
        return cls(preview_chars=preview, retention_days=retention)


@dataclass
class EmbeddingRecord:
    """A `pyflare.embedding` vector taken off a span; the vector store keeps it, not ClickHouse."""

    project: str
    trace_id: str
    span_id: str
    model_id: str
    time_unix_nano: int
    embedding_type: str
    vector: list[float] = field(default_factory=list)
