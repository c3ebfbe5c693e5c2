"""End to end over real OTLP transports: what a local OTLP/HTTP (and gRPC) server receives and decodes
with opentelemetry-proto - names, attributes, parent links, resource, status, headers."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from opentelemetry.proto.trace.v1.trace_pb2 import Span as ProtoSpan
from opentelemetry.proto.trace.v1.trace_pb2 import Status as ProtoStatus
from otlp_receivers import OtlpGrpcReceiver, OtlpHttpReceiver, attributes

import pyflare


@pyflare.trace(model_id="ranker-v2", inference_type="classification")
def handle_request(query):
    pyflare.set_user("user-1")
    with pyflare.llm_span(model="gpt-4o-mini", provider="openai") as llm:
        llm.set_tokens(input=12, output=7, cache_read=4)
        llm.set_finish_reasons(["stop"])
    return lookup(query)


@pyflare.trace
def lookup(query):
    raise RuntimeError(f"index offline for {query!r}")


def _run_workload():
    with pytest.raises(RuntimeError, match="index offline"):
        handle_request("red shoes")


def _spans_by_name(inbox):
    received = inbox.spans()
    return {span.name: span for _, span in received}, [resource for resource, _ in received]


def _assert_workload_arrived(inbox):
    spans, resources = _spans_by_name(inbox)
    assert set(spans) == {"handle_request", "chat gpt-4o-mini", "lookup"}
    root, llm, child = spans["handle_request"], spans["chat gpt-4o-mini"], spans["lookup"]

    assert root.parent_span_id == b""
    assert llm.parent_span_id == root.span_id
    assert child.parent_span_id == root.span_id
    assert len({root.trace_id, llm.trace_id, child.trace_id}) == 1

    assert root.kind == ProtoSpan.SPAN_KIND_INTERNAL
    assert llm.kind == ProtoSpan.SPAN_KIND_CLIENT
    assert child.status.code == ProtoStatus.STATUS_CODE_ERROR
    assert child.status.message == "RuntimeError: index offline for 'red shoes'"
    assert root.status.code == ProtoStatus.STATUS_CODE_ERROR  # the error propagated through it
    assert [e.name for e in child.events] == ["exception"]
    assert attributes(child.events[0].attributes)["exception.type"] == "RuntimeError"

    root_attrs = attributes(root.attributes)
    assert root_attrs["pyflare.model.id"] == "ranker-v2"
    assert root_attrs["pyflare.inference.type"] == "classification"
    assert root_attrs["pyflare.input.preview"] == "red shoes"
    assert root_attrs["pyflare.user.id"] == "user-1"
    llm_attrs = attributes(llm.attributes)
    assert llm_attrs["gen_ai.operation.name"] == "chat"
    assert llm_attrs["gen_ai.provider.name"] == "openai"
    assert llm_attrs["gen_ai.request.model"] == "gpt-4o-mini"
    assert llm_attrs["gen_ai.usage.input_tokens"] == 12
    assert llm_attrs["gen_ai.usage.output_tokens"] == 7
    assert llm_attrs["gen_ai.usage.cache_read.input_tokens"] == 4
    assert llm_attrs["gen_ai.response.finish_reasons"] == ("stop",)
    return [attributes(r.attributes) for r in resources]


def test_http_export_delivers_spans_resource_and_headers():
    with OtlpHttpReceiver() as receiver:
        pyflare.init(
            "checkout",
            endpoint=receiver.url,
            environment="production",
            version="1.2.3",
            project="shop",
            api_key="secret-key",
            headers={"x-team": "ml"},
        )
        _run_workload()
        assert pyflare.flush(10_000) is True
        pyflare.shutdown()

    for resource in _assert_workload_arrived(receiver.inbox):
        assert resource["service.name"] == "checkout"
        assert resource["service.version"] == "1.2.3"
        assert resource["deployment.environment.name"] == "production"
        assert resource["pyflare.project"] == "shop"
    for request in receiver.inbox.on("/v1/traces"):
        assert request.headers["content-type"] == "application/x-protobuf"
        assert request.headers["x-api-key"] == "secret-key"
        assert request.headers["x-team"] == "ml"

    metric_names = {
        metric.name
        for request in receiver.inbox.on("/v1/metrics")
        for rm in request.message.resource_metrics
        for sm in rm.scope_metrics
        for metric in sm.metrics
    }
    assert {"gen_ai.client.token.usage", "gen_ai.client.operation.duration"} <= metric_names


def test_http_export_configured_only_by_environment(monkeypatch):
    with OtlpHttpReceiver() as receiver:
        monkeypatch.setenv("PYFLARE_ENDPOINT", receiver.url + "/v1/traces")  # pasted signal URL works too
        monkeypatch.setenv("PYFLARE_SERVICE_NAME", "env-service")
        monkeypatch.setenv("PYFLARE_PROJECT", "env-project")
        monkeypatch.setenv("PYFLARE_API_KEY", "env-key")
        monkeypatch.setenv("PYFLARE_HEADERS", "x-tenant=acme")
        pyflare.init()
        _run_workload()
        pyflare.shutdown()

    for resource in _assert_workload_arrived(receiver.inbox):
        assert resource["service.name"] == "env-service"
        assert resource["pyflare.project"] == "env-project"
    headers = receiver.inbox.on("/v1/traces")[0].headers
    assert (headers["x-api-key"], headers["x-tenant"]) == ("env-key", "acme")


def test_disabled_sends_nothing_to_the_server():
    with OtlpHttpReceiver() as receiver:
        pyflare.init("quiet", endpoint=receiver.url, enabled=False)
        with pytest.raises(RuntimeError):
            handle_request("x")
        pyflare.flush()
        pyflare.shutdown()
        # Control: the same server does receive when enabled, so silence above means something.
        pyflare.init("loud", endpoint=receiver.url, batch=False, set_global=False)
        with pytest.raises(RuntimeError):
            lookup("y")
        pyflare.shutdown()
    services = {attributes(r.attributes)["service.name"] for r, _ in receiver.inbox.spans()}
    assert services == {"loud"}


def test_spans_are_flushed_at_interpreter_exit():
    with OtlpHttpReceiver() as receiver:
        script = textwrap.dedent(
            f"""
            import pyflare
            pyflare.init("exiting", endpoint={receiver.url!r}, project="p", batch=True)
            with pyflare.span("last-words"):
                pass
            # no flush, no shutdown: the exit hook must export the batched span
            """
        )
        subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
    names = [span.name for _, span in receiver.inbox.spans()]
    assert names == ["last-words"]


def test_grpc_export_delivers_spans_and_metadata():
    with OtlpGrpcReceiver() as receiver:
        pyflare.init(
            "checkout-grpc", endpoint=receiver.url, use_http=False, project="shop", api_key="grpc-key"
        )
        _run_workload()
        assert pyflare.flush(10_000) is True
        pyflare.shutdown()

    for resource in _assert_workload_arrived(receiver.inbox):
        assert resource["service.name"] == "checkout-grpc"
        assert resource["pyflare.project"] == "shop"
    assert all(r.headers["x-api-key"] == "grpc-key" for r in receiver.inbox.on("/v1/traces"))
