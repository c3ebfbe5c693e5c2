"""Every LLM example in examples/ runs as a subprocess against the provider stub and a real
`pyflare serve`; the spans it stored are read back through the REST API and compared with what the
stub answered: span names, token counts, and costs equal to the published prices (tests.compat.expectations).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import requests

from examples.provider_stub import CASES, ProviderServer
from tests.compat.expectations import ANTHROPIC_CASES, COST_TOLERANCE_USD, provider_cost
from tests.serve.running import INIT_KEY, REPO_ROOT, ServeProcess, start_serve

EXAMPLES = REPO_ROOT / "examples"
# example -> {trace key: [(LLM span name, stub case, model)] in start order}
EXPECTED: dict[str, dict[str, list[tuple[str, str, str]]]] = {
    "openai_chat": {
        "chat": [("chat gpt-4o-mini", "chat", "gpt-4o-mini")],
        "stream": [("chat gpt-4o-mini", "stream-usage", "gpt-4o-mini")],
    },
    "langchain_agent": {
        "agent": [("chat gpt-4o-mini", "tools", "gpt-4o-mini"), ("chat gpt-4o-mini", "agent-answer", "gpt-4o-mini")]
    },
    "langchain_rag": {"rag": [("chat gpt-4o-mini", "rag", "gpt-4o-mini")]},
    "multi_model_pipeline": {
        "pipeline": [
            ("embeddings text-embedding-3-small", "embeddings", "text-embedding-3-small"),
            ("chat claude-sonnet-4-5", "messages-cache", "claude-sonnet-4-5"),
            ("chat gpt-4o-mini", "summary", "gpt-4o-mini"),
        ]
    },
}


@pytest.fixture(scope="module")
def serve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    process = start_serve(tmp_path_factory.mktemp("examples-serve"), {"PYFLARE_INIT_API_KEY": INIT_KEY})
    try:
        yield process
    finally:
        process.kill()


@pytest.fixture(scope="module")
def stub() -> Iterator[ProviderServer]:
    with ProviderServer() as server:
        yield server


def run_example(name: str, serve: ServeProcess, stub: ProviderServer) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYFLARE_", "OTEL_", "OPENAI_", "ANTHROPIC_"))}
    env.update({"PYFLARE_ENDPOINT": serve.otlp_http, "PYFLARE_API_KEY": INIT_KEY, "EXAMPLE_PROVIDER_URL": stub.url})
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / f"{name}.py")], env=env, capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def spans_of(serve: ServeProcess, trace_id: str) -> list[dict[str, Any]]:
    reply = requests.get(
        f"{serve.web}/api/v1/traces/{trace_id}/spans?limit=1000", headers={"X-API-Key": INIT_KEY}, timeout=60
    )
    assert reply.status_code == 200, reply.text[:500]
    return reply.json()["spans"]


def stored_input_tokens(case: str) -> int:
    c = CASES[case]  # Anthropic's uncached input plus cache reads and writes, as the GenAI conventions count it
    return c.input_tokens + c.cache_read + c.cache_write if case in ANTHROPIC_CASES else c.input_tokens


@pytest.mark.parametrize("example", sorted(EXPECTED))
def test_example_spans_and_costs(example: str, serve: ServeProcess, stub: ProviderServer) -> None:
    traces = run_example(example, serve, stub)
    assert set(traces) == set(EXPECTED[example])
    for key, expected in EXPECTED[example].items():
        spans = spans_of(serve, traces[key])
        llm = sorted((s for s in spans if s["inference_type"] in ("llm", "embedding")), key=lambda s: s["start_time"])
        assert [s["name"] for s in llm] == [name for name, _, _ in expected], f"{example}/{key}"
        for span, (_, case, model) in zip(llm, expected, strict=True):
            c = CASES[case]
            assert span["input_tokens"] == stored_input_tokens(case), (case, span)
            assert (span["output_tokens"] or 0) == c.output_tokens, case
            assert (span["cache_read_tokens"] or 0) == c.cache_read, case
            assert (span["cache_creation_tokens"] or 0) == c.cache_write, case
            expected_cost = provider_cost(case, model)
            assert expected_cost is not None and span["cost_usd"] is not None, (case, span["cost_usd"])
            assert abs(Decimal(str(span["cost_usd"])) - expected_cost) <= COST_TOLERANCE_USD, (case, span["cost_usd"])
        if example == "langchain_agent":
            (tool,) = [s for s in spans if s["name"] == "execute_tool get_weather"]
            assert tool["attributes"]["gen_ai.tool.name"] == "get_weather"
        if example == "langchain_rag":
            (retriever,) = [s for s in spans if s["name"] == "retrieve KeywordRetriever"]
            assert "ClickHouse" in retriever["attributes"]["pyflare.retrieval.contexts"]
