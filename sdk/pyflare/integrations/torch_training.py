"""PyTorch training: `trace_training(model, optimizer, model_id=...)` traces each training step.

    steps = trace_training(model, optimizer, model_id="mlp")
    for x, y in batches:
        with steps.step(epoch=epoch) as step:
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            optimizer.step()
            step.loss = loss

Each step is one `torch.train_step` span with the step number, epoch, loss, gradient norm (the L2 norm
of all parameters' gradients as they are when the block ends, unless `step.grad_norm` was set, e.g.
from `clip_grad_norm_`), learning rate (the optimizer's first parameter group) and step time. The same
values go to OTLP metrics: loss, gradient norm and learning rate as gauges, step time as a histogram.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from opentelemetry import context
from opentelemetry import trace as otel_trace

from pyflare import semconv, span_data
from pyflare.integrations.torch_semconv import (
    EPOCH,
    GRAD_NORM,
    GRAD_NORM_METRIC,
    LEARNING_RATE,
    LEARNING_RATE_METRIC,
    LOSS,
    LOSS_METRIC,
    PARAMETERS,
    PROVIDER,
    STEP,
    STEP_DURATION_METRIC,
    STEP_DURATION_MS,
    DurationHistogram,
    Gauge,
    count_parameters,
)
from pyflare.runtime import RUNTIME


class TrainingStep:
    """What the caller reports about one step; unset values are measured when the step ends."""

    __slots__ = ("epoch", "grad_norm", "learning_rate", "loss", "number")

    def __init__(self, number: int, epoch: int | None) -> None:
        self.number = number
        self.epoch = epoch
        self.loss: Any = None
        self.grad_norm: Any = None
        self.learning_rate: float | None = None


def gradient_norm(module: Any) -> float | None:
    """L2 norm over every parameter's gradient (None when no parameter has one)."""
    import torch

    norms = [torch.linalg.vector_norm(p.grad.detach()) for p in module.parameters() if p.grad is not None]
    if not norms:
        return None
    return float(torch.linalg.vector_norm(torch.stack(norms)))


def _float(value: Any) -> float | None:
    if value is None:
        return None
    item = getattr(value, "item", None)
    return float(item() if callable(item) else value)


class TrainingTracer:
    def __init__(
        self, module: Any, optimizer: Any = None, *, model_id: str, model_version: str | None = None
    ) -> None:
        self.module = module
        self.optimizer = optimizer
        self.model_id = model_id
        self.model_version = model_version
        self.steps = 0
        self._metric_attributes = {semconv.MODEL_ID: model_id, semconv.MODEL_PROVIDER: PROVIDER}
        self._duration = DurationHistogram(STEP_DURATION_METRIC, "Duration of traced training steps")
        self._loss = Gauge(LOSS_METRIC, "Loss of the last traced training step")
        self._grad_norm = Gauge(GRAD_NORM_METRIC, "Gradient L2 norm of the last traced training step")
        self._learning_rate = Gauge(LEARNING_RATE_METRIC, "Learning rate of the last traced training step")

    def _current_learning_rate(self) -> float | None:
        groups = getattr(self.optimizer, "param_groups", None)
        if not groups:
            return None
        return _float(groups[0].get("lr"))

    @contextmanager
    def step(self, epoch: int | None = None) -> Iterator[TrainingStep]:
        """One training step; set `.loss` (a tensor or number) on the yielded object inside the block."""
        self.steps += 1
        current = TrainingStep(self.steps, epoch)
        tracer = RUNTIME.tracer
        if tracer is None:
            yield current
            return
        attributes: dict[str, Any] = {
            semconv.MODEL_ID: self.model_id,
            semconv.MODEL_PROVIDER: PROVIDER,
            STEP: current.number,
        }
        if self.model_version:
            attributes[semconv.MODEL_VERSION] = self.model_version
        if epoch is not None:
            attributes[EPOCH] = epoch
        span = tracer.start_span("torch.train_step", attributes=attributes)
        token = context.attach(otel_trace.set_span_in_context(span))
        start = time.perf_counter_ns()
        try:
            yield current
        except BaseException as exc:
            span_data.record_failure(span, exc)
            raise
        finally:
            elapsed_s = (time.perf_counter_ns() - start) / 1e9
            context.detach(token)
            self._finish(span, current, elapsed_s)

    def _finish(self, span: Any, current: TrainingStep, elapsed_s: float) -> None:
        loss = _float(current.loss)
        grad_norm = _float(current.grad_norm) if current.grad_norm is not None else gradient_norm(self.module)
        lr = current.learning_rate if current.learning_rate is not None else self._current_learning_rate()
        values = ((LOSS, loss), (GRAD_NORM, grad_norm), (LEARNING_RATE, lr))
        for key, value in values:
            if value is not None:
                span.set_attribute(key, value)
        span.set_attribute(STEP_DURATION_MS, elapsed_s * 1e3)
        if current.number == 1:
            span.set_attribute(PARAMETERS, count_parameters(self.module))
        span.end()
        self._duration.record(elapsed_s, self._metric_attributes)
        for gauge, value in ((self._loss, loss), (self._grad_norm, grad_norm), (self._learning_rate, lr)):
            if value is not None:
                gauge.set(value, self._metric_attributes)


def trace_training(
    module: Any, optimizer: Any = None, *, model_id: str, model_version: str | None = None
) -> TrainingTracer:
    """Trace training steps of `module` (the optimizer gives the learning rate)."""
    return TrainingTracer(module, optimizer, model_id=model_id, model_version=model_version)
