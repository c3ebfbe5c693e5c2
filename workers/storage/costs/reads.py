"""Cost reads, exact at any moment: the settled rollup for whole hours, `costs FINAL` for the rest.

A query that involves at most one attribution dimension (grouped by it, filtered on it, or neither;
time groups are always fine) reads that dimension's rows of `costs_hourly` for the whole settled
hours of its range, plus the partial hours at the edges and everything after `settled_until` from
`costs FINAL`. A query combining dimensions (group by team and environment, filter on a user and
group by model) has no rollup to read and aggregates `costs FINAL` over its range: exact, slower.
Grouping by a custom dimension (`dim.<key>`) counts only spans that carry the key. Identifiers in
SQL come from fixed tables here; every value a caller gives travels as a bound parameter.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from clickhouse_connect.driver.client import Client

from workers.storage.costs.rollup import (
    DIMENSION_COLUMNS,
    DIMENSION_PREFIX,
    ROW_AS_ROLLUP,
    SUM_COLUMNS,
    costs_once,
    read_state,
)

_NS = 1_000_000_000
_HOUR_NS = 3600 * _NS
_FINAL_SETTINGS = {"do_not_merge_across_partitions_select_final": 1}
FILTER_COLUMNS = ("model_id", "model_family", "provider", "user_id", "feature_id", "team", "environment")
_FILTER_DIMENSIONS = {column: name for name, column in DIMENSION_COLUMNS.items() if name}
TIME_GROUPS = {"day": "toDate(hour, 'UTC')", "hour": "hour"}
GROUPS = [*(name for name in DIMENSION_COLUMNS if name), *TIME_GROUPS]  # plus dim.<key>


@dataclass(frozen=True)
class CostScope:
    """Whose costs over which time: one project, [start_ns, end_ns), optional equality filters."""

    project: str
    start_ns: int
    end_ns: int
    filters: Mapping[str, str] = field(default_factory=dict)  # FILTER_COLUMNS -> value
    dimensions: Mapping[str, str] = field(default_factory=dict)  # custom dimension key -> value

    def __post_init__(self) -> None:
        unknown = set(self.filters) - set(FILTER_COLUMNS)
        if unknown:
            raise ValueError(f"unknown cost filter(s) {sorted(unknown)}; valid: {', '.join(FILTER_COLUMNS)}")
        if self.end_ns < self.start_ns:
            raise ValueError("the cost range ends before it starts")


@dataclass(frozen=True)
class CostTotals:
    requests: int = 0
    priced_requests: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_creation_tokens: int = 0
    reasoning_tokens: int = 0
    input_cost_usd: Decimal = Decimal(0)  # exact sums (Decimal(38, 12) in storage)
    cache_cost_usd: Decimal = Decimal(0)
    output_cost_usd: Decimal = Decimal(0)
    total_cost_usd: Decimal = Decimal(0)

    @property
    def unpriced_requests(self) -> int:
        return self.requests - self.priced_requests

    # Whole micro-dollars, rounded half up once from the exact sum: budgets, forecasts, `*_micros` fields.
    @property
    def input_cost_micros(self) -> int:
        return micros(self.input_cost_usd)

    @property
    def cache_cost_micros(self) -> int:
        return micros(self.cache_cost_usd)

    @property
    def output_cost_micros(self) -> int:
        return micros(self.output_cost_usd)

    @property
    def total_cost_micros(self) -> int:
        return micros(self.total_cost_usd)

    def __add__(self, other: CostTotals) -> CostTotals:
        return CostTotals(*(getattr(self, f) + getattr(other, f) for f in SUM_COLUMNS))


assert tuple(f.name for f in fields(CostTotals)) == SUM_COLUMNS  # one order for SQL and Python
_COUNTS = sum(1 for c in SUM_COLUMNS if not c.endswith("_usd"))


def micros(usd: Decimal) -> int:
    return int((usd * 1_000_000).to_integral_value(rounding=ROUND_HALF_UP))


def _totals(values: Sequence[Any]) -> CostTotals:
    return CostTotals(*(int(v) for v in values[:_COUNTS]), *(Decimal(v) for v in values[_COUNTS:]))


@dataclass(frozen=True)
class CostGroup:
    key: dict[str, Any]  # group name -> value (day: date, hour: datetime)
    totals: CostTotals


def check_group(name: str) -> None:
    if name in GROUPS or (name.startswith(DIMENSION_PREFIX) and len(name) > len(DIMENSION_PREFIX)):
        return
    raise ValueError(f"cannot group costs by {name!r}; valid: {', '.join(GROUPS)} or {DIMENSION_PREFIX}<key>")


def _ceil_hour(ns: int) -> int:
    return -(-ns // _HOUR_NS) * _HOUR_NS


class _Sql:
    """Bound parameters of one query, named as they are added."""

    def __init__(self) -> None:
        self.params: dict[str, Any] = {}

    def bind(self, value: Any, kind: str = "String") -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f"{{{name}:{kind}}}"

    def column(self, dimension: str) -> str:
        """SQL of a dimension's value over a costs row."""
        if dimension.startswith(DIMENSION_PREFIX):
            return f"dimensions[{self.bind(dimension[len(DIMENSION_PREFIX):])}]"
        return DIMENSION_COLUMNS[dimension]

    def costs_where(self, scope: CostScope, ranges: Sequence[tuple[int, int]], carrying: Sequence[str] = ()) -> str:
        parts = [f"project = {self.bind(scope.project)}"]
        parts += [f"{column} = {self.bind(value)}" for column, value in sorted(scope.filters.items())]
        parts += [f"dimensions[{self.bind(k)}] = {self.bind(v)}" for k, v in sorted(scope.dimensions.items())]
        parts += [f"mapContains(dimensions, {self.bind(g[len(DIMENSION_PREFIX):])})" for g in carrying]
        spans = [f"(start_time >= fromUnixTimestamp64Nano({self.bind(lo, 'Int64')}, 'UTC') "
                 f"AND start_time < fromUnixTimestamp64Nano({self.bind(hi, 'Int64')}, 'UTC'))" for lo, hi in ranges]
        return " AND ".join(parts) + f" AND ({' OR '.join(spans) or '0'})"


