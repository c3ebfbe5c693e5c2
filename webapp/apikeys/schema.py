"""OpenAPI descriptions of the two API key authentication schemes (drf-spectacular extensions)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class HeaderKeyScheme(OpenApiAuthenticationExtension):
    target_class = "webapp.apikeys.authentication.HeaderKeyAuthentication"
    name = "apiKeyAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "apiKey", "in": "header", "name": "X-API-Key"}


class BearerKeyScheme(OpenApiAuthenticationExtension):
    target_class = "webapp.apikeys.authentication.BearerKeyAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "description": "a project API key"}
