"""Admission of Kafka records by key, and the loop around it: refused records are dead letters with the
reason (their offsets still move on), admitted ones are stored in their key's project."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from tests.serve.running import REPO_ROOT
from tests.serve.spans import genai_traces, payload
from workers.ingest.admission import KeyAdmission, KeyRefused, Refused, header_key
from workers.ingest.loop import IngestLoop
from workers.ingest.ports import SourceMessage
from workers.ingest.settings import SIGNAL_TOPICS, TOPIC_TRACES
from workers.telemetry.batches import NormaliseOptions

KEYS = {"pf_shop_ingest_key": "shop"}


def lookup(plaintext: str, signal: str) -> str:
    """The control plane's answer for two keys (the real one is tested end to end in test_collector_keys)."""
    if plaintext not in KEYS:
        raise KeyRefused("unauthenticated: invalid API key")
    return KEYS[plaintext]


def record(value: bytes, headers: Sequence[tuple[str, bytes]] = (), offset: int = 0) -> SourceMessage:
    return SourceMessage(TOPIC_TRACES, 0, offset, value, None, tuple(headers))


@pytest.mark.parametrize(
    ("headers", "key"),
    [
        ([("x-api-key", b"k1")], "k1"),
        ([("X-Api-Key", b" k1 ")], "k1"),
        ([("authorization", b"Bearer k2")], "k2"),
        ([("Authorization", b"bearer k2"), ("x-api-key", b"k1")], "k1"),
        ([("authorization", b"Basic dXNlcjpwYXNz")], None),
        ([("x-api-key", b"")], None),
        ([("traceparent", b"00-abc")], None),
        ([], None),
    ],
)
def test_the_key_a_record_carries(headers: list[tuple[str, bytes]], key: str | None) -> None:
    assert header_key(headers) == key


def resource_projects(value: bytes) -> list[list[str]]:
    request = ExportTraceServiceRequest()
    request.ParseFromString(value)
    return [[kv.value.string_value for kv in rs.resource.attributes if kv.key == "pyflare.project"]
            for rs in request.resource_spans]


def test_a_keyed_record_without_the_attribute_is_stamped_with_the_keys_project() -> None:
    admitted = KeyAdmission(lookup).admit("traces", record(payload(genai_traces(1, project=None)),
                                                           [("x-api-key", b"pf_shop_ingest_key")]))
    assert isinstance(admitted, SourceMessage)
    assert resource_projects(admitted.value) == [["shop"]]


def test_a_record_naming_its_keys_project_is_kept_byte_for_byte() -> None:
    original = record(payload(genai_traces(1, project="shop")), [("x-api-key", b"pf_shop_ingest_key")])
    assert KeyAdmission(lookup).admit("traces", original) is original


@pytest.mark.parametrize(
    ("headers", "project", "reason"),
    [
        ([], None, "unauthenticated: the record carries no API key"),
        ([("x-api-key", b"pf_guess")], None, "unauthenticated: invalid API key"),
        ([("x-api-key", b"pf_shop_ingest_key")], "other", "forbidden: a resource names pyflare.project='other'"),
        ([("x-api-key", b"pf_shop_ingest_key")], "", "forbidden: a resource names pyflare.project=''"),
        ([("x-api-key", b"pf_shop_ingest_key")], "y" * 5000, "forbidden: a resource names pyflare.project='yyy"),
    ],
)
def test_refusals_say_why(headers: list[tuple[str, bytes]], project: str | None, reason: str) -> None:
    refused = KeyAdmission(lookup).admit("traces", record(payload(genai_traces(1, project=project)), headers))
    assert isinstance(refused, Refused)
    assert refused.reason.startswith(reason)
    assert len(refused.reason) < 400


def test_keyless_records_go_to_the_keyless_project_only() -> None:
    admission = KeyAdmission(lookup, keyless_project="local")
    admitted = admission.admit("traces", record(payload(genai_traces(1, project=None))))
    assert isinstance(admitted, SourceMessage) and resource_projects(admitted.value) == [["local"]]
    refused = admission.admit("traces", record(payload(genai_traces(1, project="shop"))))
    assert isinstance(refused, Refused) and "'local' only" in refused.reason


