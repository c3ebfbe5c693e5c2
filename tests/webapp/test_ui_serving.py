"""The web UI is served at / by the same process as the API: index.html for every UI route (deep
links survive a reload), never cached, with the CSRF cookie and the server's OTLP endpoint; hashed
assets cached for a year; the API, admin and unknown assets keep their own answers."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.test import Client

from webapp.ui import views

INDEX = '<!doctype html><html><head><!--pyflare-config--></head><body><script src="/assets/app-abc123.js"></script>'


@pytest.fixture
def dist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text(INDEX)
    (tmp_path / "assets" / "app-abc123.js").write_text("console.log('pyflare')")
    monkeypatch.setattr(views, "DIST", tmp_path)
    return tmp_path


def _config(html: str) -> dict[str, str]:
    match = re.search(r'<script id="pyflare-config" type="application/json">(.*?)</script>', html)
    assert match, html
    return json.loads(match.group(1))


@pytest.mark.parametrize("path", ["/", "/login", "/p/support/traces", "/p/support/traces/0123abcd?model=gpt-4o"])
def test_ui_routes_answer_index_html_uncached_with_csrf_cookie(dist: Path, path: str) -> None:
    response = Client().get(path, HTTP_HOST="127.0.0.1:8000")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "no-cache" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert "csrftoken" in response.cookies
    assert _config(response.content.decode()) == {"otlpHttpEndpoint": "http://127.0.0.1:4318"}


def test_otlp_endpoint_follows_the_configured_port_and_override(dist: Path, settings: object) -> None:
    settings.UI_OTLP_HTTP_PORT = 14318  # type: ignore[attr-defined]
    html = Client().get("/", HTTP_HOST="localhost:8000").content.decode()
    assert _config(html)["otlpHttpEndpoint"] == "http://localhost:14318"
    settings.UI_OTLP_ENDPOINT = "https://otel.example.com"  # type: ignore[attr-defined]
    html = Client().get("/", HTTP_HOST="localhost:8000").content.decode()
    assert _config(html)["otlpHttpEndpoint"] == "https://otel.example.com"


def test_hashed_assets_are_immutable_and_unknown_ones_404(dist: Path) -> None:
    response = Client().get("/assets/app-abc123.js")
    assert response.status_code == 200
    assert response.content == b"console.log('pyflare')"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "javascript" in response["Content-Type"]
    assert Client().get("/assets/missing-000.js").status_code == 404
    assert Client().get("/assets/../index.html").status_code == 404


def test_api_admin_and_websocket_paths_are_not_the_spa(dist: Path) -> None:
    api = Client().get("/api/v1/no-such-endpoint")
    assert api.status_code == 404 and api["Content-Type"].startswith("application/json")
    assert Client().get("/api").status_code == 404  # not index.html either
    admin = Client().get("/admin")
    assert admin.status_code == 301 and admin["Location"] == "/admin/"


def test_unsafe_methods_are_refused(dist: Path) -> None:
    assert Client().post("/p/support/traces").status_code == 405


def test_an_unbuilt_ui_says_how_to_build_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(views, "DIST", tmp_path / "missing")
    response = Client().get("/p/support/traces")
    assert response.status_code == 503
    assert "npm run build" in response.content.decode()
