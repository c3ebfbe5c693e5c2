"""Routes of the web UI: hashed assets under /assets/ and index.html for every other path that
is not the API, the admin, static files or the websocket (the SPA's router handles those)."""

from __future__ import annotations

from django.urls import path, re_path

from webapp.ui import views

urlpatterns = [
    path("assets/<path:path>", views.asset, name="ui-asset"),
    re_path(r"^(?!api(?:/|$)|admin(?:/|$)|static/|assets/|ws/?$)(?P<route>.*)$", views.index, name="ui"),
]
