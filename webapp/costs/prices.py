"""The price overrides the pricer reads: per project, as `parse_overrides` mappings."""

from __future__ import annotations

from typing import Any

from webapp.costs.models import PriceOverride
from workers.analysis.cost import PriceBook, default_book


def overrides_by_project() -> dict[str, list[dict[str, Any]]]:
    """Project slug -> its override mappings (projects without overrides are absent)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for row in PriceOverride.objects.select_related("project").order_by("project__slug", "id"):
        out.setdefault(row.project.slug, []).append(row.as_override())
    return out


def project_book(project_slug: str) -> PriceBook:
    """The project's PriceBook now (the packaged table when it has no overrides)."""
    rows = [o.as_override() for o in PriceOverride.objects.filter(project__slug=project_slug).order_by("id")]
    return PriceBook(overrides=rows) if rows else default_book()
