"""The compatibility suite's session: the client venv, the provider server, `pyflare serve`, and one
run of every instrumentation family (a subprocess each, in the client venv, a few at a time).

Every family's run exports OTLP to the same `pyflare serve` and prints which trace each case went to;
the tests then read what PyFlare stored through its REST API. A model-coverage report per family
(priced or not, and why) is printed at the end of the session.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests

from examples.provider_stub import ProviderServer
from tests.serve.running import INIT_KEY, REPO_ROOT, ServeProcess, start_serve

CLIENTS = Path(__file__).parent / "clients" / "run.py"
FAMILIES = ("openai-v2", "openai-v2-latest", "openllmetry-openai", "openllmetry-openai-events", "openllmetry-anthropic",
            "openllmetry-anthropic-events", "anthropic-sdk", "anthropic-double", "openinference-openai",
            "openinference-langchain", "openinference-double", "pyflare-sdk")  # fmt: skip
VENV_OF = {"openai-v2-latest": "latest"}  # families whose packages need a venv of their own (else the main one)
PARALLEL_RUNS = 3  # client runs are mostly start-up and waiting on HTTP
RUN_TIMEOUT_S = 300
COVERAGE: list[dict[str, Any]] = []  # filled by the tests, printed by pytest_terminal_summary


def _compat_venv(name: str) -> str:
    done = subprocess.run([str(REPO_ROOT / "scripts" / "compat-venv"), *([name] if name else [])],
                          capture_output=True, text=True, timeout=1800)  # fmt: skip
    assert done.returncode == 0, f"scripts/compat-venv {name} failed:\n{done.stderr[-4000:]}"
    return str(Path(done.stdout.strip().splitlines()[-1]) / "bin" / "python")


@pytest.fixture(scope="session")
def compat_pythons() -> dict[str, str]:
    """Venv name ('' = the main client venv) -> its python; created by scripts/compat-venv on first
    use, cached afterwards."""
    return {name: _compat_venv(name) for name in {"", *VENV_OF.values()}}


@pytest.fixture(scope="session")
def provider() -> Iterator[ProviderServer]:
    with ProviderServer() as server:
        yield server


@pytest.fixture(scope="session")
def compat_serve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    process = start_serve(tmp_path_factory.mktemp("compat-serve"), {"PYFLARE_INIT_API_KEY": INIT_KEY})
    try:
        yield process
    finally:
        process.kill()


def _run_family(python: str, family: str, serve: ServeProcess, provider: ProviderServer) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYFLARE_", "OTEL_", "ANTHROPIC_", "OPENAI_"))}
    env.update({"COMPAT_OTLP": serve.otlp_http, "COMPAT_API_KEY": INIT_KEY, "COMPAT_PROVIDER": provider.url,
                "PYTHONPATH": str(REPO_ROOT / "sdk")})  # fmt: skip
    done = subprocess.run([python, str(CLIENTS), family], env=env, capture_output=True, text=True,
                          timeout=RUN_TIMEOUT_S)  # fmt: skip
    if done.returncode != 0:
        return {"family": family, "error": done.stderr[-4000:], "cases": {}}
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="session")
def manifests(compat_pythons: dict[str, str], compat_serve: ServeProcess,
              provider: ProviderServer) -> dict[str, dict[str, Any]]:  # fmt: skip
    """family -> {"cases": {case: trace id}} (or {"error": stderr}); spans are stored when a run ends
    (each export returns once pyflare serve has written it)."""
    with ThreadPoolExecutor(PARALLEL_RUNS) as pool:
        runs = pool.map(lambda f: _run_family(compat_pythons[VENV_OF.get(f, "")], f, compat_serve, provider), FAMILIES)
        return {run["family"]: run for run in runs}


class Api:
    def __init__(self, serve: ServeProcess) -> None:
        self.serve = serve

    def get(self, path: str) -> dict[str, Any]:
        reply = requests.get(f"{self.serve.web}/api/v1/{path}", headers={"X-API-Key": INIT_KEY}, timeout=60)
        assert reply.status_code == 200, f"GET {path}: {reply.status_code} {reply.text[:500]}"
        return reply.json()

    def spans(self, trace_id: str) -> list[dict[str, Any]]:
        return self.get(f"traces/{trace_id}/spans?limit=1000")["spans"]


@pytest.fixture(scope="session")
def api(compat_serve: ServeProcess) -> Api:
    return Api(compat_serve)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not COVERAGE:
        return
    terminalreporter.section("model coverage per instrumentation family (compat suite)")
    by_family: dict[str, list[dict[str, Any]]] = {}
    for row in COVERAGE:
        by_family.setdefault(row["family"], []).append(row)
    for family in sorted(by_family):
        rows = by_family[family]
        priced = sum(r["cost_usd"] is not None for r in rows)
        terminalreporter.write_line(f"{family}: {priced}/{len(rows)} LLM spans priced")
        for r in sorted(rows, key=lambda r: r["case"]):
            state = f"${r['cost_usd']:.6f}" if r["cost_usd"] is not None else "unpriced"
            terminalreporter.write_line(f"    {r['case']:<16} {r['model'] or '(no model)':<26} {state}")
