"""`settle`: keeps the hourly rollup exact by rebuilding changed days from `costs FINAL`.

The rollup covers hours before `settled_until` (the start of the current hour after each run).
A run rebuilds every day that (a) gained newly settled hours or (b) received `costs` inserts since
the previous run started, minus a safety margin for inserts that were in flight — re-deliveries,
late spans and re-pricings alike. Each day is built in a staging table and swapped in atomically
(REPLACE PARTITION), so readers never see a half-built day and duplicates are never counted.
Between runs, late rows for settled hours are missing from the rollup until the next run; readers
take everything after `settled_until` straight from `costs FINAL`. Runs may overlap harmlessly:
every swap is a complete snapshot, and the margin makes the next run revisit what a slower one missed.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from clickhouse_connect.driver.client import Client

STATE_NAME = "costs_hourly"
MARGIN = timedelta(minutes=5)
_NS = 1_000_000_000
_HOUR_NS = 3600 * _NS
_FINAL_SETTINGS = {"do_not_merge_across_partitions_select_final": 1}

SUM_COLUMNS = ("requests", "priced_requests", "input_tokens", "output_tokens", "cache_read_tokens",
               "cache_creation_tokens", "reasoning_tokens", "input_cost_usd", "cache_cost_usd",
               "output_cost_usd", "total_cost_usd")  # fmt: skip
# Dimension name -> the costs column it rolls up ('' = the project's totals; custom ones are dim.<key>).
DIMENSION_COLUMNS = {"": "''", "model": "model_id", "model_family": "model_family", "provider": "provider",
                     "user": "user_id", "feature": "feature_id", "team": "team",
                     "environment": "environment"}  # fmt: skip
DIMENSION_PREFIX = "dim."

# One costs row as one request with its tokens and cost: shared by the rebuild and the readers.
ROW_AS_ROLLUP = """
    project, toDateTime(toStartOfHour(start_time), 'UTC') AS hour, model_id, model_family, provider, user_id,
    feature_id,
    team, environment, dimensions, toUInt64(1) AS requests, toUInt64(priced) AS priced_requests,
    toUInt64(input_tokens) AS input_tokens, toUInt64(output_tokens) AS output_tokens,
    toUInt64(cache_read_tokens) AS cache_read_tokens, toUInt64(cache_creation_tokens) AS cache_creation_tokens,
    toUInt64(reasoning_tokens) AS reasoning_tokens, input_cost_usd, cache_cost_usd, output_cost_usd,
    total_cost_usd"""


def costs_once(where: str) -> str:
    """`costs FINAL` rows matching `where`, one provider call once: of the rows sharing a response id
    within a project (the same call traced twice), only the earliest span's (migration 0023)."""
    return (f"SELECT * FROM costs FINAL WHERE ({where}) AND response_id = '' UNION ALL "
            f"SELECT * FROM (SELECT * FROM costs FINAL WHERE ({where}) AND response_id != '' "
            "ORDER BY start_time, trace_id, span_id LIMIT 1 BY project, response_id)")


# Each costs row becomes one row per dimension: (name, value) pairs, custom dimensions included.
_FIXED = ", ".join(f"('{name}', toString({column}))" for name, column in DIMENSION_COLUMNS.items())
_EXPLODE = (f"arrayConcat([{_FIXED}], arrayMap((k, v) -> ('{DIMENSION_PREFIX}' || toString(k), v), "
            "mapKeys(dimensions), mapValues(dimensions)))")  # fmt: skip
_REBUILD = f"""
INSERT INTO {{stage}}
SELECT project, hour, d.1 AS dimension, d.2 AS value, {", ".join(f"sum({c})" for c in SUM_COLUMNS)}
FROM (SELECT {ROW_AS_ROLLUP} FROM ({costs_once(
    "start_time >= fromUnixTimestamp64Nano({start:Int64}, 'UTC') "
    "AND start_time < fromUnixTimestamp64Nano({end:Int64}, 'UTC')")}))
ARRAY JOIN {_EXPLODE} AS d
GROUP BY project, hour, dimension, value
"""


