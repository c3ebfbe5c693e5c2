"""One reader of settings: only workers/env.py reads the process environment (Django settings and
every other module go through its readers), so a name and its default live in one place."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.architecture.layers import ROOT
from workers.env import env_optional, env_str

READER = Path("workers/env.py")


def environment_reads(source: str) -> list[int]:
    """Lines that read `os.environ` / `os.getenv` (setting a value, e.g. setdefault, is not a read)."""
    tree = ast.parse(source)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "os":
            if node.attr == "getenv":
                lines.append(node.lineno)
            elif node.attr == "environ":
                parent = parents.get(node)
                writes = isinstance(parent, ast.Attribute) and parent.attr == "setdefault"
                writes |= isinstance(parent, ast.Subscript) and isinstance(parent.ctx, ast.Store)
                if not writes:
                    lines.append(node.lineno)
    return lines


def test_only_the_settings_reader_reads_the_environment() -> None:
    found = {}
    for package in ("workers", "webapp"):
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if relative == READER or "node_modules" in relative.parts:
                continue
            lines = environment_reads(path.read_text())
            if lines:
                found[str(relative)] = lines
    assert found == {}


@pytest.mark.parametrize(
    ("source", "lines"),
    [
        ("import os\nx = os.environ.get('PYFLARE_X', '1')\n", [2]),
        ("import os\nx = os.getenv('PYFLARE_X')\n", [2]),
        ("import os\nx = os.environ['PYFLARE_X']\n", [2]),
        ("import os\nenv = os.environ\n", [2]),
        ("import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'webapp.settings')\n", []),
        ("import os\nos.environ['PYFLARE_DATA_DIR'] = '/tmp/x'\n", []),
    ],
)
def test_the_scan_tells_reads_from_writes(source: str, lines: list[int]) -> None:
    assert environment_reads(source) == lines


def test_readers_take_an_injected_environment() -> None:
    environ = {"PYFLARE_A": "  a  ", "PYFLARE_BLANK": "  "}
    assert env_str("PYFLARE_A", "d", environ) == "  a  "
    assert env_str("PYFLARE_MISSING", "d", environ) == "d"
    assert env_optional("PYFLARE_A", environ) == "a"
    assert env_optional("PYFLARE_BLANK", environ) is None
    assert env_optional("PYFLARE_MISSING", environ) is None
