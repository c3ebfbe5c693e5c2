"""Links between pages of a listing: the URL of the next page carries the request's parameters and
the next cursor."""

from __future__ import annotations

from urllib.parse import urlencode

from rest_framework.request import Request


def next_url(request: Request, cursor: str | None) -> str | None:
    if cursor is None:
        return None
    params = request.query_params.copy()
    params["cursor"] = cursor
    return request.build_absolute_uri(f"{request.path}?{urlencode(params, doseq=True)}")
