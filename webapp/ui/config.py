"""What the browser app needs to know about this server that the API does not say: where
applications send telemetry (for the copyable first-trace snippet)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.http.request import split_domain_port


def otlp_http_endpoint(request: HttpRequest) -> str:
    if settings.UI_OTLP_ENDPOINT:
        return settings.UI_OTLP_ENDPOINT
    domain, _port = split_domain_port(request.get_host())
    host = f"[{domain}]" if ":" in domain else domain
    return f"{request.scheme}://{host}:{settings.UI_OTLP_HTTP_PORT}"


def ui_config(request: HttpRequest) -> dict[str, Any]:
    return {"otlpHttpEndpoint": otlp_http_endpoint(request)}
