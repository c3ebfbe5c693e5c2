"""PyTorch inference traced by PyFlare: a small MLP classifies batches; every forward pass is a
`torch.forward` span (batch size, shapes, parameter count, memory) and one pass in four also carries
a profiler summary of its slowest operators.

Run against a PyFlare server (the OTLP endpoint and the project's API key from the environment):
    PYFLARE_ENDPOINT=http://127.0.0.1:4318 PYFLARE_USE_HTTP=true PYFLARE_API_KEY=... \
        python examples/torch_inference.py --batches 8
"""

from __future__ import annotations

import argparse

import torch
from torch import nn

import pyflare
from pyflare.integrations.torch import wrap


def build_model() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 4)).eval()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batches", type=int, default=8)
    parser.add_argument("--batch-size", type=int, default=16)
    args = parser.parse_args()

    pyflare.init(service_name="torch-inference-example")
    # every batch traced, for the demonstration; by default (overhead_budget=0.005) a model this small
    # would have a share of its calls traced, keeping tracing's cost under 5 % of its time
    model = wrap(build_model(), model_id="intent-mlp", model_version="1", profile_every=4, overhead_budget=None)
    with torch.inference_mode():
        for _ in range(args.batches):
            classes = model(torch.randn(args.batch_size, 20)).argmax(dim=1)
            print("predicted classes:", classes.tolist())
    print(f"parameters: {model.parameter_count}")
    if not pyflare.flush():
        raise SystemExit("could not deliver the spans to PyFlare")
    pyflare.shutdown()


if __name__ == "__main__":
    main()
