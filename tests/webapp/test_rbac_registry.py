"""The role table and its wildcard rule, against the seed's security section."""

from __future__ import annotations

import pytest

from webapp.rbac import registry
from webapp.rbac.registry import grants, pattern_grants, register_permission, role_covers

# (role, permission, granted) — read off the seed: admin "*"; developer reads everything and runs
# SQL; viewer reads, costs only their own; operator reads and owns alerts:* and drift:configure.
SEED_CASES = [
    ("admin", "apikeys:manage", True),
    ("admin", "anything:at:all", True),
    ("developer", "traces:read", True),
    ("developer", "query:execute", True),
    ("developer", "costs:read", True),
    ("developer", "costs:read:own", True),
    ("developer", "alerts:write", False),
    ("developer", "traces:write", False),
    ("developer", "apikeys:manage", False),
    ("viewer", "costs:read:own", True),
    ("viewer", "costs:read", False),
    ("viewer", "query:execute", False),
    ("viewer", "drift:read", True),
    ("viewer", "drift:configure", False),
    ("operator", "alerts:read", True),
    ("operator", "alerts:write", True),
    ("operator", "alerts:silences:write", True),
    ("operator", "alertsx:read", False),
    ("operator", "drift:configure", True),
    ("operator", "costs:read", False),
    ("operator", "query:execute", False),
    ("nobody", "traces:read", False),
]


@pytest.mark.parametrize(("role", "permission", "granted"), SEED_CASES)
def test_seed_roles(role: str, permission: str, granted: bool) -> None:
    assert grants(role, permission) is granted


def test_every_member_can_see_their_project_but_only_admins_manage_it() -> None:
    for role in ("admin", "developer", "viewer", "operator"):
        assert grants(role, "projects:read")
        assert grants(role, "projects:admin") is (role == "admin")


@pytest.mark.parametrize(
    ("pattern", "permission", "granted"),
    [
        ("*", "x:y", True),
        ("costs:read", "costs:read:own", True),
        ("costs:read:own", "costs:read", False),
        ("costs:read", "costs:readx", False),
        ("alerts:*", "alerts", False),
        ("alerts:*", "alerts:rules:write", True),
    ],
)
def test_pattern_rule(pattern: str, permission: str, granted: bool) -> None:
    assert pattern_grants(pattern, permission) is granted


@pytest.mark.parametrize(
    ("holder", "other", "covers"),
    [
        ("admin", "viewer", True),
        ("admin", "admin", True),
        ("developer", "viewer", True),  # costs:read covers costs:read:own
        ("viewer", "developer", False),
        ("operator", "viewer", False),  # viewer's costs:read:own is not an operator's
        ("developer", "operator", False),
        ("viewer", "admin", False),
    ],
)
def test_role_cover_for_minting_keys(holder: str, other: str, covers: bool) -> None:
    assert role_covers(holder, other) is covers


def test_apps_register_permissions_and_grants_without_editing_the_registry() -> None:
    try:
        register_permission("examples:write", "write examples", granted_to=("developer",))
        assert grants("developer", "examples:write") and not grants("viewer", "examples:write")
        register_permission("examples:write", "write examples", granted_to=("developer",))  # idempotent
        with pytest.raises(ValueError, match="already registered differently"):
            register_permission("examples:write", "something else")
    finally:
        registry.PERMISSIONS.pop("examples:write", None)
        registry.ROLES["developer"].extra.discard("examples:write")


def test_unknown_names_list_the_valid_ones() -> None:
    with pytest.raises(registry.UnknownRole, match=r"valid roles: admin, developer, viewer, operator"):
        registry.role("root")
    with pytest.raises(registry.UnknownPermission, match=r"registered: .*traces:read"):
        registry.permission("traces:delete")


def test_an_implemented_method_without_a_declared_permission_is_refused() -> None:
    from rest_framework.exceptions import PermissionDenied
    from rest_framework.test import APIRequestFactory
    from rest_framework.views import APIView

    from webapp.rbac.permissions import HasDeclaredPermission

    class Forgetful(APIView):
        required_permissions = {"GET": "traces:read"}

        def get(self, request: object) -> None: ...

        def delete(self, request: object) -> None: ...

    request = APIView().initialize_request(APIRequestFactory().delete("/x"))
    with pytest.raises(PermissionDenied, match="declares no permission for DELETE"):
        HasDeclaredPermission().has_permission(request, Forgetful())
