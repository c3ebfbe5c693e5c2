"""Runs the layer check (import-linter, contracts in pyproject.toml) on a source tree."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_RUN = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"


def lint_imports(tree: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`lint-imports` on `tree` (a checkout: pyproject.toml, workers/, webapp/, sdk/pyflare/)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tree), str(tree / "sdk")])}
    return subprocess.run(
        [sys.executable, "-c", _RUN, "--no-cache", *args],
        cwd=tree, env=env, capture_output=True, text=True, timeout=300,
    )
