"""The OpenAPI 3 document is generated from the code without warnings, validates against the
OpenAPI schema, documents access per operation, and the Swagger UI works offline."""

from __future__ import annotations

import io
import re

import pytest
import yaml
from django.core.management import call_command
from rest_framework.test import APIClient


def test_schema_generates_without_warnings_and_validates() -> None:
    out = io.StringIO()
    call_command("spectacular", "--fail-on-warn", "--validate", stdout=out)
    schema = yaml.safe_load(out.getvalue())
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/query" in schema["paths"] and "/api/v1/health" in schema["paths"]


def test_every_operation_declares_its_access_and_errors() -> None:
    schema = APIClient().get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    security = schema["components"]["securitySchemes"]
    assert security["apiKeyAuth"] == {"type": "apiKey", "in": "header", "name": "X-API-Key"}
    assert security["bearerAuth"]["scheme"] == "bearer"
    for path, item in schema["paths"].items():
        for method, op in item.items():
            access = op["x-pyflare-access"]
            if access["scope"] == "project":
                assert access["permission"], (method, path)
                assert {"401", "403", "404"} <= set(op["responses"]), (method, path)
                names = {p["name"] for p in op.get("parameters", [])}
                assert access.get("project_from_url") in names or "X-PyFlare-Project" in names, (method, path)


@pytest.mark.django_db
def test_swagger_ui_is_served_without_a_cdn() -> None:
    response = APIClient().get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert not re.search(r"https?://(cdn|unpkg|fastly)", html)
    assert "/static/drf_spectacular_sidecar/" in html
