"""Static files of `pyflare serve` (Django's handler), with escaping paths answered 404.

Django's finders raise SuspiciousFileOperation for `/static/%2e%2e/...`, which the stock handler
turns into a 500; a path outside the static roots simply does not exist.
"""

from __future__ import annotations

from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
from django.core.exceptions import SuspiciousFileOperation
from django.http import Http404, HttpRequest, HttpResponseBase


class StaticFilesHandler(ASGIStaticFilesHandler):
    def serve(self, request: HttpRequest) -> HttpResponseBase:
        try:
            return super().serve(request)
        except SuspiciousFileOperation:
            raise Http404(f"no static file at {request.path!r}") from None
