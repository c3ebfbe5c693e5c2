"""Websocket routes of the ASGI application (webapp.asgi)."""

from __future__ import annotations

from django.urls import re_path

from webapp.realtime.consumer import LiveConsumer

websocket_urlpatterns = [re_path(r"^ws/?$", LiveConsumer.as_asgi())]
