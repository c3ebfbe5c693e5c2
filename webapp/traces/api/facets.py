"""`GET /traces/facets`: facet counts for the trace list's current filters (see workers.storage.traces.facets)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from webapp.api.params import validate_query
from webapp.api.telemetry import telemetry_reader
from webapp.projects.access import ProjectScoped
from webapp.traces.api.serializers import TraceFacetQuery, TraceFacetsSerializer
from webapp.traces.api.traces import listing_of
from workers.storage.traces.facets import facet_counts, matching_count


class TraceFacetsView(ProjectScoped, APIView):
    required_permissions = {"GET": "traces:read"}

    @extend_schema(
        parameters=[TraceFacetQuery],
        responses=TraceFacetsSerializer,
        summary="Facet counts of the trace list",
        operation_id="traces_facets",
        description=(
            "Takes the list's filters (`attr.<key>=<value>` included). For each facet, the number of traces per "
            "value among those matching every filter except the facet's own (so the chosen value's siblings "
            "stay visible); a trace counts under a value when some span of it has it. `total` matches all filters."
        ),
        tags=["traces"],
    )
    def get(self, request: Request) -> Response:
        values, attrs = validate_query(request, TraceFacetQuery, attr_filters=True)
        filters, _ = listing_of(values, attrs)
        project = self.access.project.slug
        counts = facet_counts(telemetry_reader(), project, filters)
        return Response({
            "total": matching_count(telemetry_reader(), project, filters),
            "facets": {name: [{"value": v, "count": n} for v, n in pairs] for name, pairs in counts.items()},
        })
