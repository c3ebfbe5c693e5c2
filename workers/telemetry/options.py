"""Settings of span normalisation and the embedding records it hands out.

`NormaliseOptions.from_env()` reads the same names as the rest of PyFlare's configuration.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field


@dataclass(frozen=True)
class NormaliseOptions:
    preview_chars: int = 1000  # input/output previews are cut to this many characters
    # Project of a resource without pyflare.project. Intake stamps every resource with its key's project
    # first (workers.telemetry.project_claim), so stored telemetry never falls back to this.
    default_project: str = "default"

    def __post_init__(self) -> None:
        if self.preview_chars < 0:
            raise ValueError(f"preview_chars must be >= 0, got {self.preview_chars}")
        if not self.default_project:
            raise ValueError("default_project must not be empty")

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> NormaliseOptions:
        env = os.environ if environ is None else environ
        raw = env.get("PYFLARE_PREVIEW_CHARS", "").strip()
        try:
            preview = int(raw) if raw else cls.preview_chars
        except ValueError:
            raise ValueError(f"PYFLARE_PREVIEW_CHARS must be a whole number, got {raw!r}") from None
        return cls(preview_chars=preview)


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
