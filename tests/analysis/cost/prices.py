"""Expected costs from published per-million-token prices, computed with Decimal (not the code under test)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def micros(tokens: int, usd_per_million: str) -> int:
    """tokens x $/1M tokens, in micro-dollars ($/1M tokens = micro-dollars per token), rounded half up."""
    return int((Decimal(tokens) * Decimal(usd_per_million)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
