"""Reading a model's window from ClickHouse: feature types, re-delivered spans, sampling, labels."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pytest
from clickhouse_connect.driver.client import Client

from tests.storage.spans import span_row, span_table
from workers.analysis.drift import FeatureType
from workers.analysis.drift.monitor.window import WindowSpec
from workers.storage.drift.windows import count_rows, discover_features, read_labelled, read_window

NOW = time.time_ns()
START = NOW - 3600 * 1_000_000_000
SPEC = WindowSpec("own", "m", START, NOW)


def row(i: int, **values: Any) -> dict[str, Any]:
    defaults = {"project": "own", "model_id": "m", "trace_id": f"{i:032x}", "span_id": f"{i:016x}",
                "start_time": START + 1_000_000 * (i + 1)}  # fmt: skip
    return span_row(**(defaults | values))


def test_feature_types_are_discovered_from_the_values(ch_migrated: Client) -> None:
    rows = [
        row(i, features=[("age", str(20 + i)), ("plan", ["basic", "pro"][i % 2]), ("vip", "true" if i % 3 else "false"),
                         ("history", "[1.0,2.0]"), ("mostly_numbers", "n/a" if i == 0 else str(i))])
        for i in range(50)
    ]  # fmt: skip
    rows.append(row(99, model_id="other-model", features=[("elsewhere", "1")]))
    ch_migrated.insert_arrow("spans", span_table(rows))
    found = discover_features(ch_migrated, SPEC)
    assert found == {
        "age": FeatureType.NUMERICAL,
        "plan": FeatureType.CATEGORICAL,
        "vip": FeatureType.CATEGORICAL,
        "mostly_numbers": FeatureType.NUMERICAL,  # 49 of 50 parse: >= 95 %
    }


def test_window_bounds_projects_and_redelivered_spans(ch_migrated: Client) -> None:
    inside = [row(i, features=[("x", str(i))], prediction=str(i % 2)) for i in range(100)]
    outside = [
        row(1000, start_time=START - 1, features=[("x", "-1")]),
        row(1001, start_time=NOW, features=[("x", "-1")]),  # the end is exclusive
        row(1002, project="other", features=[("x", "-1")]),
        row(1003),  # no features and no prediction: a parent span, not a row
    ]
    ch_migrated.insert_arrow("spans", span_table(inside + outside))
    ch_migrated.insert_arrow("spans", span_table(inside[:10]))  # delivered twice
    got = read_window(ch_migrated, SPEC, [("x", FeatureType.NUMERICAL)], max_rows=10_000)
    assert got.total_rows == 100 == got.n_rows
    np.testing.assert_array_equal(np.sort(got.numeric["x"]), np.arange(100.0))
    assert sorted(got.prediction) == ["0"] * 50 + ["1"] * 50


def test_large_windows_are_sampled_uniformly_and_repeatably(ch_migrated: Client) -> None:
    values = np.random.default_rng(4).normal(size=20_000)
    ch_migrated.insert_arrow(
        "spans", span_table([row(i, features=[("x", repr(float(v)))]) for i, v in enumerate(values)])
    )
    first = read_window(ch_migrated, SPEC, [("x", FeatureType.NUMERICAL)], max_rows=2_000)
    again = read_window(ch_migrated, SPEC, [("x", FeatureType.NUMERICAL)], max_rows=2_000)
    assert count_rows(ch_migrated, SPEC) == first.total_rows == 20_000
    assert 1_700 <= first.n_rows <= 2_300
    np.testing.assert_array_equal(np.sort(first.numeric["x"]), np.sort(again.numeric["x"]))
    assert abs(first.numeric["x"].mean() - values.mean()) < 4 * values.std() / np.sqrt(first.n_rows)


def test_labels_join_their_span_or_else_their_trace(ch_migrated: Client) -> None:
    spans = [row(i, trace_id="a" * 32 if i < 2 else f"{i:032x}", prediction="yes") for i in range(4)]
    ch_migrated.insert_arrow("spans", span_table(spans))

    def feedback(trace_id: str, span_id: str, label: str, offset_ns: int, project: str = "own") -> str:
        return (f"('{project}', generateUUIDv4(), '{trace_id}', '{span_id}', "
                f"fromUnixTimestamp64Nano({NOW + offset_ns}), '{label}')")  # fmt: skip

    values = [
        feedback("a" * 32, "", "no", 0),  # whole trace a: spans 0 and 1
        feedback("a" * 32, f"{1:016x}", "maybe", 1),  # span 1 itself wins over its trace
        feedback(f"{2:032x}", f"{2:016x}", "old", 0),
        feedback(f"{2:032x}", f"{2:016x}", "yes", 5),  # the latest label of span 2
        feedback(f"{3:032x}", f"{3:016x}", "no", 0, project="other"),  # another project's label
    ]
    ch_migrated.command(
        f"INSERT INTO feedback (project, id, trace_id, span_id, time, label) VALUES {', '.join(values)}"
    )
    got = read_labelled(ch_migrated, SPEC, max_rows=100)
    assert sorted(got.label) == ["maybe", "no", "yes"]
    assert got.prediction == ["yes"] * 3
    assert np.isnan(got.label_number).all()


@pytest.mark.parametrize("value", ["1e309", "nan", "", "abc"])
def test_unparseable_numbers_are_missing(ch_migrated: Client, value: str) -> None:
    ch_migrated.insert_arrow("spans", span_table([row(0, features=[("x", value), ("y", "1")])]))
    got = read_window(ch_migrated, SPEC, [("x", FeatureType.NUMERICAL)], max_rows=10)
    assert not np.isfinite(got.numeric["x"]).any()
