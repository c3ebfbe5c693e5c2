"""The /api/v1 frame: route discovery, JSON errors, OpenAPI schema, health and readiness."""
