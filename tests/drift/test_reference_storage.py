"""Stored references: the manifest + archive form round-trips exactly, is far smaller than JSON, and a
reloaded reference scores exactly as the one built in memory."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy.stats import ks_2samp

from tests.webapp.conftest import World
from webapp.drift.models import DriftReference
from webapp.drift.services import ensure_monitor
from webapp.drift.store import REFERENCE_SETS, load_reference, save_reference
from workers.analysis.drift import CategoryCounts, FeatureType, SortedSample, get_test
from workers.analysis.drift.monitor.codec import pack, unpack
from workers.analysis.drift.monitor.reference_set import FeatureBase, LabelBase, ReferenceSet


def test_pack_and_unpack_round_trip() -> None:
    tree = {
        "a": np.arange(5, dtype=np.float64),
        "b": [np.array(["x", "yy"]), {"c": np.array([[1.5, 2.5]], dtype=np.float32)}],
        "d": np.int64(3),
        "e": "text",
        "f": None,
    }
    manifest, blob = pack(tree)
    json.dumps(manifest)  # the manifest is plain JSON
    back = unpack(json.loads(json.dumps(manifest)), blob)
    np.testing.assert_array_equal(back["a"], tree["a"])
    np.testing.assert_array_equal(back["b"][0], tree["b"][0])
    assert back["b"][1]["c"].dtype == np.float32 and back["d"] == 3 and back["e"] == "text" and back["f"] is None
    with pytest.raises(TypeError, match="object arrays"):
        pack({"x": np.array([{"a": 1}], dtype=object)})


def test_a_million_values_store_compactly_and_score_the_same(world: World) -> None:
    rng = np.random.default_rng(0)
    reference = rng.normal(size=1_000_000)
    current = rng.normal(0.01, 1, 100_000)
    built = ReferenceSet(
        {
            "x": FeatureBase(FeatureType.NUMERICAL, SortedSample.from_values(reference)),
            "c": FeatureBase(FeatureType.CATEGORICAL, CategoryCounts.from_mapping({"a": 3, "b": 5})),
        },
        labels=LabelBase(np.array(["1", "0"]), np.array(["1", "1"]), np.array([1.0, 0.0]), np.array([1.0, 1.0])),
        row_count=1_000_000,
    )
    stored = save_reference(ensure_monitor(world.own.project, "big"), built, "upload", "test")
    json_bytes = len(json.dumps(built.features["x"].summary.to_dict()))
    assert stored.size_bytes < 0.5 * json_bytes
    REFERENCE_SETS.clear()
    loaded = load_reference(DriftReference.objects.get(pk=stored.pk))
    np.testing.assert_array_equal(loaded.features["x"].summary.values, np.sort(reference))
    assert loaded.features["c"].summary.categories == ("a", "b")
    np.testing.assert_array_equal(loaded.labels.prediction, ["1", "1"])
    ks = get_test("ks")
    result = ks.score(loaded.features["x"].summary, current)
    expected = ks_2samp(reference, current)
    assert result.score == pytest.approx(expected.statistic, rel=1e-12)
    assert result.p_value == pytest.approx(expected.pvalue, rel=1e-6)


def test_only_the_newest_references_are_kept(world: World) -> None:
    monitor = ensure_monitor(world.own.project, "many")
    part = ReferenceSet({"x": FeatureBase(FeatureType.NUMERICAL, SortedSample.from_values([1.0, 2.0]))})
    stored = [save_reference(monitor, part, "upload", "test") for _ in range(7)]
    kept = set(DriftReference.objects.filter(monitor=monitor).values_list("pk", flat=True))
    assert kept == {s.pk for s in stored[-5:]}
    monitor.refresh_from_db()
    assert monitor.reference_id == stored[-1].pk
