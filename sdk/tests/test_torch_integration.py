"""The PyTorch integration with the real `torch` package (CPU): forward-pass spans and training-step
spans and metrics, checked against values computed from the model itself."""

from __future__ import annotations

import math
import time

import pytest
import torch
from torch import nn

import pyflare
from pyflare.integrations import torch as pf_torch
from pyflare.integrations.torch_forward import DEFAULT_OVERHEAD_BUDGET


def mlp() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 3))


def metric_points(captured, name: str) -> list:
    metric = captured.metric(name)
    assert metric is not None, f"no metric {name}"
    return list(metric.data.data_points)


def test_forward_span_has_shapes_batch_and_parameter_count(captured):
    model = mlp()
    traced = pf_torch.wrap(model, model_id="mlp", model_version="2")
    x = torch.randn(5, 8)
    out = traced(x)
    assert torch.equal(out, model(x))
    span = captured.span("torch.forward")
    a = span.attributes
    assert a["pyflare.torch.parameters"] == 8 * 16 + 16 + 16 * 3 + 3  # weights + biases by hand
    assert a["pyflare.torch.parameters"] == sum(p.numel() for p in model.parameters())
    assert a["pyflare.batch.size"] == 5
    assert list(a["pyflare.torch.input.shapes"]) == ["5x8"]
    assert list(a["pyflare.torch.output.shapes"]) == ["5x3"]
    assert a["pyflare.model.id"] == "mlp" and a["pyflare.model.version"] == "2"
    assert a["pyflare.model.provider"] == "pytorch"
    assert a["code.function.name"] == "Sequential.forward"
    import resource

    assert (
        a["pyflare.torch.memory.cpu_peak_bytes"] <= resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    )
    assert a["pyflare.torch.memory.cpu_peak_bytes"] > 0
    assert "pyflare.torch.memory.cuda_peak_bytes" not in a  # CPU inputs


def test_forward_duration_metric_counts_every_traced_call(captured):
    traced = pf_torch.wrap(mlp(), model_id="mlp", overhead_budget=None)
    for _ in range(3):
        traced(torch.randn(2, 8))
    (point,) = metric_points(captured, "pyflare.torch.forward.duration")
    assert point.count == 3
    assert point.attributes == {"pyflare.model.id": "mlp", "pyflare.model.provider": "pytorch"}
    spans = [s for s in captured.spans if s.name == "torch.forward"]
    span_seconds = sum(s.end_time - s.start_time for s in spans) / 1e9
    assert 0 < point.sum <= span_seconds  # each timing lies within its span


def test_sample_every_traces_one_call_in_n(captured):
    traced = pf_torch.wrap(mlp(), model_id="mlp", sample_every=4, overhead_budget=None)
    for _ in range(10):
        traced(torch.randn(1, 8))
    assert len([s for s in captured.spans if s.name == "torch.forward"]) == 3  # calls 1, 5, 9


def test_profile_summary_names_the_linear_layers_operator(captured):
    traced = pf_torch.wrap(mlp(), model_id="mlp", profile_every=2, profile_top=3, overhead_budget=None)
    traced(torch.randn(4, 8))
    traced(torch.randn(4, 8))
    first, second = sorted(
        (s for s in captured.spans if s.name == "torch.forward"), key=lambda s: s.start_time
    )
    top = list(first.attributes["pyflare.torch.profile.top_ops"])
    assert 1 <= len(top) <= 3
    assert any(op.startswith(("aten::addmm", "aten::linear")) for op in top)
    assert first.attributes["pyflare.torch.profile.self_cpu_total_us"] > 0
    assert "pyflare.torch.profile.top_ops" not in second.attributes


def test_forward_error_marks_the_span(captured):
    traced = pf_torch.wrap(mlp(), model_id="mlp")
    with pytest.raises(RuntimeError):
        traced(torch.randn(2, 5))  # wrong width
    span = captured.span("torch.forward")
    assert span.status.status_code.name == "ERROR"
    assert span.attributes["error.type"] == "RuntimeError"


