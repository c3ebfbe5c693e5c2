"""Per-call overhead of the OpenAI and Anthropic integrations (content capture off). Prints medians.

Two measurements:
1. against the local provider server (examples/provider_stub.py) with the real clients: the raw client,
   PyFlare disabled, PyFlare enabled; rounds interleave the modes so drift in the HTTP cost hits them alike.
2. the integration's own work alone: the patched `create` around an original that returns a prepared
   answer at once (no HTTP), so the figure is not buried in the request's jitter.

Run: python sdk/benchmarks/bench_llm_overhead.py [--calls 300] [--rounds 15]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anthropic
import openai
from bench_overhead import DroppingExporter
from opentelemetry.sdk._logs.export import InMemoryLogRecordExporter
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

import pyflare
from pyflare.integrations import anthropic as pf_anthropic
from pyflare.integrations import openai as pf_openai

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "examples"))
from provider_stub import ProviderServer

MODES = ("raw client", "pyflare disabled", "pyflare enabled")


def set_mode(mode: str) -> None:
    pyflare.uninstrument()
    pyflare.shutdown()
    if mode == "raw client":
        return
    if mode == "pyflare disabled":
        pyflare.init("bench", enabled=False)
    else:
        pyflare.init(
            "bench",
            set_global=False,
            span_exporter=DroppingExporter(),
            metric_reader=InMemoryMetricReader(),
            log_exporter=InMemoryLogRecordExporter(),
        )
    pyflare.instrument("openai", "anthropic", capture_content=False)


def per_call_us(fn: Callable[[], Any], calls: int) -> float:
    start = time.perf_counter_ns()
    for _ in range(calls):
        fn()
    return (time.perf_counter_ns() - start) / calls / 1000


def http_calls(url: str) -> dict[str, Callable[[], Any]]:
    oai = openai.OpenAI(base_url=f"{url}/v1", api_key="sk-bench", max_retries=0)
    claude = anthropic.Anthropic(base_url=url, api_key="sk-ant-bench", max_retries=0)
    chat = [{"role": "user", "content": "[case:chat] hi"}]
    return {
        "openai chat": lambda: oai.chat.completions.create(model="gpt-4o-mini", messages=chat),
        "openai chat stream": lambda: list(
            oai.chat.completions.create(
                model="gpt-4o-mini",
                messages=[{"role": "user", "content": "[case:stream-usage] hi"}],
                stream=True,
            )
        ),
        "anthropic messages": lambda: claude.messages.create(
            model="claude-sonnet-4-5",
            max_tokens=50,
            messages=[{"role": "user", "content": "[case:messages] hi"}],
        ),
    }


def bench_http(calls: int, rounds: int) -> None:
    print(f"\n1. real clients against the local provider server (median of {rounds} rounds x {calls} calls)")
    print(f"{'call':<22}" + "".join(f"{m:>20}" for m in MODES) + f"{'overhead on':>14}{'overhead off':>14}")
    with ProviderServer() as stub:
        for label, fn in http_calls(stub.url).items():
            samples: dict[str, list[float]] = {m: [] for m in MODES}
            for mode in MODES:  # warm up each path once
                set_mode(mode)
                per_call_us(fn, 20)
            for _ in range(rounds):
                for mode in MODES:
                    set_mode(mode)
                    samples[mode].append(per_call_us(fn, calls))
            med = {m: statistics.median(v) for m, v in samples.items()}
            raw = med["raw client"]
            print(
                f"{label:<22}"
                + "".join(f"{med[m]:>18,.1f}us" for m in MODES)
                + f"{med['pyflare enabled'] - raw:>12,.1f}us{med['pyflare disabled'] - raw:>12,.1f}us"
            )
    set_mode("raw client")


def prepared_answers(url: str) -> tuple[Any, Any]:
    with ProviderServer() as stub:
        oai = openai.OpenAI(base_url=f"{stub.url}/v1", api_key="sk-bench", max_retries=0)
        claude = anthropic.Anthropic(base_url=stub.url, api_key="sk-ant-bench", max_retries=0)
        completion = oai.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "[case:chat] hi"}]
        )
        tools = oai.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "[case:tools] hi"}]
        )
        message = claude.messages.create(
            model="claude-sonnet-4-5",
            max_tokens=50,
            messages=[{"role": "user", "content": "[case:messages-cache] hi"}],
        )
    return completion, tools, message


def bench_wrapper(calls: int, rounds: int) -> None:
    print(
        f"\n2. the integration's own work per call, no HTTP (median of {rounds} rounds x {calls * 10} calls)"
    )
    completion, tools, message = prepared_answers("")
    resource = openai.OpenAI(base_url="http://127.0.0.1:1/v1", api_key="x").chat.completions
    messages_resource = anthropic.Anthropic(base_url="http://127.0.0.1:1", api_key="x").messages
    chat_kwargs = {
        "model": "gpt-4o-mini",
        "messages": [{"role": "user", "content": "hi"}],
        "temperature": 0.1,
    }
    ant_kwargs = {
        "model": "claude-sonnet-4-5",
        "max_tokens": 50,
        "messages": [{"role": "user", "content": "hi"}],
    }
    openai_create = pf_openai._sync("chat")(lambda self, **kw: completion)
    openai_tools = pf_openai._sync("chat")(lambda self, **kw: tools)
    anthropic_create = pf_anthropic.sync_method(pf_anthropic._start, pf_anthropic._handle(False))(
        lambda self, **kw: message
    )
    cases = {
        "openai chat": (lambda: completion, lambda: openai_create(resource, **chat_kwargs)),
        "openai chat + tool call": (lambda: tools, lambda: openai_tools(resource, **chat_kwargs)),
        "anthropic messages": (lambda: message, lambda: anthropic_create(messages_resource, **ant_kwargs)),
    }
    print(f"{'call':<26}{'pyflare disabled':>20}{'pyflare enabled':>20}")
    for label, (plain, wrapped) in cases.items():
        out = {}
        for mode in ("pyflare disabled", "pyflare enabled"):
            set_mode(mode)
            base = statistics.median(per_call_us(plain, calls * 10) for _ in range(rounds))
            out[mode] = statistics.median(per_call_us(wrapped, calls * 10) for _ in range(rounds)) - base
        print(f"{label:<26}{out['pyflare disabled']:>18,.2f}us{out['pyflare enabled']:>18,.2f}us")
    set_mode("raw client")
    reference = bare_span_us(calls * 10, rounds)
    print(
        f"{'reference: one bare OTel SDK span with 10 attributes':<46}{reference:>18,.2f}us"
        "  (scales the figures above to this machine's speed and load)"
    )


def bare_span_us(calls: int, rounds: int) -> float:
    provider = TracerProvider(shutdown_on_exit=False)
    provider.add_span_processor(BatchSpanProcessor(DroppingExporter()))
    tracer = provider.get_tracer("bench")
    attributes = {f"attribute.{i}": i for i in range(10)}

    def one() -> None:
        tracer.start_span("span", attributes=attributes).end()

    return statistics.median(per_call_us(one, calls) for _ in range(rounds))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    print("targets: <= 50 us per call with PyFlare enabled (content capture off), <= 5 us disabled")
    bench_wrapper(args.calls, args.rounds)
    bench_http(args.calls, args.rounds)


if __name__ == "__main__":
    main()