def _involved(scope: CostScope, attributes: Sequence[str]) -> set[str]:
    named = set(attributes) | {_FILTER_DIMENSIONS[c] for c in scope.filters}
    return named | {f"{DIMENSION_PREFIX}{k}" for k in scope.dimensions}


def _rollup_source(scope: CostScope, dimension: str, settled_until_ns: int, sql: _Sql) -> str:
    """Rows (hour, value, sums...) of one dimension: the rollup's settled hours plus the rest."""
    a, b = scope.start_ns, scope.end_ns
    ra = min(_ceil_hour(a), b)
    rb = max(ra, min(b - b % _HOUR_NS, settled_until_ns))
    sums = ", ".join(SUM_COLUMNS)
    parts = []
    if rb > ra:
        value = [f"value = {sql.bind(v)}" for v in _filter_values(scope)]
        where = " AND ".join([f"project = {sql.bind(scope.project)}", f"dimension = {sql.bind(dimension)}", *value,
                              f"hour >= toDateTime({sql.bind(ra // _NS, 'UInt32')}, 'UTC')",
                              f"hour < toDateTime({sql.bind(rb // _NS, 'UInt32')}, 'UTC')"])  # fmt: skip
        parts.append(f"SELECT hour, value, {sums} FROM costs_hourly WHERE {where}")
    edges = [(lo, hi) for lo, hi in ((a, ra), (rb, b)) if hi > lo]
    if edges or not parts:
        carrying = [dimension] if dimension.startswith(DIMENSION_PREFIX) else []
        value_sql = "toString('')" if not dimension else f"toString({sql.column(dimension)})"
        where = sql.costs_where(scope, edges, carrying)
        parts.append(f"SELECT hour, {value_sql} AS value, {sums} FROM (SELECT {ROW_AS_ROLLUP} "
                     f"FROM ({costs_once(where)}))")  # fmt: skip
    return " UNION ALL ".join(parts)


