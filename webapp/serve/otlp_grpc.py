"""The OTLP/gRPC receiver: TraceService, MetricsService and LogsService `Export`.

Throttling answers RESOURCE_EXHAUSTED and shutdown UNAVAILABLE, both with a RetryInfo (in the
standard `grpc-status-details-bin` Status and in `google.rpc.retryinfo-bin`, which the OpenTelemetry
Python exporter reads); other refusals are permanent codes without RetryInfo, as the OTLP spec asks.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, NamedTuple

import grpc
from google.protobuf import any_pb2, duration_pb2
from google.protobuf.message import Message
from google.rpc import code_pb2, error_details_pb2, status_pb2
from opentelemetry.proto.collector.logs.v1 import logs_service_pb2_grpc
from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2_grpc
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2_grpc

from webapp.serve.credentials import bearer_or_header_key
from webapp.serve.payloads import SIGNALS, OtlpSignal
from webapp.serve.receiver import OtlpReceiver, Refusal

_CODES: dict[str, tuple[grpc.StatusCode, int]] = {
    "invalid": (grpc.StatusCode.INVALID_ARGUMENT, code_pb2.INVALID_ARGUMENT),
    "unauthenticated": (grpc.StatusCode.UNAUTHENTICATED, code_pb2.UNAUTHENTICATED),
    "forbidden": (grpc.StatusCode.PERMISSION_DENIED, code_pb2.PERMISSION_DENIED),
    "too_large": (grpc.StatusCode.INVALID_ARGUMENT, code_pb2.INVALID_ARGUMENT),
    "unsupported": (grpc.StatusCode.INVALID_ARGUMENT, code_pb2.INVALID_ARGUMENT),
    "throttled": (grpc.StatusCode.RESOURCE_EXHAUSTED, code_pb2.RESOURCE_EXHAUSTED),
    "unavailable": (grpc.StatusCode.UNAVAILABLE, code_pb2.UNAVAILABLE),
}
_REGISTRARS: dict[str, Callable[[Any, grpc.Server], None]] = {
    "traces": trace_service_pb2_grpc.add_TraceServiceServicer_to_server,
    "metrics": metrics_service_pb2_grpc.add_MetricsServiceServicer_to_server,
    "logs": logs_service_pb2_grpc.add_LogsServiceServicer_to_server,
}


class _RpcStatus(NamedTuple("_RpcStatus", [("code", grpc.StatusCode), ("details", str),
                                           ("trailing_metadata", tuple[tuple[str, bytes], ...])]),
                 grpc.Status):  # type: ignore[misc]
    """What `abort_with_status` takes: a code, a message and the trailing metadata."""


def _status_for(refusal: Refusal) -> _RpcStatus:
    code, rpc_code = _CODES[refusal.kind]
    status = status_pb2.Status(code=rpc_code, message=refusal.message)
    metadata: list[tuple[str, bytes]] = []
    if refusal.retry_after is not None:
        retry = error_details_pb2.RetryInfo(retry_delay=duration_pb2.Duration(seconds=refusal.retry_after))
        detail = any_pb2.Any()
        detail.Pack(retry)
        status.details.append(detail)
        metadata.append(("google.rpc.retryinfo-bin", retry.SerializeToString()))
    metadata.append(("grpc-status-details-bin", status.SerializeToString()))
    return _RpcStatus(code, refusal.message, tuple(metadata))


class SignalExportService:
    """The `Export` of one signal's OTLP service."""

    def __init__(self, signal: OtlpSignal, receiver: OtlpReceiver) -> None:
        self.signal = signal
        self.receiver = receiver

    def Export(self, request: Message, context: grpc.ServicerContext) -> Message:
        metadata = {k.lower(): v for k, v in context.invocation_metadata() if isinstance(v, str)}
        try:
            key = bearer_or_header_key(metadata.get("x-api-key"), metadata.get("authorization"))
            project = self.receiver.project_for(self.signal, key)
            self.receiver.wait_stored(self.receiver.accept(self.signal, request, project))
        except Refusal as refusal:
            context.abort_with_status(_status_for(refusal))
        return self.signal.response_type()


def grpc_server(receiver: OtlpReceiver, *, host: str, port: int, workers: int, max_message_bytes: int) -> grpc.Server:
    """A started-ready (not yet started) server with the three services bound to host:port."""
    server = grpc.server(
        ThreadPoolExecutor(max_workers=workers, thread_name_prefix="otlp-grpc"),
        options=[
            ("grpc.max_receive_message_length", max_message_bytes),
            ("grpc.so_reuseport", 0),  # a port already in use is an error, not a shared listener
        ],
    )
    for name, register in _REGISTRARS.items():
        register(SignalExportService(SIGNALS[name], receiver), server)
    address = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    try:
        bound = server.add_insecure_port(address)
    except RuntimeError as exc:
        raise OSError(f"cannot listen for OTLP/gRPC on {address}: {exc}") from None
    if bound == 0:
        raise OSError(f"cannot listen for OTLP/gRPC on {address}")
    return server
