"""Django REST framework and OpenAPI (drf-spectacular) settings for /api/v1.

Unauthenticated requests are refused by default; views opt into public access explicitly.
"""

from __future__ import annotations

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Bearer first: its WWW-Authenticate header makes DRF answer 401 (not 403) without credentials.
        "webapp.apikeys.authentication.BearerKeyAuthentication",
        "webapp.apikeys.authentication.HeaderKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "webapp.rbac.permissions.HasDeclaredPermission",
    ],
    "DEFAULT_PARSER_CLASSES": ["webapp.api.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "webapp.api.schema.PyFlareAutoSchema",
    "EXCEPTION_HANDLER": "webapp.api.errors.json_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "PyFlare API",
    "DESCRIPTION": (
        "OpenTelemetry-native observability for AI/ML. Programs authenticate with a project API key "
        "(`X-API-Key: <key>` or `Authorization: Bearer <key>`); the key implies its project. Signed-in "
        "users name the project with the `X-PyFlare-Project` header or the `project` query parameter."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
