"""Small real OTLP receivers for the SDK tests: an HTTP/protobuf server (`http.server` in a thread) and
a gRPC server, both decoding requests with opentelemetry-proto."""

from __future__ import annotations

import gzip
import threading
from concurrent import futures
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import grpc
from opentelemetry.proto.collector.logs.v1 import logs_service_pb2, logs_service_pb2_grpc
from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2, metrics_service_pb2_grpc
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc
from opentelemetry.proto.common.v1.common_pb2 import AnyValue

REQUEST_TYPES = {
    "/v1/traces": (trace_service_pb2.ExportTraceServiceRequest, trace_service_pb2.ExportTraceServiceResponse),
    "/v1/metrics": (
        metrics_service_pb2.ExportMetricsServiceRequest,
        metrics_service_pb2.ExportMetricsServiceResponse,
    ),
    "/v1/logs": (logs_service_pb2.ExportLogsServiceRequest, logs_service_pb2.ExportLogsServiceResponse),
}


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    message: Any


@dataclass
class Inbox:
    requests: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, item: Received) -> None:
        with self.lock:
            self.requests.append(item)

    def on(self, path: str) -> list[Received]:
        with self.lock:
            return [r for r in self.requests if r.path == path]

    def spans(self) -> list[tuple[Any, Any]]:
        """(resource, span) for every span received on /v1/traces."""
        return [
            (rs.resource, span)
            for request in self.on("/v1/traces")
            for rs in request.message.resource_spans
            for ss in rs.scope_spans
            for span in ss.spans
        ]


def plain(value: AnyValue) -> Any:
    kind = value.WhichOneof("value")
    if kind == "array_value":
        return tuple(plain(v) for v in value.array_value.values)
    return getattr(value, kind) if kind else None


def attributes(key_values: Any) -> dict[str, Any]:
    return {kv.key: plain(kv.value) for kv in key_values}


class OtlpHttpReceiver:
    def __init__(self) -> None:
        self.inbox = Inbox()
        inbox = self.inbox

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                types = REQUEST_TYPES.get(self.path)
                if types is None:
                    self.send_error(404)
                    return
                request_type, response_type = types
                inbox.add(
                    Received(
                        self.path,
                        {k.lower(): v for k, v in self.headers.items()},
                        request_type.FromString(body),
                    )
                )
                payload = response_type().SerializeToString()
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> OtlpHttpReceiver:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()


class OtlpGrpcReceiver:
    def __init__(self) -> None:
        self.inbox = Inbox()
        inbox = self.inbox

        def metadata(ctx: grpc.ServicerContext) -> dict[str, str]:
            return {k: v for k, v in ctx.invocation_metadata()}

        class Traces(trace_service_pb2_grpc.TraceServiceServicer):
            def Export(self, request, ctx):
                inbox.add(Received("/v1/traces", metadata(ctx), request))
                return trace_service_pb2.ExportTraceServiceResponse()

        class Metrics(metrics_service_pb2_grpc.MetricsServiceServicer):
            def Export(self, request, ctx):
                inbox.add(Received("/v1/metrics", metadata(ctx), request))
                return metrics_service_pb2.ExportMetricsServiceResponse()

        class Logs(logs_service_pb2_grpc.LogsServiceServicer):
            def Export(self, request, ctx):
                inbox.add(Received("/v1/logs", metadata(ctx), request))
                return logs_service_pb2.ExportLogsServiceResponse()

        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
        trace_service_pb2_grpc.add_TraceServiceServicer_to_server(Traces(), self._server)
        metrics_service_pb2_grpc.add_MetricsServiceServicer_to_server(Metrics(), self._server)
        logs_service_pb2_grpc.add_LogsServiceServicer_to_server(Logs(), self._server)
        port = self._server.add_insecure_port("127.0.0.1:0")
        self.url = f"http://127.0.0.1:{port}"

    def __enter__(self) -> OtlpGrpcReceiver:
        self._server.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.stop(grace=None)
