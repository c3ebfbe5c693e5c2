"""The `PyFlare` client: its own tracer, meter and logger providers, and their flush/shutdown.

Providers are created only when enabled; a disabled client holds none and every method is a no-op.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import TYPE_CHECKING

from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import (
    BatchLogRecordProcessor,
    LogRecordExporter,
    SimpleLogRecordProcessor,
)
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import MetricReader, PeriodicExportingMetricReader
from opentelemetry.sdk.trace import SpanLimits, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor, SpanExporter
from opentelemetry.sdk.trace.sampling import ALWAYS_ON, ParentBased, Sampler, TraceIdRatioBased

from pyflare import exporters
from pyflare.genai_metrics import GenAiMetrics
from pyflare.resource import build_resource
from pyflare.sampling import ErrorKeepingSpanProcessor, KeepErrorsSampler
from pyflare.settings import Settings
from pyflare.version import __version__

if TYPE_CHECKING:
    from opentelemetry.metrics import Meter
    from opentelemetry.trace import Tracer

_log = logging.getLogger("pyflare")
INSTRUMENTATION_SCOPE = "pyflare"
# Feature-rich ML spans (pyflare.features.*) easily pass OTel's default of 128 attributes.
_DEFAULT_ATTRIBUTE_LIMIT = 1024
_ATTRIBUTE_LIMIT_ENV = ("OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", "OTEL_ATTRIBUTE_COUNT_LIMIT")


class PyFlare:
    """Handle on one `pyflare.init` configuration; `pyflare.get_client()` returns the current one."""

    def __init__(
        self,
        settings: Settings,
        tracer_provider: TracerProvider | None = None,
        meter_provider: MeterProvider | None = None,
        logger_provider: LoggerProvider | None = None,
    ) -> None:
        self.settings = settings
        self.tracer_provider = tracer_provider
        self.meter_provider = meter_provider
        self.logger_provider = logger_provider
        self.installed_globals: tuple[str, ...] = ()
        self.error_keeper: ErrorKeepingSpanProcessor | None = None  # set when keep errors is active
        self.tracer: Tracer | None = None
        self.meter: Meter | None = None
        self.genai_metrics: GenAiMetrics | None = None
        if tracer_provider is not None:
            self.tracer = tracer_provider.get_tracer(INSTRUMENTATION_SCOPE, __version__)
        if meter_provider is not None:
            self.meter = meter_provider.get_meter(INSTRUMENTATION_SCOPE, __version__)
            self.genai_metrics = GenAiMetrics(self.meter)
        self._closed = False
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.tracer_provider is not None and not self._closed

    def flush(self, timeout_millis: int = 30_000) -> bool:
        """Export everything buffered so far; True when every provider finished within the timeout."""
        if not self.enabled:
            return True
        ok = True
        for provider in (self.tracer_provider, self.meter_provider, self.logger_provider):
            if provider is not None:
                ok = bool(provider.force_flush(timeout_millis)) and ok
        return ok

    def shutdown(self) -> None:
        """Flush and stop the providers; idempotent. Runs at interpreter exit too."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        for provider in (self.tracer_provider, self.meter_provider, self.logger_provider):
            if provider is None:
                continue
            try:
                provider.shutdown()
            except Exception:  # shutdown must finish for every provider even if one exporter fails
                _log.exception("pyflare: shutting down %s failed", type(provider).__name__)

    def __repr__(self) -> str:
        s = self.settings
        return f"PyFlare(service_name={s.service_name!r}, endpoint={s.endpoint!r}, enabled={self.enabled})"


def _span_limits() -> SpanLimits:
    if any(name in os.environ for name in _ATTRIBUTE_LIMIT_ENV):
        return SpanLimits()  # the operator's OTEL_* limit applies
    return SpanLimits(max_span_attributes=_DEFAULT_ATTRIBUTE_LIMIT)


def build_client(
    settings: Settings,
    span_exporter: SpanExporter | None = None,
    metric_reader: MetricReader | None = None,
    log_exporter: LogRecordExporter | None = None,
) -> PyFlare:
    """Create providers for an enabled configuration; injected exporters/readers replace the OTLP ones."""
    resource = build_resource(settings)
    # Keep errors only matters when the ratio leaves traces out; at 1.0 the plain sampler is cheaper.
    keep_errors = settings.keep_errors and settings.sample_rate < 1.0
    sampler: Sampler
    if keep_errors:
        sampler = KeepErrorsSampler(settings.sample_rate)
    elif settings.sample_rate >= 1.0:
        sampler = ParentBased(ALWAYS_ON)  # what a 1.0 ratio decides, without its per-span arithmetic
    else:
        sampler = ParentBased(TraceIdRatioBased(settings.sample_rate))
    tracer_provider = TracerProvider(
        sampler=sampler,
        resource=resource,
        shutdown_on_exit=False,  # the client's own exit hook flushes all three providers in order
        span_limits=_span_limits(),
    )
    span_exporter = span_exporter or exporters.otlp_span_exporter(settings)
    span_processor: SpanProcessor = (
        BatchSpanProcessor(span_exporter) if settings.batch else SimpleSpanProcessor(span_exporter)
    )
    error_keeper = None
    if keep_errors:
        span_processor = error_keeper = ErrorKeepingSpanProcessor(span_processor, settings.buffer_spans)
    tracer_provider.add_span_processor(span_processor)

    reader = metric_reader or PeriodicExportingMetricReader(exporters.otlp_metric_exporter(settings))
    meter_provider = MeterProvider(resource=resource, metric_readers=[reader], shutdown_on_exit=False)

    logger_provider = LoggerProvider(resource=resource, shutdown_on_exit=False)
    log_exporter = log_exporter or exporters.otlp_log_exporter(settings)
    log_processor = (
        BatchLogRecordProcessor(log_exporter) if settings.batch else SimpleLogRecordProcessor(log_exporter)
    )
    logger_provider.add_log_record_processor(log_processor)

    client = PyFlare(settings, tracer_provider, meter_provider, logger_provider)
    client.error_keeper = error_keeper
    return client
