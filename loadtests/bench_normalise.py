"""Throughput of OTLP span decoding and normalisation on one core.

Payloads are made by the real OpenTelemetry SDK and encoded by its OTLP encoder, 512 spans per
export request as the collector batches them. Each repetition fills one batch from
`--batch-requests` requests and times protobuf parse, normalise and to_arrow separately, then the
whole path (add_otlp + to_arrow + clear) together. Prints medians (and best) per span and spans/s.
Times are the process's CPU time by default (`--clock wall` for wall time), so that other work on a
shared machine does not count against the figures.

    python loadtests/bench_normalise.py [--workload genai|content|http|all] [--reps 7]
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import Tracer, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from workers.telemetry.options import NormaliseOptions
from workers.telemetry.traces import TraceBatch

MODELS = [("openai", "gpt-4o-mini"), ("openai", "gpt-4o"), ("anthropic", "claude-3-5-sonnet"),
          ("aws.bedrock", "amazon.nova-pro"), ("gcp.gemini", "gemini-2.0-flash")]
QUESTIONS = ["What is the capital of France?", "Summarise this support ticket for the on-call engineer.",
             "Translate 'good morning' into German.", "Write a haiku about observability."]


def genai_span(tracer: Tracer, rnd: random.Random, i: int, content: bool) -> None:
    """A chat call as an OTel GenAI instrumentation records it: ~12 attributes and one event."""
    provider, model = rnd.choice(MODELS)
    attributes: dict[str, Any] = {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": provider,
        "gen_ai.request.model": model,
        "gen_ai.response.model": model + "-2024-08-06",
        "gen_ai.response.id": f"chatcmpl-{rnd.getrandbits(64):x}",
        "gen_ai.usage.input_tokens": rnd.randint(20, 3000),
        "gen_ai.usage.output_tokens": rnd.randint(1, 800),
        "gen_ai.response.finish_reasons": [rnd.choice(["stop", "stop", "stop", "length", "tool_calls"])],
        "gen_ai.request.temperature": rnd.choice([0.0, 0.2, 0.7]),
        "gen_ai.request.max_tokens": 1024,
        "server.address": "api.example.com",
        "server.port": 443,
    }
    if content:
        question = rnd.choice(QUESTIONS)
        attributes["gen_ai.input.messages"] = json.dumps(
            [{"role": "user", "parts": [{"type": "text", "content": f"{question} (#{i})"}]}])
        attributes["gen_ai.output.messages"] = json.dumps([{"role": "assistant", "parts": [
            {"type": "text", "content": "Here is the answer. " * rnd.randint(1, 20)}], "finish_reason": "stop"}])
    with tracer.start_as_current_span(f"chat {model}", kind=SpanKind.CLIENT, attributes=attributes) as span:
        span.add_event("gen_ai.client.operation.exception" if i % 50 == 0 else "gen_ai.first_token",
                       {"gen_ai.response.id": attributes["gen_ai.response.id"]})


def http_span(tracer: Tracer, rnd: random.Random, i: int, content: bool) -> None:
    """A plain HTTP server span: no GenAI data, the attributes only go to the map."""
    with tracer.start_as_current_span("GET /api/orders/{id}", kind=SpanKind.SERVER, attributes={
        "http.request.method": "GET", "http.route": "/api/orders/{id}", "url.path": f"/api/orders/{i}",
        "http.response.status_code": rnd.choice([200, 200, 200, 404, 500]), "server.address": "shop.local",
        "server.port": 8080, "network.protocol.version": "1.1", "user_agent.original": "curl/8.5",
        "client.address": f"10.0.{rnd.randint(0, 255)}.{rnd.randint(0, 255)}",
    }):
        pass


WORKLOADS: dict[str, tuple[Callable[[Tracer, random.Random, int, bool], None], bool]] = {
    "genai": (genai_span, False),
    "content": (genai_span, True),
    "http": (http_span, False),
}


def make_payloads(workload: str, requests: int, spans_per_request: int) -> list[bytes]:
    make, content = WORKLOADS[workload]
    rnd = random.Random(7)
    payloads = []
    for r in range(requests):
        exporter = InMemorySpanExporter()
        provider = TracerProvider(resource=Resource.create({
            "service.name": "chat-api", "pyflare.project": "demo", "deployment.environment.name": "prod"}))
        provider.add_span_processor(SimpleSpanProcessor(exporter))
        tracer = provider.get_tracer("opentelemetry.instrumentation.openai_v2", "2.1b0")
        for i in range(spans_per_request):
            make(tracer, rnd, r * spans_per_request + i, content)
        provider.shutdown()
        payloads.append(encode_spans(exporter.get_finished_spans()).SerializeToString())
    return payloads


def run(workload: str, args: argparse.Namespace) -> None:
    clock = time.process_time if args.clock == "cpu" else time.perf_counter
    payloads = make_payloads(workload, args.distinct, args.spans_per_request)
    batch_payloads = [payloads[i % len(payloads)] for i in range(args.batch_requests)]
    n = args.batch_requests * args.spans_per_request
    options = NormaliseOptions()
    timings: dict[str, list[float]] = {"parse": [], "normalise": [], "to_arrow": [], "end_to_end": []}
    gc.collect()
    for _ in range(args.reps):
        t0 = clock()
        requests = []
        for p in batch_payloads:
            request = ExportTraceServiceRequest()
            request.ParseFromString(p)
            requests.append(request)
        t1 = clock()
        batch = TraceBatch(options)
        for request in requests:
            batch.add_request(request)
        t2 = clock()
        table = batch.to_arrow()
        t3 = clock()
        assert table.num_rows == n
        del table, batch, requests
        # the whole path as the consumer runs it, freeing included
        t4 = clock()
        batch = TraceBatch(options)
        for p in batch_payloads:
            batch.add_otlp(p)
        table = batch.to_arrow()
        batch.clear()
        del table
        t5 = clock()
        for name, seconds in zip(timings, (t1 - t0, t2 - t1, t3 - t2, t5 - t4), strict=True):
            timings[name].append(seconds / n)
    size = sum(len(p) for p in batch_payloads) / n
    print(f"\n{workload}: {n} spans per batch ({args.batch_requests} requests x {args.spans_per_request}), "
          f"{size:.0f} bytes/span, {args.reps} repetitions, {args.clock} time")
    for name, per_span in timings.items():
        median, best = statistics.median(per_span), min(per_span)
        print(f"  {name:11s} median {median * 1e6:6.2f} us/span  {1 / median:>9,.0f} spans/s"
              f"   (best {best * 1e6:5.2f} us, {1 / best:,.0f}/s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workload", choices=[*WORKLOADS, "all"], default="all")
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--spans-per-request", type=int, default=512)
    parser.add_argument("--batch-requests", type=int, default=16, help="requests per batch (one to_arrow)")
    parser.add_argument("--clock", choices=["cpu", "wall"], default="cpu")
    parser.add_argument("--distinct", type=int, default=4, help="distinct payloads generated by the SDK")
    args = parser.parse_args()
    for workload in WORKLOADS if args.workload == "all" else [args.workload]:
        run(workload, args)


if __name__ == "__main__":
    main()
