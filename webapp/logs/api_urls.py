"""Route of the logs endpoint under /api/v1."""

from __future__ import annotations

from django.urls import path

from webapp.logs.api.logs import LogListView

urlpatterns = [path("logs", LogListView.as_view(), name="logs")]
