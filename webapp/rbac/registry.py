"""The registry of roles and permission strings, and the wildcard rule that matches them.

Roles hold permission patterns (`*`, `alerts:*`, `traces:read`). A pattern grants a permission when
it is equal to it, is `*`, ends in `:*` and prefixes it, or names a broader permission: holding
`costs:read` implies `costs:read:own`, never the reverse. Apps register the permissions they
check (`register_permission`), optionally granting them to roles beyond what the role patterns
already cover, so new features add access rules without editing this module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Scope = Literal["project", "installation"]


class UnknownRole(KeyError):
    def __str__(self) -> str:
        return f"unknown role {self.args[0]!r}; valid roles: {', '.join(ROLES)}"


class UnknownPermission(KeyError):
    def __str__(self) -> str:
        return f"unknown permission {self.args[0]!r}; registered: {', '.join(sorted(PERMISSIONS))}"


@dataclass(frozen=True)
class Permission:
    name: str
    description: str
    # "project": checked against the caller's role in the request's project.
    # "installation": not about one project (e.g. creating projects); only staff users hold it.
    scope: Scope = "project"


@dataclass
class Role:
    name: str
    description: str
    patterns: tuple[str, ...]
    extra: set[str] = field(default_factory=set)  # permissions granted through register_permission

    @property
    def grants(self) -> tuple[str, ...]:
        return self.patterns + tuple(sorted(self.extra))


ROLES: dict[str, Role] = {}
PERMISSIONS: dict[str, Permission] = {}


def pattern_grants(pattern: str, permission: str) -> bool:
    """Whether one role pattern covers one permission string (see the module docstring)."""
    if pattern == "*" or pattern == permission:
        return True
    if pattern.endswith(":*"):
        return permission.startswith(pattern[:-1])
    return permission.startswith(pattern + ":")


def register_role(name: str, description: str, patterns: tuple[str, ...]) -> Role:
    if name in ROLES:
        raise ValueError(f"role {name!r} is already registered")
    role = Role(name, description, patterns)
    ROLES[name] = role
    return role


def register_permission(
    name: str, description: str, *, scope: Scope = "project", granted_to: tuple[str, ...] = ()
) -> Permission:
    """Declare a permission an endpoint may require; idempotent for an identical declaration."""
    perm = Permission(name, description, scope)
    existing = PERMISSIONS.get(name)
    if existing is not None and existing != perm:
        raise ValueError(f"permission {name!r} is already registered differently: {existing}")
    for role_name in granted_to:
        role(role_name).extra.add(name)
    PERMISSIONS[name] = perm
    return perm


def role(name: str) -> Role:
    try:
        return ROLES[name]
    except KeyError:
        raise UnknownRole(name) from None


def permission(name: str) -> Permission:
    try:
        return PERMISSIONS[name]
    except KeyError:
        raise UnknownPermission(name) from None


def grants(role_name: str, permission_name: str) -> bool:
    """Whether a role holds a permission; unknown roles hold nothing."""
    held = ROLES.get(role_name)
    if held is None:
        return False
    return any(pattern_grants(p, permission_name) for p in held.grants)


def granted(role_name: str) -> list[str]:
    """Every registered project permission a role holds, sorted (the UI hides what a role cannot do)."""
    return sorted(name for name, perm in PERMISSIONS.items() if perm.scope == "project" and grants(role_name, name))


def role_covers(holder: str, other: str) -> bool:
    """Whether `holder` holds everything `other` does (so a holder may mint keys of role `other`)."""
    if holder == other:
        return True
    held = ROLES.get(holder)
    if held is None or other not in ROLES:
        return False
    return all(any(_pattern_covers(mine, theirs) for mine in held.grants) for theirs in ROLES[other].grants)


def _pattern_covers(mine: str, theirs: str) -> bool:
    if mine == "*":
        return True
    if theirs == "*":
        return False
    if theirs.endswith(":*"):
        return mine.endswith(":*") and theirs.startswith(mine[:-1])
    return pattern_grants(mine, theirs)


def role_choices() -> list[tuple[str, str]]:
    return [(r.name, r.name) for r in ROLES.values()]
