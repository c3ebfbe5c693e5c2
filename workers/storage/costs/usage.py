"""Aggregates the savings recommendations rest on, read from `costs FINAL` over a window.

Medians and per-input counts cannot come from the hourly rollup; the window is short (days), so
the per-span table answers them. Previews of repeated inputs come from `spans` (when still kept).
"""

from __future__ import annotations

from typing import Any

from clickhouse_connect.driver.client import Client

from workers.analysis.cost import ModelUsage, RepeatedPrompt
from workers.storage.costs.reads import CostScope

_FINAL_SETTINGS = {"do_not_merge_across_partitions_select_final": 1}
_RANGE = ("start_time >= fromUnixTimestamp64Nano({a:Int64}, 'UTC') "
          "AND start_time < fromUnixTimestamp64Nano({b:Int64}, 'UTC')")  # fmt: skip


def _params(scope: CostScope, **extra: Any) -> dict[str, Any]:
    return {"project": scope.project, "a": scope.start_ns, "b": scope.end_ns, **extra}


def repeated_prompts(client: Client, scope: CostScope, min_count: int = 3, limit: int = 50) -> list[RepeatedPrompt]:
    params = _params(scope, min_count=min_count, limit=limit)
    rows = client.query(
        f"""
        SELECT input_hash, model_id, provider, count(), toInt64(round(sum(total_cost_usd) * 1000000))
        FROM costs FINAL
        WHERE project = {{project:String}} AND {_RANGE} AND input_hash != '' AND priced = 1
        GROUP BY input_hash, model_id, provider
        HAVING count() >= {{min_count:UInt32}}
        ORDER BY sum(total_cost_usd) DESC, input_hash LIMIT {{limit:UInt32}}
        """,
        parameters=params,
        settings=_FINAL_SETTINGS,
    ).result_rows
    previews = _previews(client, scope, [r[0] for r in rows])
    return [RepeatedPrompt(r[0], r[1], r[2], int(r[3]), int(r[4]), previews.get(r[0], "")) for r in rows]


def _previews(client: Client, scope: CostScope, hashes: list[str]) -> dict[str, str]:
    if not hashes:
        return {}
    rows = client.query(
        f"""
        SELECT input_hash, any(input_preview) FROM spans
        WHERE project = {{project:String}} AND {_RANGE} AND input_hash IN {{hashes:Array(String)}}
        GROUP BY input_hash
        """,
        parameters=_params(scope, hashes=hashes),
    ).result_rows
    return {r[0]: r[1][:200] for r in rows}


def model_usages(client: Client, scope: CostScope, limit: int = 50) -> list[ModelUsage]:
    rows = client.query(
        f"""
        SELECT model_id, provider, count(), toInt64(round(sum(total_cost_usd) * 1000000)), sum(input_tokens),
               sum(output_tokens),
               quantileExact(0.5)(input_tokens), quantileExact(0.5)(output_tokens),
               sum(cache_read_tokens), sum(cache_creation_tokens), sum(reasoning_tokens)
        FROM costs FINAL
        WHERE project = {{project:String}} AND {_RANGE} AND priced = 1
        GROUP BY model_id, provider
        ORDER BY sum(total_cost_usd) DESC, model_id LIMIT {{limit:UInt32}}
        """,
        parameters=_params(scope, limit=limit),
        settings=_FINAL_SETTINGS,
    ).result_rows
    return [
        ModelUsage(r[0], r[1], int(r[2]), int(r[3]), int(r[4]), int(r[5]), float(r[6]), float(r[7]),
                   int(r[8]), int(r[9]), int(r[10]))
        for r in rows
    ]  # fmt: skip