def test_an_undecodable_keyed_record_is_refused_as_such() -> None:
    refused = KeyAdmission(lookup).admit("traces", record(b"\xff\xfe garbage", [("x-api-key", b"pf_shop_ingest_key")]))
    assert isinstance(refused, Refused) and refused.reason.startswith("cannot decode traces payload")


class Memory:
    def __init__(self) -> None:
        self.tables: list[pa.Table] = []
        self.dead: list[tuple[int, str]] = []
        self.commits: list[dict[tuple[str, int], int]] = []
        self.queue: list[SourceMessage] = []

    def poll(self, timeout_ms: int) -> list[SourceMessage]:
        taken, self.queue = self.queue, []
        return taken

    def commit(self, offsets: dict[tuple[str, int], int]) -> None:
        self.commits.append(dict(offsets))

    def write(self, signal: str, table: pa.Table, embeddings: Sequence[object]) -> None:
        self.tables.append(table)

    def send(self, message: SourceMessage, reason: str) -> None:
        self.dead.append((message.offset, reason))

    def flush(self) -> None:
        pass


def test_the_loop_dead_letters_refused_records_and_stores_the_rest_in_the_keys_project() -> None:
    memory = Memory()
    memory.queue = [
        record(payload(genai_traces(1, project=None, service="keyless")), [], offset=0),
        record(payload(genai_traces(2, project=None, service="keyed")), [("x-api-key", b"pf_shop_ingest_key")], 1),
        record(payload(genai_traces(1, project="other", service="foreign")), [("x-api-key", b"pf_shop_ingest_key")], 2),
    ]
    loop = IngestLoop(memory, memory, memory, topics=SIGNAL_TOPICS, options=NormaliseOptions(),
                      admission=KeyAdmission(lookup))
    loop.step()
    loop.flush()
    assert [offset for offset, _reason in memory.dead] == [0, 2]
    assert memory.dead[0][1].startswith("unauthenticated") and memory.dead[1][1].startswith("forbidden")
    rows = pa.concat_tables(memory.tables).to_pydict()
    assert set(zip(rows["service_name"], rows["project"], strict=True)) == {("keyed", "shop")}
    assert len(rows["span_id"]) == 4
    assert memory.commits == [{(TOPIC_TRACES, 0): 3}]


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"PYFLARE_OTLP_REQUIRE_KEY": "false"}, "needs PYFLARE_OTLP_KEYLESS_PROJECT"),
        ({"PYFLARE_OTLP_KEYLESS_PROJECT": "local"}, "takes effect only with PYFLARE_OTLP_REQUIRE_KEY=false"),
        ({"PYFLARE_OTLP_REQUIRE_KEY": "false", "PYFLARE_OTLP_KEYLESS_PROJECT": "never-made"}, "names no project"),
        ({}, "the control database cannot be read"),  # a fresh data directory: no tables yet
    ],
)
def test_pyflare_ingest_refuses_half_or_unknown_keyless_settings(tmp_path: Path, env: dict[str, str],
                                                                says: str) -> None:  # fmt: skip
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PYFLARE_") and k != "DJANGO_SETTINGS_MODULE"}
    if "never-made" in env.values():  # tables exist, the project does not
        made = subprocess.run([sys.executable, "-m", "webapp.cli", "projects", "list"], cwd=REPO_ROOT,
                              env={**clean, "PYFLARE_DATA_DIR": str(tmp_path)}, capture_output=True, timeout=120)
        assert made.returncode == 0
    done = subprocess.run([sys.executable, "-m", "webapp.cli", "ingest"], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=120, env={**clean, "PYFLARE_DATA_DIR": str(tmp_path), **env})
    assert done.returncode == 2, done.stderr
    assert says in done.stderr and "Traceback" not in done.stderr
