"""Routes of the API keys slice under /api/v1/api-keys."""

from __future__ import annotations

from django.urls import path

from webapp.apikeys.api.keys import ApiKeyDetailView, ApiKeyListView, ApiKeyRevokeView

urlpatterns = [
    path("api-keys", ApiKeyListView.as_view(), name="apikey-list"),
    path("api-keys/<int:pk>", ApiKeyDetailView.as_view(), name="apikey-detail"),
    path("api-keys/<int:pk>/revoke", ApiKeyRevokeView.as_view(), name="apikey-revoke"),
]
