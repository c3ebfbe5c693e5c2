"""Cost of pricing spans on the ingest path, in microseconds per span (budget: <= 1 us).

The consumer's target is ~50k spans/s, i.e. 20 us per span; cost computation may add at most 5 %
of that. Measures, on batches of 50k spans with a realistic model mix (dated names, Bedrock ids,
Azure deployments, unknown models, non-LLM spans with null token counts):
  - arrow: the batch's Arrow columns dictionary-encoded, then `price_encoded` (what ingest does)
  - lists: Python lists of names and token counts, then `price_batch`
with a warm PriceBook (one per project, kept by the consumer) and, once, a cold one.
Prints medians over the repetitions (process CPU time).

    python loadtests/bench_cost.py [--spans 50000] [--reps 15]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from workers.analysis.cost import PRICED, UNPRICED, BatchCost, PriceBook, price_batch, price_encoded

MIX: list[tuple[float, str, str]] = [  # (weight, provider, model)
    (0.20, "openai", "gpt-4o-mini"), (0.10, "openai", "gpt-4o-mini-2024-07-18"), (0.08, "openai", "gpt-4o"),
    (0.06, "openai", "gpt-4o-2024-08-06"), (0.04, "openai", "o3-mini-2025-01-31"), (0.03, "openai", "gpt-4.1"),
    (0.08, "anthropic", "claude-3-5-sonnet-20241022"), (0.06, "anthropic", "claude-sonnet-4-5-20250929"),
    (0.03, "anthropic", "claude-3-5-haiku-latest"),
    (0.05, "aws.bedrock", "us.anthropic.claude-3-7-sonnet-20250219-v1:0"),
    (0.07, "gcp.gemini", "gemini-2.0-flash"), (0.04, "gcp.vertex_ai", "gemini-2.5-pro"),
    (0.04, "azure.ai.openai", "prod-gpt-4o-mini-eastus"), (0.02, "mistral_ai", "mistral-large-latest"),
    (0.02, "cohere", "command-r-08-2024"), (0.02, "openai", "my-finetune-v3"), (0.06, "", ""),
]  # fmt: skip
U32 = pa.uint32()


def make_batch(n: int, seed: int = 1) -> pa.Table:
    rng = random.Random(seed)
    weights = [w for w, _, _ in MIX]
    picks = rng.choices(MIX, weights, k=n)
    start = np.datetime64("2025-06-01T00:00:00", "ns").astype(np.int64)
    cols: dict[str, list[object]] = {k: [] for k in ("model_id", "provider", "in", "out", "cr", "cw", "rs")}
    for _, provider, model in picks:
        cols["model_id"].append(model)
        cols["provider"].append(provider)
        if not model:  # an HTTP or retrieval span: no token counts at all
            for k in ("in", "out", "cr", "cw", "rs"):
                cols[k].append(None)
            continue
        inp = int(rng.lognormvariate(6.5, 1.2))
        out = int(rng.lognormvariate(5.0, 1.0))
        cols["in"].append(inp)
        cols["out"].append(out)
        cols["cr"].append(rng.randint(0, inp) if rng.random() < 0.3 else 0)
        cols["cw"].append(rng.randint(0, inp // 4) if provider == "anthropic" and rng.random() < 0.1 else 0)
        cols["rs"].append(rng.randint(0, out) if model.startswith("o3") else 0)
    times = start + np.sort(np.array([rng.randint(0, 30 * 86_400) for _ in range(n)], dtype=np.int64)) * 10**9
    return pa.table({
        "model_id": pa.array(cols["model_id"], pa.string()),
        "provider": pa.array(cols["provider"], pa.string()),
        "input_tokens": pa.array(cols["in"], U32), "output_tokens": pa.array(cols["out"], U32),
        "cache_read_tokens": pa.array(cols["cr"], U32), "cache_creation_tokens": pa.array(cols["cw"], U32),
        "reasoning_tokens": pa.array(cols["rs"], U32),
        "start_time": pa.array(times, pa.timestamp("ns", tz="UTC")),
    })  # fmt: skip


def price_arrow(book: PriceBook, table: pa.Table) -> BatchCost:
    """What the ingest writer does with the normalised batch before writing it."""
    joined = pc.binary_join_element_wise(table["model_id"], table["provider"], "\x1f").combine_chunks()
    encoded = joined.dictionary_encode()
    keys = [tuple(k.split("\x1f", 1)) for k in encoded.dictionary.to_pylist()]
    tokens = [
        table[c].combine_chunks().to_numpy(zero_copy_only=False)
        for c in ("input_tokens", "output_tokens", "cache_read_tokens", "cache_creation_tokens", "reasoning_tokens")
    ]
    at_ns = table["start_time"].combine_chunks().cast(pa.int64()).to_numpy()
    return price_encoded(book, encoded.indices.to_numpy(), keys, *tokens, at_ns=at_ns)


def price_lists(book: PriceBook, lists: dict[str, list[object]]) -> BatchCost:
    return price_batch(
        book, lists["model_id"], lists["provider"], lists["input_tokens"], lists["output_tokens"],  # type: ignore[arg-type]
        lists["cache_read_tokens"], lists["cache_creation_tokens"], lists["reasoning_tokens"],
        at_ns=lists["start_time_ns"],
    )  # fmt: skip


def timed(fn: Callable[[], BatchCost], reps: int) -> tuple[list[float], BatchCost]:
    samples, result = [], fn()
    for _ in range(reps):
        t0 = time.process_time()
        result = fn()
        samples.append(time.process_time() - t0)
    return samples, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--spans", type=int, default=50_000)
    parser.add_argument("--reps", type=int, default=15)
    args = parser.parse_args()
    table = make_batch(args.spans)
    lists = {c: table[c].to_pylist() for c in table.column_names if c != "start_time"}
    lists["start_time_ns"] = table["start_time"].cast(pa.int64()).to_pylist()
    n = args.spans
    budget_us = 1e6 / 50_000 * 0.05

    t0 = time.process_time()
    cold = price_arrow(PriceBook(), table)
    cold_us = (time.process_time() - t0) / n * 1e6
    book = PriceBook()
    print(f"{n} spans, {len(set(zip(lists['model_id'], lists['provider'], strict=True)))} distinct (model, provider), "
          f"{cold.count(PRICED)} priced, {cold.count(UNPRICED)} unpriced, "
          f"${int(cold.pico.sum()) / 1e12:,.2f} total")  # fmt: skip
    print(f"budget: {budget_us:.2f} us/span (5 % of 20 us/span at 50k spans/s)")
    print(f"cold book (first batch, resolves every name): {cold_us:.3f} us/span")
    for name, fn in (("arrow", lambda: price_arrow(book, table)), ("lists", lambda: price_lists(book, lists))):
        samples, result = timed(fn, args.reps)
        assert np.array_equal(result.pico, cold.pico)
        med = statistics.median(samples) / n * 1e6
        print(f"{name:6s} median {med:.3f} us/span  best {min(samples) / n * 1e6:.3f}  "
              f"({med / budget_us * 100:.0f} % of budget, {med / 20 * 100:.2f} % of a 20 us span)")  # fmt: skip


if __name__ == "__main__":
    main()