def _filter_values(scope: CostScope) -> list[str]:
    return [*scope.filters.values(), *scope.dimensions.values()]


def grouped(client: Client, scope: CostScope, group_by: Sequence[str], limit: int = 1000,
            settled_until_ns: int | None = None) -> list[CostGroup]:  # fmt: skip
    """Totals per group, most expensive first (then by group values); no groups: one total row."""
    for name in group_by:
        check_group(name)
    sql = _Sql()
    attributes = [g for g in group_by if g not in TIME_GROUPS]
    involved = _involved(scope, attributes)
    if len(involved) <= 1:
        settled = read_state(client).settled_until_ns if settled_until_ns is None else settled_until_ns
        source = _rollup_source(scope, next(iter(involved), ""), settled, sql)
        exprs = [TIME_GROUPS.get(g, "value") for g in group_by]
    else:
        carrying = [g for g in attributes if g.startswith(DIMENSION_PREFIX)]
        where = sql.costs_where(scope, [(scope.start_ns, scope.end_ns)], carrying)
        source = f"SELECT {ROW_AS_ROLLUP} FROM ({costs_once(where)})"
        exprs = [TIME_GROUPS[g] if g in TIME_GROUPS else f"toString({sql.column(g)})" for g in group_by]
    keys = ", ".join(f"{e} AS k{i}" for i, e in enumerate(exprs))
    sums = ", ".join(f"sum({c})" for c in SUM_COLUMNS)
    query = f"SELECT {keys + ', ' if keys else ''}{sums} FROM ({source})"
    if exprs:
        names = ", ".join(f"k{i}" for i in range(len(exprs)))
        query += f" GROUP BY {names} ORDER BY sum(total_cost_usd) DESC, {names} LIMIT {sql.bind(limit, 'UInt32')}"
    rows = client.query(query, parameters=sql.params, settings=_FINAL_SETTINGS).result_rows
    n = len(exprs)
    return [CostGroup(dict(zip(group_by, r[:n], strict=True)), _totals(r[n:])) for r in rows]


def totals(client: Client, scope: CostScope, settled_until_ns: int | None = None) -> CostTotals:
    rows = grouped(client, scope, (), settled_until_ns=settled_until_ns)
    return rows[0].totals if rows else CostTotals()


def daily_micros(client: Client, scope: CostScope, first_day: date, last_day: date) -> list[int]:
    """Total cost per UTC day from first_day to last_day inclusive (0 for days without costs)."""
    days = grouped(client, scope, ("day",), limit=100_000)
    by_day = {g.key["day"]: g.totals.total_cost_micros for g in days}
    span = (last_day - first_day).days + 1
    return [by_day.get(first_day + timedelta(days=i), 0) for i in range(max(0, span))]


@dataclass(frozen=True)
class UnpricedModel:
    model_id: str
    provider: str
    reason: str
    spans: int
    input_tokens: int
    output_tokens: int
    first_seen_ns: int
    last_seen_ns: int


def unpriced_models(client: Client, scope: CostScope, limit: int = 100) -> list[UnpricedModel]:
    sql = _Sql()
    where = sql.costs_where(scope, [(scope.start_ns, scope.end_ns)])
    rows = client.query(
        f"""
        SELECT model_id, provider, anyLast(unpriced_reason), count(), sum(input_tokens), sum(output_tokens),
               toUnixTimestamp64Nano(min(start_time)), toUnixTimestamp64Nano(max(start_time))
        FROM costs FINAL WHERE {where} AND priced = 0
        GROUP BY model_id, provider ORDER BY count() DESC, model_id, provider LIMIT {sql.bind(limit, 'UInt32')}
        """,
        parameters=sql.params,
        settings=_FINAL_SETTINGS,
    ).result_rows
    return [UnpricedModel(r[0], r[1], r[2], int(r[3]), int(r[4]), int(r[5]), int(r[6]), int(r[7])) for r in rows]
