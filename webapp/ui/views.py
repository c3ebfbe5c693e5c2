"""Serve the built single-page app: `index.html` for every UI route (deep links survive a reload),
hashed assets with a year-long immutable cache, and a clear page when the UI was never built.

`index.html` is never cached (it names the current asset hashes) and carries a small JSON config
(OTLP endpoints for the "send your first trace" snippet). Serving it sets the CSRF cookie the SPA
echoes in `X-CSRFToken` on every unsafe API call.
"""

from __future__ import annotations

import json
import mimetypes
from functools import lru_cache
from pathlib import Path

from django.core.exceptions import SuspiciousFileOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.utils._os import safe_join
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_safe

from webapp.ui.config import ui_config

DIST = Path(__file__).resolve().parent / "dist"
CONFIG_MARKER = "<!--pyflare-config-->"
IMMUTABLE = "public, max-age=31536000, immutable"
NOT_BUILT = """<!doctype html><meta charset="utf-8"><title>PyFlare</title>
<h1>The PyFlare web UI is not built</h1>
<p>Run <code>scripts/bootstrap</code> (or <code>npm ci &amp;&amp; npm run build</code> in <code>webapp/ui/</code>).
The API is available at <a href="/api/v1/docs/">/api/v1/docs/</a>.</p>"""


@lru_cache(maxsize=4)
def _index_template(path: Path, mtime_ns: int) -> str:
    return path.read_text(encoding="utf-8")


def _config_script(request: HttpRequest) -> str:
    # `</` cannot end the script element early once escaped
    payload = json.dumps(ui_config(request)).replace("</", "<\\/")
    return f'<script id="pyflare-config" type="application/json">{payload}</script>'


@require_safe
@ensure_csrf_cookie
def index(request: HttpRequest, route: str = "") -> HttpResponse:
    path = DIST / "index.html"
    try:
        html = _index_template(path, path.stat().st_mtime_ns)
    except FileNotFoundError:
        response = HttpResponse(NOT_BUILT, status=503, content_type="text/html; charset=utf-8")
    else:
        response = HttpResponse(html.replace(CONFIG_MARKER, _config_script(request)),
                                content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-cache, no-store, must-revalidate"
    return response


@require_safe
def asset(request: HttpRequest, path: str) -> HttpResponse:
    try:
        full = Path(safe_join(DIST / "assets", path))
    except (ValueError, SuspiciousFileOperation):  # `..` escaping the folder
        raise Http404("no such asset") from None
    if not full.is_file():
        raise Http404("no such asset")
    content_type, _ = mimetypes.guess_type(full.name)
    # assets are small (a few hundred KB); a plain response avoids a sync file iterator under ASGI
    response = HttpResponse(full.read_bytes(), content_type=content_type or "application/octet-stream")
    response["Cache-Control"] = IMMUTABLE  # file names carry a content hash
    return response
