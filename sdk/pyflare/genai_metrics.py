"""GenAI client metrics recorded when an `llm_span` ends (OTel GenAI metric conventions).

`gen_ai.client.operation.duration` in seconds and `gen_ai.client.token.usage` per token type, with the
bucket boundaries the conventions recommend.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from opentelemetry.metrics import Meter

from pyflare import semconv

_DURATION_BUCKETS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92]
_TOKEN_BUCKETS = [4.0**n for n in range(14)]  # 1, 4, 16, ... 67108864


class GenAiMetrics:
    def __init__(self, meter: Meter) -> None:
        self._duration = meter.create_histogram(
            semconv.GEN_AI_DURATION_METRIC,
            unit="s",
            description="Duration of GenAI client operations",
            explicit_bucket_boundaries_advisory=_DURATION_BUCKETS,
        )
        self._tokens = meter.create_histogram(
            semconv.GEN_AI_TOKEN_USAGE_METRIC,
            unit="{token}",
            description="Tokens used per GenAI client operation",
            explicit_bucket_boundaries_advisory=_TOKEN_BUCKETS,
        )

    def record(
        self,
        attributes: Mapping[str, Any],
        duration_s: float,
        input_tokens: int | None,
        output_tokens: int | None,
    ) -> None:
        self._duration.record(duration_s, attributes)
        for token_type, count in (("input", input_tokens), ("output", output_tokens)):
            if count is not None:
                self._tokens.record(count, {**attributes, semconv.GEN_AI_TOKEN_TYPE: token_type})
