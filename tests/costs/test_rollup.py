"""The hourly rollup stays exact: re-delivered spans, late spans and re-priced spans are counted
once, reads are exact before and after `settle`, and ranges may start and end mid-hour.

Expected totals are computed in Python from the rows the test inserted (one per span).
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pyarrow as pa
import pytest
from clickhouse_connect.driver.client import Client

from workers.storage.costs import reads, rollup
from workers.storage.costs.rows import COST_SCHEMA

HOUR = 3_600 * 1_000_000_000
NOW = time.time_ns()  # read once at import: every settle below settles up to this hour, never later
DAY0 = NOW - NOW % (24 * HOUR) - 3 * 24 * HOUR  # midnight UTC three days ago
SETTLE_UNTIL = datetime.fromtimestamp((NOW - NOW % HOUR) // 1_000_000_000, UTC)


def settle(client: Client, margin: timedelta = rollup.MARGIN) -> rollup.SettleResult:
    """Settle up to the hour of NOW, whatever the clock says when the test runs (an hour boundary may
    fall between collection and the test)."""
    return rollup.settle(client, until=SETTLE_UNTIL, margin=margin)


MODELS = ["gpt-4o", "gpt-4o-2024-08-06", "claude-3-5-haiku", "gemini-2.0-flash"]


def cost_rows(n: int, seed: int, version: int = 1, start: int = DAY0, span: int = 3 * 24 * HOUR,
              project: str = "acme") -> list[dict[str, object]]:  # fmt: skip
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        total = rng.randint(0, 50_000_000_000)  # pico-dollars: sums must stay exact below a micro-dollar
        rows.append({
            "project": project, "start_time": start + rng.randrange(span), "trace_id": f"{seed:08x}{i:024x}",
            "span_id": f"{i:016x}", "model_id": (model := rng.choice(MODELS)),
            "model_family": model.removesuffix("-2024-08-06"),
            "provider": "p", "input_hash": "", "response_id": "", "input_tokens": rng.randint(0, 9999),
            "output_tokens": 10,
            "cache_read_tokens": 0, "cache_creation_tokens": 0, "reasoning_tokens": 0,
            "input_cost_usd": usd(total // 2), "cache_cost_usd": usd(0), "output_cost_usd": usd(total - total // 2),
            "total_cost_usd": usd(total), "priced": 1, "unpriced_reason": "", "price_id": "x", "price_version": "v",
            "user_id": rng.choice(["u1", "u2", "u3"]), "feature_id": "f", "team": "t", "environment": "prod",
            "dimensions": [("tier", rng.choice(["gold", "free"]))], "version": version,
        })  # fmt: skip
    return rows


def usd(pico: int) -> Decimal:
    return Decimal(pico) / 10**12


def insert(client: Client, rows: list[dict[str, object]]) -> None:
    client.insert_arrow("costs", pa.Table.from_pylist(rows, schema=COST_SCHEMA))


def expected(rows: list[dict[str, object]], start: int, end: int, key: str | None = None) -> dict[object, Decimal]:
    latest: dict[tuple[object, object], dict[str, object]] = {}
    for r in rows:  # the newest version of each span, like costs FINAL
        k = (r["trace_id"], r["span_id"])
        if k not in latest or int(r["version"]) >= int(latest[k]["version"]):  # type: ignore[arg-type]
            latest[k] = r
    out: dict[object, Decimal] = {}
    for r in latest.values():
        if start <= int(r["start_time"]) < end:  # type: ignore[arg-type]
            group = r[key] if key else None
            out[group] = out.get(group, Decimal(0)) + r["total_cost_usd"]  # type: ignore[operator]
    return out


def actual(client: Client, start: int, end: int, key: str | None = None) -> dict[object, Decimal]:
    scope = reads.CostScope("acme", start, end)
    groups = reads.grouped(client, scope, [key] if key else [])
    return {(g.key[key] if key else None): g.totals.total_cost_usd for g in groups if g.totals.requests}


def ranges() -> list[tuple[int, int]]:
    rng = random.Random(7)
    out = [(DAY0, NOW + HOUR), (DAY0 + 90 * 60 * 10**9, DAY0 + 26 * HOUR + 17), (NOW - 2 * HOUR - 5, NOW)]
    for _ in range(5):
        a = DAY0 + rng.randrange(3 * 24 * HOUR)
        out.append((a, a + rng.randrange(30 * HOUR)))
    return out


def test_reads_are_exact_before_and_after_settling(ch_migrated: Client) -> None:
    rows = cost_rows(3000, seed=1)
    insert(ch_migrated, rows)
    for start, end in ranges():
        assert actual(ch_migrated, start, end) == expected(rows, start, end)
    result = settle(ch_migrated)
    assert len(result.days) >= 3
    assert rollup.read_state(ch_migrated).settled_until_ns == NOW - NOW % HOUR
    for start, end in ranges():
        assert actual(ch_migrated, start, end) == expected(rows, start, end)
        assert actual(ch_migrated, start, end, "model") == expected(rows, start, end, "model_id")
    settled = expected(rows, 0, NOW - NOW % HOUR).get(None, Decimal(0))
    per_dimension = ch_migrated.query(
        "SELECT dimension, sum(total_cost_usd) FROM costs_hourly GROUP BY dimension ORDER BY dimension"
    ).result_rows
    # the rollup itself is exact for the settled hours, in every dimension
    assert per_dimension == [(d, settled) for d in sorted(["", "dim.tier", "environment", "feature", "model",
                                                           "model_family", "provider", "team", "user"])]  # fmt: skip


def test_redelivered_spans_are_counted_once(ch_migrated: Client) -> None:
    rows = cost_rows(2000, seed=2)
    insert(ch_migrated, rows)
    settle(ch_migrated)
    insert(ch_migrated, rows[:700])  # the consumer crashed after writing; Kafka delivers again
    settle(ch_migrated)
    insert(ch_migrated, rows[500:900])  # and again, after the settle
    for start, end in ranges():
        assert actual(ch_migrated, start, end, "user") == expected(rows, start, end, "user_id")
    settle(ch_migrated)
    for start, end in ranges():
        assert actual(ch_migrated, start, end, "user") == expected(rows, start, end, "user_id")
    assert ch_migrated.query("SELECT sum(requests) FROM costs_hourly WHERE dimension = ''").result_rows[0][0] == len(
        [r for r in rows if int(r["start_time"]) < NOW - NOW % HOUR]  # type: ignore[arg-type]
    )


def test_repriced_and_late_spans_replace_and_join_the_settled_hours(ch_migrated: Client) -> None:
    rows = cost_rows(1500, seed=3)
    insert(ch_migrated, rows)
    settle(ch_migrated)
    repriced = [dict(r, total_cost_usd=3 * r["total_cost_usd"], version=2) for r in rows[::3]]  # type: ignore[operator]
    late = cost_rows(200, seed=4, start=DAY0, span=24 * HOUR)  # arrive for a day settled long ago
    insert(ch_migrated, repriced + late)
    days = settle(ch_migrated).days
    assert datetime.fromtimestamp(DAY0 / 1e9, UTC).date() in days
    everything = rows + repriced + late
    for start, end in ranges():
        assert actual(ch_migrated, start, end, "dim.tier") == expected_dims(everything, start, end)
    assert settle(ch_migrated).days  # inserts within the safety margin are looked at again
    assert settle(ch_migrated, margin=timedelta(0)).days == ()  # nothing new since: nothing rebuilt


def expected_dims(rows: list[dict[str, object]], start: int, end: int) -> dict[object, int]:
    tiers = [dict(r, tier=dict(r["dimensions"])["tier"]) for r in rows]  # type: ignore[call-overload]
    return expected(tiers, start, end, "tier")


def test_filters_and_projects_stay_apart(ch_migrated: Client) -> None:
    ours, theirs = cost_rows(500, seed=5), cost_rows(500, seed=6, project="other")
    insert(ch_migrated, ours + theirs)
    settle(ch_migrated)
    scope = reads.CostScope("acme", DAY0, NOW + HOUR, filters={"user_id": "u2"})
    mine = reads.totals(ch_migrated, scope).total_cost_usd
    want = sum(r["total_cost_usd"] for r in ours if r["user_id"] == "u2")  # type: ignore[call-overload]
    assert mine == want
    with pytest.raises(ValueError, match="unknown cost filter"):
        reads.CostScope("acme", 0, 1, filters={"project": "other"})


def test_combined_dimensions_and_filters_are_exact_from_the_per_span_table(ch_migrated: Client) -> None:
    rows = cost_rows(1200, seed=8)
    insert(ch_migrated, rows + rows[:300])  # with re-deliveries
    settle(ch_migrated)
    for start, end in ranges()[:4]:
        scope = reads.CostScope("acme", start, end)
        got = {(g.key["user"], g.key["model"]): g.totals.total_cost_usd
               for g in reads.grouped(ch_migrated, scope, ["user", "model"])}  # fmt: skip
        pairs = [dict(r, pair=(r["user_id"], r["model_id"])) for r in rows]
        assert got == expected(pairs, start, end, "pair")
        filtered = reads.CostScope("acme", start, end, filters={"user_id": "u1"})
        by_model = {g.key["model"]: g.totals.total_cost_usd for g in reads.grouped(ch_migrated, filtered, ["model"])}
        assert by_model == expected([r for r in rows if r["user_id"] == "u1"], start, end, "model_id")
