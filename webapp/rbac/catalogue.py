"""The seed's roles and the permissions of the control plane.

Roles and their patterns come from the seed's security section (admin `*`; developer, viewer and
operator with read/execute/configure strings). Feature apps register their own permissions in their
AppConfig.ready() the same way the control-plane ones are registered here.
"""

from __future__ import annotations

from webapp.rbac.registry import ROLES, register_permission, register_role

ADMIN, DEVELOPER, VIEWER, OPERATOR = "admin", "developer", "viewer", "operator"
INGEST = "ingest"  # for the keys applications export with: write telemetry, read nothing
MEMBER_ROLES = (ADMIN, DEVELOPER, VIEWER, OPERATOR)
# The permission an OTLP export of each signal needs (receivers and the Kafka consumer check it).
WRITE_PERMISSIONS = {"traces": "traces:write", "metrics": "metrics:write", "logs": "logs:write"}

if not ROLES:
    register_role(ADMIN, "everything in the project, including keys and members", ("*",))
    register_role(
        DEVELOPER,
        "reads all telemetry and runs SQL",
        ("traces:read", "metrics:read", "costs:read", "drift:read", "alerts:read", "query:execute"),
    )
    register_role(
        VIEWER, "reads telemetry; costs only their own", ("traces:read", "metrics:read", "costs:read:own", "drift:read")
    )
    register_role(
        OPERATOR,
        "reads telemetry, runs alerting and drift monitoring",
        ("traces:read", "metrics:read", "alerts:*", "drift:read", "drift:configure"),
    )
    register_role(INGEST, "sends spans, metrics and logs; reads nothing", tuple(WRITE_PERMISSIONS.values()))

# Telemetry and analysis permissions named by the seed; their endpoints arrive with their apps.
register_permission("traces:read", "list and read traces, spans and logs")
register_permission("traces:write", "send spans (OTLP intake)")
register_permission("metrics:write", "send metric data points (OTLP intake)")
register_permission("logs:write", "send log records (OTLP intake)")
register_permission("metrics:read", "read metrics and time series")
register_permission("costs:read", "read the costs of everyone in the project")
register_permission("costs:read:own", "read one's own costs")
register_permission("drift:read", "read drift results")
register_permission("drift:configure", "configure drift monitors and references")
register_permission("alerts:read", "read alerts and rules")
register_permission("alerts:write", "create and change alert rules, silences and windows")
register_permission("query:execute", "run read-only SQL through /api/v1/query")

# Control plane.
register_permission("projects:read", "see the project and its members", granted_to=(DEVELOPER, VIEWER, OPERATOR))
register_permission("projects:admin", "rename or delete the project, manage its members")
register_permission("apikeys:manage", "create, list and revoke the project's API keys")
register_permission("projects:create", "create projects", scope="installation")
