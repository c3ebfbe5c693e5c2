"""Per-call overhead of `@pyflare.trace` against the plain function: disabled, sampled out (with and
without keep-errors buffering), and enabled. Spans go through a BatchSpanProcessor to an exporter that
drops them (the processor's thread counts, no network), metrics to an in-memory reader.

Times are CPU time of this process (all threads), and each timed window ends with a flush so the export
work of its calls is inside it; modes are interleaved per repeat. Prints medians and the ratio to the
plain function measured in the same process.

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


def cpu_per_call(
    fn: Callable[[], Any], calls: int, settle: Callable[[], Any] | None = None
) -> tuple[float, float]:
    """(process CPU us per call, calling thread's CPU us per call); `settle` (e.g. a flush) runs inside
    the process window, so background work caused by these calls is counted."""
    process, thread = time.process_time_ns(), time.thread_time_ns()
    for _ in range(calls):
        fn()
    thread = time.thread_time_ns() - thread
    if settle is not None:
        settle()
    process = time.process_time_ns() - process
    return process / calls / 1e3, thread / calls / 1e3


def plain(a: int, b: int) -> int:
    return a + b


traced = pyflare.trace(plain)
traced_no_capture = pyflare.trace(capture_input=False, capture_output=False)(plain)


def start(mode: str) -> None:
    pyflare.shutdown()
    if mode == "disabled":
        pyflare.init("bench", enabled=False)
        return
    pyflare.init(
        "bench",
        sample_rate=1.0 if mode == "enabled" else 0.0,
        keep_errors=mode == "sampled_out_keep_errors",
        set_global=False,
        span_exporter=DroppingExporter(),
        metric_reader=InMemoryMetricReader(),
        log_exporter=InMemoryLogRecordExporter(),
    )


def raw_otel() -> tuple[Callable[..., int], TracerProvider]:
    """The same call wrapped by hand with the bare OTel SDK, for reference."""
    provider = TracerProvider(shutdown_on_exit=False)
    provider.add_span_processor(BatchSpanProcessor(DroppingExporter()))
    tracer = provider.get_tracer("bench")

    def wrapped(a: int, b: int) -> int:
        with tracer.start_as_current_span("plain"):
            return plain(a, b)

    return wrapped, provider


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()

    otel_fn, otel_provider = raw_otel()
    cases = (
        ("plain function", None, plain),
        ("pyflare disabled", "disabled", traced),
        ("sampled out, plain head sampling", "sampled_out", traced),
        ("sampled out, keep errors (buffered)", "sampled_out_keep_errors", traced),
        ("enabled, previews on", "enabled", traced),
        ("enabled, previews off", "enabled", traced_no_capture),
        ("reference: bare OTel SDK span", None, otel_fn),
    )
    samples: dict[str, list[float]] = {label: [] for label, _, _ in cases}
    for _ in range(args.repeats):
        for label, mode, fn in cases:
            if mode is not None:
                start(mode)
            settle = otel_provider.force_flush if fn is otel_fn else pyflare.flush
            samples[label].append(cpu_per_call(lambda fn=fn: fn(1, 2), args.calls, settle)[0] * 1e3)
    pyflare.shutdown()
    otel_provider.shutdown()

    base = statistics.median(samples["plain function"])
    print(f"median of {args.repeats} runs x {args.calls:,} calls, CPU ns per call (all threads)")
    print(f"{'mode':<40}{'ns/call':>10}{'overhead ns':>14}{'ratio':>10}")
    for label, _, _ in cases:
        cost = statistics.median(samples[label])
        print(f"{label:<40}{cost:>10,.0f}{cost - base:>14,.0f}{cost / base:>9.1f}x")


if __name__ == "__main__":
    main()
