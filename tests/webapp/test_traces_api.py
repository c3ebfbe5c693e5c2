"""`GET /traces`, `/traces/{id}` and `/traces/{id}/spans` on the real ClickHouse engine (chdb).

Traces are generated at random (hour-crossing and hours-long traces, missing roots, duplicate
deliveries, a second project with look-alike data); every expectation is computed here in Python
from the inserted rows: summaries, filter results, sort orders, pages, span trees.
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from clickhouse_connect.driver.client import Client
from rest_framework.test import APIClient

from tests.storage.spans import span_row, span_table
from tests.webapp.conftest import World
from tests.webapp.telemetry import HOUR_NS, client_for, walk
from webapp.traces.api.serializers import (
    SpanNodeSerializer,
    SpanSerializer,
    TraceDetailSerializer,
    TraceSummarySerializer,
)
from webapp.traces.shapes import span_tree

NOW_NS = time.time_ns()
BASE_NS = NOW_NS - NOW_NS % HOUR_NS - 9 * HOUR_NS  # traces start over the last ~9 hours
SERVICES = ["chat-api", "rag-worker", "scorer"]
MODELS = ["gpt-4o", "claude-3-5-sonnet", "llama-3-70b"]
PHRASES = ["Refund policy for orders", "crème brûlée recipe", "Reset my PASSWORD", "weather in Oslo", "refund"]


def _hex(rng: random.Random, digits: int) -> str:
    return f"{rng.getrandbits(4 * digits):0{digits}x}"


def make_trace(rng: random.Random, project: str, start: int) -> list[dict[str, Any]]:
    trace_id = _hex(rng, 32)
    env, user, session = rng.choice(["production", "staging"]), f"u{rng.randrange(6)}", f"s{rng.randrange(9)}"
    tier, region = rng.choice(["free", "pro", "enterprise"]), rng.choice(["eu", "us"])
    rows: list[dict[str, Any]] = []
    for i in range(rng.randint(1, 6)):
        span_id = _hex(rng, 16)
        orphan = i == 0 and rng.random() < 0.08  # some traces lack their root
        parent = rng.choice(rows)["span_id"] if i else (_hex(rng, 16) if orphan else "")
        begin = start + i * rng.randrange(1_000_000, 300_000_000)
        if i and rng.random() < 0.05:
            begin += rng.choice([2, 3]) * HOUR_NS  # a late span, hours after the trace began
        llm = rng.random() < 0.5
        attributes = {"customer.tier": tier, "region": region}
        if rng.random() < 0.3:
            attributes["flag"] = rng.choice(["", "beta"])  # "" must match only where the key is set
        row = {
            "project": project,
            "trace_id": trace_id,
            "span_id": span_id,
            "parent_span_id": parent,
            "name": f"op-{i}" if i else rng.choice(["POST /chat", "GET /search"]),
            "kind": "server" if i == 0 else "internal",
            "service_name": rng.choice(SERVICES),
            "start_time": begin,
            "end_time": begin + rng.randrange(1_000_000, 2_000_000_000),
            "status_code": "error" if rng.random() < 0.1 else rng.choice(["ok", "unset"]),
            "status_message": "",
            "environment": env,
            "user_id": user,
            "session_id": session,
            "attributes": list(attributes.items()),
            "resource": [("service.name", "x"), ("pyflare.project", project)],
            "events": [(begin + 5, "retry", [("attempt", "2")])] if rng.random() < 0.2 else [],
            "links": [(_hex(rng, 32), _hex(rng, 16), "", [("why", "follows")])] if rng.random() < 0.1 else [],
        }
        if llm:
            row |= {
                "model_id": rng.choice(MODELS),
                "input_preview": rng.choice(PHRASES),
                "output_preview": rng.choice(PHRASES).upper(),
                "input_tokens": rng.choice([None, rng.randrange(1, 900)]),
                "output_tokens": rng.randrange(1, 300),
                "total_tokens": rng.choice([None, rng.randrange(1, 2000)]),
                "cost_usd": rng.choice([None, Decimal(rng.randrange(1, 90_000_000_000)) / 10**12]),  # exact
            }
        rows.append(span_row(**row))
    return rows


def make_corpus() -> dict[str, list[dict[str, Any]]]:
    rng = random.Random(20250131)
    by_project: dict[str, list[dict[str, Any]]] = {"own": [], "other": []}
    for project, count in (("own", 260), ("other", 60)):
        for t in range(count):
            start = BASE_NS + rng.randrange(0, 9 * HOUR_NS - 60_000_000_000)
            if t % 9 == 0:
                start = start - start % HOUR_NS + HOUR_NS - 400_000_000  # straddles an hour boundary
            by_project[project].extend(make_trace(rng, project, start))
    return by_project


CORPUS = make_corpus()


def distinct(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """trace id -> its distinct spans."""
    spans: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for row in rows:
        spans[row["trace_id"]][row["span_id"]] = row
    return {t: list(s.values()) for t, s in spans.items()}


TRACES = distinct(CORPUS["own"])
OTHER_TRACES = distinct(CORPUS["other"])


def expected_summary(spans: list[dict[str, Any]]) -> dict[str, Any]:
    root = min(spans, key=lambda s: (s["parent_span_id"] != "", s["start_time"], s["span_id"]))
    priced = [s["cost_usd"] for s in spans if s["cost_usd"] is not None]
    exact = sum(priced, Decimal(0)).quantize(Decimal("1e-12"))
    start, end = min(s["start_time"] for s in spans), max(s["end_time"] for s in spans)
    models = sorted({s["model_id"] for s in spans if s["model_id"]})
    errors = sum(s["status_code"] == "error" for s in spans)
    return {
        "trace_id": spans[0]["trace_id"],
        "name": root["name"],
        "service_name": root["service_name"],
        "start_time_unix_nano": start,
        "end_time_unix_nano": end,
        "start_time": datetime.fromtimestamp(start // 10**9, UTC).strftime("%Y-%m-%dT%H:%M:%S")
        + f".{start % 10**9:09d}Z",
        "duration_ms": (end - start) / 1e6,
        "span_count": len(spans),
        "error_count": errors,
        "status": "error" if errors else "ok",
        "models": models,
        "model_id": models[0] if models else "",
        "services": sorted({s["service_name"] for s in spans}),
        "input_tokens": sum(s["input_tokens"] or 0 for s in spans),
        "output_tokens": sum(s["output_tokens"] or 0 for s in spans),
        "total_tokens": sum(
            s["total_tokens"] if s["total_tokens"] is not None else (s["input_tokens"] or 0) + (s["output_tokens"] or 0)
            for s in spans
        ),
        "cost_micros": int((exact * 10**6).to_integral_value(ROUND_HALF_UP)) if priced else None,
        "cost_usd": float(round(exact, 9)) if priced else None,
        "cost_usd_exact": f"{exact:f}" if priced else None,
    }


SUMMARIES = {t: expected_summary(s) for t, s in TRACES.items()}


@pytest.fixture(scope="module")
def stored(module_storage: Client) -> Client:
    rows = sorted(CORPUS["own"] + CORPUS["other"], key=lambda r: r["start_time"])
    for i in range(0, len(rows), 150):  # several inserts: a trace's summary spans several rows
        module_storage.insert_arrow("spans", span_table(rows[i : i + 150]))
    duplicates = random.Random(5).sample(rows, len(rows) // 8)  # at-least-once re-delivery
    module_storage.insert_arrow("spans", span_table(duplicates))
    return module_storage


@pytest.fixture
def api(world: World, telemetry_store: Client, stored: Client) -> APIClient:
    return client_for(world)


def sort_key(field: str) -> Callable[[dict[str, Any]], Any]:
    return {
        "time": lambda s: (s["start_time_unix_nano"], s["trace_id"]),
        "duration": lambda s: (s["end_time_unix_nano"] - s["start_time_unix_nano"], s["trace_id"]),
        "cost": lambda s: (Decimal(s["cost_usd_exact"] or 0), s["trace_id"]),
    }[field]


def listed(api: APIClient, **params: Any) -> list[dict[str, Any]]:
    return walk(api, "/api/v1/traces", "traces", params)


def comparable(item: dict[str, Any]) -> dict[str, Any]:
    keys = set(SUMMARIES[item["trace_id"]]) if item["trace_id"] in SUMMARIES else set()
    return {k: item[k] for k in keys}


def test_the_default_listing_is_every_trace_newest_first_with_exact_summaries(api: APIClient) -> None:
    got = listed(api, limit=7)
    expected = sorted(SUMMARIES.values(), key=sort_key("time"), reverse=True)
    assert [t["trace_id"] for t in got] == [t["trace_id"] for t in expected]
    for item in got:
        assert comparable(item) == SUMMARIES[item["trace_id"]], item["trace_id"]
    assert set(got[0]) == set(TraceSummarySerializer().fields)  # the documented shape


@pytest.mark.parametrize("field", ["time", "duration", "cost"])
@pytest.mark.parametrize("order", ["asc", "desc"])
def test_sort_orders_match_python(api: APIClient, field: str, order: str) -> None:
    got = listed(api, sort=field, order=order, limit=23)
    expected = sorted(SUMMARIES.values(), key=sort_key(field), reverse=order == "desc")
    assert [t["trace_id"] for t in got] == [t["trace_id"] for t in expected]


def _any_span(predicate: Callable[[dict[str, Any]], bool]) -> Callable[[str], bool]:
    return lambda trace_id: any(predicate(s) for s in TRACES[trace_id])


def _has_attr(key: str, value: str) -> Callable[[dict[str, Any]], bool]:
    return lambda s: dict(s["attributes"]).get(key) == value


def _contains(text: str) -> Callable[[dict[str, Any]], bool]:
    return lambda s: text.lower() in s["input_preview"].lower() or text.lower() in s["output_preview"].lower()


def _iso(ns: int) -> str:
    return datetime.fromtimestamp(ns / 1e9, UTC).isoformat()


T1, T2 = BASE_NS + 2 * HOUR_NS + 123_456_789, BASE_NS + 6 * HOUR_NS + 987_654_321

FILTERS: dict[str, tuple[dict[str, Any], Callable[[str], bool]]] = {
    "service": ({"service": "scorer"}, _any_span(lambda s: s["service_name"] == "scorer")),
    "model": ({"model_id": "gpt-4o"}, _any_span(lambda s: s["model_id"] == "gpt-4o")),
    "errors": ({"status": "error"}, _any_span(lambda s: s["status_code"] == "error")),
    "no errors": ({"status": "ok"}, lambda t: not _any_span(lambda s: s["status_code"] == "error")(t)),
    "time range ns": (
        {"start_time": str(T1), "end_time": str(T2)},
        lambda t: T1 <= SUMMARIES[t]["start_time_unix_nano"] <= T2,
    ),
    "time range iso": (
        {"start_time": _iso(T1 - T1 % 1000), "end_time": _iso(T2 - T2 % 1000)},
        lambda t: T1 - T1 % 1000 <= SUMMARIES[t]["start_time_unix_nano"] <= T2 - T2 % 1000,
    ),
    "since only": ({"start_time": str(T2)}, lambda t: SUMMARIES[t]["start_time_unix_nano"] >= T2),
    "until only": ({"end_time": str(T1)}, lambda t: SUMMARIES[t]["start_time_unix_nano"] <= T1),
    "duration range": (
        {"min_duration_ms": 500.5, "max_duration_ms": 1800},
        lambda t: (
            500_500_000 <= SUMMARIES[t]["end_time_unix_nano"] - SUMMARIES[t]["start_time_unix_nano"] <= 1_800_000_000
        ),
    ),
    "one attribute": ({"attr.customer.tier": "enterprise"}, _any_span(_has_attr("customer.tier", "enterprise"))),
    "two attributes": (
        {"attr.customer.tier": "pro", "attr.region": "eu"},
        lambda t: _any_span(_has_attr("customer.tier", "pro"))(t) and _any_span(_has_attr("region", "eu"))(t),
    ),
    "empty attribute value": ({"attr.flag": ""}, _any_span(_has_attr("flag", ""))),
    "text, case-insensitive": ({"q": "rEfUnd POLICY"}, _any_span(_contains("refund policy"))),
    "text, accents": ({"q": "CRÈME"}, _any_span(_contains("crème"))),
    "environment": ({"environment": "staging"}, _any_span(lambda s: s["environment"] == "staging")),
    "user": ({"user_id": "u3"}, _any_span(lambda s: s["user_id"] == "u3")),
    "session": ({"session_id": "s4"}, _any_span(lambda s: s["session_id"] == "s4")),
    "combined": (
        {"service": "rag-worker", "status": "error", "start_time": str(T1), "attr.region": "us"},
        lambda t: (
            _any_span(lambda s: s["service_name"] == "rag-worker")(t)
            and _any_span(lambda s: s["status_code"] == "error")(t)
            and SUMMARIES[t]["start_time_unix_nano"] >= T1
            and _any_span(_has_attr("region", "us"))(t)
        ),
    ),
    "nothing matches": ({"model_id": "no-such-model"}, lambda t: False),
}


@pytest.mark.parametrize("sort", ["time", "duration"])
@pytest.mark.parametrize("name", list(FILTERS))
def test_filters_match_a_python_filter_over_the_same_rows(api: APIClient, name: str, sort: str) -> None:
    params, keep = FILTERS[name]
    expected = sorted((SUMMARIES[t] for t in TRACES if keep(t)), key=sort_key(sort), reverse=True)
    assert name == "nothing matches" or expected, "the corpus must exercise this filter"
    got = listed(api, limit=9, sort=sort, **params)
    assert [t["trace_id"] for t in got] == [t["trace_id"] for t in expected]


def test_other_projects_traces_never_appear(api: APIClient, world: World) -> None:
    # the other project's traces look alike; none may leak, whatever the filter
    seen = {t["trace_id"] for t in listed(api, limit=500)}
    seen |= {t["trace_id"] for t in listed(api, limit=500, q="refund", sort="cost")}
    assert seen and not seen & set(OTHER_TRACES)
    theirs = client_for(world, side="other")
    assert {t["trace_id"] for t in listed(theirs, limit=500)} == set(OTHER_TRACES)


def _fresh_trace(rng: random.Random, start: int) -> list[dict[str, Any]]:
    return make_trace(rng, "own", start)


@pytest.mark.parametrize(("sort", "order"), [("time", "desc"), ("duration", "desc"), ("time", "asc")])
def test_pagination_walks_every_trace_once_even_with_inserts_between_pages(
    world: World, telemetry_store: Client, stored: Client, sort: str, order: str
) -> None:
    api = client_for(world)
    rng = random.Random(99)
    params: dict[str, Any] = {"limit": 11, "sort": sort, "order": order}
    before = {t["trace_id"] for t in listed(api, **params)}
    seen: list[str] = []
    added: set[str] = set()
    for _ in range(200):
        body = api.get("/api/v1/traces", params).json()
        seen.extend(t["trace_id"] for t in body["traces"])
        # new traces arrive between pages: newer, older and in the middle of the listing
        fresh = [s for at in (NOW_NS, BASE_NS + HOUR_NS, BASE_NS + 5 * HOUR_NS) for s in _fresh_trace(rng, at)]
        stored.insert_arrow("spans", span_table(fresh))
        added |= {s["trace_id"] for s in fresh}
        if body["next_cursor"] is None:
            break
        params["cursor"] = body["next_cursor"]
    assert len(seen) == len(set(seen)), "a trace was listed twice"
    assert before <= set(seen) <= before | added
    stored.command(
        "ALTER TABLE spans DELETE WHERE trace_id IN {ids:Array(String)} SETTINGS mutations_sync = 2",
        parameters={"ids": sorted(added)},
    )
    stored.command(
        "ALTER TABLE trace_summary DELETE WHERE trace_id IN {ids:Array(String)} SETTINGS mutations_sync = 2",
        parameters={"ids": sorted(added)},
    )


def test_a_cursor_only_continues_its_own_listing(api: APIClient) -> None:
    first = api.get("/api/v1/traces", {"limit": 5, "service": "scorer"}).json()
    assert first["next_cursor"]
    other_filters = api.get("/api/v1/traces", {"limit": 5, "service": "chat-api", "cursor": first["next_cursor"]})
    assert other_filters.status_code == 400 and "cursor" in other_filters.json()["details"]
    other_sort = api.get(
        "/api/v1/traces", {"limit": 5, "service": "scorer", "sort": "cost", "cursor": first["next_cursor"]}
    )
    assert other_sort.status_code == 400
    same = api.get("/api/v1/traces", {"limit": 5, "service": "scorer", "cursor": first["next_cursor"]})
    assert same.status_code == 200


def _tree_shape(nodes: list[dict[str, Any]]) -> list[tuple[str, list[Any]]]:
    return [(n["span_id"], _tree_shape(n["children"])) for n in nodes]


def _expected_shape(spans: list[dict[str, Any]]) -> list[tuple[str, list[Any]]]:
    ids = {s["span_id"] for s in spans}
    order = sorted(spans, key=lambda s: (s["start_time"], s["span_id"]))

    def children(parent: str) -> list[tuple[str, list[Any]]]:
        return [(s["span_id"], children(s["span_id"])) for s in order if s["parent_span_id"] == parent]

    roots = [s for s in order if s["parent_span_id"] not in ids]
    return [(s["span_id"], children(s["span_id"])) for s in roots]


SPAN_FIELDS = (
    "name", "kind", "service_name", "status_code", "model_id", "input_preview", "output_preview", "input_tokens",
    "output_tokens", "total_tokens", "user_id", "session_id", "environment", "parent_span_id",
)  # fmt: skip


def test_detail_has_the_span_tree_and_every_span_field(api: APIClient) -> None:
    checked = 0
    for trace_id, spans in list(TRACES.items())[:40]:
        response = api.get(f"/api/v1/traces/{trace_id.upper()}")
        assert response.status_code == 200, response.content[:300]
        body = response.json()
        assert {k: body[k] for k in SUMMARIES[trace_id]} == SUMMARIES[trace_id]
        assert _tree_shape(body["spans"]) == _expected_shape(spans)
        assert body["spans_truncated"] is False
        assert set(body) == set(TraceDetailSerializer().fields)
        flat: list[dict[str, Any]] = []
        pending = list(body["spans"])
        while pending:
            node = pending.pop()
            flat.append(node)
            pending.extend(node["children"])
        by_id = {s["span_id"]: s for s in spans}
        for node in flat:
            row = by_id[node["span_id"]]
            assert set(node) <= set(SpanNodeSerializer().fields)
            assert node["attributes"] == dict(row["attributes"])
            assert node["resource"] == dict(row["resource"])
            assert node["events"] == [
                {"time_unix_nano": t, "time": node["events"][i]["time"], "name": n, "attributes": dict(a)}
                for i, (t, n, a) in enumerate(row["events"])
            ]
            assert node["links"] == [
                {"trace_id": t, "span_id": s, "trace_state": ts, "attributes": dict(a)} for t, s, ts, a in row["links"]
            ]
            for field in SPAN_FIELDS:
                assert node[field] == row[field], field
            cost = row["cost_usd"]
            assert node["cost_usd_exact"] == (None if cost is None else f"{cost.quantize(Decimal('1e-12')):f}")
            assert node["start_time_unix_nano"] == row["start_time"]
            assert node["duration_ns"] == row["end_time"] - row["start_time"]
        with_input = sorted((s for s in spans if s["input_preview"]), key=lambda s: (s["start_time"], s["span_id"]))
        assert body["input_preview"] == (with_input[0]["input_preview"] if with_input else "")
        checked += 1
    assert checked == 40


def test_another_projects_trace_is_a_404_like_a_missing_one(api: APIClient) -> None:
    theirs = next(iter(OTHER_TRACES))
    for path in (f"/api/v1/traces/{theirs}", f"/api/v1/traces/{theirs}/spans", f"/api/v1/traces/{'f' * 32}"):
        response = api.get(path)
        assert response.status_code == 404
        assert response.json()["error"] == "not_found"


def test_malformed_trace_ids_are_400(api: APIClient) -> None:
    for bad in ("abc", "g" * 32, "0" * 33):
        response = api.get(f"/api/v1/traces/{bad}")
        assert response.status_code == 400
        assert "32 hexadecimal digits" in response.json()["message"]


def test_spans_endpoint_pages_through_distinct_spans_in_start_order(api: APIClient) -> None:
    trace_id, spans = max(TRACES.items(), key=lambda kv: len(kv[1]))
    got = walk(api, f"/api/v1/traces/{trace_id}/spans", "spans", {"limit": 2})
    expected = sorted(spans, key=lambda s: (s["start_time"], s["span_id"]))
    assert [s["span_id"] for s in got] == [s["span_id"] for s in expected]
    assert set(got[0]) == set(SpanSerializer().fields)


BAD_PARAMS = [
    ({"start_time": "yesterday"}, "start_time", "ISO-8601"),
    ({"end_time": "2025-13-01"}, "end_time", "ISO-8601"),
    ({"start_time": "2025-02-01T00:00:00Z", "end_time": "2025-01-01T00:00:00Z"}, "start_time", "after"),
    ({"min_duration_ms": "-1"}, "min_duration_ms", "greater than or equal to 0"),
    ({"max_duration_ms": "fast"}, "max_duration_ms", "number"),
    ({"min_duration_ms": "10", "max_duration_ms": "5"}, "min_duration_ms", "after"),
    ({"sort": "name"}, "sort", "not a valid choice"),
    ({"order": "up"}, "order", "not a valid choice"),
    ({"status": "failed"}, "status", "not a valid choice"),
    ({"limit": "0"}, "limit", "greater than or equal to 1"),
    ({"limit": "1001"}, "limit", "less than or equal to 1000"),
    ({"limit": "ten"}, "limit", "integer"),
    ({"cursor": "not-a-cursor"}, "cursor", "next_cursor"),
    ({"servce": "x"}, "servce", "unknown parameter"),
    ({"attr.": "x"}, "attr.", "name the attribute"),
    ({"q": "x" * 1001}, "q", "1000"),
    ({"start_time": "99999999999999999999"}, "start_time", "2262"),
]


@pytest.mark.parametrize(("params", "field", "hint"), BAD_PARAMS, ids=[b[1] + "-" + b[2] for b in BAD_PARAMS])
def test_bad_parameters_are_400_naming_the_parameter(
    api: APIClient, params: dict[str, str], field: str, hint: str
) -> None:
    response = api.get("/api/v1/traces", params)
    assert response.status_code == 400, response.content
    body = response.json()
    assert field in body["details"], body
    assert hint in body["message"], body["message"]


def test_the_tree_survives_cycles_and_long_chains() -> None:
    def node(span_id: str, parent: str, start: int) -> dict[str, Any]:
        return {"span_id": span_id, "parent_span_id": parent, "start_time_unix_nano": start}

    cycle = [node("a", "b", 1), node("b", "a", 2), node("c", "", 0)]
    roots = span_tree(cycle)
    assert _tree_shape(roots) == [("c", []), ("a", [("b", [])])]
    chain = [node(f"{i:04d}", f"{i - 1:04d}" if i else "", i) for i in range(500)]
    roots = span_tree(chain)
    depth, current = 0, roots[0]
    while current["children"] and not current["children"][0].get("flattened"):
        current, depth = current["children"][0], depth + 1
    assert depth == 99 and len(current["children"]) == 500 - 100  # the rest hang flat at the limit


def test_a_detail_over_the_span_limit_is_truncated_but_summarised_whole(
    api: APIClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("webapp.traces.api.traces.DETAIL_MAX_SPANS", 3)
    trace_id, spans = max(TRACES.items(), key=lambda kv: len(kv[1]))
    assert len(spans) > 3
    body = api.get(f"/api/v1/traces/{trace_id}").json()
    assert body["spans_truncated"] is True
    assert body["span_count"] == len(spans) and body["cost_micros"] == SUMMARIES[trace_id]["cost_micros"]
    shown: list[str] = []
    pending = list(body["spans"])
    while pending:
        node = pending.pop()
        shown.append(node["span_id"])
        pending.extend(node["children"])
    first = sorted(spans, key=lambda s: (s["start_time"], s["span_id"]))[:3]
    assert sorted(shown) == sorted(s["span_id"] for s in first)