def test_wrapper_passes_attributes_through_and_is_silent_when_disabled():
    pyflare.init("t", enabled=False)
    model = mlp()
    traced = pf_torch.wrap(model, model_id="mlp")
    assert traced.state_dict().keys() == model.state_dict().keys()
    x = torch.randn(3, 8)
    assert torch.equal(traced(x), model(x))


def test_bad_sampling_option_is_refused():
    with pytest.raises(ValueError, match="sample_every"):
        pf_torch.wrap(mlp(), model_id="m", sample_every=0)
    with pytest.raises(ValueError, match="overhead_budget"):
        pf_torch.wrap(mlp(), model_id="m", overhead_budget=0)


class Sleeper(nn.Module):
    def forward(self, x):
        time.sleep(0.1)
        return x


def test_overhead_budget_traces_every_slow_call_and_a_share_of_fast_ones(captured):
    # the first traced call of the process pays one-time imports and setup: not what the budget is about
    pf_torch.wrap(nn.Identity(), model_id="warm-up", overhead_budget=None)(torch.zeros(1))
    # 20 ms per 100 ms call: far above one span's cost even on a loaded machine, so every call is traced
    slow = pf_torch.wrap(Sleeper(), model_id="slow", overhead_budget=0.2)
    for _ in range(3):
        slow(torch.zeros(1))
    fast = pf_torch.wrap(nn.Identity(), model_id="fast")  # microseconds: less than one span costs
    calls = 400
    for _ in range(calls):
        fast(torch.zeros(1))
    by_model = [s.attributes["pyflare.model.id"] for s in captured.spans if s.name == "torch.forward"]
    assert by_model.count("slow") == 3
    assert 1 <= by_model.count("fast") < calls
    # what the wrapper measured keeps to the budget, give or take the one span that crossed it
    one_span = fast._spent_ns / by_model.count("fast")
    budget = DEFAULT_OVERHEAD_BUDGET
    assert fast._spent_ns <= budget * fast.forward_ns_estimate + one_span


def train_one(model, optimizer, steps, x, y, use_tracer=None):
    losses = []
    for epoch in range(steps):
        if use_tracer is None:
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
            continue
        with use_tracer.step(epoch=epoch) as step:
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
            step.loss = loss
        losses.append(loss.item())
    return losses


def test_training_steps_record_loss_grad_norm_and_learning_rate(captured):
    x = torch.randn(16, 8, generator=torch.Generator().manual_seed(1))
    y = torch.arange(16) % 3
    reference = mlp()
    ref_opt = torch.optim.SGD(reference.parameters(), lr=0.1)
    expected_losses = train_one(reference, ref_opt, 3, x, y)
    expected_norm = math.sqrt(sum(float((p.grad**2).sum()) for p in reference.parameters()))

    model = mlp()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    steps = pf_torch.trace_training(model, optimizer, model_id="mlp")
    losses = train_one(model, optimizer, 3, x, y, use_tracer=steps)
    assert losses == pytest.approx(expected_losses)

    spans = sorted((s for s in captured.spans if s.name == "torch.train_step"), key=lambda s: s.start_time)
    assert [s.attributes["pyflare.train.step"] for s in spans] == [1, 2, 3]
    assert [s.attributes["pyflare.train.epoch"] for s in spans] == [0, 1, 2]
    assert [s.attributes["pyflare.train.loss"] for s in spans] == pytest.approx(expected_losses)
    assert spans[-1].attributes["pyflare.train.grad_norm"] == pytest.approx(expected_norm, rel=1e-5)
    assert all(s.attributes["pyflare.train.learning_rate"] == 0.1 for s in spans)
    assert spans[0].attributes["pyflare.torch.parameters"] == sum(p.numel() for p in model.parameters())

    (loss,) = metric_points(captured, "pyflare.train.loss")
    assert loss.value == pytest.approx(expected_losses[-1])
    (norm,) = metric_points(captured, "pyflare.train.grad_norm")
    assert norm.value == pytest.approx(expected_norm, rel=1e-5)
    (lr,) = metric_points(captured, "pyflare.train.learning_rate")
    assert lr.value == pytest.approx(0.1)
    (duration,) = metric_points(captured, "pyflare.train.step.duration")
    assert duration.count == 3
    assert duration.sum == pytest.approx(
        sum(s.attributes["pyflare.train.step.duration_ms"] for s in spans) / 1e3
    )


