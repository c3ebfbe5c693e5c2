"""One reader of settings: only workers/env.py touches the process environment. Django settings and
every other module read through its readers (webapp/settings/env.py wraps them for Django), and the
few writes (a default for Django's settings module or a child process, a CLI flag) go through its
`set_default` / `set_value`, so a name and its default live in one place and a new direct read fails."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.architecture.layers import ROOT
from workers.env import env_optional, env_str

READER = Path("workers/env.py")
# what reaches the process environment through the os module
_OS_NAMES = {"environ", "environb", "getenv", "getenvb", "putenv", "unsetenv"}


def environment_uses(source: str) -> list[int]:
    """Lines that touch the environment through `os`: `os.environ` (read or written), `os.getenv`,
    `os.putenv`, also under an alias (`import os as o`) or imported by name (`from os import environ`)."""
    tree = ast.parse(source)
    aliases = {"os"}
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            aliases |= {alias.asname or alias.name for alias in node.names if alias.name == "os"}
        elif isinstance(node, ast.ImportFrom) and node.module == "os" and any(
            alias.name in _OS_NAMES or alias.name == "*" for alias in node.names
        ):
            lines.append(node.lineno)
    for node in ast.walk(tree):
        named = isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases
        if named and node.attr in _OS_NAMES:  # type: ignore[union-attr]
            lines.append(node.lineno)
    return sorted(lines)


def test_only_the_settings_reader_touches_the_environment() -> None:
    found = {}
    for package in ("workers", "webapp"):
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if relative == READER or "node_modules" in relative.parts:
                continue
            lines = environment_uses(path.read_text())
            if lines:
                found[str(relative)] = lines
    assert found == {}
    assert environment_uses((ROOT / READER).read_text())  # the scan sees the reader's own reads


@pytest.mark.parametrize(
    ("source", "lines"),
    [
        ("import os\nx = os.environ.get('PYFLARE_X', '1')\n", [2]),
        ("import os\nx = os.getenv('PYFLARE_X')\n", [2]),
        ("import os\nx = os.environ['PYFLARE_X']\n", [2]),
        ("import os\nenv = os.environ\n", [2]),
        ("import os\nenv = dict(os.environ)\n", [2]),
        ("import os as system\nx = system.environ.get('PYFLARE_X')\n", [2]),
        ("from os import environ\nx = environ['PYFLARE_X']\n", [1]),
        ("from os import getenv as read\nx = read('PYFLARE_X')\n", [1]),
        ("import os\nx = os.environ.setdefault('PYFLARE_X', '1')\n", [2]),  # a write that reads too
        ("import os\nos.environ['PYFLARE_DATA_DIR'] = '/tmp/x'\n", [2]),  # writes go through workers.env
        ("import os\npath = os.path.join('a', 'b')\n", []),
        ("from os import path\nenviron = {'PYFLARE_X': '1'}\nx = environ['PYFLARE_X']\n", []),
    ],
)
def test_the_scan_finds_every_way_to_the_environment(source: str, lines: list[int]) -> None:
    assert environment_uses(source) == lines


def test_readers_take_an_injected_environment() -> None:
    environ = {"PYFLARE_A": "  a  ", "PYFLARE_BLANK": "  "}
    assert env_str("PYFLARE_A", "d", environ) == "  a  "
    assert env_str("PYFLARE_MISSING", "d", environ) == "d"
    assert env_optional("PYFLARE_A", environ) == "a"
    assert env_optional("PYFLARE_BLANK", environ) is None
    assert env_optional("PYFLARE_MISSING", environ) is None
