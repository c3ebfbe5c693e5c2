"""scikit-learn with drift monitoring: a churn classifier's predictions are traced with their features,
the training data is the drift reference, and a shift in the live customers' age and income shows as
drift (two of three features: past the monitor's default drift share of one half).

1. fit a classifier on "training" customers and upload their features as the drift reference;
2. predict on live customers who are older and richer, through PyFlare's scikit-learn wrapper
   (each row's features and prediction become a span);
3. ask the server to score the last window and print the verdict and the drifted features.

Run against a PyFlare server (the OTLP endpoint and the project's API key from the environment):
    PYFLARE_ENDPOINT=http://127.0.0.1:4318 PYFLARE_USE_HTTP=true PYFLARE_API_KEY=... \
        python examples/sklearn_drift.py --api http://127.0.0.1:8000
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np
import pandas as pd
import requests
from sklearn.linear_model import LogisticRegression

import pyflare
from pyflare.integrations.sklearn import instrument

MODEL_ID = "churn-example"
FEATURES = ["age", "income", "tenure"]


def customers(rows: int, age_mean: float, income_mean: float, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "age": rng.normal(age_mean, 10, rows).round(1),
        "income": rng.normal(income_mean, 8_000, rows).round(0),
        "tenure": rng.exponential(4, rows).round(2),
    })  # fmt: skip


def api(base: str, method: str, path: str, **kwargs: object) -> dict:
    headers = {"X-API-Key": os.environ["PYFLARE_API_KEY"]}
    reply = requests.request(method, f"{base}/api/v1{path}", headers=headers, timeout=60, **kwargs)
    if reply.status_code >= 400:
        sys.exit(f"{method} {path} answered {reply.status_code}: {reply.text}")
    return reply.json()


def wait_for_rows(base: str, expected: int, timeout_s: float = 60) -> int:
    """The server writes spans in batches: wait until the traced rows are queryable."""
    sql = f"SELECT count() AS n FROM spans WHERE model_id = '{MODEL_ID}' AND name = 'sklearn.predict.row'"
    deadline = time.monotonic() + timeout_s
    while True:
        n = int(api(base, "POST", "/query", json={"sql": sql})["rows"][0][0])
        if n >= expected or time.monotonic() > deadline:
            return n
        time.sleep(0.5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--api", default="http://127.0.0.1:8000", help="the PyFlare server's web address")
    parser.add_argument("--rows", type=int, default=300)
    args = parser.parse_args()

    training = customers(1_000, age_mean=40, income_mean=50_000, seed=1)
    churned = (training["tenure"] < 2) & (training["income"] < 52_000)
    model = LogisticRegression(max_iter=1_000).fit(training, churned.astype(int))
    reference = {"features": {name: {"values": training[name].tolist()} for name in FEATURES}}
    api(args.api, "POST", f"/drift/{MODEL_ID}/reference", json=reference)
    print(f"reference uploaded: {len(training)} training rows")

    pyflare.init(service_name="sklearn-drift-example")
    traced = instrument(model, model_id=MODEL_ID, max_row_spans=args.rows)
    # live customers are older and richer; tenure is unchanged
    live = customers(args.rows, age_mean=52, income_mean=65_000, seed=2)
    for start in range(0, args.rows, 50):
        traced.predict(live.iloc[start : start + 50])
    if not pyflare.flush():
        sys.exit("could not deliver the spans to PyFlare")
    pyflare.shutdown()
    print(f"traced rows queryable: {wait_for_rows(args.api, args.rows)}")

    outcome = api(args.api, "POST", f"/drift/{MODEL_ID}/run", json={})  # the monitor's window up to now
    print(f"drift status: {outcome['overall_status']} (severity {outcome['severity']:.2f}, {outcome['n_rows']} rows)")
    print(f"drifted features: {', '.join(outcome['drifted_features']) or 'none'}")


if __name__ == "__main__":
    main()
