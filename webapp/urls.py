"""Root URL table: the REST API under /api/v1, the Django admin under /admin (its login throttled
like the API's) and the web UI at /.

API routes are discovered from the apps (webapp.api.routes); errors under /api/ are JSON.
"""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from webapp.security.admin_login import throttled_admin_login

urlpatterns = [
    path("api/v1/", include("webapp.api.routes")),
    path("admin/login/", throttled_admin_login, name="admin-login"),  # before the admin's own
    path("admin/", admin.site.urls),
    path("", include("webapp.ui.urls")),  # last: the SPA answers every other path
]

handler400 = "webapp.api.errors.bad_request"
handler403 = "webapp.api.errors.forbidden"
handler404 = "webapp.api.errors.not_found"
handler500 = "webapp.api.errors.server_error"
