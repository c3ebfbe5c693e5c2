"""Route of the SQL endpoint: POST /api/v1/query."""

from __future__ import annotations

from django.urls import path

from webapp.query.api.query import QueryView

urlpatterns = [path("query", QueryView.as_view(), name="query")]
