"""PyTorch training traced by PyFlare: each optimisation step of a small MLP is a `torch.train_step`
span with its loss, gradient norm, learning rate and step time, and the same values are exported as
OTLP metrics (`pyflare.train.loss`, `pyflare.train.grad_norm`, `pyflare.train.learning_rate`,
`pyflare.train.step.duration`).

Run against a PyFlare server (the OTLP endpoint and the project's API key from the environment):
    PYFLARE_ENDPOINT=http://127.0.0.1:4318 PYFLARE_USE_HTTP=true PYFLARE_API_KEY=... \
        python examples/torch_training.py --epochs 5
"""

from __future__ import annotations

import argparse

import torch
from torch import nn

import pyflare
from pyflare.integrations.torch import trace_training


def make_data(rows: int) -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(1)
    x = torch.randn(rows, 10, generator=generator)
    y = (x[:, 0] + x[:, 1] > 0).long()  # a rule the model can learn
    return x, y


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()

    pyflare.init(service_name="torch-training-example")
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 2))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    scheduler = torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.8)
    steps = trace_training(model, optimizer, model_id="rule-mlp")
    x, y = make_data(256)
    for epoch in range(args.epochs):
        for start in range(0, len(x), args.batch_size):
            with steps.step(epoch=epoch) as step:
                optimizer.zero_grad()
                loss = nn.functional.cross_entropy(model(x[start : start + args.batch_size]),
                                                   y[start : start + args.batch_size])  # fmt: skip
                loss.backward()
                optimizer.step()
                step.loss = loss
            print(f"epoch {epoch} step {step.number} loss {loss.item():.6f}")
        scheduler.step()
    if not pyflare.flush():
        raise SystemExit("could not deliver the spans and metrics to PyFlare")
    pyflare.shutdown()


if __name__ == "__main__":
    main()
