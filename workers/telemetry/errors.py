"""Errors raised while decoding OTLP payloads.

The ingest loop sends a message that raises `DecodeError` to the dead-letter topic with the
error text, so the message says what was wrong and where.
"""

from __future__ import annotations


class DecodeError(ValueError):
    """An OTLP payload could not be decoded or breaks the OTLP data model."""
