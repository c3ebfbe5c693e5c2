"""Per-call overhead of `@pyflare.trace` against the plain function: disabled, sampled out, and enabled
with an exporter that drops everything (so only the SDK's own work is measured). Prints medians.

Run: python sdk/benchmarks/bench_overhead.py [--calls 20000] [--repeats 15]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable, Sequence
from typing import Any

from opentelemetry.sdk._logs.export import InMemoryLogRecordExporter
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult

import pyflare


class DroppingExporter(SpanExporter):
    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return SpanExportResult.SUCCESS


def plain(a: int, b: int) -> int:
    return a + b


traced = pyflare.trace(plain)
traced_no_capture = pyflare.trace(capture_input=False, capture_output=False)(plain)


def per_call_ns(fn: Callable[..., Any], calls: int, repeats: int) -> float:
    samples = []
    for _ in range(repeats):
        start = time.perf_counter_ns()
        for i in range(calls):
            fn(i, 1)
        samples.append((time.perf_counter_ns() - start) / calls)
    return statistics.median(samples)


def start(mode: str) -> None:
    if mode == "disabled":
        pyflare.init("bench", enabled=False)
        return
    pyflare.init(
        "bench",
        sample_rate=0.0 if mode == "sampled_out" else 1.0,
        set_global=False,
        span_exporter=DroppingExporter(),
        metric_reader=InMemoryMetricReader(),
        log_exporter=InMemoryLogRecordExporter(),
    )


def raw_otel() -> Callable[..., int]:
    """The same call wrapped by hand with the bare OTel SDK, for reference."""
    provider = TracerProvider(shutdown_on_exit=False)
    provider.add_span_processor(BatchSpanProcessor(DroppingExporter()))
    tracer = provider.get_tracer("bench")

    def wrapped(a: int, b: int) -> int:
        with tracer.start_as_current_span("plain"):
            return plain(a, b)

    return wrapped


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()

    base = per_call_ns(plain, args.calls, args.repeats)
    print(f"plain function: {base:,.0f} ns/call (median of {args.repeats} runs x {args.calls:,} calls)")
    print(f"{'mode':<40}{'ns/call':>10}{'overhead ns':>14}")
    cases = (
        ("pyflare disabled", "disabled", traced),
        ("pyflare sampled out (sample_rate=0)", "sampled_out", traced),
        ("pyflare enabled, previews on", "enabled", traced),
        ("pyflare enabled, previews off", "enabled", traced_no_capture),
        ("reference: bare OTel SDK span", None, raw_otel()),
    )
    for label, mode, fn in cases:
        if mode is not None:
            start(mode)
        cost = per_call_ns(fn, args.calls, args.repeats)
        print(f"{label:<40}{cost:>10,.0f}{cost - base:>14,.0f}")
        pyflare.shutdown()


if __name__ == "__main__":
    main()
