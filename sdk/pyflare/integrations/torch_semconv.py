"""Attribute and metric names the PyTorch integration writes, and its lazily bound instruments.

Instruments are created on the current client's meter at first use and again after `pyflare.init`
swaps the client, so a wrapper made before `init` still reports.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pyflare.runtime import RUNTIME

PROVIDER = "pytorch"

# forward passes (torch.forward spans)
BATCH_SIZE = "pyflare.batch.size"
INPUT_SHAPES = "pyflare.torch.input.shapes"
OUTPUT_SHAPES = "pyflare.torch.output.shapes"
PARAMETERS = "pyflare.torch.parameters"
CPU_PEAK_BYTES = "pyflare.torch.memory.cpu_peak_bytes"
CUDA_PEAK_BYTES = "pyflare.torch.memory.cuda_peak_bytes"
PROFILE_TOP_OPS = "pyflare.torch.profile.top_ops"
PROFILE_TOTAL_CPU_US = "pyflare.torch.profile.self_cpu_total_us"

# training steps (torch.train_step spans)
STEP = "pyflare.train.step"
EPOCH = "pyflare.train.epoch"
LOSS = "pyflare.train.loss"
GRAD_NORM = "pyflare.train.grad_norm"
LEARNING_RATE = "pyflare.train.learning_rate"
STEP_DURATION_MS = "pyflare.train.step.duration_ms"

# metrics
FORWARD_DURATION_METRIC = "pyflare.torch.forward.duration"
STEP_DURATION_METRIC = "pyflare.train.step.duration"
LOSS_METRIC = "pyflare.train.loss"
GRAD_NORM_METRIC = "pyflare.train.grad_norm"
LEARNING_RATE_METRIC = "pyflare.train.learning_rate"

_DURATION_BUCKETS = [
    0.0001,
    0.00025,
    0.0005,
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
]


def count_parameters(module: Any) -> int:
    return sum(int(p.numel()) for p in module.parameters())


class _Bound:
    """An instrument bound to the meter it was made on; rebuilt when the client's meter changes."""

    def __init__(self) -> None:
        self._meter: Any = None
        self._instrument: Any = None

    def _make(self, meter: Any) -> Any:
        raise NotImplementedError

    def current(self) -> Any:
        client = RUNTIME.client
        meter = client.meter if client is not None else None
        if meter is None:
            return None
        if meter is not self._meter:
            self._instrument = self._make(meter)
            self._meter = meter
        return self._instrument


class DurationHistogram(_Bound):
    def __init__(self, name: str, description: str) -> None:
        super().__init__()
        self.name = name
        self.description = description

    def _make(self, meter: Any) -> Any:
        return meter.create_histogram(
            self.name, unit="s", description=self.description,
            explicit_bucket_boundaries_advisory=_DURATION_BUCKETS,
        )  # fmt: skip

    def record(self, seconds: float, attributes: Mapping[str, Any]) -> None:
        instrument = self.current()
        if instrument is not None:
            instrument.record(seconds, attributes)


class Gauge(_Bound):
    def __init__(self, name: str, description: str, unit: str = "1") -> None:
        super().__init__()
        self.name = name
        self.description = description
        self.unit = unit

    def _make(self, meter: Any) -> Any:
        return meter.create_gauge(self.name, unit=self.unit, description=self.description)

    def set(self, value: float, attributes: Mapping[str, Any]) -> None:
        instrument = self.current()
        if instrument is not None:
            instrument.set(value, attributes)
