"""Errors raised while decoding OTLP payloads.

The ingest loop sends a message that raises `DecodeError` to the dead-letter topic with the
error text, so the message says what was wrong and where.
"""

from __future__ import annotations


class DecodeError(ValueError):
    """An OTLP payload could not be decoded or breaks the OTLP data model."""


def quoted(name: str, limit: int = 80) -> str:
    """`name` as it appears in an error message: repr'd and cut, so a client's 5 KB span name cannot
    push the rest of the message (what was wrong) out of a bounded channel such as grpc-message."""
    return repr(name) if len(name) <= limit else repr(name[:limit]) + "..."
