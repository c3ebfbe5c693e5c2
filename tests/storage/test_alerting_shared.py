"""Rules read together (one query per shape) get the values each would get alone: checked against
the per-rule reads (themselves checked against the spans sent, tests/storage/test_alerting_metrics)
and against numbers counted from the spans sent, over the same stored spans (re-delivered copies
included)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.storage.test_alerting_metrics import NOW, WINDOW, Stored, in_window, stored  # noqa: F401  (fixture)
from workers.analysis.alerting.rules import Query
from workers.storage.alerting.metrics import UnsupportedQuery, window_values
from workers.storage.alerting.shared import shared_window_values, shares

QUERIES = [
    Query("error_rate", WINDOW, group_by=("model_id",)),
    Query("request_count", WINDOW, group_by=("model_id",)),
    Query("latency_p95_ms", WINDOW, group_by=("model_id",)),
    Query("error_rate", WINDOW, filters={"service": "chat"}),
    Query("error_rate", WINDOW, filters={"service": "search"}),
    Query("request_count", WINDOW, filters={"service": "nowhere"}),
    Query("input_tokens", WINDOW, filters={"model_id": "gpt-4o-mini"}),
    Query("output_tokens", WINDOW, filters={"model_id": "gpt-4.1-mini"}, group_by=("service",)),
    Query("latency_p99_ms", WINDOW, filters={"service": "chat"}, group_by=("model_id",)),
    Query("request_count", 2 * WINDOW, group_by=("service", "model_id")),
    Query("error_rate", 2 * WINDOW),
    Query("latency_p50_ms", 60.0, group_by=("model_id",)),
]


def test_shared_reads_equal_each_rule_read_alone(ch_migrated: Any, stored: Stored) -> None:  # noqa: F811
    project, _rows = stored
    together = shared_window_values(ch_migrated, project, QUERIES, NOW)
    for query, values in zip(QUERIES, together, strict=True):
        (alone,) = window_values(ch_migrated, project, query, [(NOW - query.window, NOW)])
        assert values.keys() == alone.keys(), query
        for key in alone:
            assert values[key] == pytest.approx(alone[key], rel=1e-12), query


def test_shared_reads_match_the_spans_sent(ch_migrated: Any, stored: Stored) -> None:  # noqa: F811
    project, rows = stored
    by_model, chat, nowhere = shared_window_values(ch_migrated, project, [QUERIES[0], QUERIES[3], QUERIES[5]], NOW)
    for model in ("gpt-4o-mini", "gpt-4.1-mini"):
        mine = in_window(rows, model)
        assert by_model[(("model_id", model),)] == sum(1 for r in mine if r.get("error")) / len(mine)
    assert chat == {(): 8 / 40} and nowhere == {}


def test_cost_and_drift_metrics_are_read_per_rule(ch_migrated: Any, stored: Stored) -> None:  # noqa: F811
    assert not shares(Query("cost_usd", WINDOW)) and not shares(Query("drift_severity", WINDOW))
    with pytest.raises(UnsupportedQuery, match="cost_usd"):
        shared_window_values(ch_migrated, stored[0], [Query("cost_usd", WINDOW)], NOW)
