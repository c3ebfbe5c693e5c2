"""The ML examples (examples/torch_*.py, examples/sklearn_drift.py) run as a user runs them: each is a
subprocess exporting to a real `pyflare serve`, and what it sent is read back through the query API
and compared with what the script itself printed or with values computed here."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from tests.serve.running import INIT_KEY, REPO_ROOT, ServeProcess, start_serve

EXAMPLES = REPO_ROOT / "examples"


@pytest.fixture(scope="module")
def serve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    process = start_serve(tmp_path_factory.mktemp("ml-examples"), {"PYFLARE_INIT_API_KEY": INIT_KEY})
    try:
        yield process
    finally:
        process.kill()


def run_example(serve: ServeProcess, script: str, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYFLARE_", "OTEL_"))}
    env.update({"PYFLARE_ENDPOINT": serve.otlp_http, "PYFLARE_USE_HTTP": "true", "PYFLARE_API_KEY": INIT_KEY})
    done = subprocess.run([sys.executable, str(EXAMPLES / script), *args], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, f"{script} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def rows_when(serve: ServeProcess, sql: str, count: int, timeout_s: float = 60) -> list[dict]:
    """The query's rows once there are `count` of them (the server writes in batches)."""
    deadline = time.monotonic() + timeout_s
    while True:
        rows = serve.query(sql)
        if len(rows) >= count or time.monotonic() > deadline:
            return rows
        time.sleep(0.3)


def test_torch_inference_example_sends_one_forward_span_per_batch(serve):
    out = run_example(serve, "torch_inference.py", "--batches", "6", "--batch-size", "12")
    parameters = 20 * 64 + 64 + 64 * 32 + 32 + 32 * 4 + 4  # weights and biases of the three layers
    assert f"parameters: {parameters}" in out
    sql = (
        "SELECT model_id, model_version, provider AS model_provider, attributes['pyflare.batch.size'] AS batch,"
        " attributes['pyflare.torch.parameters'] AS params, attributes['pyflare.torch.input.shapes'] AS shapes,"
        " attributes['pyflare.torch.profile.top_ops'] AS top_ops"
        " FROM spans WHERE name = 'torch.forward' AND model_id = 'intent-mlp' ORDER BY start_time"
    )
    rows = rows_when(serve, sql, 6)
    assert len(rows) == 6
    assert {(r["model_id"], r["model_version"], r["model_provider"]) for r in rows} == {("intent-mlp", "1", "pytorch")}
    assert {r["batch"] for r in rows} == {"12"} and {r["params"] for r in rows} == {str(parameters)}
    assert all("12x20" in r["shapes"] for r in rows)
    profiled = [i for i, r in enumerate(rows) if r["top_ops"]]
    assert profiled == [0, 4]  # profile_every=4: the first and the fifth traced pass


def test_torch_training_example_sends_step_spans_and_metrics(serve):
    out = run_example(serve, "torch_training.py", "--epochs", "2", "--batch-size", "64")
    printed = [float(line.rsplit(" ", 1)[1]) for line in out.splitlines() if line.startswith("epoch ")]
    assert len(printed) == 2 * 4  # 256 rows in batches of 64, two epochs
    sql = (
        "SELECT toFloat64(attributes['pyflare.train.loss']) AS loss,"
        " toFloat64(attributes['pyflare.train.learning_rate']) AS lr, toInt64(attributes['pyflare.train.step']) AS step"
        " FROM spans WHERE name = 'torch.train_step' AND model_id = 'rule-mlp' ORDER BY step"
    )
    rows = rows_when(serve, sql, len(printed))
    assert [r["step"] for r in rows] == list(range(1, len(printed) + 1))
    assert [r["loss"] for r in rows] == pytest.approx(printed, abs=1e-6)
    assert [r["lr"] for r in rows] == pytest.approx([0.5] * 4 + [0.4] * 4)  # ExponentialLR(gamma=0.8) per epoch
    metric_sql = (
        "SELECT metric_name, value, count FROM metrics WHERE model_id = 'rule-mlp'"
        " ORDER BY time DESC LIMIT 1 BY metric_name"
    )
    metrics = {r["metric_name"]: r for r in rows_when(serve, metric_sql, 5)}
    assert metrics["pyflare.train.loss"]["value"] == pytest.approx(printed[-1], abs=1e-6)
    assert metrics["pyflare.train.learning_rate"]["value"] == pytest.approx(0.4)
    assert metrics["pyflare.train.step.duration"]["count"] == len(printed)
    assert metrics["pyflare.train.grad_norm"]["value"] > 0


def test_sklearn_drift_example_reports_the_shifted_feature(serve):
    out = run_example(serve, "sklearn_drift.py", "--api", serve.web, "--rows", "300")
    assert "traced rows queryable: 300" in out
    lines = dict(line.split(": ", 1) for line in out.splitlines() if ": " in line)
    assert lines["drift status"].startswith("drifted")
    assert sorted(lines["drifted features"].split(", ")) == ["age", "income"]  # tenure did not move
    rows = serve.query(
        "SELECT count() AS n, min(toFloat64(attributes['pyflare.features.income'])) AS low FROM spans"
        " WHERE model_id = 'churn-example' AND name = 'sklearn.predict.row'"
    )
    assert rows[0]["n"] == 300 and rows[0]["low"] > 30_000
