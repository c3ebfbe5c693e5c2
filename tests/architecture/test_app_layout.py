"""One app layout (webapp/README.md): an app's views and their serializers live in its `api/` package,
its routes in `api_urls.py`; no app keeps a `views.py`, `serializers.py` or `api.py` beside them."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.architecture.layers import ROOT

# module names that hold views or serializers, and so belong in the app's api/ package
LOOSE = ("views.py", "serializers.py", "api.py")


def apps(webapp: Path) -> list[Path]:
    """The Django apps under `webapp` (a package with an apps.py)."""
    return sorted(path.parent for path in webapp.glob("*/apps.py"))


def loose_api_modules(webapp: Path) -> list[str]:
    return [f"{app.name}/{name}" for app in apps(webapp) for name in LOOSE if (app / name).exists()]


def views_outside_api(webapp: Path) -> list[str]:
    """Views and serializers (classes deriving from a DRF view, view set or serializer) defined in an
    app's modules outside its api/ package (webapp/api, the shared plumbing, is all API)."""
    found = []
    for app in (app for app in apps(webapp) if app.name != "api"):
        for path in sorted(p for p in app.rglob("*.py") if "api" not in p.relative_to(app).parts[:1]):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.ClassDef) and any(_is_api_base(base) for base in node.bases):
                    found.append(f"{path.relative_to(webapp)}:{node.name}")
    return found


def _is_api_base(base: ast.expr) -> bool:
    name = base.attr if isinstance(base, ast.Attribute) else base.id if isinstance(base, ast.Name) else ""
    return name.endswith(("APIView", "ViewSet", "Serializer"))


def test_every_app_keeps_its_views_in_an_api_package() -> None:
    found = apps(ROOT / "webapp")
    assert len(found) >= 10  # the scan sees the apps at all
    assert loose_api_modules(ROOT / "webapp") == []
    # an app with routes has its api/ package (webapp/api is that package for the shared plumbing)
    routed = [app for app in found if (app / "api_urls.py").exists() and app.name != "api"]
    assert [app.name for app in routed if not (app / "api" / "__init__.py").exists()] == []
    assert views_outside_api(ROOT / "webapp") == []


def test_the_rule_names_a_loose_views_module(tmp_path: Path) -> None:
    for app, files in {"good": ["apps.py", "api/__init__.py"], "bad": ["apps.py", "views.py", "api.py"],
                       "helpers": ["views.py"]}.items():  # fmt: skip
        for name in files:
            (tmp_path / app / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / app / name).write_text("")
    # "helpers" has no apps.py: not an app, so not held to the rule
    assert loose_api_modules(tmp_path) == ["bad/views.py", "bad/api.py"]


def test_the_rule_names_a_view_defined_outside_api(tmp_path: Path) -> None:
    (tmp_path / "shop" / "api").mkdir(parents=True)
    (tmp_path / "shop" / "apps.py").write_text("")
    (tmp_path / "shop" / "api" / "orders.py").write_text("class OrderView(APIView): ...\n")
    (tmp_path / "shop" / "export.py").write_text(
        "class ExportView(views.APIView): ...\nclass Row(serializers.Serializer): ...\nclass Plain: ...\n"
    )
    assert views_outside_api(tmp_path) == ["shop/export.py:ExportView", "shop/export.py:Row"]
