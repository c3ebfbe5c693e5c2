"""Per-call overhead of the OpenAI and Anthropic integrations (content capture off). Prints medians.

Spans go through a BatchSpanProcessor to an exporter that drops them (no network export in the figure;
the processor's thread is), metrics to an in-memory reader. Times are CPU time (time.process_time: all of
this process's threads), so other processes on a shared machine count less than with wall time; each
timed window ends with `pyflare.flush()`, so the export and metric work of its calls is inside it.

Two measurements:
1. the integration's own work alone: the patched `create` around a stub that returns a pre-built answer
   (no HTTP), against that stub called directly: the overhead is the difference, the ratio is against
   the stub. The calling thread's own CPU time is shown too (what the call's caller waits for).
2. against the local provider server (examples/provider_stub.py) with the real clients: the raw client,
   PyFlare disabled, PyFlare enabled, and the ratio to the raw client; rounds interleave the modes.

Run: python sdk/benchmarks/bench_llm_overhead.py [--calls 300] [--rounds 15]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anthropic
import openai
from bench_overhead import DroppingExporter, cpu_per_call
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
    print(
        f"\n2. real clients against the local provider server, CPU time per call of this process (the"
        f" server\n   thread included), median of {rounds} rounds x {calls} calls, modes interleaved"
    )
    print(
        f"{'call':<22}" + "".join(f"{m:>18}" for m in MODES) + f"{'overhead on':>13}{'overhead off':>14}"
        f"{'ratio on':>10}{'ratio off':>10}"
    )
    with ProviderServer() as stub:
        for label, fn in http_calls(stub.url).items():
            samples: dict[str, list[float]] = {m: [] for m in MODES}
            for mode in MODES:  # warm up each path once
                set_mode(mode)
                cpu_per_call(fn, 20)
            for _ in range(rounds):
                for mode in MODES:
                    set_mode(mode)
                    samples[mode].append(cpu_per_call(fn, calls, pyflare.flush)[0])
            med = {m: statistics.median(v) for m, v in samples.items()}
            raw = med["raw client"]
            on, off = med["pyflare enabled"], med["pyflare disabled"]
            print(
                f"{label:<22}"
                + "".join(f"{med[m]:>16,.1f}us" for m in MODES)
                + f"{on - raw:>11,.1f}us{off - raw:>12,.1f}us{on / raw:>9.3f}x{off / raw:>9.3f}x"
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
        f"\n1. PyFlare's own work per call: the patched `create` around a stub that returns a pre-built"
        f" answer\n   (no HTTP). CPU time per call, median of {rounds} rounds x {calls * 10} calls, modes"
        " interleaved.\n   'all threads' includes the span processor's export and the metric queue's"
        " drain for those calls\n   (flushed inside the timed window); 'caller' is the calling thread alone."
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

    def stub(answer: Any) -> Callable[..., Any]:
        return lambda self, **kw: answer

    openai_stub, tools_stub, anthropic_stub = stub(completion), stub(tools), stub(message)
    openai_create = pf_openai._sync("chat")(openai_stub)
    openai_tools = pf_openai._sync("chat")(tools_stub)
    anthropic_create = pf_anthropic.sync_method(pf_anthropic._start, pf_anthropic._handle(False))(
        anthropic_stub
    )
    cases = {
        "openai chat": (
            lambda: openai_stub(resource, **chat_kwargs),
            lambda: openai_create(resource, **chat_kwargs),
        ),
        "openai chat + tool call": (
            lambda: tools_stub(resource, **chat_kwargs),
            lambda: openai_tools(resource, **chat_kwargs),
        ),
        "anthropic messages": (
            lambda: anthropic_stub(messages_resource, **ant_kwargs),
            lambda: anthropic_create(messages_resource, **ant_kwargs),
        ),
    }
    n = calls * 10
    samples: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for _ in range(rounds):
        for mode in ("pyflare disabled", "pyflare enabled"):
            set_mode(mode)
            for label, (plain, wrapped) in cases.items():
                samples.setdefault((label, "plain"), []).append(cpu_per_call(plain, n))
                samples.setdefault((label, mode), []).append(cpu_per_call(wrapped, n, pyflare.flush))
    set_mode("raw client")

    def med(label: str, mode: str, which: int) -> float:
        return statistics.median(sample[which] for sample in samples[(label, mode)])

    print(
        f"{'call':<26}{'stub call':>11}{'disabled':>11}{'enabled':>13}{'enabled':>11}"
        f"{'ratio enabled':>15}{'ratio disabled':>16}"
    )
    print(f"{'':<26}{'':>11}{'overhead':>11}{'all threads':>13}{'caller':>11}{'/ stub':>15}{'/ stub':>16}")
    for label in cases:
        plain = med(label, "plain", 0)
        off = med(label, "pyflare disabled", 0)
        on_all, on_caller = med(label, "pyflare enabled", 0), med(label, "pyflare enabled", 1)
        print(
            f"{label:<26}{plain:>9.2f}us{off - plain:>9.2f}us{on_all - plain:>11.2f}us"
            f"{on_caller - med(label, 'plain', 1):>9.2f}us{on_all / plain:>14.1f}x{off / plain:>15.2f}x"
        )
    reference = bare_span_us(n, rounds)
    print(
        f"{'reference: one bare OTel SDK span with 10 attributes (all threads)':<70}{reference:>9.2f}us"
        "\n   (scales the figures above to this machine's speed and load)"
    )


def bare_span_us(calls: int, rounds: int) -> float:
    provider = TracerProvider(shutdown_on_exit=False)
    provider.add_span_processor(BatchSpanProcessor(DroppingExporter()))
    tracer = provider.get_tracer("bench")
    attributes = {f"attribute.{i}": i for i in range(10)}

    def one() -> None:
        tracer.start_span("span", attributes=attributes).end()

    samples = [cpu_per_call(one, calls, provider.force_flush)[0] for _ in range(rounds)]
    provider.shutdown()
    return statistics.median(samples)


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
