"""PyFlare's drf-spectacular AutoSchema: documents who may call each operation and how errors look.

Every operation carries `x-pyflare-access` (scope and permission, from webapp.api.access), the
project selector parameters when the project comes from the request, and the JSON error bodies.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from webapp.api.access import endpoint_access
from webapp.projects.access import PROJECT_HEADER, PROJECT_QUERY_PARAM


class ErrorSerializer(serializers.Serializer):
    error = serializers.CharField(help_text="machine-readable code, e.g. invalid, not_found")
    message = serializers.CharField(help_text="what was wrong and what is accepted")
    details = serializers.JSONField(required=False, help_text="per-field messages for invalid input")


_ERROR_STATUSES = {
    "public": ("400",),
    "user": ("400", "401"),
    "project": ("400", "401", "403", "404"),
    "installation": ("400", "401", "403"),
}


class PyFlareAutoSchema(AutoSchema):
    def _access(self) -> Any:
        return endpoint_access(self.view, self.method)

    def get_extensions(self) -> dict[str, Any]:
        extensions = dict(super().get_extensions() or {})
        extensions["x-pyflare-access"] = self._access().as_extension()
        return extensions

    def get_override_parameters(self) -> list[Any]:
        params = list(super().get_override_parameters())
        access = self._access()
        if access.scope == "project" and not access.project_from_url:
            description = "project slug for signed-in users; API keys imply their project"
            params += [
                OpenApiParameter(PROJECT_HEADER, str, OpenApiParameter.HEADER, description=description),
                OpenApiParameter(PROJECT_QUERY_PARAM, str, OpenApiParameter.QUERY, description=description),
            ]
        return params

    def _get_response_bodies(self, direction: str = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        for code in _ERROR_STATUSES[self._access().scope]:
            if code not in responses:
                responses[code] = self._get_response_for_code(ErrorSerializer, code)
        return responses
