"""Real instrumentation packages against a local provider, into a real `pyflare serve`: every stored
LLM span is compared field by field with what the provider answered (expectations.py), through the
REST API (trace spans and trace detail), and its cost with the published price where today's pricing
covers the case.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

import pytest

from tests.compat.conftest import COVERAGE, Api
from tests.compat.expectations import COST_TOLERANCE_USD, SINGLE_CALL_FAMILIES, expect, provider_cost

pytestmark = pytest.mark.compat

CASES = [(family, case) for family, cases in SINGLE_CALL_FAMILIES.items() for case in cases]


def _run(manifests: dict[str, dict[str, Any]], family: str) -> dict[str, str]:
    run = manifests[family]
    assert "error" not in run, f"the {family} client run failed:\n{run['error']}"
    return run["cases"]


def _llm_spans(spans: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [s for s in spans if s["inference_type"] in ("llm", "embedding")]


def _case_span(spans: list[dict[str, Any]], case: str) -> dict[str, Any]:
    (root,) = [s for s in spans if s["name"] == f"case {case}"]
    assert root["parent_span_id"] == ""
    return root


def check_cost(span: dict[str, Any], case: str, model: str) -> None:
    """The stored cost equals the provider's answer priced from the published table (expectations.PRICES)."""
    expected = provider_cost(case, model)
    assert expected is not None, f"no published price for {model} in expectations.PRICES"
    assert span["cost_usd"] is not None, f"{case}: {model} is unpriced"
    assert abs(Decimal(str(span["cost_usd"])) - expected) <= COST_TOLERANCE_USD, (span["cost_usd"], expected)


@pytest.mark.parametrize(("family", "case"), CASES, ids=[f"{f}:{c}" for f, c in CASES])
def test_stored_span_matches_the_provider(manifests: dict[str, dict[str, Any]], api: Api, family: str,
                                          case: str) -> None:  # fmt: skip
    e = expect(family, case)
    trace_id = _run(manifests, family)[case]
    spans = api.spans(trace_id)
    root = _case_span(spans, case)
    llm = _llm_spans(spans)
    if e is None:
        assert llm == [], f"{family} was not expected to trace {case}"
        return
    assert [s["name"] for s in llm] == [e.span_name]
    (span,) = llm
    COVERAGE.append({"family": family, "case": case, "model": span["model_id"], "cost_usd": span["cost_usd"]})
    assert span["parent_span_id"] == root["span_id"]  # the call is a child of the app's span
    got = {
        "model": span["model_id"], "provider": span["provider"], "inference_type": span["inference_type"],
        "input_tokens": span["input_tokens"], "output_tokens": span["output_tokens"],
        "cache_read": span["cache_read_tokens"] or 0, "cache_write": span["cache_creation_tokens"] or 0,
        "finish": tuple(span["finish_reasons"]),
        "response_id": "gen_ai.response.id" in span["attributes"],
    }  # fmt: skip
    want = {
        "model": e.model, "provider": e.provider, "inference_type": e.inference_type,
        "input_tokens": e.input_tokens, "output_tokens": e.output_tokens, "cache_read": e.cache_read,
        "cache_write": e.cache_write, "finish": e.finish, "response_id": e.response_id,
    }  # fmt: skip
    assert got == want
    for field, part in (("input_preview", e.input_has), ("output_preview", e.output_has)):
        if part:
            assert part in span[field], (field, span[field])
        else:
            assert span[field] == "", (field, span[field])
    if e.cost_checked:
        check_cost(span, case, e.model)
    detail = api.get(f"traces/{trace_id}")  # the detail view shows the same span under its parent
    (child,) = detail["spans"][0]["children"]
    assert (child["span_id"], child["input_preview"], child["output_preview"]) == (
        span["span_id"], span["input_preview"], span["output_preview"])  # fmt: skip


def test_content_logged_outside_the_llm_span_joins_the_span_it_names(manifests: dict[str, dict[str, Any]],
                                                                     api: Api) -> None:  # fmt: skip
    """OpenLLMetry's events mode logs an Anthropic call's messages while the app's span is current,
    so PyFlare shows them there: the join follows the span id each record carries."""
    spans = api.spans(_run(manifests, "openllmetry-anthropic-events")["messages"])
    root = _case_span(spans, "messages")
    assert root["input_preview"] == "system: Be brief.\nuser: [case:messages] What is the capital of France?"
    assert (root["output_preview"], root["finish_reasons"]) == ("assistant: Hello from Claude.", ["stop"])


