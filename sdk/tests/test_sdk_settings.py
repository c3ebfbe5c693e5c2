"""Settings precedence (argument > PYFLARE_* environment > default), parsing errors, and the resource
attributes that reach exported spans."""

from __future__ import annotations

import re

import pytest

import pyflare
from pyflare.settings import parse_headers, resolve_settings


def test_defaults():
    settings = resolve_settings(environ={})
    assert settings.endpoint == "http://localhost:4318"
    assert settings.use_http is True
    assert settings.sample_rate == 1.0
    assert settings.enabled is True
    assert settings.capture_content is True
    assert settings.headers == {}
    assert settings.service_name is None
    assert settings.project is None
    assert settings.preview_length == 1000


def test_grpc_default_endpoint():
    assert resolve_settings(use_http=False, environ={}).endpoint == "http://localhost:4317"
    assert resolve_settings(environ={"PYFLARE_USE_HTTP": "false"}).endpoint == "http://localhost:4317"


ENV = {
    "PYFLARE_SERVICE_NAME": "env-service",
    "PYFLARE_ENDPOINT": "https://collector.example:4318/",
    "PYFLARE_ENVIRONMENT": "staging",
    "PYFLARE_SAMPLE_RATE": "0.5",
    "PYFLARE_USE_HTTP": "no",
    "PYFLARE_HEADERS": "x-tenant=acme",
    "PYFLARE_PROJECT": "env-project",
    "PYFLARE_ENABLED": "off",
    "PYFLARE_API_KEY": "env-key",
    "PYFLARE_CAPTURE_CONTENT": "0",
}


def test_environment_applies_when_arguments_are_absent():
    settings = resolve_settings(environ=ENV)
    assert settings.service_name == "env-service"
    assert settings.endpoint == "https://collector.example:4318"
    assert settings.environment == "staging"
    assert settings.sample_rate == 0.5
    assert settings.use_http is False
    assert settings.headers == {"x-tenant": "acme", "x-api-key": "env-key"}
    assert settings.project == "env-project"
    assert settings.enabled is False
    assert settings.capture_content is False


@pytest.mark.parametrize(
    ("argument", "value", "attribute", "expected"),
    [
        ("service_name", "arg-service", "service_name", "arg-service"),
        ("endpoint", "http://127.0.0.1:9999", "endpoint", "http://127.0.0.1:9999"),
        ("environment", "prod", "environment", "prod"),
        ("sample_rate", 0.1, "sample_rate", 0.1),
        ("sample_rate", 1.0, "sample_rate", 1.0),
        ("use_http", True, "use_http", True),
        ("project", "arg-project", "project", "arg-project"),
        ("enabled", True, "enabled", True),
        ("capture_content", True, "capture_content", True),
        ("headers", {"X-Tenant": "globex"}, "headers", {"x-tenant": "globex", "x-api-key": "env-key"}),
        ("api_key", "arg-key", "headers", {"x-tenant": "acme", "x-api-key": "arg-key"}),
    ],
)
def test_explicit_argument_beats_environment(argument, value, attribute, expected):
    settings = resolve_settings(environ=ENV, **{argument: value})
    assert getattr(settings, attribute) == expected


def test_init_reads_the_real_process_environment(monkeypatch, start):
    monkeypatch.setenv("PYFLARE_SERVICE_NAME", "from-env")
    monkeypatch.setenv("PYFLARE_PROJECT", "env-project")
    monkeypatch.setenv("PYFLARE_ENVIRONMENT", "staging")
    captured = start(service_name=None, project="arg-project")
    with pyflare.span("op"):
        pass
    resource = captured.span("op").resource.attributes
    assert resource["service.name"] == "from-env"
    assert resource["pyflare.project"] == "arg-project"
    assert resource["deployment.environment.name"] == "staging"


def test_headers_parsing():
    assert parse_headers(" a=1, B = two%20words ,, c=x=y") == {"a": "1", "b": "two words", "c": "x=y"}
    with pytest.raises(ValueError, match="PYFLARE_HEADERS entry 'oops' is not key=value"):
        parse_headers("a=1,oops")


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"PYFLARE_SAMPLE_RATE": "lots"}, "PYFLARE_SAMPLE_RATE must be a number between 0 and 1"),
        ({"PYFLARE_SAMPLE_RATE": "1.5"}, "PYFLARE_SAMPLE_RATE must be between 0 and 1, got 1.5"),
        ({"PYFLARE_ENABLED": "maybe"}, "PYFLARE_ENABLED='maybe' is not a boolean"),
        ({"PYFLARE_USE_HTTP": "2"}, "PYFLARE_USE_HTTP='2' is not a boolean"),
        (
            {"PYFLARE_ENDPOINT": "localhost:4318"},
            "PYFLARE_ENDPOINT='localhost:4318' must be an http:// or https://",
        ),
        ({"PYFLARE_HEADERS": "novalue"}, "PYFLARE_HEADERS entry 'novalue'"),
    ],
)
def test_invalid_environment_values_name_the_variable(environ, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        resolve_settings(environ=environ)


def test_invalid_arguments_are_rejected():
    with pytest.raises(
        ValueError, match=re.escape("argument 'sample_rate' must be between 0 and 1, got -0.1")
    ):
        resolve_settings(sample_rate=-0.1, environ={})
    with pytest.raises(ValueError, match="argument 'sample_rate' must be a number"):
        resolve_settings(sample_rate=True, environ={})
    with pytest.raises(ValueError, match="preview_length must be a positive integer"):
        resolve_settings(preview_length=0, environ={})


def test_http_endpoint_accepts_a_pasted_signal_path():
    assert resolve_settings(endpoint="http://h:4318/v1/traces", environ={}).endpoint == "http://h:4318"
    assert resolve_settings(endpoint="http://h:4318/otlp/", environ={}).endpoint == "http://h:4318/otlp"


def test_resource_attributes_reach_exported_spans(start):
    captured = start(
        service_name="checkout",
        version="2.1.0",
        environment="production",
        project="shop",
        resource_attributes={"service.name": "overridden", "k8s.pod.name": "pod-1"},
    )
    with pyflare.span("op"):
        pass
    resource = captured.span("op").resource.attributes
    assert resource["service.name"] == "checkout"  # the named argument wins over resource_attributes
    assert resource["service.version"] == "2.1.0"
    assert resource["deployment.environment.name"] == "production"
    assert resource["pyflare.project"] == "shop"
    assert resource["k8s.pod.name"] == "pod-1"
    assert resource["telemetry.distro.name"] == "pyflare"
    assert resource["telemetry.distro.version"] == pyflare.__version__


def test_service_name_falls_back_to_otel_service_name(monkeypatch, start):
    monkeypatch.setenv("OTEL_SERVICE_NAME", "otel-named")
    captured = start(service_name=None)
    with pyflare.span("op"):
        pass
    resource = captured.span("op").resource.attributes
    assert resource["service.name"] == "otel-named"
    assert "pyflare.project" not in resource


def test_api_key_stays_out_of_reprs(start):
    captured = start(api_key="very-secret")
    assert captured.client.settings.headers["x-api-key"] == "very-secret"
    assert "very-secret" not in repr(captured.client.settings)
    assert "very-secret" not in repr(captured.client)
