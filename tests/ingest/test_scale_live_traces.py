"""Scale mode's live traces on real processes: spans sent to the stock collector reach a `/ws`
subscriber of a web process through Kafka, `pyflare ingest` and the Redis channel layer.

The web process is `pyflare serve` (its own receiver unused); `pyflare ingest` runs as a subprocess
with a ClickHouse of its own and reads the web process's control database, as two machines sharing
PostgreSQL would. Its consumer group starts at the end of the topics, so it reads only this test's
records (and other sessions' records, which their keys keep out of this control plane).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import requests

from tests.fixtures.services import Otelcol
from tests.serve.running import INIT_KEY, REPO_ROOT, start_serve, trace_subscriber
from tests.serve.spans import genai_traces, hex_trace_id, payload
from tests.support.kafka import start_group_at_end
from workers.ingest.settings import SIGNAL_TOPICS

pytestmark = [pytest.mark.kafka, pytest.mark.otelcol, pytest.mark.redis]


def _start_ingest(tmp_path: Path, control_db: Path, brokers: str, group: str, redis_url: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYFLARE_") and k != "DJANGO_SETTINGS_MODULE"}
    env.update({
        "PYFLARE_DATA_DIR": str(tmp_path / "ingest-data"),
        "PYFLARE_DATABASE_URL": f"sqlite:///{control_db}",
        "PYFLARE_KAFKA_BROKERS": brokers,
        "PYFLARE_INGEST_GROUP": group,
        "PYFLARE_INGEST_BATCH_SECONDS": "0.2",
        "PYFLARE_REDIS_URL": redis_url,
    })  # fmt: skip
    return subprocess.Popen([sys.executable, "-m", "webapp.cli", "ingest"], cwd=REPO_ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip


def test_spans_through_the_collector_reach_a_websocket_subscriber(
    otelcol: Otelcol, kafka_brokers: str, redis_url: str, tmp_path: Path
) -> None:
    project = f"live-{uuid.uuid4().hex[:8]}"  # Redis groups are shared with other sessions: keep ours apart
    web = start_serve(tmp_path / "web", {"PYFLARE_INIT_API_KEY": INIT_KEY, "PYFLARE_INIT_PROJECT": project,
                                         "PYFLARE_REDIS_URL": redis_url})  # fmt: skip
    group = f"live-{uuid.uuid4().hex[:8]}"
    start_group_at_end(kafka_brokers, group, SIGNAL_TOPICS)  # topic -> signal
    ingest = _start_ingest(tmp_path, tmp_path / "web" / "control.sqlite3", kafka_brokers, group, redis_url)
    try:
        with trace_subscriber(web, project, "traces:gpt-4o") as ws:

            spans = genai_traces(1, model="gpt-4o", project=project, service="scale-bot")
            sent = requests.post(f"{otelcol.http_endpoint}/v1/traces", data=payload(spans), timeout=30,
                                 headers={"Content-Type": "application/x-protobuf", "X-API-Key": INIT_KEY})
            assert sent.status_code == 200, sent.text

            event = json.loads(ws.recv(timeout=90))  # the consumer group joins, then the batch is stored
            assert event["type"] == "trace"
            assert event["payload"]["trace_id"] == hex_trace_id(spans[0])
            assert event["payload"]["project"] == project
            assert event["payload"]["models"] == ["gpt-4o"]
            assert event["payload"]["service"] == "scale-bot"
            assert event["payload"]["root_name"] == "handle question"
        # the web process stored nothing itself: the trace came through Kafka and `pyflare ingest`
        assert web.query(f"SELECT count() AS n FROM spans WHERE trace_id = '{hex_trace_id(spans[0])}'") == [{"n": 0}]
        ingest.send_signal(signal.SIGTERM)
        _, stderr = ingest.communicate(timeout=60)
        assert ingest.returncode == 0, stderr
        assert "through RedisChannelLayer" in stderr
        assert web.stop() == 0
    except BaseException:
        ingest.kill()
        print("INGEST", ingest.communicate(timeout=10)[1][-5000:], "WEB", web.output()[-5000:])
        raise
    finally:
        if ingest.poll() is None:
            ingest.kill()
            ingest.wait(10)
        web.kill()
