"""Shared fixtures for the SDK tests: clean PyFlare/OTel global state per test and an `init` that sends
everything to the OTel SDK's own in-memory exporter and metric reader.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from opentelemetry import trace
from opentelemetry._logs import _internal as logs_internal
from opentelemetry.metrics import _internal as metrics_internal
from opentelemetry.sdk._logs.export import InMemoryLogRecordExporter
from opentelemetry.sdk.metrics.export import InMemoryMetricReader, Metric
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.util._once import Once

import pyflare


def reset_otel_globals() -> None:
    """OTel allows one global provider per process; tests undo it the way opentelemetry-test-utils does."""
    trace._TRACER_PROVIDER_SET_ONCE = Once()
    trace._TRACER_PROVIDER = None
    metrics_internal._METER_PROVIDER_SET_ONCE = Once()
    metrics_internal._METER_PROVIDER = None
    metrics_internal._PROXY_METER_PROVIDER = metrics_internal._ProxyMeterProvider()
    logs_internal._LOGGER_PROVIDER_SET_ONCE = Once()
    logs_internal._LOGGER_PROVIDER = None
    logs_internal._PROXY_LOGGER_PROVIDER = logs_internal.ProxyLoggerProvider()


@pytest.fixture(autouse=True)
def clean_state(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in list(os.environ):
        if name.startswith(("PYFLARE_", "OTEL_")):
            monkeypatch.delenv(name)
    pyflare.shutdown()
    reset_otel_globals()
    yield
    pyflare.shutdown()
    reset_otel_globals()


@dataclass
class Captured:
    """What one `init` exported, read through the OTel SDK's in-memory exporter/reader."""

    client: pyflare.PyFlare
    exporter: InMemorySpanExporter
    reader: InMemoryMetricReader
    logs: InMemoryLogRecordExporter

    @property
    def spans(self) -> tuple[ReadableSpan, ...]:
        self.client.flush()
        return self.exporter.get_finished_spans()

    def span(self, name: str) -> ReadableSpan:
        matches = [s for s in self.spans if s.name == name]
        assert len(matches) == 1, f"expected one span {name!r}, got {[s.name for s in self.spans]}"
        return matches[0]

    def metric(self, name: str) -> Metric | None:
        data = self.reader.get_metrics_data()
        for resource_metrics in data.resource_metrics if data else ():
            for scope_metrics in resource_metrics.scope_metrics:
                for metric in scope_metrics.metrics:
                    if metric.name == name:
                        return metric
        return None


@pytest.fixture
def start() -> Callable[..., Captured]:
    """`start(**init_kwargs)`: pyflare.init with in-memory exporters; batch=False unless given."""

    def _start(**kwargs: Any) -> Captured:
        exporter = InMemorySpanExporter()
        reader = InMemoryMetricReader()
        logs = InMemoryLogRecordExporter()
        kwargs.setdefault("service_name", "test-service")
        kwargs.setdefault("batch", False)
        client = pyflare.init(span_exporter=exporter, metric_reader=reader, log_exporter=logs, **kwargs)
        return Captured(client, exporter, reader, logs)

    return _start


@pytest.fixture
def captured(start: Callable[..., Captured]) -> Captured:
    return start(project="test-project")
