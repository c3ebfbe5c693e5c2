"""Route of the logs endpoint under /api/v1."""

from __future__ import annotations

from django.urls import path

from webapp.logs.views import LogListView

urlpatterns = [path("logs", LogListView.as_view(), name="logs")]
