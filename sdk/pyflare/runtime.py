"""The process-wide switch every decorator and context manager reads on each call.

`tracer is None` means PyFlare is disabled or not initialised: callers take the plain path after that
single attribute check, which is what keeps the disabled cost near zero.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from pyflare.settings import DEFAULT_PREVIEW_LENGTH

if TYPE_CHECKING:
    from opentelemetry.trace import Tracer

    from pyflare.client import PyFlare
    from pyflare.genai_metrics import GenAiMetrics


class Runtime:
    __slots__ = ("capture_content", "client", "genai_metrics", "preview_length", "redact", "tracer")

    def __init__(self) -> None:
        self.client: PyFlare | None = None
        self.tracer: Tracer | None = None
        self.genai_metrics: GenAiMetrics | None = None
        self.capture_content = True
        self.preview_length = DEFAULT_PREVIEW_LENGTH
        self.redact: Callable[[str], str] | None = None  # applied to every captured text

    def bind(self, client: PyFlare, redact: Callable[[str], str] | None = None) -> None:
        self.client = client
        self.redact = redact
        self.capture_content = client.settings.capture_content
        self.preview_length = client.settings.preview_length
        self.genai_metrics = client.genai_metrics
        self.tracer = client.tracer  # last: a non-None tracer switches the fast path off

    def clear(self) -> None:
        self.tracer = None
        self.genai_metrics = None
        self.client = None


RUNTIME = Runtime()
