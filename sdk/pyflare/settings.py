"""Resolution of `pyflare.init` settings from arguments, `PYFLARE_*` environment variables and defaults.

Precedence for every setting: an explicit argument wins, then the environment variable, then the default.
Invalid values (from either source) raise ValueError at init, naming the source and what is accepted.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlparse

ENV_SERVICE_NAME = "PYFLARE_SERVICE_NAME"
ENV_ENDPOINT = "PYFLARE_ENDPOINT"
ENV_ENVIRONMENT = "PYFLARE_ENVIRONMENT"
ENV_SAMPLE_RATE = "PYFLARE_SAMPLE_RATE"
ENV_USE_HTTP = "PYFLARE_USE_HTTP"
ENV_HEADERS = "PYFLARE_HEADERS"
ENV_PROJECT = "PYFLARE_PROJECT"
ENV_ENABLED = "PYFLARE_ENABLED"
ENV_API_KEY = "PYFLARE_API_KEY"
ENV_CAPTURE_CONTENT = "PYFLARE_CAPTURE_CONTENT"
ENV_KEEP_ERRORS = "PYFLARE_SAMPLE_KEEP_ERRORS"
ENV_BUFFER_SPANS = "PYFLARE_SAMPLE_BUFFER_SPANS"

API_KEY_HEADER = "x-api-key"
DEFAULT_HTTP_ENDPOINT = "http://localhost:4318"
DEFAULT_GRPC_ENDPOINT = "http://localhost:4317"
DEFAULT_PREVIEW_LENGTH = 1000
DEFAULT_BUFFER_SPANS = 10_000  # spans of left-out traces held until their root ends (keep errors)
_OTLP_SIGNAL_PATHS = ("/v1/traces", "/v1/metrics", "/v1/logs")
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


@dataclass(frozen=True)
class Settings:
    """Everything `init` decided, after precedence and validation."""

    service_name: str | None
    endpoint: str
    environment: str | None
    version: str | None
    sample_rate: float
    use_http: bool
    headers: dict[str, str] = field(repr=False)  # may carry the API key: keep it out of logs
    project: str | None
    enabled: bool
    batch: bool
    capture_content: bool
    preview_length: int
    keep_errors: bool = True
    buffer_spans: int = DEFAULT_BUFFER_SPANS
    resource_attributes: dict[str, Any] = field(default_factory=dict)


def parse_bool(text: str, source: str) -> bool:
    value = text.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"{source}={text!r} is not a boolean; use one of true/false, 1/0, yes/no, on/off")


def parse_headers(text: str, source: str = ENV_HEADERS) -> dict[str, str]:
    """Parse "k=v,k2=v2" (values may be percent-encoded, as in OTEL_EXPORTER_OTLP_HEADERS)."""
    headers: dict[str, str] = {}
    for entry in text.split(","):
        if not entry.strip():
            continue
        key, sep, value = entry.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"{source} entry {entry.strip()!r} is not key=value; expected 'k=v,k2=v2'")
        headers[unquote(key.strip()).lower()] = unquote(value.strip())
    return headers


def check_sample_rate(value: Any, source: str) -> float:
    if isinstance(value, bool):
        raise ValueError(f"{source} must be a number between 0 and 1, got {value!r}")
    try:
        rate = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{source} must be a number between 0 and 1, got {value!r}") from None
    if not 0.0 <= rate <= 1.0:
        raise ValueError(f"{source} must be between 0 and 1, got {rate}")
    return rate


def normalise_endpoint(endpoint: str, use_http: bool, source: str) -> str:
    """Return the OTLP base URL; for HTTP a pasted `/v1/traces` (or metrics/logs) suffix is dropped."""
    base = endpoint.strip().rstrip("/")
    parsed = urlparse(base)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ValueError(
            f"{source}={endpoint!r} must be an http:// or https:// URL such as http://localhost:4318"
        )
    if use_http:
        for suffix in _OTLP_SIGNAL_PATHS:
            if base.endswith(suffix):
                base = base[: -len(suffix)]
    return base


def signal_url(endpoint: str, signal: str) -> str:
    """OTLP/HTTP URL of one signal (`traces`, `metrics`, `logs`) under the base endpoint."""
    return f"{endpoint}/v1/{signal}"


_ENV_BY_ARGUMENT = {
    "service_name": ENV_SERVICE_NAME,
    "endpoint": ENV_ENDPOINT,
    "environment": ENV_ENVIRONMENT,
    "sample_rate": ENV_SAMPLE_RATE,
    "use_http": ENV_USE_HTTP,
    "headers": ENV_HEADERS,
    "project": ENV_PROJECT,
    "enabled": ENV_ENABLED,
    "api_key": ENV_API_KEY,
    "capture_content": ENV_CAPTURE_CONTENT,
    "keep_errors": ENV_KEEP_ERRORS,
    "buffer_spans": ENV_BUFFER_SPANS,
}


def _pick(argument: Any, name: str, environ: Mapping[str, str]) -> tuple[Any, str | None]:
    """(value, source) by precedence argument > environment; (None, None) when neither is set."""
    if argument is not None:
        return argument, f"argument {name!r}"
    env_name = _ENV_BY_ARGUMENT[name]
    text = environ.get(env_name, "").strip()
    if text:
        return text, env_name
    return None, None


def check_buffer_spans(value: Any, source: str) -> int:
    problem = f"{source} must be a positive whole number of spans, got {value!r}"
    text = str(value).strip()
    if isinstance(value, bool) or not text.isdigit() or int(text) < 1:
        raise ValueError(problem)
    return int(text)


def _flag(argument: bool | None, name: str, default: bool, environ: Mapping[str, str]) -> bool:
    value, source = _pick(argument, name, environ)
    if value is None:
        return default
    if isinstance(value, str):
        return parse_bool(value, source or name)
    return bool(value)


def resolve_settings(
    *,
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
    capture_content: bool | None = None,
    preview_length: int = DEFAULT_PREVIEW_LENGTH,
    keep_errors: bool | None = None,
    buffer_spans: int | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    env = os.environ if environ is None else environ
    http = _flag(use_http, "use_http", True, env)

    raw_endpoint, endpoint_source = _pick(endpoint, "endpoint", env)
    if raw_endpoint is None:
        raw_endpoint, endpoint_source = (DEFAULT_HTTP_ENDPOINT if http else DEFAULT_GRPC_ENDPOINT), "default"

    raw_rate, rate_source = _pick(sample_rate, "sample_rate", env)
    rate = 1.0 if raw_rate is None else check_sample_rate(raw_rate, rate_source or "sample_rate")

    if headers is not None:
        header_map = {str(k).lower(): str(v) for k, v in headers.items()}
    else:
        header_map = parse_headers(env.get(ENV_HEADERS, ""))
    key, _ = _pick(api_key, "api_key", env)
    if key:
        header_map[API_KEY_HEADER] = str(key)  # the dedicated setting wins over a header of the same name

    raw_buffer, buffer_source = _pick(buffer_spans, "buffer_spans", env)
    buffer = DEFAULT_BUFFER_SPANS
    if raw_buffer is not None:
        buffer = check_buffer_spans(raw_buffer, buffer_source or "buffer_spans")

    if isinstance(preview_length, bool) or not isinstance(preview_length, int) or preview_length < 1:
        raise ValueError(f"preview_length must be a positive integer, got {preview_length!r}")

    return Settings(
        service_name=_pick(service_name, "service_name", env)[0],
        endpoint=normalise_endpoint(str(raw_endpoint), http, endpoint_source or "endpoint"),
        environment=_pick(environment, "environment", env)[0],
        version=version,
        sample_rate=rate,
        use_http=http,
        headers=header_map,
        project=_pick(project, "project", env)[0],
        enabled=_flag(enabled, "enabled", True, env),
        batch=batch,
        capture_content=_flag(capture_content, "capture_content", True, env),
        preview_length=preview_length,
        keep_errors=_flag(keep_errors, "keep_errors", True, env),
        buffer_spans=buffer,
        resource_attributes=dict(resource_attributes or {}),
    )
