"""The layers of docs/architecture.md hold on the tree, and the check fails on a forbidden import."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.architecture.layers import ROOT, lint_imports

CONTRACTS = {"sdk", "analysis", "telemetry", "storage", "control-plane", "views"}


def test_the_tree_keeps_every_layer_contract() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Contracts: {len(CONTRACTS)} kept, 0 broken." in result.stdout


def _copy_tree(target: Path) -> Path:
    skip = shutil.ignore_patterns("__pycache__", "node_modules", "dist", "*.pyc", "tests")
    for package in ("workers", "webapp", "sdk/pyflare"):
        shutil.copytree(ROOT / package, target / package, ignore=skip)
    shutil.copy(ROOT / "pyproject.toml", target / "pyproject.toml")
    return target


# (contract, module the import is appended to in the copy, the import, the line the report names)
FORBIDDEN = [
    ("sdk", "sdk/pyflare/leak.py", "import workers.storage.clickhouse\n", "pyflare.leak -> workers.storage"),
    ("analysis", "workers/analysis/cost/leak.py", "import django.db\n", "workers.analysis.cost.leak -> django"),
    ("analysis", "workers/analysis/cost/leak.py", "from workers.storage import clickhouse\n",
     "workers.analysis.cost.leak -> workers.storage"),
    ("analysis", "workers/analysis/cost/leak.py", "import urllib.request\n", "workers.analysis.cost.leak -> urllib"),
    ("telemetry", "workers/telemetry/leak.py", "import celery\n", "workers.telemetry.leak -> celery"),
    ("storage", "workers/storage/leak.py", "from django.conf import settings\n", "workers.storage.leak -> django"),
    ("control-plane", "webapp/projects/models.py", "import workers.tasks.costs\n",
     "webapp.projects.models -> workers.tasks"),
    ("views", "workers/tasks/leak.py", "from webapp.traces.api import traces\n",
     "workers.tasks.leak -> webapp.traces.api"),
]


@pytest.mark.parametrize(("contract", "path", "source", "line"), FORBIDDEN)
def test_a_forbidden_import_fails_the_check(tmp_path: Path, contract: str, path: str, source: str, line: str) -> None:
    tree = _copy_tree(tmp_path)
    module = tree / path
    module.write_text((module.read_text() + "\n" if module.exists() else "") + source)
    result = lint_imports(tree, "--contract", contract)
    assert result.returncode != 0, result.stdout
    assert "BROKEN" in result.stdout
    assert line in result.stdout, result.stdout


def test_the_copied_tree_passes_before_a_forbidden_import(tmp_path: Path) -> None:
    # the failing runs above fail because of the written import, not because the copy is incomplete
    result = lint_imports(_copy_tree(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
