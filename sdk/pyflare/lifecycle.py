"""`pyflare.init` and the module-level client functions (`get_client`, `flush`, `shutdown`).

Global OTel providers: `set_global=None` (default) installs PyFlare's providers as the process globals only
for signals the app has not configured yet; True asks for it anyway (OTel allows one global per process,
so an existing one is kept and a warning is logged); False never touches the globals. PyFlare's own
decorators and context managers always use PyFlare's providers, whatever the globals are.
"""

from __future__ import annotations

import atexit
import logging
from collections.abc import Callable, Mapping
from typing import Any

from opentelemetry import _logs, metrics, trace
from opentelemetry.sdk._logs.export import LogRecordExporter
from opentelemetry.sdk.metrics.export import MetricReader
from opentelemetry.sdk.trace.export import SpanExporter

from pyflare.client import PyFlare, build_client
from pyflare.integrations.redaction import redactor_of
from pyflare.runtime import RUNTIME
from pyflare.settings import DEFAULT_PREVIEW_LENGTH, resolve_settings

_log = logging.getLogger("pyflare")


def _is_placeholder(provider: object) -> bool:
    # The OTel API hands out proxy providers (ProxyTracerProvider, _ProxyMeterProvider,
    # ProxyLoggerProvider) until an application installs a real one.
    return type(provider).__name__.lstrip("_").startswith("Proxy")


def _install_globals(client: PyFlare, set_global: bool | None) -> tuple[str, ...]:
    if set_global is False:
        return ()
    signals: tuple[tuple[str, Callable[[], object], Callable[[Any], None], object | None], ...] = (
        ("traces", trace.get_tracer_provider, trace.set_tracer_provider, client.tracer_provider),
        ("metrics", metrics.get_meter_provider, metrics.set_meter_provider, client.meter_provider),
        ("logs", _logs.get_logger_provider, _logs.set_logger_provider, client.logger_provider),
    )
    installed = []
    for signal, get_global, set_global_provider, ours in signals:
        if ours is None:
            continue
        current = get_global()
        if not _is_placeholder(current):
            if set_global:
                _log.warning(
                    "pyflare: a global %s provider (%s) is already set and OTel allows only one per process; "
                    "keeping it. PyFlare's own spans still use PyFlare's provider.",
                    signal,
                    type(current).__name__,
                )
            continue
        set_global_provider(ours)
        if get_global() is ours:
            installed.append(signal)
    return tuple(installed)


def init(
    service_name: str | None = None,
    endpoint: str | None = None,
    environment: str | None = None,
    version: str | None = None,
    sample_rate: float | None = None,
    use_http: bool | None = None,
    headers: Mapping[str, str] | None = None,
    resource_attributes: Mapping[str, Any] | None = None,
    project: str | None = None,
    enabled: bool | None = None,
    api_key: str | None = None,
    batch: bool = True,
    *,
    set_global: bool | None = None,
    capture_content: bool | None = None,
    preview_length: int = DEFAULT_PREVIEW_LENGTH,
    keep_errors: bool | None = None,
    buffer_spans: int | None = None,
    redact: bool | Callable[[str], str] | None = None,
    span_exporter: SpanExporter | None = None,
    metric_reader: MetricReader | None = None,
    log_exporter: LogRecordExporter | None = None,
) -> PyFlare:
    """Configure PyFlare for this process and return the client.

    Each setting: explicit argument > `PYFLARE_*` environment variable > default. Defaults: endpoint
    http://localhost:4318 (HTTP) or http://localhost:4317 (gRPC), sample_rate 1.0, use_http True,
    enabled True, capture_content True. `span_exporter`, `metric_reader` and `log_exporter` replace the
    OTLP exporter of that signal (any OTel SDK exporter/reader, e.g. an in-memory one for tests).
    `redact` masks captured text before it is put on a span: True for the built-in patterns (emails,
    card numbers, API keys), a callable (str) -> str to run after them (pyflare.integrations.redaction).
    `keep_errors` (default True, PYFLARE_SAMPLE_KEEP_ERRORS): with sample_rate < 1, a left-out trace is
    still exported whole when one of its spans fails; its spans wait in a buffer of at most
    `buffer_spans` spans (default 10 000, PYFLARE_SAMPLE_BUFFER_SPANS) until its local root ends.
    Calling init again shuts the previous client down and replaces it.
    """
    redactor = redactor_of(redact)
    settings = resolve_settings(
        service_name=service_name,
        endpoint=endpoint,
        environment=environment,
        version=version,
        sample_rate=sample_rate,
        use_http=use_http,
        headers=headers,
        resource_attributes=resource_attributes,
        project=project,
        enabled=enabled,
        api_key=api_key,
        batch=batch,
        capture_content=capture_content,
        preview_length=preview_length,
        keep_errors=keep_errors,
        buffer_spans=buffer_spans,
    )
    shutdown()
    if not settings.enabled:
        client = PyFlare(settings)
        RUNTIME.client = client  # get_client() answers, while the tracer stays None
        return client
    client = build_client(settings, span_exporter, metric_reader, log_exporter)
    client.installed_globals = _install_globals(client, set_global)
    RUNTIME.bind(client, redactor)
    atexit.register(client.shutdown)
    return client


def get_client() -> PyFlare | None:
    """The client of the last `init` (enabled or not), or None before init / after shutdown."""
    return RUNTIME.client


def flush(timeout_millis: int = 30_000) -> bool:
    client = RUNTIME.client
    return True if client is None else client.flush(timeout_millis)


def shutdown() -> None:
    """Flush and stop the current client and switch PyFlare off until the next `init`."""
    client = RUNTIME.client
    RUNTIME.clear()
    if client is not None:
        atexit.unregister(client.shutdown)
        client.shutdown()
