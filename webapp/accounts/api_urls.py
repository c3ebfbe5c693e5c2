"""Routes of the accounts slice under /api/v1/auth."""

from __future__ import annotations

from django.urls import path

from webapp.accounts.api.accounts import CsrfView, LoginView, LogoutView, MeView

urlpatterns = [
    path("auth/csrf", CsrfView.as_view(), name="auth-csrf"),
    path("auth/login", LoginView.as_view(), name="auth-login"),
    path("auth/logout", LogoutView.as_view(), name="auth-logout"),
    path("auth/me", MeView.as_view(), name="auth-me"),
]
