"""Re-pricing stored history after a price change or a genai-prices upgrade: `costs`,
`spans.cost_usd`, the rollup and the trace summaries, so every read agrees with the current prices.

Rows are read back from `costs FINAL` one UTC day at a time and priced again with each project's
current PriceBook. Only rows whose price changed are written: a new `costs` version (the table keeps
the latest), a mutation of `spans.cost_usd` per month (values from a temporary Join table), the
day partitions of the rollup, and the trace summaries of the affected hours (deleted, then rebuilt
from `spans FINAL` with the summary view's own query). Running it again changes nothing.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from clickhouse_connect.driver.client import Client

from workers.analysis.cost import PRICED
from workers.storage.costs.priced import BookFor, price_usage
from workers.storage.costs.rollup import read_state, rebuild_days
from workers.storage.costs.rows import COST_SCHEMA, usd_array

_NS = 1_000_000_000
_DAY_NS = 86_400 * _NS
_HOUR_NS = 3_600 * _NS
_FINAL_SETTINGS = {"do_not_merge_across_partitions_select_final": 1}
_SYNC = {"mutations_sync": 2}
FLUSH_ROWS = 2_000_000  # changed spans held in one Join table before the spans mutation runs


@dataclass(frozen=True)
class RepriceScope:
    project: str | None = None
    since_ns: int | None = None
    until_ns: int | None = None
    model: str | None = None

    def where(self, params: dict[str, object]) -> str:
        parts = ["1"]
        if self.project is not None:
            params["project"] = self.project
            parts.append("project = {project:String}")
        if self.model is not None:
            params["model"] = self.model
            parts.append("model_id = {model:String}")
        if self.since_ns is not None:
            params["since"] = self.since_ns
            parts.append("start_time >= fromUnixTimestamp64Nano({since:Int64}, 'UTC')")
        if self.until_ns is not None:
            params["until"] = self.until_ns
            parts.append("start_time < fromUnixTimestamp64Nano({until:Int64}, 'UTC')")
        return " AND ".join(parts)


@dataclass
class RepriceResult:
    rows: int = 0  # costs rows examined
    changed: int = 0  # rows whose price changed (written again)
    now_priced: int = 0  # changed rows that were unpriced before
    days: list[date] = field(default_factory=list)  # days with changes (rollup rebuilt)
    seconds: float = 0.0


def plan(client: Client, scope: RepriceScope) -> list[tuple[date, int]]:
    """(day, rows) to examine, oldest first."""
    params: dict[str, object] = {}
    rows = client.query(
        f"SELECT toDate(start_time, 'UTC') AS d, count() FROM costs FINAL WHERE {scope.where(params)} "
        "GROUP BY d ORDER BY d",
        parameters=params,
        settings=_FINAL_SETTINGS,
    ).result_rows
    return [(r[0], int(r[1])) for r in rows]


def _day_rows(client: Client, scope: RepriceScope, day: date) -> pa.Table:
    params: dict[str, object] = {"d0": _day_ns(day), "d1": _day_ns(day) + _DAY_NS}
    where = scope.where(params)
    columns = ", ".join(f"`{n}`" for n in COST_SCHEMA.names)
    table = client.query_arrow(
        f"SELECT {columns} FROM costs FINAL WHERE {where} "
        "AND start_time >= fromUnixTimestamp64Nano({d0:Int64}, 'UTC') "
        "AND start_time < fromUnixTimestamp64Nano({d1:Int64}, 'UTC')",
        parameters=params,
        settings=_FINAL_SETTINGS,
    )
    return pa.table({n: _plain(table[n]) for n in COST_SCHEMA.names})


def _plain(column: pa.ChunkedArray) -> pa.Array:
    """LowCardinality columns arrive dictionary-encoded; the pricer wants plain values."""
    array = column.combine_chunks()
    return array.dictionary_decode() if pa.types.is_dictionary(array.type) else array


def _day_ns(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()) * _NS


class _SpanUpdates:
    """Changed span costs collected for one `ALTER TABLE spans UPDATE` through a Join table."""

    def __init__(self, client: Client) -> None:
        self._client = client
        self._table = f"reprice_spans_{uuid.uuid4().hex[:12]}"
        self.rows = 0
        self.projects: set[str] = set()
        self.low_ns: int | None = None
        self.high_ns: int | None = None
        client.command(f"CREATE TABLE {self._table} (project String, trace_id String, span_id String, "
                       "cost Nullable(Decimal(38, 12)), hit UInt8) "
                       "ENGINE = Join(ANY, LEFT, project, trace_id, span_id)")

    def add(self, rows: pa.Table, cost: pa.Array) -> None:
        data = pa.table({"project": rows["project"], "trace_id": rows["trace_id"], "span_id": rows["span_id"],
                         "cost": cost, "hit": pa.array(np.ones(rows.num_rows, dtype=np.uint8))})  # fmt: skip
        self._client.insert_arrow(self._table, data)
        self.rows += rows.num_rows
        self.projects.update(rows["project"].unique().to_pylist())
        times = rows["start_time"].cast(pa.int64())
        low, high = pc.min(times).as_py(), pc.max(times).as_py()
        self.low_ns = low if self.low_ns is None else min(self.low_ns, low)
        self.high_ns = high if self.high_ns is None else max(self.high_ns, high)

    def apply(self) -> None:
        """Update spans.cost_usd, then rebuild the trace summaries of the touched hours."""
        if not self.rows:
            return
        assert self.low_ns is not None and self.high_ns is not None
        params = {"projects": sorted(self.projects), "a": self.low_ns, "b": self.high_ns + 1}
        join = f"{self._client.database}.{self._table}"
        self._client.command(
            f"ALTER TABLE spans UPDATE cost_usd = joinGet('{join}', 'cost', project, trace_id, span_id) "
            "WHERE project IN {projects:Array(String)} "
            "AND start_time >= fromUnixTimestamp64Nano({a:Int64}, 'UTC') "
            "AND start_time < fromUnixTimestamp64Nano({b:Int64}, 'UTC') "
            f"AND joinGet('{join}', 'hit', project, trace_id, span_id) = 1",
            parameters=params,
            settings=_SYNC,
        )
        rebuild_trace_summaries(self._client, sorted(self.projects), self.low_ns - self.low_ns % _HOUR_NS,
                                self.high_ns - self.high_ns % _HOUR_NS + _HOUR_NS)  # fmt: skip
        self._client.command(f"TRUNCATE TABLE {self._table}")
        self.rows, self.projects, self.low_ns, self.high_ns = 0, set(), None, None

    def drop(self) -> None:
        self._client.command(f"DROP TABLE IF EXISTS {self._table} SYNC")


def rebuild_trace_summaries(client: Client, projects: Sequence[str], start_ns: int, end_ns: int) -> None:
    """Recompute trace_summary for whole hours [start_ns, end_ns) from `spans FINAL`, using the
    materialised view's own SELECT (read from the server) so the two can never disagree."""
    view = client.query(
        "SELECT as_select FROM system.tables WHERE database = currentDatabase() AND name = 'trace_summary_mv'"
    ).result_rows
    if not view:
        return
    select, count = re.subn(
        rf"\bFROM\s+`?{re.escape(str(client.database))}`?\.`?spans`?(?=\s)",
        "FROM (SELECT * FROM spans FINAL WHERE project IN {projects:Array(String)} "
        "AND start_time >= fromUnixTimestamp64Nano({a:Int64}, 'UTC') "
        "AND start_time < fromUnixTimestamp64Nano({b:Int64}, 'UTC')) AS spans",
        view[0][0],
    )
    if count != 1:
        raise RuntimeError("trace_summary_mv no longer reads `spans` in one FROM clause; rebuild it by hand")
    params = {"projects": list(projects), "a": start_ns, "b": end_ns, "ha": start_ns // _NS, "hb": end_ns // _NS}
    client.command(
        "ALTER TABLE trace_summary DELETE WHERE project IN {projects:Array(String)} "
        "AND start_hour >= toDateTime({ha:UInt32}, 'UTC') AND start_hour < toDateTime({hb:UInt32}, 'UTC')",
        parameters=params,
        settings=_SYNC,
    )
    client.command(f"INSERT INTO trace_summary {select}", parameters=params)


def _changed(old: pa.Table, new: pa.Table) -> np.ndarray:
    differs = np.zeros(old.num_rows, dtype=bool)
    for name in ("total_cost_usd", "input_cost_usd", "cache_cost_usd", "output_cost_usd", "priced",
                 "price_id", "price_version", "unpriced_reason", "model_family"):  # fmt: skip
        a, b = old[name], new[name]
        if pa.types.is_dictionary(b.type):
            b = b.cast(b.type.value_type)
        differs |= pc.not_equal(a, b).to_numpy(zero_copy_only=False)
    return differs


def reprice(client: Client, book_for: BookFor, scope: RepriceScope,
            progress: Callable[[int], None] | None = None) -> RepriceResult:  # fmt: skip
    started = time.monotonic()
    result = RepriceResult()
    updates = _SpanUpdates(client)
    changed_days: list[date] = []
    month: tuple[int, int] | None = None
    try:
        for day, _count in plan(client, scope):
            if month is not None and (day.year, day.month) != month:
                updates.apply()
            month = (day.year, day.month)
            old = _day_rows(client, scope, day)
            result.rows += old.num_rows
            if old.num_rows:
                priced = price_usage(old, book_for, (), time.time_ns())
                differs = _changed(old, priced.costs)
                if differs.any():
                    mask = pa.array(differs)
                    new_rows = priced.costs.filter(mask)
                    client.insert_arrow("costs", new_rows)
                    was_priced = old["priced"].to_numpy(zero_copy_only=False).astype(bool)
                    result.now_priced += int(np.count_nonzero(differs & ~was_priced & (priced.status == PRICED)))
                    result.changed += new_rows.num_rows
                    changed_days.append(day)
                    cost = usd_array(priced.total_pico, priced.status == PRICED)  # spans.cost_usd
                    updates.add(new_rows, cost.filter(mask))
                    if updates.rows >= FLUSH_ROWS:
                        updates.apply()
            if progress is not None:
                progress(old.num_rows)
        updates.apply()
    finally:
        updates.drop()
    if changed_days:
        rebuild_days(client, changed_days, read_state(client).settled_until_ns)
    result.days = changed_days
    result.seconds = time.monotonic() - started
    return result
