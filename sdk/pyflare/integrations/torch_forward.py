"""PyTorch inference: `wrap(module, model_id=...)` traces the module's forward passes.

Each traced call is one `torch.forward` span (its duration is the latency) with the batch size, the
input and output shapes, the parameter count, the process's peak CPU memory (and CUDA's peak for the
call when the inputs are on a GPU) and, every `profile_every` traced calls, a profiler summary of the
slowest operators; the duration also goes to the `pyflare.torch.forward.duration` histogram.

A span costs tens of microseconds whatever the model, which is more than a small model's forward
pass. So tracing keeps to an overhead budget (default 0.5 %): a call is traced only while the time spent
in PyFlare's code around traced calls stays within that fraction of the time spent in forward passes;
large models get every call traced, small ones a share. The forward time of all calls is estimated
as calls seen x a typical forward time, learnt from one untraced call in 16 (a traced call's own
forward pass runs slower, on caches the span work cooled, so traced calls may only lower it); it
falls fast and rises slowly, each rise capped, so one preempted call cannot switch the budget
to tracing everything. Most untraced calls cost a counter and a comparison, no clock read.
Indirect costs (the span processor's thread, garbage collection, colder caches) come on top of the
budget.
`overhead_budget=None` traces every call; `sample_every=N` considers one call in N. Per call the
parameter count is not recounted (`refresh()` does) and shape strings come from a cache.
"""

from __future__ import annotations

import itertools
import math
import resource
import time
from typing import Any, NamedTuple

from opentelemetry import context
from opentelemetry import trace as otel_trace
from opentelemetry.trace import Span

from pyflare import semconv, span_data
from pyflare.integrations.torch_semconv import (
    BATCH_SIZE,
    CPU_PEAK_BYTES,
    CUDA_PEAK_BYTES,
    FORWARD_DURATION_METRIC,
    INPUT_SHAPES,
    OUTPUT_SHAPES,
    PARAMETERS,
    PROFILE_TOP_OPS,
    PROFILE_TOTAL_CPU_US,
    PROVIDER,
    DurationHistogram,
    count_parameters,
)
from pyflare.runtime import RUNTIME

FORWARD_SPAN = "torch.forward"
DEFAULT_OVERHEAD_BUDGET = 0.005  # indirect costs come on top: the total stays well under 5 %
_SHAPE_NAMES: dict[tuple[int, ...], str] = {}  # shape -> "64x784": formatted once per distinct shape


def _shape_name(shape: tuple[int, ...]) -> str:
    name = _SHAPE_NAMES.get(shape)
    if name is None:
        name = "x".join(str(d) for d in shape) if shape else "scalar"
        if len(_SHAPE_NAMES) < 4096:  # bounded: a model fed ever-new shapes must not grow this forever
            _SHAPE_NAMES[shape] = name
    return name


def _tensors(value: Any) -> list[Any]:
    """The tensors in a forward argument or result: a tensor, or a tuple/list/dict of them (one level)."""
    if hasattr(value, "shape") and hasattr(value, "device"):
        return [value]
    if isinstance(value, (tuple, list)):
        return [v for v in value if hasattr(v, "shape") and hasattr(v, "device")]
    if isinstance(value, dict):
        return [v for v in value.values() if hasattr(v, "shape") and hasattr(v, "device")]
    return []


class ForwardCall(NamedTuple):
    span: Span
    token: object
    inputs: list[Any]
    cuda: bool
    profile: Any
    start_ns: int


def _cpu_peak_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports KiB


