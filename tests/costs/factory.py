"""`costs` rows for tests that need spend without going through ingest (budgets, forecasts, API)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import pyarrow as pa
from clickhouse_connect.driver.client import Client

from workers.analysis.cost import packaged_table
from workers.storage.costs.rows import COST_SCHEMA

_counter = iter(range(1, 10**9))


def ns(moment: datetime) -> int:
    return int(moment.timestamp()) * 1_000_000_000 + moment.microsecond * 1000


def cost_row(project: str, at: datetime | int, total_micros: int, **values: Any) -> dict[str, Any]:
    i = next(_counter)
    row: dict[str, Any] = {
        "project": project, "start_time": at if isinstance(at, int) else ns(at), "trace_id": f"{i:032x}",
        "span_id": f"{i:016x}", "model_id": "gpt-4o", "model_family": "gpt-4o", "provider": "openai", "input_hash": "",
        "response_id": "",
        "input_tokens": 1000, "output_tokens": 100, "cache_read_tokens": 0, "cache_creation_tokens": 0,
        "reasoning_tokens": 0, "input_cost_usd": usd(total_micros), "cache_cost_usd": usd(0),
        "output_cost_usd": usd(0), "total_cost_usd": usd(total_micros), "priced": 1, "unpriced_reason": "",
        "price_id": "gpt-4o@initial",
        "price_version": "test", "user_id": "", "feature_id": "", "team": "", "environment": "",
        "dimensions": [], "version": 1,
    }  # fmt: skip
    for key, value in values.items():  # *_cost_micros given as micro-dollars, stored as exact dollars
        row[key.replace("_cost_micros", "_cost_usd")] = usd(value) if key.endswith("_cost_micros") else value
    if "model_family" not in values:
        row["model_family"] = packaged_table().family(row["model_id"])
    return row


def usd(micros: int) -> Decimal:
    return Decimal(micros) / 1_000_000


def insert_costs(client: Client, rows: list[dict[str, Any]]) -> None:
    client.insert_arrow("costs", pa.Table.from_pylist(rows, schema=COST_SCHEMA))
