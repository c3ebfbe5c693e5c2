"""Start and stop of `pyflare serve`: the one-time first-start credentials, and SIGTERM draining every
accepted span before exit 0 (checked after a restart on the same data directory).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

from tests.serve.running import INIT_KEY, PROTOBUF, REPO_ROOT, ServeProcess, free_port, start_serve
from tests.serve.spans import genai_traces, payload

LOGIN = re.compile(r"^PyFlare admin login: (\S+) / (\S+)$")
KEY = re.compile(r"^PyFlare admin API key for project 'default': (\S+)$")
INGEST = re.compile(r"^PyFlare ingest API key for project 'default' \(sends telemetry, reads nothing\): (\S+)$")
EXPORT = re.compile(r"^  export (\w+)=(\S+)$")


def matches(pattern: re.Pattern[str], lines: list[str]) -> list[re.Match[str]]:
    return [m for line in lines if (m := pattern.match(line))]


def test_first_start_prints_a_one_time_login_and_key_and_the_second_does_not(tmp_path: Path) -> None:
    first = start_serve(tmp_path)
    try:
        (login,) = matches(LOGIN, first.stdout_lines)
        (key,) = matches(KEY, first.stdout_lines)
        (ingest,) = matches(INGEST, first.stdout_lines)
        me = requests.get(f"{first.web}/api/v1/auth/me", headers={"X-API-Key": key[1]}, timeout=30)
        assert me.status_code == 200
        (project,) = me.json()["projects"]
        assert "apikeys:manage" in project.pop("permissions")
        assert project == {"slug": "default", "name": "Default", "role": "admin"}
        exports = {m[1]: m[2] for m in matches(EXPORT, first.stdout_lines)}
        assert exports == {
            "PYFLARE_API_KEY": ingest[1], "PYFLARE_ENDPOINT": first.otlp_http,
            "OTEL_EXPORTER_OTLP_ENDPOINT": first.otlp_http, "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
            "OTEL_EXPORTER_OTLP_HEADERS": f"x-api-key={ingest[1]}",
        }
        assert_pasted_settings_export(first, exports, key[1])
        session = requests.Session()
        token = session.get(f"{first.web}/api/v1/auth/csrf", timeout=30).json()["csrf_token"]  # login needs it
        signed_in = session.post(f"{first.web}/api/v1/auth/login", headers={"X-CSRFToken": token},
                                 json={"email": login[1], "password": login[2]}, timeout=30)
        assert signed_in.status_code == 200, signed_in.text
        assert first.stop() == 0
    finally:
        first.kill()

    second = start_serve(tmp_path)
    try:
        assert any(line.startswith("PyFlare ready in ") for line in second.stdout_lines)
        assert matches(LOGIN, second.stdout_lines) == []
        assert matches(KEY, second.stdout_lines) == []
        assert matches(INGEST, second.stdout_lines) == [] and matches(EXPORT, second.stdout_lines) == []
        again = requests.get(f"{second.web}/api/v1/auth/me", headers={"X-API-Key": key[1]}, timeout=30)
        assert again.status_code == 200
        assert second.stop(signal.SIGINT) == 0  # Ctrl-C ends it the same way
    finally:
        second.kill()


def assert_pasted_settings_export(serve: ServeProcess, exports: dict[str, str], admin_key: str) -> None:
    """An OpenTelemetry exporter configured by nothing but the printed variables gets its spans stored."""
    script = ("import sys; from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter as E; "
              "from opentelemetry.sdk.trace.export import SpanExportResult as R; "
              "from tests.serve.spans import genai_traces; "
              "sys.exit(0 if E().export(genai_traces(1, project=None, service='pasted-settings-bot')) == R.SUCCESS "
              "else 1)")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYFLARE_", "OTEL_"))}
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, env={**env, **exports}, timeout=120)
    assert done.returncode == 0
    stored = serve.query("SELECT DISTINCT project FROM spans WHERE service_name = 'pasted-settings-bot'", admin_key)
    assert stored == [{"project": "default"}]


def unstored_items(serve: ServeProcess) -> int:
    ready = requests.get(f"{serve.web}/api/v1/ready", headers={"X-API-Key": INIT_KEY}, timeout=30).json()
    return int(ready["checks"]["ingest"]["detail"].split(" of ")[0])


def test_sigterm_stores_every_accepted_span_before_exit(tmp_path: Path) -> None:
    serve = start_serve(tmp_path, {"PYFLARE_INIT_API_KEY": INIT_KEY})
    batches = [genai_traces(1000, service=f"drain-bot-{i}") for i in range(12)]  # 2,000 spans per request
    replies: dict[int, int | None] = {}

    def send(index: int) -> None:
        try:
            reply = requests.post(f"{serve.otlp_http}/v1/traces", data=payload(batches[index]),
                                  headers=PROTOBUF, timeout=120)
            replies[index] = reply.status_code
        except requests.ConnectionError:
            replies[index] = None  # the listener was already closed: never accepted

    def send_in_turn(indexes: range) -> None:
        for index in indexes:
            send(index)

    # Four clients each send their requests one after another, so that accepted spans keep waiting
    # to be stored while the test looks (a storage write blocks /ready until it ends).
    senders = [threading.Thread(target=send_in_turn, args=(range(k, len(batches), 4),)) for k in range(4)]
    try:
        for sender in senders:
            sender.start()
        deadline = time.monotonic() + 60
        while unstored_items(serve) == 0:  # signal only once accepted spans wait to be stored
            assert time.monotonic() < deadline, "no request was ever accepted"
            time.sleep(0.005)
        assert serve.stop() == 0
        for sender in senders:
            sender.join(120)
    finally:
        serve.kill()

    (drain,) = [line for line in serve.output().splitlines() if "refusing new telemetry" in line]
    pending_at_signal = int(re.search(r"storing the (\d+) accepted items", drain)[1])  # type: ignore[index]
    assert pending_at_signal > 0
    assert set(replies.values()) <= {200, 503, None}
    accepted = [i for i, code in replies.items() if code == 200]
    assert accepted
    (stopped,) = [line for line in serve.output().splitlines() if "items accepted" in line]
    assert f"stopped: {len(accepted) * 2000} items accepted, 0 not stored" in stopped

    restarted = start_serve(tmp_path, {"PYFLARE_INIT_API_KEY": INIT_KEY})
    try:
        stored = restarted.query("SELECT service_name, uniqExact(trace_id) AS traces, count() AS spans "
                                 "FROM spans FINAL WHERE service_name LIKE 'drain-bot-%' GROUP BY service_name")
        assert {r["service_name"]: (r["traces"], r["spans"]) for r in stored} == {
            f"drain-bot-{i}": (1000, 2000) for i in accepted
        }
    finally:
        restarted.kill()


def test_a_second_serve_on_the_same_data_directory_refuses_to_start(serve: ServeProcess) -> None:
    second = subprocess.run(
        [sys.executable, "-m", "webapp.cli", "serve", "--data-dir", str(serve.data_dir), "--port", str(free_port()),
         "--otlp-http-port", str(free_port()), "--otlp-grpc-port", str(free_port())],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=60,
    )
    assert second.returncode == 2
    assert f"another pyflare serve (pid {serve.proc.pid}) is using the data directory" in second.stderr  # type: ignore[union-attr]
    assert requests.get(f"{serve.web}/api/v1/health", timeout=30).status_code == 200  # the first one is unharmed