def test_learning_rate_follows_the_scheduler_and_reported_norm_wins(captured):
    model = mlp()
    optimizer = torch.optim.SGD(model.parameters(), lr=1.0)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
    steps = pf_torch.trace_training(model, optimizer, model_id="mlp")
    x, y = torch.randn(4, 8), torch.tensor([0, 1, 2, 0])
    for _ in range(2):
        with steps.step() as step:
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(x), y).backward()
            step.grad_norm = nn.utils.clip_grad_norm_(model.parameters(), max_norm=1e-3)
            optimizer.step()
        scheduler.step()
    spans = sorted((s for s in captured.spans if s.name == "torch.train_step"), key=lambda s: s.start_time)
    assert [s.attributes["pyflare.train.learning_rate"] for s in spans] == [1.0, 0.5]
    # clip_grad_norm_ returns the norm before clipping; the gradients left are clipped to 1e-3
    assert all(s.attributes["pyflare.train.grad_norm"] > 1e-3 for s in spans)
    assert "pyflare.train.loss" not in spans[0].attributes  # not reported


def test_failed_step_is_an_error_span(captured):
    steps = pf_torch.trace_training(mlp(), model_id="mlp")
    with pytest.raises(ValueError), steps.step():
        raise ValueError("diverged")
    span = captured.span("torch.train_step")
    assert span.status.status_code.name == "ERROR"


def test_library_wide_instrument_traces_outer_module_calls_only(captured):
    model = mlp()
    assert pyflare.instrument("torch") == ["torch"]
    try:
        assert pyflare.integrations.is_instrumented("torch")
        model(torch.randn(7, 8))
        spans = [s for s in captured.spans if s.name == "torch.forward"]
        assert len(spans) == 1  # the Sequential, not its three layers
        assert spans[0].attributes["pyflare.model.id"] == "Sequential"
        assert spans[0].attributes["pyflare.batch.size"] == 7
        with pytest.raises(RuntimeError):
            model(torch.randn(2, 3))
        failed = [s for s in captured.spans if s.name == "torch.forward"][-1]
        assert failed.status.status_code.name == "ERROR"
        model(torch.randn(1, 8))  # the depth count recovered after the error
        assert len([s for s in captured.spans if s.name == "torch.forward"]) == 3
    finally:
        pyflare.uninstrument("torch")
    assert not pyflare.integrations.is_instrumented("torch")
    model(torch.randn(1, 8))
    assert len([s for s in captured.spans if s.name == "torch.forward"]) == 3


def test_wrapped_module_is_not_traced_twice_when_torch_is_instrumented(captured):
    traced = pf_torch.wrap(mlp(), model_id="mlp")
    pyflare.instrument("torch")
    try:
        traced(torch.randn(2, 8))
    finally:
        pyflare.uninstrument("torch")
    (span,) = [s for s in captured.spans if s.name == "torch.forward"]
    assert span.attributes["pyflare.model.id"] == "mlp"


def test_one_preempted_timed_call_does_not_switch_the_budget_to_tracing_everything(captured):
    fast = pf_torch.wrap(nn.Identity(), model_id="fast")
    for _ in range(200):
        fast(torch.zeros(1))
    # As if the forward time had been learnt from a call preempted for a second.
    fast._forward_estimate, fast._next_traced = 1e9, 0  # and the budget allows the next call
    before = len(captured.spans)
    calls = 300
    for _ in range(calls):
        fast(torch.zeros(1))
    # 1 s would allow 5 ms of tracing per call: every call, for good, as no untraced call is left to
    # time; but each traced call halves the estimate towards its own forward time: a handful traced.
    assert len(captured.spans) - before < calls // 10
