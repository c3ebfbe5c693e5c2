"""Drift of one model's window: 100 features over 100k spans read from ClickHouse (chdb) and scored.

    python loadtests/bench_drift_window.py [--rows 100000] [--features 100] [--repeat 5]

Loads a reference window and a current window of spans (90 % numerical, 10 % categorical features,
a few of them shifted), takes the reference from the first window as the API does, then times the
drift job's two halves on the second window: reading (workers.storage.drift.windows.read_window, one FINAL
query) and scoring (feature and prediction drift with automatic methods). The first scoring pass
also builds the per-feature test summaries from the stored reference; later windows reuse them.
Prints medians and the read/score shares. Target from the issue: <= 5 s per window. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

data_dir = Path(tempfile.mkdtemp(prefix="pyflare-bench-drift-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webapp.settings")
os.environ["PYFLARE_DATA_DIR"] = str(data_dir)
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
import pyarrow as pa  # noqa: E402

from webapp.drift.from_window import reference_from_window  # noqa: E402
from workers.analysis.drift.monitor.codec import pack, unpack  # noqa: E402
from workers.analysis.drift.monitor.config import FEATURE_REFERENCES, MonitorConfig  # noqa: E402
from workers.analysis.drift.monitor.reference_set import ReferenceSet  # noqa: E402
from workers.analysis.drift.monitor.scoring import ScoredWindow, score_features, score_prediction  # noqa: E402
from workers.analysis.drift.monitor.window import WindowSpec  # noqa: E402
from workers.storage import migrate  # noqa: E402
from workers.storage.clickhouse import StorageSettings, connect  # noqa: E402
from workers.storage.drift.windows import read_window  # noqa: E402
from workers.telemetry.columns import SPAN_COLUMNS, SPAN_SCHEMA  # noqa: E402

NS = 1_000_000_000
PLANS = np.array(["basic", "pro", "team", "enterprise", "trial"])


def span_table(n: int, start_ns: int, features: int, shifted: bool, seed: int) -> pa.Table:
    """Spans of one model, built column by column (the features map from offsets, keys and values)."""
    rng = np.random.default_rng(seed)
    numeric = int(features * 0.9)
    columns: dict[str, list[str] | np.ndarray] = {}
    for j in range(numeric):
        values = rng.normal(10 + j, 1 + j % 7, n) + (2.0 if shifted and j < 3 else 0.0)
        columns[f"num_{j:03d}"] = np.char.mod("%.6g", values)
    for j in range(features - numeric):
        p = np.full(PLANS.size, 1 / PLANS.size) if not (shifted and j == 0) else np.array([0.6, 0.1, 0.1, 0.1, 0.1])
        columns[f"cat_{j:03d}"] = PLANS[rng.choice(PLANS.size, n, p=p)]
    names = sorted(columns)
    keys = pa.array(np.tile(np.array(names, dtype=object), n), pa.string())
    items = pa.array(np.column_stack([np.asarray(columns[k], dtype=object) for k in names]).ravel(), pa.string())
    offsets = pa.array(np.arange(0, (n + 1) * len(names), len(names), dtype=np.int32))
    data: dict[str, pa.Array] = {}
    ids = rng.integers(0, 2**62, size=(n, 3))
    for column in SPAN_COLUMNS:
        if column.name == "features":
            data[column.name] = pa.MapArray.from_arrays(offsets, keys, items)
        elif column.name in ("start_time", "end_time"):
            data[column.name] = pa.array(start_ns + np.arange(n) * 1000, column.type)
        elif column.name == "trace_id":
            data[column.name] = pa.array([f"{a:016x}{b:016x}" for a, b, _ in ids], pa.string())
        elif column.name == "span_id":
            data[column.name] = pa.array([f"{c:016x}" for _, _, c in ids], pa.string())
        elif column.name in ("project", "model_id", "prediction", "name", "kind", "status_code"):
            fixed = {"project": "bench", "model_id": "wide-model", "name": "predict", "kind": "internal",
                     "status_code": "unset"}  # fmt: skip
            value = fixed.get(column.name)
            data[column.name] = (
                pa.array(rng.choice(["0", "1"], n, p=[0.7 if not shifted else 0.5, 0.3 if not shifted else 0.5]))
                if value is None else pa.array([value] * n, pa.string())
            )  # fmt: skip
        elif column.nullable:
            data[column.name] = pa.nulls(n, column.type)
        elif pa.types.is_string(column.type):
            data[column.name] = pa.array([""] * n, pa.string())
        elif pa.types.is_map(column.type) or pa.types.is_list(column.type):
            data[column.name] = pa.array([[]] * n, column.type)
        else:
            data[column.name] = pa.array(np.zeros(n, dtype=np.int64)).cast(column.type)
    return pa.Table.from_pydict(data, schema=SPAN_SCHEMA)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--features", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    storage = StorageSettings(url=f"chdb://{data_dir / 'clickhouse'}", database="bench")
    client = connect(storage)
    migrate.apply(client, storage)
    now = time.time_ns()
    ref_start, cur_start = now - 7200 * NS, now - 3600 * NS
    started = time.perf_counter()
    client.insert_arrow("spans", span_table(args.rows, ref_start, args.features, False, 1))
    client.insert_arrow("spans", span_table(args.rows, cur_start, args.features, True, 2))
    print(f"loaded 2 x {args.rows:,} spans with {args.features} features in {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    reference = reference_from_window(
        client, None, WindowSpec("bench", "wide-model", ref_start, cur_start), max_rows=args.rows
    )
    print(f"reference from the first window: {len(reference.features)} features, "
          f"{time.perf_counter() - started:.2f} s (once, when it is set)")  # fmt: skip

    started = time.perf_counter()
    manifest, blob = pack(reference.to_tree())
    packed = time.perf_counter() - started
    started = time.perf_counter()
    ReferenceSet.from_tree(unpack(manifest, blob))
    loaded = time.perf_counter() - started
    print(f"stored form: {len(blob) / 1e6:.1f} MB archive (pack {packed:.2f} s, load {loaded:.2f} s)")

    config = MonitorConfig(max_window_rows=args.rows)
    spec = WindowSpec("bench", "wide-model", cur_start, now)
    columns = [(name, base.feature_type) for name, base in sorted(reference.features.items())]
    reads, cold, warm = [], [], []
    drifted: list[str] = []
    for attempt in range(args.repeat):
        t0 = time.perf_counter()
        rows = read_window(client, spec, columns, config.max_window_rows)
        t1 = time.perf_counter()
        if attempt == 0:
            FEATURE_REFERENCES.clear()
        scored = ScoredWindow()
        score_features(scored, "bench-reference", reference, rows, config)
        score_prediction(scored, "bench-reference", reference, rows, config)
        t2 = time.perf_counter()
        reads.append(t1 - t0)
        (cold if attempt == 0 else warm).append(t2 - t1)
        drifted = scored.drifted_features
    read, score = statistics.median(reads), statistics.median(warm or cold)
    methods = sorted({row.method for row in scored.features})
    print(f"window: {rows.n_rows:,} rows x {len(columns)} features; methods {', '.join(methods)}; "
          f"drifted: {', '.join(drifted)}")  # fmt: skip
    print(f"read   median {read:.3f} s")
    print(f"score  first window {cold[0]:.3f} s (builds test summaries), later windows median {score:.3f} s "
          f"({1000 * score / len(columns):.1f} ms per feature)")  # fmt: skip
    total = read + score
    print(f"total  median {total:.3f} s per window (target <= 5 s): read {read / total:.0%}, score {score / total:.0%}")
    first = reads[0] + cold[0]
    print(f"first window total {first:.3f} s: read {reads[0] / first:.0%}, score {cold[0] / first:.0%}")


if __name__ == "__main__":
    main()
