"""`GET /traces/{id}/outline`, `/span-details` and `/search` on the real ClickHouse engine (chdb).

One random 3,000-span trace (duplicate deliveries with changed values, a span whose parent is
missing, errors, LLM spans), the same trace id in another project with look-alike spans; every
expectation is computed here from the inserted rows.
"""

from __future__ import annotations

import random
import time
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from clickhouse_connect.driver.client import Client
from rest_framework.test import APIClient

from tests.costs.factory import cost_row, insert_costs
from tests.storage.spans import span_row, span_table
from tests.webapp.conftest import World
from tests.webapp.telemetry import client_for

TRACE = "5b8aa5a2d2c872e8321cf37308d69df2"
SPANS = 3000
NOW_NS = time.time_ns()


def _make(rng: random.Random, project: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    start = NOW_NS - 3_600_000_000_000
    for i in range(SPANS):
        span_id = f"{rng.getrandbits(64):016x}"
        parent = "" if i == 0 else ("feedfacefeedface" if i == 7 else rng.choice(rows[-50:])["span_id"])
        begin = start + rng.randrange(0, 60_000_000_000)
        llm = rng.random() < 0.3
        row = dict(
            project=project, trace_id=TRACE, span_id=span_id, parent_span_id=parent,
            name=rng.choice(["retrieve", "rerank", "chat", "tool:search", "Plan Step"]),
            service_name=rng.choice(["api", "rag", "agent"]), start_time=begin,
            end_time=begin + rng.randrange(1_000, 5_000_000_000),
            status_code="error" if rng.random() < 0.05 else "ok",
            attributes=[("region", rng.choice(["eu", "us"])), ("customer", f"c{rng.randrange(40)}")],
        )  # fmt: skip
        if llm:
            row |= dict(
                model_id=rng.choice(["gpt-4o", "claude-3-5-sonnet"]), input_tokens=rng.randrange(1, 900),
                output_tokens=rng.randrange(1, 300), total_tokens=rng.choice([None, rng.randrange(1, 2000)]),
                cost_usd=rng.choice([None, Decimal(rng.randrange(1, 90_000_000)) / 10**9]),
                input_preview=rng.choice(["hello", "Quokka facts"]),
            )  # fmt: skip
        rows.append(row)
    return rows


RNG = random.Random(7)
OWN = _make(RNG, "own")
OTHER = _make(RNG, "other")
# redeliveries of 40 spans with another name: the latest delivery wins
REDELIVERED = [dict(r, name="redelivered") for r in RNG.sample(OWN, 40)]
# one provider call traced twice (two priced spans, one response id): the later span is the duplicate
_REDELIVERED_IDS = {r["span_id"] for r in REDELIVERED}
_FIRST, _SECOND = sorted(RNG.sample([r for r in OWN if r["span_id"] not in _REDELIVERED_IDS and "model_id" in r], 2),
                         key=lambda r: (r["start_time"], r["span_id"]))  # fmt: skip
for _twin in (_FIRST, _SECOND):
    # spans.response_id defaults to the attribute gen_ai.response.id
    _twin.update(attributes=[*_twin["attributes"], ("gen_ai.response.id", "chatcmpl-twice")],
                 cost_usd=Decimal("0.000123456789"))  # fmt: skip
LATEST = {r["span_id"]: r for r in OWN + REDELIVERED}
EXPECTED = sorted(LATEST.values(), key=lambda r: (r["start_time"], r["span_id"]))


@pytest.fixture(scope="module")
def stored(module_storage: Client) -> Client:
    module_storage.insert_arrow("spans", span_table([span_row(**r) for r in OWN + OTHER]))
    module_storage.insert_arrow("spans", span_table([span_row(**r) for r in REDELIVERED]))
    # ingest prices each span into `costs` too; that is where a call's first span is looked up
    insert_costs(module_storage, [
        cost_row("own", twin["start_time"], 123, trace_id=TRACE, span_id=twin["span_id"], response_id="chatcmpl-twice")
        for twin in (_FIRST, _SECOND)
    ])  # fmt: skip
    return module_storage


@pytest.fixture
def api(world: World, telemetry_store: Client, stored: Client) -> APIClient:
    return client_for(world, "viewer")


def _rows(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The outline's columns back as one dict per span, names and parents resolved."""
    cols = body["spans"]
    ids = cols["span_id"]
    out = []
    for i, span_id in enumerate(ids):
        out.append(
            {
                "span_id": span_id,
                "parent": ids[cols["parent"][i]] if cols["parent"][i] >= 0 else "",
                "name": body["names"][cols["name"][i]],
                "service_name": body["services"][cols["service"][i]],
                "model_id": body["models"][cols["model"][i]],
                "start_time": body["base_unix_nano"] + cols["start"][i],
                "end_time": body["base_unix_nano"] + cols["start"][i] + cols["duration"][i],
                "error": cols["error"][i] == 1,
                "total_tokens": cols["total_tokens"][i],
                "cost_usd": cols["cost_usd"][i],
                "duplicate": cols["duplicate"][i] == 1,
            }
        )
    return out


def _micros(usd: Decimal | None) -> int | None:
    return None if usd is None else int((usd * 10**6).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _expected(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    present = {r["span_id"] for r in rows}
    return [
        {
            "span_id": r["span_id"],
            "parent": r["parent_span_id"] if r["parent_span_id"] in present else "",
            "name": r["name"],
            "service_name": r["service_name"],
            "model_id": r.get("model_id", ""),
            "start_time": r["start_time"],
            "end_time": r["end_time"],
            "error": r["status_code"] == "error",
            "total_tokens": r.get("total_tokens"),
            "cost_usd": None if r.get("cost_usd") is None else float(r["cost_usd"]),
            "duplicate": r is _SECOND,
        }
        for r in rows
    ]


def test_the_outline_has_every_distinct_span_once_with_the_latest_delivery(api: APIClient) -> None:
    response = api.get(f"/api/v1/traces/{TRACE}/outline")
    assert response.status_code == 200, response.content[:300]
    body = response.json()
    assert (body["span_count"], body["returned"], body["truncated"]) == (SPANS, SPANS, False)
    assert _rows(body) == _expected(EXPECTED)
    assert body["trace"]["span_count"] == SPANS
    assert body["trace"]["error_count"] == sum(r["status_code"] == "error" for r in EXPECTED)
    priced = [r["cost_usd"] for r in EXPECTED if r.get("cost_usd") is not None and r is not _SECOND]
    assert Decimal(body["trace"]["cost_usd_exact"]) == sum(priced)
    assert body["trace"]["cost_micros"] == _micros(sum(priced))
    assert len(body["names"]) == 6  # dictionary-encoded: five names and "redelivered"


def test_a_capped_outline_is_the_earliest_spans_and_says_it_is_truncated(api: APIClient) -> None:
    body = api.get(f"/api/v1/traces/{TRACE}/outline", {"limit": 500}).json()
    assert (body["span_count"], body["returned"], body["truncated"]) == (SPANS, 500, True)
    assert _rows(body) == _expected(EXPECTED[:500])
    assert body["trace"]["span_count"] == SPANS  # the summary still covers every span


def test_span_details_return_full_spans_of_this_project_only(api: APIClient) -> None:
    wanted = [r["span_id"] for r in RNG.sample(EXPECTED, 30)] + [OTHER[0]["span_id"], "0123456789abcdef"]
    response = api.get(f"/api/v1/traces/{TRACE}/span-details", {"span_id": wanted})
    assert response.status_code == 200, response.content[:300]
    spans = response.json()["spans"]
    expected = sorted((LATEST[i] for i in wanted[:30]), key=lambda r: (r["start_time"], r["span_id"]))
    assert [(s["span_id"], s["name"], s["attributes"]["region"]) for s in spans] == [
        (r["span_id"], r["name"], dict(r["attributes"])["region"]) for r in expected
    ]


def test_search_finds_spans_by_id_name_attribute_or_preview_case_insensitively(api: APIClient) -> None:
    for text, matches in (
        ("plan step", lambda r: r["name"] == "Plan Step"),
        ("C17", lambda r: dict(r["attributes"])["customer"].startswith("c17")),
        ("quokka", lambda r: r.get("input_preview") == "Quokka facts"),
    ):
        hits = [r["span_id"] for r in EXPECTED if matches(r) or text.lower() in r["span_id"]]
        body = api.get(f"/api/v1/traces/{TRACE}/search", {"q": text, "limit": 50}).json()
        assert body["match_count"] == len(hits), text
        assert body["span_ids"] == hits[:50], text


def test_another_projects_trace_reads_as_missing(world: World, telemetry_store: Client, stored: Client) -> None:
    client = client_for(world, "viewer", side="other")
    body = client.get(f"/api/v1/traces/{TRACE}/outline").json()
    assert {r["span_id"] for r in _rows(body)} == {r["span_id"] for r in OTHER}
    assert client.get("/api/v1/traces/00000000000000000000000000000001/outline").status_code == 404


@pytest.mark.parametrize(
    ("path", "params", "named"),
    [
        ("outline", {"limit": 0}, "limit"),
        ("outline", {"limit": 10**9}, "limit"),
        ("outline", {"colour": "red"}, "colour"),
        ("span-details", {}, "span_id"),
        ("span-details", {"span_id": "xyz"}, "span_id"),
        ("span-details", {"span_id": ["0123456789abcdef"] * 501}, "span_id"),
        ("search", {}, "q"),
        ("search", {"q": "   "}, "q"),
        ("search", {"q": "x" * 1001}, "q"),
    ],
)
def test_bad_input_is_a_400_naming_the_parameter(api: APIClient, path: str, params: dict[str, Any], named: str) -> None:
    response = api.get(f"/api/v1/traces/{TRACE}/{path}", params)
    assert response.status_code == 400, response.content[:300]
    assert named in response.json()["details"], response.json()


def test_a_malformed_trace_id_is_a_400(api: APIClient) -> None:
    assert api.get("/api/v1/traces/not-a-trace/outline").status_code == 400
