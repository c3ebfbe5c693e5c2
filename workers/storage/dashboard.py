"""Request figures of the dashboard over a time range, from the spans table in one pass per figure.

A request is a trace with a span starting in [start, end); it is summarised over those spans: its
duration from the earliest start to the latest end, failed when any of them failed, its service the
root's (the earliest span without a parent, else the earliest span). Duplicate deliveries change
none of these. Percentiles are exact (ClickHouse's quantileExactInclusive, numpy's default method).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from clickhouse_connect.driver.client import Client

_TRACES = (
    "SELECT trace_id, min(start_time) AS s,"
    " (toUnixTimestamp64Nano(max(end_time)) - toUnixTimestamp64Nano(min(start_time))) / 1e6 AS ms,"
    " max(status_code = 'error') AS failed,"
    " argMin(service_name, (parent_span_id != '', start_time, span_id)) AS service"
    " FROM spans WHERE project = {project:String}"
    " AND start_time >= fromUnixTimestamp64Nano({start:Int64}, 'UTC')"
    " AND start_time < fromUnixTimestamp64Nano({end:Int64}, 'UTC') GROUP BY trace_id"
)


@dataclass(frozen=True)
class RequestStats:
    requests: int
    errors: int
    p50_ms: float | None  # None without requests
    p95_ms: float | None


@dataclass(frozen=True)
class Bucket:
    start_ns: int
    requests: int
    errors: int
    p95_ms: float


@dataclass(frozen=True)
class ServiceStats:
    service: str
    requests: int
    errors: int
    p95_ms: float


@dataclass(frozen=True)
class DashboardRequests:
    total: RequestStats
    series: list[Bucket]  # buckets holding requests, oldest first
    services: list[ServiceStats]  # most requests first


def request_stats(
    client: Client, project: str, start_ns: int, end_ns: int, bucket_seconds: int, top: int, settings: dict[str, Any]
) -> DashboardRequests:
    params = {"project": project, "start": start_ns, "end": end_ns, "step": bucket_seconds, "top": top}
    total = client.query(
        f"SELECT count(), sum(failed), quantilesExactInclusive(0.5, 0.95)(ms) FROM ({_TRACES})",
        parameters=params,
        settings=settings,
    ).result_rows[0]
    series = client.query(
        "SELECT toUnixTimestamp(toStartOfInterval(s, toIntervalSecond({step:UInt32}), 'UTC')) AS b, count(),"
        f" sum(failed), quantileExactInclusive(0.95)(ms) FROM ({_TRACES}) GROUP BY b ORDER BY b",
        parameters=params,
        settings=settings,
    ).result_rows
    services = client.query(
        f"SELECT service, count() AS n, sum(failed), quantileExactInclusive(0.95)(ms) FROM ({_TRACES})"
        " GROUP BY service ORDER BY n DESC, service LIMIT {top:UInt32}",
        parameters=params,
        settings=settings,
    ).result_rows
    count = int(total[0])
    return DashboardRequests(
        total=RequestStats(
            count, int(total[1]), float(total[2][0]) if count else None, float(total[2][1]) if count else None
        ),
        series=[Bucket(int(b) * 1_000_000_000, int(n), int(e), float(p)) for b, n, e, p in series],
        services=[ServiceStats(s, int(n), int(e), float(p)) for s, n, e, p in services],
    )
