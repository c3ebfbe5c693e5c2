"""The failure of one delivery attempt, as channels and callers see it."""

from __future__ import annotations


class DeliveryError(Exception):
    """`status`: the receiver's HTTP status or SMTP code, if it answered; `retryable`: whether another
    attempt may succeed (a 5xx, a timeout, a rate limit) or not (a 4xx, a refused destination, a
    misconfigured channel); `retry_after`: seconds to wait at least, when known."""

    def __init__(self, message: str, status: int | None = None, retryable: bool = True,
                 retry_after: float | None = None) -> None:  # fmt: skip
        super().__init__(message)
        self.status = status
        self.retryable = retryable
        self.retry_after = retry_after
