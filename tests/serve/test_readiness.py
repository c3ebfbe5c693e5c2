"""A started `pyflare serve` is ready in every part (control DB, ClickHouse, ingest, Celery tasks running
eagerly in-process) and serves the Swagger UI with its static assets while DEBUG is off.
"""

from __future__ import annotations

import re

import requests

from tests.serve.running import INIT_KEY, ServeProcess


def test_every_readiness_check_passes_and_celery_runs_in_process(serve: ServeProcess) -> None:
    ready = requests.get(f"{serve.web}/api/v1/ready", headers={"X-API-Key": INIT_KEY}, timeout=30)
    assert ready.status_code == 200
    checks = ready.json()["checks"]
    assert set(checks) == {"control_db", "clickhouse", "ingest", "celery"}
    assert all(check["ok"] for check in checks.values()), checks
    # No broker and no worker exist in serve: the task can only have answered by running right here.
    assert checks["celery"]["detail"] == "task pyflare.health.ping answered 'pong' (eager, in-process)"
    assert str(serve.data_dir / "clickhouse") in checks["clickhouse"]["detail"]


def test_swagger_ui_and_its_static_assets_load_without_debug(serve: ServeProcess) -> None:
    page = requests.get(f"{serve.web}/api/v1/docs/", timeout=30)
    assert page.status_code == 200
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', page.text)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets), assets
    for asset in assets:
        reply = requests.get(f"{serve.web}{asset}", timeout=30)
        assert reply.status_code == 200, asset
        assert len(reply.content) > 0


def test_the_ready_line_names_every_address(serve: ServeProcess) -> None:
    (line,) = [line for line in serve.stdout_lines if line.startswith("PyFlare ready in ")]
    assert f"web {serve.web}/" in line
    assert f"OTLP/HTTP {serve.otlp_http}" in line
    assert f"OTLP/gRPC {serve.otlp_grpc}" in line
