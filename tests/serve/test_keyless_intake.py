"""Keyless intake is an explicit choice: PYFLARE_OTLP_REQUIRE_KEY=false with PYFLARE_OTLP_KEYLESS_PROJECT
naming an existing project, and then keyless exports go into that one project only."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from google.rpc import status_pb2

from tests.serve.running import INIT_KEY, REPO_ROOT, ServeProcess, free_port, pyflare_cli, start_serve
from tests.serve.spans import genai_traces, payload, trace_ids

CONTENT = {"Content-Type": "application/x-protobuf"}
KEYLESS = {"PYFLARE_INIT_API_KEY": INIT_KEY, "PYFLARE_INIT_PROJECT": "local",
           "PYFLARE_OTLP_REQUIRE_KEY": "false", "PYFLARE_OTLP_KEYLESS_PROJECT": "local"}


@pytest.fixture(scope="module")
def keyless(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    process = start_serve(tmp_path_factory.mktemp("keyless"), KEYLESS)
    try:
        assert pyflare_cli(process.data_dir, "projects", "create", "elsewhere").returncode == 0
        yield process
    finally:
        process.kill()


def message(reply: requests.Response) -> str:
    status = status_pb2.Status()
    status.ParseFromString(reply.content)
    return status.message


def test_keyless_exports_land_in_the_configured_project(keyless: ServeProcess) -> None:
    for project in (None, "local"):
        spans = genai_traces(2, project=project, service=f"keyless-{project}")
        reply = requests.post(f"{keyless.otlp_http}/v1/traces", data=payload(spans), headers=CONTENT, timeout=30)
        assert reply.status_code == 200, message(reply)
        rows = keyless.query(f"SELECT DISTINCT trace_id, project FROM spans WHERE service_name = 'keyless-{project}'")
        assert {r["trace_id"] for r in rows} == trace_ids(spans)
        assert {r["project"] for r in rows} == {"local"}


@pytest.mark.parametrize("slug", ["elsewhere", "default", "", "../../etc/passwd"])
def test_keyless_exports_cannot_name_another_project(keyless: ServeProcess, slug: str) -> None:
    reply = requests.post(f"{keyless.otlp_http}/v1/traces", headers=CONTENT, timeout=30,
                          data=payload(genai_traces(1, project=slug, service="keyless-elsewhere")))
    assert reply.status_code == 403
    assert "'local'" in message(reply)
    assert keyless.query("SELECT count() AS n FROM spans WHERE service_name = 'keyless-elsewhere'") == [{"n": 0}]


def test_a_key_sent_in_keyless_mode_is_still_checked(keyless: ServeProcess) -> None:
    reply = requests.post(f"{keyless.otlp_http}/v1/traces", data=payload(genai_traces(1, project=None)),
                          headers={**CONTENT, "X-API-Key": "pf_guessed_key_000000000000"}, timeout=30)
    assert reply.status_code == 401


def _serve_exit(data_dir: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PYFLARE_")}
    return subprocess.run(
        [sys.executable, "-m", "webapp.cli", "serve", "--data-dir", str(data_dir), "--port", str(free_port()),
         "--otlp-http-port", str(free_port()), "--otlp-grpc-port", str(free_port())],
        cwd=REPO_ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=120,
    )


def test_keyless_without_a_project_or_with_an_unknown_one_refuses_to_start(tmp_path: Path) -> None:
    alone = _serve_exit(tmp_path / "a", {"PYFLARE_OTLP_REQUIRE_KEY": "false"})
    assert alone.returncode == 2
    assert "PYFLARE_OTLP_KEYLESS_PROJECT" in alone.stderr
    unknown = _serve_exit(tmp_path / "b", {"PYFLARE_OTLP_REQUIRE_KEY": "false",
                                           "PYFLARE_OTLP_KEYLESS_PROJECT": "never-created"})
    assert unknown.returncode == 2
    assert "'never-created' names no project" in unknown.stderr
    half = _serve_exit(tmp_path / "c", {"PYFLARE_OTLP_KEYLESS_PROJECT": "default"})
    assert half.returncode == 2
    assert "PYFLARE_OTLP_REQUIRE_KEY=false" in half.stderr