def test_langchain_chain_hierarchy_and_llm_span(manifests: dict[str, dict[str, Any]], api: Api) -> None:
    spans = api.spans(_run(manifests, "openinference-langchain")["chain"])
    root = _case_span(spans, "chain")
    by_name = {s["name"]: s for s in spans}
    assert set(by_name) == {"case chain", "RunnableSequence", "ChatPromptTemplate", "ChatOpenAI", "StrOutputParser"}
    sequence = by_name["RunnableSequence"]
    assert sequence["parent_span_id"] == root["span_id"]
    for step in ("ChatPromptTemplate", "ChatOpenAI", "StrOutputParser"):
        assert by_name[step]["parent_span_id"] == sequence["span_id"]
    (llm,) = _llm_spans(spans)
    assert llm["name"] == "ChatOpenAI"
    assert (llm["model_id"], llm["provider"], llm["input_tokens"], llm["output_tokens"]) == (
        "gpt-4o-mini-2024-07-18", "openai", 44, 9)  # fmt: skip
    assert llm["input_preview"] == "system: Be brief.\nuser: [case:chain] What is the capital of France?"
    assert (llm["output_preview"], llm["finish_reasons"]) == ("assistant: A chain answer.", ["stop"])
    assert sequence["inference_type"] == "" and sequence["cost_usd"] is None  # chains are not LLM calls
    check_cost(llm, "chain", llm["model_id"])
    COVERAGE.append({"family": "openinference-langchain", "case": "chain", "model": llm["model_id"],
                     "cost_usd": llm["cost_usd"]})  # fmt: skip


def _response_id_in_output(span: dict[str, Any]) -> str:
    found = re.search(r'"id":\s*"(chatcmpl-[0-9a-f]+)"', span["attributes"].get("output.value", ""))
    assert found, span["name"]
    return found.group(1)


def test_one_anthropic_call_traced_twice(manifests: dict[str, dict[str, Any]], api: Api) -> None:
    """The SDK's own span and OpenLLMetry's for the same call: same response id, same usage.
    (Which of the two is priced is the cost engine's business; here the data it needs is checked.)"""
    spans = _llm_spans(api.spans(_run(manifests, "anthropic-double")["messages-cache"]))
    assert sorted(s["name"] for s in spans) == ["anthropic.chat", "anthropic.messages.create"]
    ids = {s["attributes"]["gen_ai.response.id"] for s in spans}
    assert len(ids) == 1 and next(iter(ids)).startswith("msg_")
    usage = {(s["input_tokens"], s["output_tokens"], s["cache_read_tokens"], s["cache_creation_tokens"]) for s in spans}
    assert usage == {(2420, 30, 800, 1500)}


def test_one_langchain_call_traced_twice_by_openinference(manifests: dict[str, dict[str, Any]], api: Api) -> None:
    """OpenInference's langchain and openai instrumentors both record the chain's call. Neither puts
    the response id in an attribute; both carry it inside output.value's JSON."""
    spans = _llm_spans(api.spans(_run(manifests, "openinference-double")["chain"]))
    assert sorted(s["name"] for s in spans) == ["ChatCompletion", "ChatOpenAI"]
    assert all("gen_ai.response.id" not in s["attributes"] for s in spans)
    assert len({_response_id_in_output(s) for s in spans}) == 1
    assert {(s["input_tokens"], s["output_tokens"]) for s in spans} == {(44, 9)}


@pytest.mark.parametrize(("family", "records"), [
    ("openai-v2", ["gen_ai.system.message", "gen_ai.user.message", "gen_ai.choice"]),
    ("openai-v2-latest", ["gen_ai.client.inference.operation.details"]),
])  # fmt: skip
def test_openai_v2_content_arrives_as_log_records(manifests: dict[str, dict[str, Any]], api: Api, family: str,
                                                  records: list[str]) -> None:  # fmt: skip
    """openai-v2 puts no content on its spans: the previews shown come from its log records, one per
    message (2.3b0) or one per call (2.4b0 on the latest conventions)."""
    trace_id = _run(manifests, family)["tools"]
    (span,) = _llm_spans(api.spans(trace_id))
    assert not any(k.startswith(("gen_ai.input", "gen_ai.output", "gen_ai.prompt")) for k in span["attributes"])
    assert span["input_preview"] == "system: Be brief.\nuser: [case:tools] What is the capital of France?"
    assert span["output_preview"].replace(" ", "") == 'assistant:get_weather({"city":"Paris"})'
    stored = api.serve.query(f"SELECT event_name FROM logs WHERE trace_id = '{trace_id}' ORDER BY time")
    assert [r["event_name"] for r in stored] == records


def test_every_family_ran(manifests: dict[str, dict[str, Any]]) -> None:
    failed = {f: run["error"][-1500:] for f, run in manifests.items() if "error" in run}
    assert failed == {}, json.dumps(failed, indent=1)
