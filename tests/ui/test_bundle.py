"""The built UI keeps its first load small: the JavaScript index.html loads before any page chunk
(its entry script and the chunks it preloads) stays within 300 KB gzipped; pages are separate chunks."""

from __future__ import annotations

import gzip
import re

import pytest

from webapp.ui.views import DIST

INITIAL_JS_BUDGET = 300 * 1024


def test_initial_javascript_within_budget_and_pages_split() -> None:
    index = DIST / "index.html"
    if not index.is_file():
        pytest.fail(f"the web UI is not built ({DIST}); scripts/bootstrap builds it", pytrace=False)
    html = index.read_text()
    initial = set(re.findall(r'<script type="module" crossorigin src="(/assets/[^"]+\.js)"', html))
    initial |= set(re.findall(r'<link rel="modulepreload" crossorigin href="(/assets/[^"]+\.js)"', html))
    assert initial, html
    size = sum(len(gzip.compress((DIST / p.lstrip("/")).read_bytes(), 9)) for p in initial)
    print(f"initial JS: {size / 1024:.1f} KB gzipped in {len(initial)} files")
    assert size <= INITIAL_JS_BUDGET
    chunks = {p.name.split("-")[0] for p in (DIST / "assets").glob("*.js")}
    assert {"TraceListPage", "TraceDetailPage"} <= chunks  # lazily loaded, not in the entry
    assert not any("TraceListPage" in p for p in initial)
