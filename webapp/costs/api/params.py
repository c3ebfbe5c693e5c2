"""Query forms of the cost endpoints and the scope they resolve to for the caller.

Times are ISO-8601 or unix nanoseconds (like every telemetry endpoint); `end_time` defaults to now
and `start_time` to 30 days before it. Callers holding only `costs:read:own` (viewers) see the costs
whose `user_id` is their email; API keys act for no person, so their "own" costs are none.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

from webapp.api.params import MAX_TEXT, TimeField, check_range, validate_query
from webapp.apikeys.authentication import KeyPrincipal
from webapp.projects.access import ProjectAccess
from workers.storage.costs.reads import DIMENSION_PREFIX, GROUPS, CostScope

DAY_NS = 86_400 * 1_000_000_000
DEFAULT_RANGE_NS = 30 * DAY_NS
MAX_RANGE_NS = 800 * DAY_NS  # costs are kept ~400 days; a longer range only costs time
NO_USER = "\x00no-user"  # matches no stored user_id: the "own" costs of an API key
GROUP_NAMES = [*GROUPS]
GROUP_ALIASES = {"model_id": "model", "user_id": "user", "feature_id": "feature"}  # the seed's spellings
_GROUP_PATTERN = "^(" + "|".join([*GROUP_NAMES, *GROUP_ALIASES]) + r"|dim\.[A-Za-z0-9_.:/-]{1,128})$"
FILTERS = {"model_id": "model_id", "model_family": "model_family", "provider": "provider", "user_id": "user_id",
           "feature_id": "feature_id", "team": "team", "environment": "environment"}  # fmt: skip


class GroupNameField(serializers.RegexField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(_GROUP_PATTERN, max_length=140, error_messages={"invalid": (
            f"group by {', '.join(GROUP_NAMES)} (or {', '.join(GROUP_ALIASES)}) or {DIMENSION_PREFIX}<key> "
            "for a custom dimension (PYFLARE_COST_DIMENSIONS)")}, **kwargs)  # fmt: skip

    def to_internal_value(self, data: Any) -> str:
        name = str(super().to_internal_value(data))
        return GROUP_ALIASES.get(name, name)


class RangeQuery(serializers.Serializer):
    start_time = TimeField(required=False, help_text="from this time (default: 30 days before end_time)")
    end_time = TimeField(required=False, help_text="until this time, exclusive (default: now)")
    model_id = serializers.CharField(required=False, max_length=MAX_TEXT, help_text="only this exact model id")
    model_family = serializers.CharField(required=False, max_length=MAX_TEXT, help_text=(
        "only this model family, every dated or versioned id of it (gpt-4o-mini covers gpt-4o-mini-2024-07-18)"))
    provider = serializers.CharField(required=False, max_length=MAX_TEXT)
    user_id = serializers.CharField(required=False, max_length=MAX_TEXT)
    feature_id = serializers.CharField(required=False, max_length=MAX_TEXT)
    team = serializers.CharField(required=False, max_length=MAX_TEXT)
    environment = serializers.CharField(required=False, max_length=MAX_TEXT)


class SummaryQuery(RangeQuery):
    group_by = serializers.ListField(
        child=GroupNameField(), required=False, max_length=4,
        help_text="repeat for several: model (exact id), model_family (dated ids together), provider, user, feature, "
                  "team, environment, day, hour, dim.<key>",
    )  # fmt: skip
    limit = serializers.IntegerField(min_value=1, max_value=10_000, default=1000, help_text="groups returned, 1-10000")


class BreakdownQuery(RangeQuery):
    dimension = GroupNameField(help_text="model, provider, user, feature, team, environment or dim.<key>")
    limit = serializers.IntegerField(min_value=1, max_value=1000, default=10, help_text="top values returned")


def resolved_range(values: dict[str, Any], default_ns: int = DEFAULT_RANGE_NS) -> tuple[int, int]:
    check_range(values, "start_time", "end_time")
    end = values.get("end_time")
    end = time.time_ns() if end is None else end
    start = values.get("start_time")
    start = max(0, end - default_ns) if start is None else start
    if end - start > MAX_RANGE_NS:
        raise ValidationError({"start_time": [f"a cost range spans at most {MAX_RANGE_NS // DAY_NS} days"]})
    return start, end


def own_user(request: Request, access: ProjectAccess) -> str | None:
    """The user_id the caller is limited to, or None when they may read everyone's costs."""
    if access.can("costs:read"):
        return None
    if isinstance(request.user, KeyPrincipal):
        return NO_USER
    return str(request.user.email)


def cost_scope(request: Request, access: ProjectAccess, values: dict[str, Any],
               default_ns: int = DEFAULT_RANGE_NS) -> CostScope:  # fmt: skip
    start, end = resolved_range(values, default_ns)
    filters = {column: values[name] for name, column in FILTERS.items() if values.get(name) is not None}
    mine = own_user(request, access)
    if mine is not None:
        if filters.get("user_id", mine) != mine:
            filters["user_id"] = NO_USER  # someone else's costs: nothing
        else:
            filters["user_id"] = mine
    return CostScope(access.project.slug, start, end, filters)


def check_dimensions(names: list[str], field: str = "group_by") -> None:
    configured = set(settings.COST_DIMENSIONS)
    for name in names:
        if name.startswith(DIMENSION_PREFIX) and name[len(DIMENSION_PREFIX) :] not in configured:
            known = ", ".join(sorted(configured)) or "none (set PYFLARE_COST_DIMENSIONS)"
            raise ValidationError({field: [f"{name!r} is not a configured cost dimension; configured: {known}"]})


def summary_values(request: Request) -> dict[str, Any]:
    values, _ = validate_query(request, SummaryQuery)
    groups = list(values.get("group_by") or [])
    if len(set(groups)) != len(groups):
        raise ValidationError({"group_by": ["name each group once"]})
    check_dimensions(groups)
    values["group_by"] = groups
    return values
