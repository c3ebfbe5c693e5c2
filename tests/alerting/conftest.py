"""Fixtures of the alerting pipeline tests: Django (the control-plane fixtures of tests/webapp), a
fresh migrated ClickHouse database behind the API, a local webhook receiver, and span data written
through the real ingest path."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from clickhouse_connect.driver.client import Client

from tests.costs.conftest import Webhook, webhook  # noqa: F401  (fixture)
from tests.costs.pipeline import ingest
from tests.storage.test_alerting_metrics import spans
from tests.support.otlp import encode
from tests.webapp.conftest import (  # noqa: F401  (fixtures, and Django set up before anything else)
    _fast_passwords,
    _fresh_throttles,
    api,
    world,
)
from webapp.api.providers import providers


@pytest.fixture
def store(ch_migrated: Client) -> Iterator[Client]:
    """A fresh migrated database, also behind the API's telemetry client, for one test."""
    with providers.telemetry.override(lambda: ch_migrated):
        yield ch_migrated


def seed(client: Client, project: str, rows: list[dict[str, Any]]) -> None:
    """Spans (service, model, start s, ms, input, output, error) through the ingest loop into chdb."""
    ingest(client, [encode(spans(project, rows))])