class TracedModule:
    """A `torch.nn.Module` whose calls are traced; every other attribute is the module's."""

    def __init__(
        self,
        module: Any,
        *,
        model_id: str,
        model_version: str | None = None,
        sample_every: int = 1,
        overhead_budget: float | None = DEFAULT_OVERHEAD_BUDGET,
        profile_every: int = 0,
        profile_top: int = 5,
        track_memory: bool = True,
    ) -> None:
        if sample_every < 1:
            raise ValueError("sample_every must be at least 1 (1 traces every call)")
        if overhead_budget is not None and overhead_budget <= 0:
            raise ValueError(
                "overhead_budget must be a positive fraction (0.01 = 1 %) or None (trace every call)"
            )
        if profile_every < 0:
            raise ValueError("profile_every must be 0 (off) or a positive number of traced calls")
        self.module = module
        self.model_id = model_id
        self.model_version = model_version
        self.sample_every = sample_every
        self.overhead_budget = overhead_budget
        # Budget bookkeeping (approximate under threads: no lock on purpose).
        self._spent_ns = 0  # tracing's own time so far
        self._seen = 0  # calls the budget has considered
        self._forward_estimate = 0.0  # typical forward time of one call, ns (0: nothing seen yet)
        self._next_traced = 0  # the first call number the budget allows to be traced again
        self.profile_every = profile_every
        self.profile_top = profile_top
        self.track_memory = track_memory
        self._calls = itertools.count()  # next() is atomic under the GIL: no lock on the hot path
        self._traced = itertools.count()
        self._histogram = DurationHistogram(
            FORWARD_DURATION_METRIC, "Duration of traced PyTorch forward passes"
        )
        self.refresh()

    def refresh(self) -> None:
        """Recount the parameters and rebuild the span's constant attributes (after changing the model)."""
        self.parameter_count = count_parameters(self.module)
        attributes: dict[str, Any] = {
            semconv.MODEL_ID: self.model_id,
            semconv.MODEL_PROVIDER: PROVIDER,
            semconv.CODE_FUNCTION: f"{type(self.module).__name__}.forward",
            PARAMETERS: self.parameter_count,
        }
        if self.model_version:
            attributes[semconv.MODEL_VERSION] = self.model_version
        self._attributes = attributes
        self._metric_attributes = {semconv.MODEL_ID: self.model_id, semconv.MODEL_PROVIDER: PROVIDER}

    def __getattr__(self, name: str) -> Any:
        if name == "module":  # not set yet (copy/unpickle): avoid recursing into ourselves
            raise AttributeError(name)
        return getattr(self.module, name)

    def __repr__(self) -> str:
        return f"TracedModule({self.module!r}, model_id={self.model_id!r})"

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        tracer = RUNTIME.tracer
        if tracer is None:
            return self.module(*args, **kwargs)
        if self.sample_every > 1 and next(self._calls) % self.sample_every:
            return self.module(*args, **kwargs)
        budget = self.overhead_budget
        if budget is None:
            return self._traced_call(tracer, args, kwargs)[0]
        self._seen += 1
        if self._seen < self._next_traced:  # over budget: run bare, timing one call in 16
            if self._seen & 15:
                return self.module(*args, **kwargs)
            start = time.perf_counter_ns()
            result = self.module(*args, **kwargs)
            self._learn_forward(time.perf_counter_ns() - start, untraced=True)
            return result
        start = time.perf_counter_ns()
        result, forward_ns = self._traced_call(tracer, args, kwargs)
        self._spent_ns += time.perf_counter_ns() - start - forward_ns
        self._learn_forward(forward_ns, untraced=False)
        # Traced again once `budget` of the forward time of the calls seen so far covers what was spent.
        self._next_traced = math.ceil(self._spent_ns / (budget * max(self._forward_estimate, 1.0)))
        return result

    def _learn_forward(self, ns: float, untraced: bool) -> None:
        estimate = self._forward_estimate
        if estimate == 0.0:
            self._forward_estimate = float(ns)
        elif ns < estimate:  # falls fast: halfway down
            self._forward_estimate = (estimate + ns) / 2
        elif untraced:  # rises slowly: an eighth of the way, towards at most 4x the estimate
            self._forward_estimate = estimate + (min(ns, 4 * estimate) - estimate) / 8

    @property
    def forward_ns_estimate(self) -> float:
        """Forward time of every call the budget considered: calls seen x typical forward time."""
        return self._seen * self._forward_estimate

    def _traced_call(self, tracer: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, int]:
        """The result and the forward pass's own duration (the span's work excluded)."""
        call = self.begin(tracer, args, kwargs)
        try:
            result = self.module(*args, **kwargs)
        except Exception as exc:
            self.finish(call, None, exc)
            raise
        return result, self.finish(call, result)

    def begin(self, tracer: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> ForwardCall:
        """Open the span of one forward pass (the module is then called by `__call__` or PyTorch)."""
        span = tracer.start_span(FORWARD_SPAN, attributes=self._attributes)
        token = context.attach(otel_trace.set_span_in_context(span))
        inputs = _tensors(args[0] if len(args) == 1 else args) or _tensors(kwargs)
        cuda = self.track_memory and any(t.device.type == "cuda" for t in inputs)
        if cuda:
            _reset_cuda_peak(inputs)
        profile = self._profiling()
        if profile is not None:
            profile.__enter__()
        return ForwardCall(span, token, inputs, cuda, profile, time.perf_counter_ns())

    def finish(self, call: ForwardCall, result: Any, error: BaseException | None = None) -> int:
        """Close the span; returns the forward pass's duration in nanoseconds."""
        elapsed = time.perf_counter_ns() - call.start_ns
        if call.profile is not None:
            call.profile.__exit__(None, None, None)
        context.detach(call.token)
        span = call.span
        if error is not None:
            span_data.record_failure(span, error)
        elif span.is_recording():
            self._write(span, call.inputs, result, call.cuda, call.profile)
        span.end()
        self._histogram.record(elapsed / 1e9, self._metric_attributes)
        return elapsed

    def _profiling(self) -> Any:
        if not self.profile_every:
            return None
        if next(self._traced) % self.profile_every:
            return None
        from torch.profiler import ProfilerActivity, profile

        return profile(activities=[ProfilerActivity.CPU])

    def _write(self, span: Span, inputs: list[Any], result: Any, cuda: bool, profile: Any) -> None:
        if inputs:
            shape = inputs[0].shape
            if len(shape):
                span.set_attribute(BATCH_SIZE, int(shape[0]))
            span.set_attribute(INPUT_SHAPES, [_shape_name(tuple(t.shape)) for t in inputs])
        outputs = _tensors(result)
        if outputs:
            span.set_attribute(OUTPUT_SHAPES, [_shape_name(tuple(t.shape)) for t in outputs])
        if self.track_memory:
            span.set_attribute(CPU_PEAK_BYTES, _cpu_peak_bytes())
            if cuda:
                span.set_attribute(CUDA_PEAK_BYTES, _cuda_peak(inputs))
        if profile is not None:
            _write_profile(span, profile, self.profile_top)


def _reset_cuda_peak(inputs: list[Any]) -> None:
    import torch

    torch.cuda.reset_peak_memory_stats(inputs[0].device)


def _cuda_peak(inputs: list[Any]) -> int:
    import torch

    device = next(t.device for t in inputs if t.device.type == "cuda")
    torch.cuda.synchronize(device)
    return int(torch.cuda.max_memory_allocated(device))


def _write_profile(span: Span, profile: Any, top: int) -> None:
    """The `top` operators by self CPU time, as "name: N us" strings, plus their total."""
    averages = profile.key_averages()
    ranked = sorted(averages, key=lambda e: e.self_cpu_time_total, reverse=True)
    span.set_attribute(PROFILE_TOP_OPS, [f"{e.key}: {e.self_cpu_time_total:.0f} us" for e in ranked[:top]])
    span.set_attribute(PROFILE_TOTAL_CPU_US, float(sum(e.self_cpu_time_total for e in averages)))


def wrap(module: Any, **options: Any) -> TracedModule:
    """Trace a module's forward passes: `model = wrap(model, model_id="mlp")`, then call `model(x)`.

    Options (keyword only): `model_id` (required), `model_version`, `overhead_budget` (default 0.005:
    a call is traced only while tracing's own time stays within that fraction of the forward passes'
    time; None traces every call), `sample_every` (trace one call in N), `profile_every` (profile one
    traced call in N; 0 = never), `profile_top` (operators listed), `track_memory`.
    """
    return TracedModule(module, **options)
