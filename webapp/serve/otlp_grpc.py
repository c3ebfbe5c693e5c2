"""The OTLP/gRPC receiver: TraceService, MetricsService and LogsService `Export`.

Requests arrive as raw bytes and are decoded here, so a payload that is not a valid request is
an INVALID_ARGUMENT naming the problem (gRPC's own deserializer would answer INTERNAL).
Throttling answers RESOURCE_EXHAUSTED and shutdown UNAVAILABLE, both with a RetryInfo (in the
standard `grpc-status-details-bin` Status and in `google.rpc.retryinfo-bin`, which the OpenTelemetry
Python exporter reads); other refusals are permanent codes without RetryInfo, as the OTLP spec asks.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

import grpc
from google.protobuf import any_pb2, duration_pb2
from google.protobuf.message import Message
from google.rpc import code_pb2, error_details_pb2, status_pb2

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
# The OTLP service of each signal (opentelemetry/proto/collector/*/v1/*_service.proto).
_SERVICES = {
    "traces": "opentelemetry.proto.collector.trace.v1.TraceService",
    "metrics": "opentelemetry.proto.collector.metrics.v1.MetricsService",
    "logs": "opentelemetry.proto.collector.logs.v1.LogsService",
}


class _RpcStatus(NamedTuple("_RpcStatus", [("code", grpc.StatusCode), ("details", str),
                                           ("trailing_metadata", tuple[tuple[str, bytes], ...])]),
                 grpc.Status):  # type: ignore[misc]
    """What `abort_with_status` takes: a code, a message and the trailing metadata."""


# A refusal may quote what the client sent. gRPC clients refuse response metadata over 8 KiB (grpcio's
# soft limit) and would report that instead of our answer; grpc-message is percent-encoded (up to 3
# bytes a byte) and repeated inside grpc-status-details-bin, so the message is capped in UTF-8 bytes.
_MAX_MESSAGE_BYTES = 1024


def _bounded(message: str) -> str:
    encoded = message.encode("utf-8")
    if len(encoded) <= _MAX_MESSAGE_BYTES:
        return message
    return encoded[: _MAX_MESSAGE_BYTES - 3].decode("utf-8", errors="ignore") + "..."


def _status_for(refusal: Refusal) -> _RpcStatus:
    code, rpc_code = _CODES[refusal.kind]
    message = _bounded(refusal.message)
    status = status_pb2.Status(code=rpc_code, message=message)
    metadata: list[tuple[str, bytes]] = []
    if refusal.retry_after is not None:
        retry = error_details_pb2.RetryInfo(retry_delay=duration_pb2.Duration(seconds=refusal.retry_after))
        detail = any_pb2.Any()
        detail.Pack(retry)
        status.details.append(detail)
        metadata.append(("google.rpc.retryinfo-bin", retry.SerializeToString()))
    metadata.append(("grpc-status-details-bin", status.SerializeToString()))
    return _RpcStatus(code, message, tuple(metadata))


class SignalExportService:
    """The `Export` of one signal's OTLP service."""

    def __init__(self, signal: OtlpSignal, receiver: OtlpReceiver) -> None:
        self.signal = signal
        self.receiver = receiver

    def Export(self, payload: bytes, context: grpc.ServicerContext) -> Message:
        metadata = {k.lower(): v for k, v in context.invocation_metadata() if isinstance(v, str)}
        try:
            key = bearer_or_header_key(metadata.get("x-api-key"), metadata.get("authorization"))
            project = self.receiver.project_for(self.signal, key)
            request = self.receiver.decode(self.signal, payload, "protobuf")
            self.receiver.wait_stored(self.receiver.accept(self.signal, request, project, wire=payload))
        except Refusal as refusal:
            context.abort_with_status(_status_for(refusal))
        return self.signal.response_type()

    def handler(self) -> grpc.GenericRpcHandler:
        export = grpc.unary_unary_rpc_method_handler(
            self.Export, request_deserializer=None, response_serializer=self.signal.response_type.SerializeToString
        )
        return grpc.method_handlers_generic_handler(_SERVICES[self.signal.name], {"Export": export})


def grpc_server(receiver: OtlpReceiver, *, host: str, port: int, workers: int, max_message_bytes: int) -> grpc.Server:
    """A started-ready (not yet started) server with the three services bound to host:port."""
    server = grpc.server(
        ThreadPoolExecutor(max_workers=workers, thread_name_prefix="otlp-grpc"),
        options=[
            ("grpc.max_receive_message_length", max_message_bytes),
            ("grpc.so_reuseport", 0),  # a port already in use is an error, not a shared listener
        ],
    )
    server.add_generic_rpc_handlers([SignalExportService(SIGNALS[name], receiver).handler() for name in _SERVICES])
    address = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    try:
        bound = server.add_insecure_port(address)
    except RuntimeError as exc:
        raise OSError(f"cannot listen for OTLP/gRPC on {address}: {exc}") from None
    if bound == 0:
        raise OSError(f"cannot listen for OTLP/gRPC on {address}")
    return server
