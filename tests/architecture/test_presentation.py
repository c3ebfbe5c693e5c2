"""A module that imports an API view is itself presentation (views, URL tables, the UI, the API
plumbing, websockets, admin). The import-linter `views` contract covers the layers below, through
any chain of imports; this covers every module of `webapp`, however it is named, for direct imports."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.architecture.layers import ROOT

_APP_PRESENTATION = r"(views|api|api_urls|export|serializers|admin|urls)"
VIEW = re.compile(r"^webapp\.(?!settings\.)[a-z_]+\.(views|api|api_urls|export)(\..+)?$")
PRESENTATION = re.compile(
    rf"^webapp\.(urls|asgi|api(\..+)?|ui(\..+)?|realtime(\..+)?|[a-z_]+\.{_APP_PRESENTATION}(\..+)?)$"
)

_PROBE = """
import grimp
graph = grimp.build_graph("webapp")
for module in sorted(graph.modules):
    for imported in sorted(graph.find_modules_directly_imported_by(module)):
        print(module, imported)
"""


def direct_imports() -> list[tuple[str, str]]:
    out = subprocess.run(
        [sys.executable, "-c", _PROBE], cwd=ROOT, env={"PYTHONPATH": f"{ROOT}:{ROOT / 'sdk'}"},
        capture_output=True, text=True, check=True, timeout=300,
    ).stdout
    return [tuple(line.split()) for line in out.splitlines()]  # type: ignore[misc]


def views_imported_outside_presentation(imports: list[tuple[str, str]]) -> list[str]:
    return [f"{src} -> {dst}" for src, dst in imports if VIEW.match(dst) and not PRESENTATION.match(src)]


def test_only_presentation_imports_api_views() -> None:
    imports = direct_imports()
    assert any(VIEW.match(dst) for _src, dst in imports)  # the scan sees the views at all
    assert views_imported_outside_presentation(imports) == []


def test_the_rule_names_a_service_that_imports_a_view() -> None:
    imports = [
        ("webapp.metrics.api.metrics", "webapp.traces.api.traces"),  # presentation: fine
        ("webapp.costs.api_urls", "webapp.costs.api.budgets"),
        ("webapp.drift.job", "webapp.drift.api.drift"),  # a service: not fine
        ("webapp.costs.budget_runs", "webapp.costs.api.storage"),
        ("webapp.settings", "webapp.settings.api"),  # REST framework settings, not a view
    ]
    assert views_imported_outside_presentation(imports) == [
        "webapp.drift.job -> webapp.drift.api.drift",
        "webapp.costs.budget_runs -> webapp.costs.api.storage",
    ]
