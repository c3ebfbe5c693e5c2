"""PyTorch: traced forward passes (`wrap`) and training steps (`trace_training`).

`pyflare.instrument("torch")` traces every outermost module call in the process (a model's call, not
its layers') through PyTorch's global forward hooks, with the module's class name as model id;
`uninstrument` removes the hooks. `wrap` traces one module with its own model id, sampling and
profiler options and is the cheaper choice on a hot path.
"""

from __future__ import annotations

import sys
import threading
import weakref
from typing import Any

from opentelemetry import trace as otel_trace

from pyflare.integrations.torch_forward import FORWARD_SPAN, TracedModule, wrap
from pyflare.integrations.torch_training import TrainingStep, TrainingTracer, trace_training
from pyflare.runtime import RUNTIME

__all__ = [
    "TracedModule",
    "TrainingStep",
    "TrainingTracer",
    "instrument",
    "is_instrumented",
    "trace_training",
    "uninstrument",
    "wrap",
]

_handles: list[Any] = []
_local = threading.local()  # per thread: the module call being traced, and how deep we are in it
_lock = threading.Lock()


_wrappers: weakref.WeakKeyDictionary[Any, TracedModule] = weakref.WeakKeyDictionary()


def _wrapper(module: Any) -> TracedModule:
    wrapper = _wrappers.get(module)
    if wrapper is None:  # parameters are counted once per module, not per call
        wrapper = _wrappers[module] = TracedModule(
            module, model_id=type(module).__name__, overhead_budget=None
        )
    return wrapper


def _inside_wrapped_call() -> bool:
    """Whether a `wrap`ped module's span is current: that call is traced already."""
    return getattr(otel_trace.get_current_span(), "name", "") == FORWARD_SPAN


def _pre_hook(module: Any, args: tuple[Any, ...]) -> None:
    depth = getattr(_local, "depth", 0)
    _local.depth = depth + 1
    tracer = RUNTIME.tracer
    if depth == 0 and tracer is not None and not _inside_wrapped_call():
        wrapper = _wrapper(module)
        _local.call = (wrapper, wrapper.begin(tracer, args, {}))


def _post_hook(module: Any, args: tuple[Any, ...], result: Any) -> None:
    _local.depth -= 1
    if _local.depth == 0:
        call, _local.call = getattr(_local, "call", None), None
        if call is not None:
            wrapper, forward = call
            error = sys.exc_info()[1]  # always_call: PyTorch calls this hook while an error propagates
            wrapper.finish(forward, None if error else result, error)


def instrument(**_options: Any) -> None:
    from torch.nn.modules import module as torch_module

    with _lock:
        if _handles:
            return
        _handles.append(torch_module.register_module_forward_pre_hook(_pre_hook))
        _handles.append(torch_module.register_module_forward_hook(_post_hook, always_call=True))


def uninstrument() -> None:
    with _lock:
        while _handles:
            _handles.pop().remove()


def is_instrumented() -> bool:
    return bool(_handles)
