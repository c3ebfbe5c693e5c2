"""`GET /metrics` and `GET /metrics/timeseries` on the real ClickHouse engine (chdb).

Points are generated from known raw observations; expected aggregates come from Python and numpy
(numpy.percentile for gauges; for histograms the percentile of the raw observations, which bucket
interpolation must reach within one bucket width, plus hand-computed cases).
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from clickhouse_connect.driver.client import Client
from rest_framework.test import APIClient

from tests.webapp.conftest import World
from tests.webapp.telemetry import HOUR_NS, client_for, walk
from webapp.metrics.api.serializers import MetricSerializer, TimeSeriesSerializer
from webapp.metrics.histogram import Histogram, quantile
from workers.telemetry.columns import METRIC_COLUMNS, METRIC_SCHEMA

S = 1_000_000_000
END = time.time_ns() // (60 * S) * (60 * S)  # minute-aligned
START = END - 2 * HOUR_NS
EXP_HOUR = (START // HOUR_NS + 1) * HOUR_NS  # a whole clock hour inside [START, END]: 1h buckets align to it
BOUNDS = [float(b) for b in range(5, 1000, 5)]  # 5 ms wide buckets, 1000+ is the overflow bucket
WIDTH = 5.0


def near_rank(value: float, observations: list[float], q: float) -> bool:
    """Whether a bucket-interpolated q-quantile is where it must be: within one bucket of the order
    statistics around rank q*N (numpy.percentile lies between the same two)."""
    ordered = sorted(observations)
    n = len(ordered)
    low = ordered[max(0, int(np.floor(q * n)) - 1)]
    high = ordered[min(n - 1, int(np.ceil(q * n)))]
    assert low <= np.percentile(ordered, q * 100) <= high
    return low - WIDTH <= value <= high + WIDTH


def metric_row(**values: Any) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for c in METRIC_COLUMNS:
        if c.nullable:
            row[c.name] = None
        elif pa.types.is_string(c.type):
            row[c.name] = ""
        elif pa.types.is_map(c.type) or pa.types.is_list(c.type):
            row[c.name] = []
        elif pa.types.is_boolean(c.type):
            row[c.name] = False
        else:
            row[c.name] = 0
    row |= {"project": "own", "source_partition": -1, "source_offset": -1}
    return row | values


def bucketed(observations: list[float]) -> list[int]:
    counts = [0] * (len(BOUNDS) + 1)
    for x in observations:
        counts[int(np.searchsorted(BOUNDS, x, side="left"))] += 1  # bucket i holds (b[i-1], b[i]]
    return counts


@pytest.fixture(scope="module")
def points() -> dict[str, Any]:
    """Rows plus the raw observations behind them, per metric."""
    rng = np.random.default_rng(7)
    rows: list[dict[str, Any]] = []
    gauge: list[dict[str, Any]] = []
    for t in range(START - 10 * 60 * S, END + 10 * 60 * S, 10 * S):  # also outside the queried range
        for service in ("api", "worker"):
            for host in ("a", "b"):
                value = float(rng.normal(50, 20))
                gauge.append({"t": t, "service": service, "host": host, "value": value})
                rows.append(metric_row(
                    metric_name="cpu.utilization", metric_type="gauge", unit="%", service_name=service,
                    time=t, start_time=t, value=value, attributes=[("host", host)],
                    resource=[("service.name", service)],
                ))  # fmt: skip
    # a delta histogram, two series, one point per 30 s with its own observations
    delta: list[dict[str, Any]] = []
    for t in range(START, END, 30 * S):
        for model in ("gpt-4o", "claude"):
            obs = list(rng.lognormal(5, 0.6, size=int(rng.integers(5, 40))))
            delta.append({"t": t, "model": model, "obs": obs})
            rows.append(metric_row(
                metric_name="llm.latency", metric_type="histogram", unit="ms", temporality="delta", time=t,
                start_time=t - 30 * S, service_name="api", model_id=model, count=len(obs), sum=float(sum(obs)),
                value=float(np.mean(obs)), min=float(min(obs)), max=float(max(obs)), bucket_counts=bucketed(obs),
                explicit_bounds=BOUNDS, attributes=[("model", model)],
            ))  # fmt: skip
    # a cumulative histogram: the series starts 5 min before the range, resets once in the middle
    cumulative: list[dict[str, Any]] = []
    series_start, seen = START - 5 * 60 * S, []
    for t in range(START - 4 * 60 * S, END, 60 * S):
        if t == START + HOUR_NS:
            series_start, seen = t - S, []  # process restart
        obs = list(rng.uniform(0, 900, size=int(rng.integers(1, 30))))
        seen = seen + obs
        cumulative.append({"t": t, "obs": obs})
        rows.append(metric_row(
            metric_name="queue.wait", metric_type="histogram", unit="ms", temporality="cumulative", time=t,
            start_time=series_start, service_name="worker", count=len(seen), sum=float(sum(seen)),
            value=float(np.mean(seen)), min=float(min(seen)), max=float(max(seen)), bucket_counts=bucketed(seen),
            explicit_bounds=BOUNDS,
        ))  # fmt: skip
    # exponential-style histograms whose boundaries differ from point to point
    exponential: list[float] = []
    for i, t in enumerate(range(EXP_HOUR, EXP_HOUR + 10 * 60 * S, 60 * S)):
        obs = list(rng.uniform(0, 64, size=50))
        exponential += obs
        bounds = [float(2**k) for k in range(7)] if i % 2 else [float(b) for b in range(4, 65, 4)]
        counts = [0] * (len(bounds) + 1)
        for x in obs:
            counts[int(np.searchsorted(bounds, x, side="left"))] += 1
        rows.append(metric_row(
            metric_name="tokens.exp", metric_type="exponential_histogram", temporality="delta", time=t, start_time=t,
            count=50, sum=float(sum(obs)), value=float(np.mean(obs)), min=float(min(obs)), max=float(max(obs)),
            bucket_counts=counts, explicit_bounds=bounds,
        ))  # fmt: skip
    rows.append(metric_row(
        metric_name="gc.pause", metric_type="summary", unit="s", time=START + S, start_time=START, count=4,
        sum=2.0, value=0.5, min=0.1, max=0.9, quantiles=[(0.0, 0.1), (0.5, 0.4), (1.0, 0.9)],
    ))  # fmt: skip
    # the other project: same names, values that would stand out
    rows.append(metric_row(project="other", metric_name="cpu.utilization", metric_type="gauge", time=START + S,
                           start_time=START, value=1e9, service_name="api", attributes=[("host", "a")]))  # fmt: skip
    rows.append(metric_row(project="other", metric_name="secret.metric", metric_type="gauge", time=START + S,
                           start_time=START, value=1.0))  # fmt: skip
    return {"rows": rows, "gauge": gauge, "delta": delta, "cumulative": cumulative, "exponential": exponential}


@pytest.fixture(scope="module")
def stored(module_storage: Client, points: dict[str, Any]) -> Client:
    module_storage.insert_arrow("metrics", pa.Table.from_pylist(points["rows"], schema=METRIC_SCHEMA))
    return module_storage


@pytest.fixture
def api(world: World, telemetry_store: Client, stored: Client) -> APIClient:
    return client_for(world)


def series(api: APIClient, **params: Any) -> dict[str, Any]:
    response = api.get("/api/v1/metrics/timeseries", {"start_time": START, "end_time": END, **params})
    assert response.status_code == 200, response.content[:400]
    return response.json()


def values_by_bucket(body: dict[str, Any], group: str = "") -> dict[int, float | None]:
    for s in body["series"]:
        if (s["group"] and next(iter(s["group"].values()))) == group or (not s["group"] and not group):
            return {p["time_unix_nano"]: p["value"] for p in s["points"]}
    raise AssertionError(f"no series {group!r} in {[s['group'] for s in body['series']]}")


def test_the_list_has_every_metric_with_its_latest_value(api: APIClient, points: dict[str, Any]) -> None:
    got = {m["name"]: m for m in walk(api, "/api/v1/metrics", "metrics", {"limit": 2})}
    own = [r for r in points["rows"] if r["project"] == "own"]
    assert list(got) == sorted({r["metric_name"] for r in own})
    for name, metric in got.items():
        mine = [r for r in own if r["metric_name"] == name]
        latest = max(mine, key=lambda r: r["time"])
        at_latest = [r["value"] for r in mine if r["time"] == latest["time"]]  # several series may share it
        keys = {(r["service_name"], r["model_id"], tuple(r["attributes"]), tuple(r["resource"])) for r in mine}
        assert metric["type"] == latest["metric_type"] and metric["unit"] == latest["unit"]
        assert metric["last_value"] in at_latest
        assert metric["series_count"] == len(keys) and metric["point_count"] == len(mine)
    assert set(next(iter(got.values()))) == set(MetricSerializer().fields)
    assert [m["name"] for m in api.get("/api/v1/metrics", {"q": "LATENCY"}).json()["metrics"]] == ["llm.latency"]


GAUGE_EXPECTED = {
    "sum": np.sum,
    "avg": np.mean,
    "count": len,
    "min": np.min,
    "max": np.max,
    "p50": lambda v: np.percentile(v, 50),
    "p95": lambda v: np.percentile(v, 95),
    "p99": lambda v: np.percentile(v, 99),
}


@pytest.mark.parametrize("aggregation", list(GAUGE_EXPECTED))
@pytest.mark.parametrize("group_by", [None, "service", "attr.host"])
def test_gauge_aggregations_match_numpy(
    api: APIClient, points: dict[str, Any], aggregation: str, group_by: str | None
) -> None:
    step = 5 * 60 * S
    body = series(
        api,
        name="cpu.utilization",
        interval="5m",
        aggregation=aggregation,
        **({"group_by": group_by} if group_by else {}),
    )
    assert body["percentile_source"] == ("data_points" if aggregation.startswith("p") else None)
    assert body["interval"] == "5m" and body["interval_seconds"] == 300
    field = {"service": "service", "attr.host": "host"}.get(group_by or "")
    groups: dict[str, dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
    for p in points["gauge"]:
        if START <= p["t"] < END:
            groups[p[field] if field else ""][p["t"] // step * step].append(p["value"])
    assert sorted(next(iter(s["group"].values()), "") for s in body["series"]) == sorted(groups)
    for group, buckets in groups.items():
        got = values_by_bucket(body, group)
        assert sorted(got) == sorted(buckets)
        for bucket, vals in buckets.items():
            assert got[bucket] == pytest.approx(float(GAUGE_EXPECTED[aggregation](vals)), rel=1e-9), (group, bucket)
    assert set(body) == set(TimeSeriesSerializer().fields)


def test_filters_narrow_the_points(api: APIClient, points: dict[str, Any]) -> None:
    body = series(
        api, name="cpu.utilization", interval="1h", aggregation="count", service="worker", **{"attr.host": "b"}
    )
    expected: dict[int, int] = defaultdict(int)
    for p in points["gauge"]:
        if START <= p["t"] < END and p["service"] == "worker" and p["host"] == "b":
            expected[p["t"] // HOUR_NS * HOUR_NS] += 1
    assert values_by_bucket(body) == {k: float(v) for k, v in expected.items()}


@pytest.mark.parametrize("aggregation", ["p50", "p95", "p99", "count", "sum", "avg", "min", "max"])
def test_delta_histogram_aggregations_come_from_buckets(
    api: APIClient, points: dict[str, Any], aggregation: str
) -> None:
    step = 10 * 60 * S
    body = series(api, name="llm.latency", interval="10m", aggregation=aggregation, group_by="model_id")
    if aggregation.startswith("p"):
        assert body["percentile_source"] == "histogram_buckets"
    for model in ("gpt-4o", "claude"):
        raw: dict[int, list[float]] = defaultdict(list)
        for p in points["delta"]:
            if p["model"] == model:
                raw[p["t"] // step * step] += p["obs"]
        got = values_by_bucket(body, model)
        assert sorted(got) == sorted(raw)
        for bucket, obs in raw.items():
            if aggregation.startswith("p"):
                assert near_rank(got[bucket], obs, float(aggregation[1:]) / 100), (model, bucket)
            else:
                assert got[bucket] == pytest.approx(float(GAUGE_EXPECTED[aggregation](obs)), rel=1e-9)


def test_cumulative_histograms_count_what_each_interval_added(api: APIClient, points: dict[str, Any]) -> None:
    step = 15 * 60 * S
    raw: dict[int, list[float]] = defaultdict(list)
    for p in points["cumulative"]:
        if p["t"] >= START:
            raw[p["t"] // step * step] += p["obs"]
    counts = values_by_bucket(series(api, name="queue.wait", interval="15m", aggregation="count"))
    assert counts == {b: float(len(o)) for b, o in raw.items()}
    p95 = values_by_bucket(series(api, name="queue.wait", interval="15m", aggregation="p95"))
    for bucket, obs in raw.items():
        assert near_rank(p95[bucket], obs, 0.95), bucket


def test_histograms_with_different_boundaries_merge(api: APIClient, points: dict[str, Any]) -> None:
    body = series(
        api, name="tokens.exp", interval="1h", aggregation="p50", start_time=EXP_HOUR, end_time=EXP_HOUR + HOUR_NS
    )
    (value,) = values_by_bucket(body).values()
    assert abs(value - np.percentile(points["exponential"], 50)) <= 4.0  # the coarser boundaries are 4 apart


def test_bucket_quantiles_by_hand() -> None:
    # 10 observations spread evenly over (10, 20]: the median is 15
    assert quantile([Histogram([10.0, 20.0], [0, 10, 0], 10.0, 20.0)], 0.5) == pytest.approx(15.0)
    # two histograms, one per bucket: (0, 10] holds 10, (10, 20] holds 30 -> p25 = 10, p50 = 10 + 10/3
    merged = [Histogram([10.0], [10, 0], 0.0, 10.0), Histogram([10.0, 20.0], [0, 30, 0], 10.0, 20.0)]
    assert quantile(merged, 0.25) == pytest.approx(10.0)
    assert quantile(merged, 0.5) == pytest.approx(10 + 10 / 3)
    assert quantile([Histogram([1.0], [0, 0])], 0.5) is None


def test_summaries_refuse_percentiles_but_give_counts(api: APIClient) -> None:
    response = api.get(
        "/api/v1/metrics/timeseries", {"name": "gc.pause", "aggregation": "p95", "start_time": START, "end_time": END}
    )
    assert response.status_code == 400 and "summary" in response.json()["message"]
    counts = values_by_bucket(series(api, name="gc.pause", interval="1h", aggregation="count"))
    assert list(counts.values()) == [4.0]


def test_other_projects_points_never_count(api: APIClient, world: World) -> None:
    body = series(api, name="cpu.utilization", interval="2h", aggregation="max")
    assert all(p["value"] < 1e6 for s in body["series"] for p in s["points"])
    names = {m["name"] for m in api.get("/api/v1/metrics").json()["metrics"]}
    assert "secret.metric" not in names
    theirs = client_for(world, side="other")
    assert {m["name"] for m in theirs.get("/api/v1/metrics").json()["metrics"]} == {"cpu.utilization", "secret.metric"}


def test_an_unknown_metric_has_no_series(api: APIClient) -> None:
    body = series(api, name="no.such.metric", aggregation="p95")
    assert body["series"] == [] and body["type"] == ""


def test_the_interval_defaults_to_about_120_buckets(api: APIClient) -> None:
    body = series(api, name="cpu.utilization")
    assert body["interval"] == "1m" and body["aggregation"] == "avg"


BAD = [
    ({"interval": "5x"}, "interval", "s, m, h or d"),
    ({"interval": "0s"}, "interval", "s, m, h or d"),
    ({"interval": "32d"}, "interval", "31d"),
    ({"interval": "1s", "start_time": str(START - 24 * HOUR_NS)}, "interval", "2000"),
    ({"aggregation": "median"}, "aggregation", "not a valid choice"),
    ({"group_by": "host"}, "group_by", "attr.<key>"),
    ({"start_time": str(END), "end_time": str(START)}, "start_time", "before"),
    ({"end_time": "tomorrow"}, "end_time", "ISO-8601"),
    ({"colour": "red"}, "colour", "unknown parameter"),
]


@pytest.mark.parametrize(("params", "field", "hint"), BAD, ids=[b[1] + "-" + b[2] for b in BAD])
def test_bad_parameters_are_400(api: APIClient, params: dict[str, str], field: str, hint: str) -> None:
    response = api.get("/api/v1/metrics/timeseries", {"name": "cpu.utilization", **params})
    assert response.status_code == 400, response.content
    assert field in response.json()["details"] and hint in response.json()["message"]


def test_the_name_is_required(api: APIClient) -> None:
    response = api.get("/api/v1/metrics/timeseries")
    assert response.status_code == 400 and "name" in response.json()["details"]


def test_random_bucket_quantiles_approach_numpy() -> None:
    rng = random.Random(3)
    obs = [rng.gauss(300, 80) for _ in range(5000)]
    obs = [min(max(x, 0.1), 990) for x in obs]
    h = Histogram(BOUNDS, bucketed(obs), min(obs), max(obs))
    for q in (0.01, 0.5, 0.9, 0.999):
        assert abs(quantile([h], q) - np.percentile(obs, q * 100)) <= WIDTH  # type: ignore[operator]