@dataclass(frozen=True)
class RollupState:
    settled_until_ns: int  # the rollup holds every hour before this instant (0: nothing settled yet)
    watermark_ns: int  # server time at which the last run started


@dataclass(frozen=True)
class SettleResult:
    days: tuple[date, ...]
    settled_until: datetime
    seconds: float


def read_state(client: Client) -> RollupState:
    rows = client.query(
        "SELECT toUnixTimestamp64Nano(settled_until), toUnixTimestamp64Nano(watermark) "
        "FROM costs_rollup_state FINAL WHERE name = {name:String}",
        parameters={"name": STATE_NAME},
    ).result_rows
    return RollupState(int(rows[0][0]), int(rows[0][1])) if rows else RollupState(0, 0)


def _server_now_ns(client: Client) -> int:
    return int(client.query("SELECT toUnixTimestamp64Nano(now64(9))").result_rows[0][0])


def _day_bounds(day: date) -> tuple[int, int]:
    start = int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()) * _NS
    return start, start + 24 * _HOUR_NS


def _changed_days(client: Client, old: RollupState, settled_until_ns: int, margin: timedelta) -> set[date]:
    rows = client.query(
        """
        SELECT DISTINCT toDate(start_time, 'UTC') FROM costs
        WHERE start_time < fromUnixTimestamp64Nano({until:Int64}, 'UTC')
          AND (start_time >= fromUnixTimestamp64Nano({settled:Int64}, 'UTC')
               OR _inserted_at >= fromUnixTimestamp64Nano({since:Int64}, 'UTC'))
        """,
        parameters={
            "until": settled_until_ns,
            "settled": old.settled_until_ns,
            "since": max(0, old.watermark_ns - margin // timedelta(microseconds=1) * 1000),
        },
    ).result_rows
    return {r[0] for r in rows}


def rebuild_days(client: Client, days: Iterable[date], settled_until_ns: int) -> None:
    """Replace each day's rollup partition with its exact aggregate of `costs FINAL` (hours < bound)."""
    stage = f"costs_hourly_stage_{uuid.uuid4().hex[:12]}"
    client.command(f"CREATE TABLE {stage} AS costs_hourly")
    try:
        for day in sorted(days):
            start, end = _day_bounds(day)
            end = min(end, settled_until_ns)
            partition = day.strftime("%Y%m%d")
            if end > start:
                client.command(_REBUILD.replace("{stage}", stage), parameters={"start": start, "end": end},
                               settings=_FINAL_SETTINGS)  # fmt: skip
            built = client.query(f"SELECT count() FROM {stage}").result_rows[0][0]
            if built:
                client.command(f"ALTER TABLE costs_hourly REPLACE PARTITION {partition} FROM {stage}")
                client.command(f"TRUNCATE TABLE {stage}")
            else:
                client.command(f"ALTER TABLE costs_hourly DROP PARTITION {partition}")
    finally:
        client.command(f"DROP TABLE IF EXISTS {stage} SYNC")


def settle(client: Client, until: datetime | None = None, extra_days: Iterable[date] = (),
           margin: timedelta = MARGIN) -> SettleResult:  # fmt: skip
    """Bring the rollup up to date; `until` (default: now, server clock) is rounded down to the hour;
    `margin`: how far before the previous run's start inserts are looked at again."""
    started = time.monotonic()
    now_ns = _server_now_ns(client)
    old = read_state(client)
    target_ns = now_ns if until is None else int(until.timestamp()) * _NS
    settled_until_ns = max(old.settled_until_ns, target_ns - target_ns % _HOUR_NS)
    days = _changed_days(client, old, settled_until_ns, margin) | set(extra_days)
    rebuild_days(client, days, settled_until_ns)
    client.insert(
        "costs_rollup_state",
        [[STATE_NAME, datetime.fromtimestamp(settled_until_ns / _NS, UTC), datetime.fromtimestamp(now_ns / _NS, UTC),
          time.time_ns()]],
        column_names=["name", "settled_until", "watermark", "version"],
    )  # fmt: skip
    return SettleResult(tuple(sorted(days)), datetime.fromtimestamp(settled_until_ns / _NS, UTC),
                        time.monotonic() - started)  # fmt: skip
