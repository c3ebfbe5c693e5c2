"""Fixtures of the end-to-end ingest tests: a project with an ingest key in the control plane (Django,
committed so the consumer thread sees it) and a consumer that admits records by key, as `pyflare ingest`
does, with a dead-letter topic of its own (the shared Kafka carries other sessions' records too)."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

import tests.webapp.conftest  # noqa: F401  (sets Django up before the models are imported)
from tests.support.kafka import start_group_at_end
from webapp.apikeys.models import ApiKey
from webapp.projects.models import Project
from workers.ingest.admission import KeyAdmission
from workers.ingest.control_keys import control_plane_keys
from workers.ingest.kafka import KafkaDeadLetters, KafkaSource, ensure_topics
from workers.ingest.loop import IngestLoop
from workers.ingest.settings import IngestSettings
from workers.ingest.sink import StorageSink
from workers.storage.writer import ClickHouseWriter
from workers.telemetry.batches import NormaliseOptions

E2E_PROJECT = "e2e-project"


@dataclass
class Keys:
    ingest: str  # an ingest key of E2E_PROJECT
    viewer: str  # a viewer key of E2E_PROJECT (cannot write)
    stranger: str  # an ingest key of project "stranger"


@pytest.fixture
def keys(transactional_db: None) -> Keys:
    own = Project.objects.create(slug=E2E_PROJECT, name="E2E")
    stranger = Project.objects.create(slug="stranger", name="Stranger")
    return Keys(
        ingest=ApiKey.issue(project=own, name="e2e exporter", role="ingest")[1],
        viewer=ApiKey.issue(project=own, name="e2e dashboards", role="viewer")[1],
        stranger=ApiKey.issue(project=stranger, name="stranger exporter", role="ingest")[1],
    )


@dataclass
class Consumer:
    loop: IngestLoop
    settings: IngestSettings


@pytest.fixture
def consumer(kafka_brokers: str, ch_migrated: Any, keys: Keys) -> Iterator[Consumer]:
    settings = IngestSettings(
        brokers=kafka_brokers, group_id=f"e2e-{uuid.uuid4().hex[:8]}", batch_max_seconds=0.3,
        dlq_topic=f"e2e-dlq-{uuid.uuid4().hex[:8]}",
    )
    ensure_topics(settings)
    start_group_at_end(kafka_brokers, settings.group_id, settings.topics)
    source = KafkaSource(settings)
    dead = KafkaDeadLetters(settings)
    loop = IngestLoop(
        source,
        StorageSink(ClickHouseWriter(ch_migrated), None),
        dead,
        topics=settings.topics,
        options=NormaliseOptions(),
        batch_max_seconds=settings.batch_max_seconds,
        admission=KeyAdmission(control_plane_keys(settings.key_cache_seconds)),
    )
    thread = threading.Thread(target=loop.run, daemon=True)
    thread.start()
    yield Consumer(loop, settings)
    loop.stop()
    thread.join(timeout=30)
    source.close()
    dead.close()
