"""A per-channel rate limit as a token bucket: `per_minute` notifications a minute on average, in
bursts of at most `per_minute`. The state (tokens, last refill) is stored on the channel; this is the
arithmetic only."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Bucket:
    tokens: float
    refilled_at: float  # epoch seconds


@dataclass(frozen=True)
class Take:
    allowed: bool
    bucket: Bucket  # the state to store
    retry_in: float  # seconds until a token is available (0 when allowed)


def take_token(bucket: Bucket | None, now: float, per_minute: int) -> Take:
    """Spend one token if there is one. A fresh channel starts full; time running backwards (clock
    steps) refills nothing."""
    if per_minute <= 0:
        raise ValueError("per_minute must be positive")
    capacity, rate = float(per_minute), per_minute / 60.0
    refilled = 0.0 if bucket is None else bucket.tokens + max(0.0, now - bucket.refilled_at) * rate
    tokens = capacity if bucket is None else min(capacity, refilled)
    if tokens >= 1.0:
        return Take(True, Bucket(tokens - 1.0, now), 0.0)
    return Take(False, Bucket(tokens, now), (1.0 - tokens) / rate)
