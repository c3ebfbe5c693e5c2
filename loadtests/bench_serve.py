"""`pyflare serve` in embedded mode: start → ready time and OTLP/HTTP intake throughput.

Start → ready: median of 5 starts on a fresh (empty) data directory and 5 on a warm one (restart),
as the wall time from launching the process to its "ready" line, and as the process reports it.
Intake: several concurrent senders POST 512-span protobuf requests of realistic GenAI traces (root,
retrieval, LLM call with tokens and messages, tool call; distinct ids in every request) for
`--seconds`; a 200 means stored, and the stored rows are counted through the REST API afterwards.

    python loadtests/bench_serve.py [--seconds 20] [--senders 6] [--starts 5]

Prints figures; asserts nothing. Sender threads run on the same machine (and cores) as the server.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

REPO_ROOT = Path(__file__).resolve().parents[1]
KEY = "pf_bench_serve_key_0123456789abcdefghij"
SPANS_PER_REQUEST = 512
MODELS = [("openai", "gpt-4o-2024-08-06"), ("anthropic", "claude-sonnet-4-5"), ("openai", "gpt-4o-mini")]


_DATA_DIRS: list[Path] = []


def data_dir(kind: str) -> Path:
    path = Path(tempfile.mkdtemp(prefix=f"pyflare-bench-serve-{kind}-"))
    _DATA_DIRS.append(path)
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Serve:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.port, self.http_port, self.grpc_port = free_port(), free_port(), free_port()
        self.lines: list[str] = []

    def start(self) -> tuple[float, float]:
        """(wall seconds to the ready line, seconds the process reports)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYFLARE_")}
        env.update({"PYFLARE_INIT_API_KEY": KEY, "PYFLARE_LOG_LEVEL": "WARNING"})
        started = time.monotonic()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "webapp.cli", "serve", "--data-dir", str(self.data_dir), "--port", str(self.port),
             "--otlp-http-port", str(self.http_port), "--otlp-grpc-port", str(self.grpc_port)],
            cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line)
            if line.startswith("PyFlare ready in "):
                wall = time.monotonic() - started
                threading.Thread(target=self.proc.stdout.read, daemon=True).start()  # keep the pipe drained
                return wall, float(line.split("ready in ")[1].split("s")[0])
        raise RuntimeError(f"serve exited before ready: {''.join(self.lines)}")

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(120)

    def count(self, service: str) -> int:
        import json

        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        body = json.dumps({"sql": f"SELECT count() AS n FROM spans WHERE service_name = '{service}'"})
        conn.request("POST", "/api/v1/query", body, {"Content-Type": "application/json", "X-API-Key": KEY})
        reply = json.loads(conn.getresponse().read())
        return int(reply["rows"][0][0])


