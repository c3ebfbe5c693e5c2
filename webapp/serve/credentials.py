"""Where programs put their API key: `X-API-Key: <key>`, else `Authorization: Bearer <key>`.

Shared by the OTLP receivers (HTTP headers, gRPC metadata) and the websocket `/ws`.
"""

from __future__ import annotations


def bearer_or_header_key(api_key_header: str | None, authorization: str | None) -> str | None:
    if api_key_header and api_key_header.strip():
        return api_key_header.strip()
    if authorization:
        scheme, _, token = authorization.strip().partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            return token.strip()
    return None
