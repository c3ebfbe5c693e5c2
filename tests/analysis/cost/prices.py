"""Expected costs computed independently of the code under test: Decimal arithmetic on published
per-million-token prices, or genai-prices' own calculation (`calc_price`) on its data."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from genai_prices import Usage, calc_price


def usd(tokens: int, usd_per_million: str) -> Decimal:
    """tokens x $/1M tokens, exactly."""
    return Decimal(tokens) * Decimal(usd_per_million) / 1_000_000


def pico(tokens: int, usd_per_million: str) -> int:
    """tokens x $/1M tokens in pico-dollars ($/1M tokens = 10^6 pico-dollars per token), exact."""
    value = Decimal(tokens) * Decimal(usd_per_million) * 1_000_000
    assert value == value.to_integral_value()
    return int(value)


def micros(tokens: int, usd_per_million: str) -> int:
    """tokens x $/1M tokens, in micro-dollars ($/1M tokens = micro-dollars per token), rounded half up."""
    return int((Decimal(tokens) * Decimal(usd_per_million)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def to_micros(value: Decimal) -> int:
    return int((value * 1_000_000).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def genai_usd(model: str, provider_id: str | None, input_tokens: int, output_tokens: int, cache_read: int = 0,
              cache_write: int = 0, at: datetime | None = None) -> Decimal:  # fmt: skip
    """genai-prices' own total for the usage (its input includes the cache, its output any reasoning)."""
    usage = Usage(input_tokens=input_tokens, output_tokens=output_tokens, cache_read_tokens=cache_read,
                  cache_write_tokens=cache_write)  # fmt: skip
    return calc_price(usage, model, provider_id=provider_id, genai_request_timestamp=at).total_price
