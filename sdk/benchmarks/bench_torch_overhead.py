"""Cost of tracing a small MLP's forward pass with `pyflare.integrations.torch.wrap`, against the bare
module in the same process: PyFlare disabled, the default (0.5 %) and a 5 % overhead budget, every call
traced, and one call in 10 traced. Spans go to an exporter that drops them and metrics to an
in-memory reader, so only the SDK's work is measured. Times are this process's CPU time (all its
threads, the span processor's included, its spans flushed inside each timed block), so other
processes on a shared machine count less. Each variant runs in its own session, block by block against
the bare module (random order per pair), so drift in the machine's load hits both alike; "bare module
against itself" is that comparison with no wrapper: the measurement's noise floor. Prints the median
CPU time per call and the median ratio to the bare module.

Run: python sdk/benchmarks/bench_torch_overhead.py [--calls 1000] [--repeats 41] [--batch 32]
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import time
from collections.abc import Callable, Sequence
from typing import Any

import torch
from opentelemetry.sdk._logs.export import InMemoryLogRecordExporter
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult
from torch import nn

import pyflare
from pyflare.integrations.torch import wrap


class DroppingExporter(SpanExporter):
    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return SpanExportResult.SUCCESS


def small_mlp() -> nn.Module:
    torch.manual_seed(0)
    layers = [nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10)]
    return nn.Sequential(*layers).eval()


def per_call_us(fn: Callable[[Any], Any], x: Any, calls: int, flush: bool = False) -> float:
    """CPU time per call; with `flush`, the export work these calls caused is done inside the window."""
    with torch.inference_mode():
        start = time.process_time_ns()
        for _ in range(calls):
            fn(x)
        if flush:  # spans only: metrics are collected once a minute in production, not per block
            client = pyflare.get_client()
            if client is not None and client.tracer_provider is not None:
                client.tracer_provider.force_flush()
        return (time.process_time_ns() - start) / calls / 1e3


def enable(enabled: bool) -> None:
    pyflare.shutdown()
    if not enabled:
        pyflare.init("bench", enabled=False)
        return
    pyflare.init(
        "bench",
        set_global=False,
        span_exporter=DroppingExporter(),
        metric_reader=InMemoryMetricReader(),
        log_exporter=InMemoryLogRecordExporter(),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=41)
    parser.add_argument("--batch", type=int, default=32)
    args = parser.parse_args()
    torch.set_num_threads(1)  # the machine is shared; one thread keeps the figures steady

    model = small_mlp()
    x = torch.randn(args.batch, 64)
    variants: dict[str, tuple[bool, Callable[[Any], Any]]] = {
        "bare module against itself (noise floor)": (False, model),
        "wrapped, PyFlare disabled": (False, wrap(model, model_id="mlp")),
        "wrapped, default budget": (True, wrap(model, model_id="mlp")),
        "wrapped, 5 % budget": (True, wrap(model, model_id="mlp", overhead_budget=0.05)),
        "wrapped, every call traced": (True, wrap(model, model_id="mlp", overhead_budget=None)),
        "wrapped, 1 call in 10 traced": (
            True,
            wrap(model, model_id="mlp", overhead_budget=None, sample_every=10),
        ),
    }
    samples: dict[str, list[float]] = {name: [] for name in variants}
    ratios: dict[str, list[float]] = {name: [] for name in variants}
    order = random.Random(0)
    for name, (enabled, fn) in variants.items():
        # Each variant in its own session, paired block by block with the bare module (in a random
        # order per pair), so no variant pays for the garbage or the threads another one left.
        enable(enabled)
        gc.collect()
        per_call_us(fn, x, 50, flush=enabled)
        for _ in range(args.repeats):
            pair = [(model, False), (fn, enabled)]
            order.shuffle(pair)
            timed = {id(f): per_call_us(f, x, args.calls, flush=flush) for f, flush in pair}
            if fn is model:  # the bare module against itself: what the measurement's noise alone gives
                bare, per_call = (per_call_us(model, x, args.calls) for _ in range(2))
            else:
                bare, per_call = timed[id(model)], timed[id(fn)]
            samples[name].append(per_call)
            ratios[name].append(per_call / bare)
    pyflare.shutdown()

    runs = f"median of {args.repeats} runs x {args.calls} calls"
    print(f"MLP 64-128-64-10, batch {args.batch}, 1 thread; {runs}")
    for name in variants:
        median = statistics.median(samples[name])
        overhead = (statistics.median(ratios[name]) - 1) * 100
        print(f"  {name:42s} {median:8.2f} us CPU/call   overhead vs bare {overhead:+6.2f} %")


if __name__ == "__main__":
    main()
