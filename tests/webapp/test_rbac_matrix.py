"""Every endpoint, every caller, own and other project: the status the role table predicts.

Endpoints, methods and their declared access come from the generated OpenAPI schema (so a new
endpoint joins the matrix by existing); expected statuses are computed from the seed's role table
with this file's own wildcard matcher, not from the code under test.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from tests.alerting.targets import ALERT_TARGETS
from tests.costs.targets import COST_TARGETS
from tests.drift.fixtures import drift_model
from tests.webapp.conftest import KNOWN_PASSWORD, Side, World
from webapp.projects.access import PROJECT_HEADER
from webapp.rbac.registry import ROLES
from webapp.traces.models import SavedView

SCHEMA = SchemaGenerator().get_schema(request=None, public=True)


@dataclass(frozen=True)
class Operation:
    path: str
    method: str
    operation_id: str
    scope: str
    permission: str | None
    project_from_url: str | None
    example: dict[str, Any] | None
    query: dict[str, str]  # required query parameters, from their documented examples

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def _operations() -> list[Operation]:
    ops = []
    for path, item in SCHEMA["paths"].items():
        for method, op in item.items():
            access = op["x-pyflare-access"]
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            examples = body.get("examples") or {}
            example = next(iter(examples.values()))["value"] if examples else None
            query = {
                p["name"]: _parameter_example(path, p)
                for p in op.get("parameters", [])
                if p["in"] == "query" and p.get("required")
            }
            ops.append(
                Operation(
                    path,
                    method.upper(),
                    op["operationId"],
                    access["scope"],
                    access.get("permission"),
                    access.get("project_from_url"),
                    example,
                    query,
                )
            )
    return ops


def _parameter_example(path: str, parameter: dict[str, Any]) -> str:
    if "example" in parameter:
        return str(parameter["example"])
    examples = parameter.get("examples") or {}
    if not examples:
        raise AssertionError(f"{path}: required query parameter {parameter['name']!r} documents no example")
    return str(next(iter(examples.values()))["value"])


OPERATIONS = _operations()
CALLERS = ["anonymous", "staff"] + [f"{kind}:{role}" for kind in ("user", "key") for role in ROLES]


def _grants(patterns: tuple[str, ...], permission: str) -> bool:
    """The seed's rule, written independently: `*`, `area:*`, exact, or a broader permission."""
    for p in patterns:
        if p == "*" or p == permission:
            return True
        if p.endswith(":*") and permission.split(":")[0] == p[:-2]:
            return True
        if permission.startswith(p + ":"):
            return True
    return False


def expected_status(op: Operation, caller: str, side: str) -> int | str:
    if caller == "anonymous":
        return "2xx" if op.scope == "public" else 401
    if op.scope in ("public", "user"):
        return "2xx"
    if op.scope == "installation":
        return "2xx" if caller == "staff" else 403
    if caller == "staff" or side == "other":
        return 404
    role = caller.split(":")[1]
    assert op.permission is not None
    if not _grants(ROLES[role].grants, op.permission):
        return 403
    return _saved_view_rule(op, caller, role) if op.path.startswith("/api/v1/traces/views") else "2xx"


def _saved_view_rule(op: Operation, caller: str, role: str) -> int | str:
    """Saved views belong to a signed-in user: an API key saves none (400); the shared target view is
    its admin's, changed or deleted by its owner or a role with traces:views:manage."""
    if op.method == "POST":
        return 400 if caller.startswith("key:") else "2xx"
    if op.method in ("PATCH", "DELETE"):
        owner = caller == "user:admin"
        return "2xx" if owner or _grants(ROLES[role].grants, "traces:views:manage") else 403
    return "2xx"


def _cases() -> list[Any]:
    cases = []
    for op in OPERATIONS:
        sides = ["own", "other"] if op.scope == "project" else ["-"]
        for caller in CALLERS:
            for side in sides:
                cases.append(pytest.param(op, caller, side, id=f"{op}|{caller}|{side}"))
    return cases


def _path_value(op: Operation, name: str, side: Side, traces: dict[str, str]) -> str:
    if name == op.project_from_url:
        return side.project.slug
    collection = op.path.split("/{")[0].rsplit("/", 1)[-1]
    if collection == "traces":
        return traces[side.project.slug]
    if collection == "drift":
        return drift_model(side.project)
    if collection in COST_TARGETS:
        return COST_TARGETS[collection](side.project)
    if collection in ALERT_TARGETS:
        return ALERT_TARGETS[collection](side.project)
    if collection == "views":  # a shared saved view of the project's admin
        view = SavedView.objects.create(project=side.project, owner=side.members["admin"], name="matrix",
                                        query="model=gpt-4o", shared=True)  # fmt: skip
        return str(view.pk)
    targets = {"api-keys": side.spare_key, "members": side.spare_membership}
    if collection not in targets:
        pytest.fail(f"{op}: no target object for /{collection}/{{{name}}}; add one to the world fixture")
    return str(targets[collection].pk)  # type: ignore[union-attr]


def _body(op: Operation, world: World) -> dict[str, Any] | None:
    if op.operation_id == "auth_login_create":
        return {"email": world.outsider.email, "password": KNOWN_PASSWORD}
    return op.example


def _authenticate(client: APIClient, caller: str, world: World) -> None:
    if caller == "staff":
        client.force_login(world.staff)
    elif caller.startswith("user:"):
        client.force_login(world.own.members[caller.split(":")[1]])
    elif caller.startswith("key:"):
        client.credentials(HTTP_X_API_KEY=world.own.keys[caller.split(":")[1]])


@pytest.mark.parametrize(("op", "caller", "side"), _cases())
def test_access_matrix(
    op: Operation, caller: str, side: str, world: World, query_engine: object, stored_traces: dict[str, str]
) -> None:
    target = world.other if side == "other" else world.own
    path = op.path
    for name in [seg[1:-1] for seg in path.split("/") if seg.startswith("{")]:
        path = path.replace(f"{{{name}}}", _path_value(op, name, target, stored_traces))
    client = APIClient()
    _authenticate(client, caller, world)
    headers = {}
    if op.scope == "project" and not op.project_from_url and (not caller.startswith("key:") or side == "other"):
        headers[PROJECT_HEADER] = target.project.slug  # people name the project; keys imply it
    body = _body(op, world)
    response = client.generic(
        op.method,
        path,
        data=None if body is None else json.dumps(body),
        content_type="application/json",
        headers=headers,
        QUERY_STRING=urlencode(op.query),
    )
    expected = expected_status(op, caller, side)
    got = response.status_code
    detail = (b"".join(response) if response.streaming else response.content)[:300]  # exports stream
    if expected == "2xx":
        assert 200 <= got < 300, f"{op} as {caller} on {side}: expected 2xx, got {got}: {detail!r}"
    else:
        assert got == expected, f"{op} as {caller} on {side}: expected {expected}, got {got}: {detail!r}"
        assert response.json()["error"], detail


def test_the_matrix_covers_every_role_and_scope() -> None:
    # guards the generator itself: if the schema lost its access extension this would shrink
    assert {op.scope for op in OPERATIONS} == {"public", "user", "project", "installation"}
    assert len(OPERATIONS) >= 15
    assert set(ROLES) == {"admin", "developer", "viewer", "operator", "ingest"}
