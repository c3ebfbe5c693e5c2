"""The analysis pages (dashboard, costs, drift, settings) are lazy chunks, not part of the first load."""

from __future__ import annotations

import re

import pytest

from webapp.ui.views import DIST

PAGES = {"DashboardPage", "CostsPage", "DriftPage", "SettingsPage"}


def test_analysis_pages_are_their_own_chunks() -> None:
    index = DIST / "index.html"
    if not index.is_file():
        pytest.fail(f"the web UI is not built ({DIST}); scripts/bootstrap builds it", pytrace=False)
    html = index.read_text()
    initial = re.findall(r'(?:src|href)="/assets/([^"]+\.js)"', html)
    chunks = {p.name.split("-")[0] for p in (DIST / "assets").glob("*.js")}
    assert chunks >= PAGES
    assert not [name for name in initial if name.split("-")[0] in PAGES]
