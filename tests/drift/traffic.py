"""A churn-style model and its traffic: six inputs (five numerical, one categorical), labels from a
fixed rule, and the shifts the end-to-end test applies (two inputs moved; or the rule changed)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

FEATURES = ["age", "income", "tenure", "visits", "score", "plan"]
SHIFTED = ["income", "plan"]
PLANS = ["basic", "pro", "enterprise"]


def population(rng: np.random.Generator, n: int, shifted: bool = False) -> pd.DataFrame:
    income = rng.normal(50_000, 12_000, n) + (18_000 if shifted else 0)
    plan = rng.choice(PLANS, n, p=[0.3, 0.3, 0.4] if shifted else [0.6, 0.3, 0.1])
    return pd.DataFrame(
        {
            "age": rng.normal(40, 10, n).round(1),
            "income": income.round(2),
            "tenure": rng.exponential(24, n).round(2),
            "visits": rng.poisson(6, n).astype(float),
            "score": rng.uniform(0, 1, n).round(4),
            "plan": plan,
        }
    )


def labels(frame: pd.DataFrame, rng: np.random.Generator, flipped: bool = False) -> np.ndarray:
    """Churn when high income on an expensive plan and young; `flipped` inverts the rule for older users."""
    signal = (frame["income"] - 50_000) / 12_000 + 1.2 * (frame["plan"] == "enterprise") - (frame["age"] - 40) / 10
    y = (signal + rng.normal(0, 0.3, len(frame)) > 0.5).astype(int).to_numpy().copy()
    if flipped:
        older = (frame["age"] > 40).to_numpy()
        y[older] = 1 - y[older]
    return y


def train(seed: int = 0) -> Pipeline:
    rng = np.random.default_rng(seed)
    frame = population(rng, 4000)
    model = Pipeline(
        [
            (
                "encode",
                ColumnTransformer([("plan", OneHotEncoder(), ["plan"]), ("num", StandardScaler(), FEATURES[:5])]),
            ),
            ("classify", LogisticRegression(max_iter=2000)),
        ]
    )
    return model.fit(frame, labels(frame, rng))
