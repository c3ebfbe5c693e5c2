"""Property-based fuzzing of every endpoint from the API's own OpenAPI schema (schemathesis +
Hypothesis): whatever is generated — paths, headers, query strings, bodies, valid or not — the
answer is below 500, and every error is JSON with a message.

Requests carry a project admin key so they reach the handlers, not just authentication.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import pytest
import schemathesis
from clickhouse_connect.driver.client import Client
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from rest_framework.test import APIClient
from schemathesis.core import NotSet

from tests.webapp.conftest import World

SCHEMA = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]


# Generated credentials and project selectors would only ever meet 401/404; the client's own key
# (which implies its project) is used instead so the generated inputs reach the handlers.
_REPLACED_HEADERS = {"content-type", "content-length", "x-api-key", "authorization", "x-pyflare-project"}


def _send(client: APIClient, case: Any) -> Any:
    headers = {k: v for k, v in (case.headers or {}).items() if k.lower() not in _REPLACED_HEADERS}
    query = {k: v for k, v in (case.query or {}).items() if k != "project"}
    body = None if isinstance(case.body, NotSet) else json.dumps(case.body)
    return client.generic(
        case.method,
        case.formatted_path,
        data=body or "",
        content_type=case.media_type or "application/json",
        QUERY_STRING=urlencode(query, doseq=True),
        headers=headers,
    )


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: f"{op.method.upper()} {op.path}")
def test_no_generated_request_gets_a_server_error(operation: Any, world: World, query_engine: Client) -> None:
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=world.own.keys["admin"])

    @given(case=operation.as_strategy())
    @settings(
        max_examples=40,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case: Any) -> None:
        response = _send(client, case)
        assert response.status_code < 500, (case.formatted_path, case.query, case.body, response.content[:300])
        if response.status_code >= 400:
            assert response["Content-Type"].startswith("application/json"), response.content[:300]
            assert response.json()["message"]

    check()
