"""The distribution's shape: `scripts/build-dist` yields wheels that install and run on a machine
with neither Rust nor Node, and `scripts/bootstrap` carries on without cargo.

The wheels go into a fresh venv with --no-deps; their dependencies come from the test's own
environment through a .pth file (so the test downloads nothing), and nothing of this checkout is
on that venv's path: what it imports is what the wheels installed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
import requests

from tests.serve.running import INIT_KEY, free_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("wheels")
    env = {**os.environ, "PYFLARE_PYTHON": sys.executable}
    subprocess.run([str(ROOT / "scripts/build-dist"), str(out)], env=env, check=True, timeout=900)
    found = {path.name.split("-")[0]: path for path in out.glob("*.whl")}
    assert set(found) == {"pyflare_server", "pyflare_sdk", "pyflare_native"}, sorted(out.iterdir())
    return found


@pytest.fixture(scope="module")
def installed(wheels: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    venv = tmp_path_factory.mktemp("user") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    site = Path(subprocess.run(
        [str(venv / "bin/python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip())
    subprocess.run(
        [str(venv / "bin/python"), "-m", "pip", "install", "-q", "--no-index", "--no-deps", *map(str, wheels.values())],
        check=True, timeout=300,
    )
    # then the dependencies (django, chdb, ...) from this environment, after the venv's own packages
    # (added after the install, so that pip did not take the wheels as installed already)
    (site / "zz_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv


def _without_toolchains(venv: Path, home: Path) -> dict[str, str]:
    path = str(venv / "bin")
    assert shutil.which("cargo", path=path) is None and shutil.which("node", path=path) is None
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV", "DJANGO", "CARGO"))}
    return {**env, "PATH": path, "HOME": str(home), "PYFLARE_DATA_DIR": str(home / "data")}


def test_the_server_wheel_ships_the_built_ui(wheels: dict[str, Path]) -> None:
    names = zipfile.ZipFile(wheels["pyflare_server"]).namelist()
    assert "webapp/ui/dist/index.html" in names
    assert any(n.startswith("webapp/ui/dist/assets/") and n.endswith(".js") for n in names)
    assert "workers/storage/migrations/0001_spans.py" in names
    assert not [n for n in names if n.endswith((".ts", ".tsx", ".rs")) or "node_modules" in n]
    assert wheels["pyflare_server"].name.endswith("-py3-none-any.whl")


def test_the_decoder_wheel_is_abi3(wheels: dict[str, Path]) -> None:
    # one wheel per platform serves every CPython from 3.11 on
    assert "-cp311-abi3-" in wheels["pyflare_native"].name


def test_installed_wheels_run_without_rust_or_node(installed: Path, tmp_path: Path) -> None:
    env = _without_toolchains(installed, tmp_path)
    help_text = subprocess.run(
        [str(installed / "bin/pyflare"), "--help"], env=env, cwd=tmp_path, check=True, capture_output=True, text=True,
    ).stdout
    assert "serve" in help_text and "ingest" in help_text
    probe = (
        "import importlib.resources, pyflare, pyflare_native, workers, webapp\n"
        "from workers.telemetry import native\n"
        "print(workers.__file__, webapp.__file__, pyflare.__file__, pyflare_native.__file__)\n"
        "print(native.enabled())\n"
        "print((importlib.resources.files('webapp.ui') / 'dist' / 'index.html').read_text()[:200])\n"
    )
    lines = subprocess.run(
        [str(installed / "bin/python"), "-c", probe], env=env, cwd=tmp_path, check=True, capture_output=True, text=True,
    ).stdout.splitlines()
    site = str(installed / "lib")
    assert all(path.startswith(site) for path in lines[0].split()), lines[0]
    assert lines[1] == "True"  # the compiled decoder loaded from its wheel
    assert "<!doctype html>" in lines[2].lower()


def test_installed_wheels_serve_the_ui_and_the_api(installed: Path, tmp_path: Path) -> None:
    env = {**_without_toolchains(installed, tmp_path), "PYFLARE_INIT_API_KEY": INIT_KEY}
    web, otlp_http, otlp_grpc = free_port(), free_port(), free_port()
    serve = subprocess.Popen(
        [str(installed / "bin/pyflare"), "serve", "--port", str(web), "--otlp-http-port", str(otlp_http),
         "--otlp-grpc-port", str(otlp_grpc)],
        env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert serve.stdout is not None
        lines = []
        for line in serve.stdout:  # announcements, then the ready line
            lines.append(line)
            if line.startswith("PyFlare ready"):
                break
        assert lines and lines[-1].startswith("PyFlare ready"), lines
        page = requests.get(f"http://127.0.0.1:{web}/", timeout=30)
        assert page.status_code == 200 and "<!doctype html>" in page.text.lower()
        script = next(part.split('"')[0] for part in page.text.split('src="')[1:] if part.startswith("/"))
        assert requests.get(f"http://127.0.0.1:{web}{script}", timeout=30).status_code == 200  # the built assets
        listed = requests.get(f"http://127.0.0.1:{web}/api/v1/traces", headers={"X-API-Key": INIT_KEY}, timeout=30)
        assert listed.status_code == 200, listed.text
        assert listed.json()["traces"] == []
        refused = requests.get(f"http://127.0.0.1:{web}/api/v1/traces", timeout=30)
        assert refused.status_code == 401
        serve.send_signal(signal.SIGTERM)
        assert serve.wait(60) == 0, serve.stderr.read() if serve.stderr else ""
    finally:
        if serve.poll() is None:
            serve.kill()
            serve.wait(10)


def _no_cargo_env(home: Path) -> dict[str, str]:
    env = {**os.environ, "PATH": "/usr/bin:/bin", "HOME": str(home), "PYFLARE_CACHE_DIR": str(home / "cache")}
    assert shutil.which("cargo", path=env["PATH"]) is None
    return env


def test_the_decoder_step_gives_one_notice_without_cargo(tmp_path: Path) -> None:
    venv = tmp_path / "venv"  # never touched: without cargo there is nothing to install
    result = subprocess.run(
        [str(ROOT / "scripts/native-decoder"), str(venv)], env=_no_cargo_env(tmp_path), capture_output=True,
        text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    notice = result.stderr.strip().splitlines()
    assert len(notice) == 1 and "cargo" in notice[0] and "decoded in Python" in notice[0]
    assert not venv.exists()


def test_bootstrap_goes_on_without_cargo(tmp_path: Path) -> None:
    # a venv bootstrap finds current (its dependency stamp matches, it imports this checkout), so
    # the run comes down to the decoder and UI steps
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    python = venv / "bin/python"
    python.write_text(f'#!/bin/sh\nPYTHONPATH="{ROOT}:{ROOT / "sdk"}" exec "{sys.executable}" "$@"\n')
    python.chmod(0o755)
    deps = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + (ROOT / "sdk/pyproject.toml").read_bytes())
    (venv / ".pyflare-deps").write_text(deps.hexdigest() + "\n")
    env = {**_no_cargo_env(tmp_path), "PYFLARE_VENV": str(venv)}
    result = subprocess.run(
        [str(ROOT / "scripts/bootstrap")], env=env, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(venv)
    notices = [line for line in result.stderr.splitlines() if "cargo" in line]
    assert len(notices) == 1 and "decoded in Python" in notices[0]
    assert not (venv / ".pyflare-native").exists()  # the next run with cargo builds the decoder
