"""Errors of outbound requests. Their text is shown to users through the API, so it names what went
wrong in words ("connection failed", "timed out", "HTTP 500") and never an address, port or errno."""

from __future__ import annotations


class OutboundError(Exception):
    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class DestinationRefused(OutboundError):
    """The URL or an address it resolves to is not a destination PyFlare may connect to."""
