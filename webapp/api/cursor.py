"""Opaque page cursors: the sort key and id of the last item seen, bound to the query they came from.

A cursor is base64url JSON `{"k": [...], "q": <query fingerprint>}`; using it with other filters or
another sort is refused, so a page never continues a different listing.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping
from typing import Any

from rest_framework.exceptions import ValidationError

MAX_CURSOR_CHARS = 2000


def fingerprint(query: Mapping[str, Any]) -> str:
    """A short digest of the parameters that define a listing (not the page position)."""
    canonical = json.dumps(query, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def encode_cursor(key: list[Any], query_fingerprint: str) -> str:
    raw = json.dumps({"k": key, "q": query_fingerprint}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, query_fingerprint: str, shape: tuple[type, ...]) -> list[Any]:
    """The key of a cursor made by `encode_cursor` for the same query; 400 otherwise."""
    bad = ValidationError({"cursor": ["not a cursor from this listing; pass the next_cursor of the previous page"]})
    if len(cursor) > MAX_CURSOR_CHARS:
        raise bad
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        body = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (binascii.Error, ValueError, UnicodeError):
        raise bad from None
    if not isinstance(body, dict) or not isinstance(body.get("k"), list):
        raise bad
    if body.get("q") != query_fingerprint:
        raise ValidationError(
            {
                "cursor": [
                    "this cursor belongs to a listing with other filters or another sort; start from the first page"
                ]
            }
        )
    key = body["k"]
    if len(key) != len(shape) or not all(_is(v, t) for v, t in zip(key, shape, strict=True)):
        raise bad
    return key


def page_position(values: Mapping[str, Any], shape: tuple[type, ...]) -> tuple[str, list[Any] | None]:
    """For a validated list query: the fingerprint of its listing (every parameter but `cursor` and
    `limit`) and the key its `cursor` carries, or None on the first page."""
    listing = fingerprint({k: v for k, v in values.items() if k not in ("cursor", "limit")})
    after = decode_cursor(values["cursor"], listing, shape) if values.get("cursor") else None
    return listing, after


def _is(value: Any, kind: type) -> bool:
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool) and -(2**63) <= value < 2**64
    return isinstance(value, kind)
