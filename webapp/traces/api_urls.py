"""Routes of the trace endpoints under /api/v1."""

from __future__ import annotations

from django.urls import path

from webapp.traces.api.export import TraceExportView
from webapp.traces.api.facets import TraceFacetsView
from webapp.traces.api.outline import TraceOutlineView, TraceSearchView, TraceSpanDetailsView
from webapp.traces.api.saved_views import SavedViewDetailView, SavedViewListView
from webapp.traces.api.traces import TraceDetailView, TraceListView, TraceSpansView

urlpatterns = [
    path("traces", TraceListView.as_view(), name="traces"),
    path("traces/export", TraceExportView.as_view(), name="traces-export"),
    path("traces/facets", TraceFacetsView.as_view(), name="traces-facets"),
    path("traces/views", SavedViewListView.as_view(), name="trace-views"),
    path("traces/views/<int:view_id>", SavedViewDetailView.as_view(), name="trace-view"),
    path("traces/<str:trace_id>", TraceDetailView.as_view(), name="trace-detail"),
    path("traces/<str:trace_id>/spans", TraceSpansView.as_view(), name="trace-spans"),
    path("traces/<str:trace_id>/outline", TraceOutlineView.as_view(), name="trace-outline"),
    path("traces/<str:trace_id>/span-details", TraceSpanDetailsView.as_view(), name="trace-span-details"),
    path("traces/<str:trace_id>/search", TraceSearchView.as_view(), name="trace-search"),
]