def template_request() -> ExportTraceServiceRequest:
    """128 traces x 4 spans from the real SDK: agent root, retrieval, LLM chat, tool call."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider(resource=Resource.create({
        "service.name": "bench-serve", "service.version": "2.3.1", "pyflare.project": "default",
        "deployment.environment.name": "production", "host.name": "worker-3",
    }))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("pyflare.bench", "1.0")
    for i in range(SPANS_PER_REQUEST // 4):
        vendor, model = MODELS[i % len(MODELS)]
        with tracer.start_as_current_span("invoke_agent support", attributes={"gen_ai.operation.name": "invoke_agent",
                                                                               "pyflare.user.id": f"user-{i % 97}"}):
            with tracer.start_as_current_span("retrieve docs", attributes={"db.system": "qdrant", "top_k": 8}):
                pass
            with tracer.start_as_current_span(f"chat {model}") as llm:
                llm.set_attributes({
                    "gen_ai.operation.name": "chat", "gen_ai.provider.name": vendor,
                    "gen_ai.request.model": model, "gen_ai.response.model": model,
                    "gen_ai.request.temperature": 0.2, "gen_ai.request.max_tokens": 1024,
                    "gen_ai.usage.input_tokens": 300 + i, "gen_ai.usage.output_tokens": 40 + i % 200,
                    "gen_ai.response.finish_reasons": ["stop"], "gen_ai.response.id": f"resp-{i:06d}",
                    "gen_ai.input.messages": '[{"role":"user","parts":[{"type":"text","content":"Where is '
                                             f'my order #{i}? It was due yesterday."}}]}}]',
                    "gen_ai.output.messages": '[{"role":"assistant","parts":[{"type":"text","content":"Your '
                                              'order ships today."}],"finish_reason":"stop"}]',
                    "pyflare.feature.id": "order-status",
                })
            with tracer.start_as_current_span("execute_tool lookup_order",
                                              attributes={"gen_ai.operation.name": "execute_tool"}):
                pass
    provider.shutdown()
    return encode_spans(exporter.get_finished_spans())


def fresh_ids(template: ExportTraceServiceRequest, rng: random.Random) -> bytes:
    """The template with new trace and span ids (parents kept consistent): distinct rows per request."""
    request = ExportTraceServiceRequest()
    request.CopyFrom(template)
    trace_map: dict[bytes, bytes] = {}
    span_map: dict[bytes, bytes] = {}
    spans = request.resource_spans[0].scope_spans[0].spans
    for span in spans:
        span_map[span.span_id] = rng.randbytes(8)
    for span in spans:
        span.trace_id = trace_map.setdefault(span.trace_id, rng.randbytes(16))
        span.span_id = span_map[span.span_id]
        if span.parent_span_id:
            span.parent_span_id = span_map[span.parent_span_id]
    return request.SerializeToString()


def measure_starts(starts: int) -> None:
    fresh, warm = [], []
    warm_dir = data_dir("warm")
    for _ in range(starts):
        serve = Serve(data_dir("fresh"))
        fresh.append(serve.start())
        serve.stop()
    first = Serve(warm_dir)  # the first start on warm_dir creates it; not counted
    first.start()
    first.stop()
    for _ in range(starts):
        serve = Serve(warm_dir)
        warm.append(serve.start())
        serve.stop()
    for name, runs in (("fresh data dir", fresh), ("warm data dir", warm)):
        walls = [w for w, _ in runs]
        reported = [r for _, r in runs]
        print(f"start → ready, {name}: median {statistics.median(walls):.2f}s wall "
              f"(process launch to ready line; min {min(walls):.2f}, max {max(walls):.2f}), "
              f"{statistics.median(reported):.2f}s as reported by serve")


def measure_intake(seconds: float, senders: int) -> None:
    template = template_request()
    per_sender = [[fresh_ids(template, random.Random(f"pool-{s}-{i}")) for i in range(8)] for s in range(senders)]
    serve = Serve(data_dir("intake"))
    serve.start()
    ok = [0] * senders
    other: dict[int, int] = {}
    latencies: list[float] = []
    stop_at = time.monotonic() + seconds

    def send(index: int) -> None:
        rng = random.Random(f"sender-{index}")  # a seed space apart from the pools: no repeated ids
        conn = http.client.HTTPConnection("127.0.0.1", serve.http_port, timeout=60)
        pool = per_sender[index]
        n = 0
        while time.monotonic() < stop_at:
            body = pool[n % len(pool)] if n < len(pool) else fresh_ids(template, rng)
            n += 1
            began = time.perf_counter()
            conn.request("POST", "/v1/traces", body, {"Content-Type": "application/x-protobuf", "X-API-Key": KEY})
            reply = conn.getresponse()
            reply.read()
            latencies.append(time.perf_counter() - began)
            if reply.status == 200:
                ok[index] += SPANS_PER_REQUEST
            else:
                other[reply.status] = other.get(reply.status, 0) + 1
        conn.close()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(senders)]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - began
    stored = serve.count("bench-serve")
    serve.stop()
    acknowledged = sum(ok)
    ordered = sorted(latencies)
    print(f"intake: {senders} senders x {SPANS_PER_REQUEST}-span protobuf requests for {elapsed:.1f}s")
    print(f"  acknowledged (200 = stored): {acknowledged:,} spans = {acknowledged / elapsed:,.0f} spans/s; "
          f"stored rows counted afterwards: {stored:,}; other answers: {other or 'none'}")
    print(f"  request latency (until stored): p50 {1000 * ordered[len(ordered) // 2]:.0f} ms, "
          f"p95 {1000 * ordered[int(len(ordered) * 0.95)]:.0f} ms over {len(ordered)} requests")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--senders", type=int, default=6)
    parser.add_argument("--starts", type=int, default=5)
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}")
    try:
        measure_starts(args.starts)
        measure_intake(args.seconds, args.senders)
    finally:
        for path in _DATA_DIRS:
            shutil.rmtree(path, ignore_errors=True)


if __name__ == "__main__":
    main()
