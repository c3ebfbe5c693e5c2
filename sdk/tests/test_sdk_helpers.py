"""Current-span helpers (`log_features`, `log_prediction`, `log_embedding`, ...) and the coercion of
numpy values into OTel attribute types."""

from __future__ import annotations

import numpy as np
import pytest
from opentelemetry.trace import format_trace_id

import pyflare


def test_log_features_writes_one_attribute_per_feature(captured):
    @pyflare.trace(inference_type="regression")
    def predict(row):
        pyflare.log_features(
            {
                "age": 41,
                "income": 52000.5,
                "plan": "pro",
                "churned_before": False,
                "tenure_np": np.int64(7),
                "score_np": np.float32(0.25),
                "history": np.array([1.0, 2.5]),
                "missing": None,
            }
        )
        pyflare.log_prediction(np.float64(123.5), score=np.float64(0.9))
        return 123.5

    predict({"age": 41})
    attributes = captured.span("predict").attributes
    features = {k: v for k, v in attributes.items() if k.startswith("pyflare.features.")}
    assert features == {
        "pyflare.features.age": 41,
        "pyflare.features.income": 52000.5,
        "pyflare.features.plan": "pro",
        "pyflare.features.churned_before": False,
        "pyflare.features.tenure_np": 7,
        "pyflare.features.score_np": 0.25,
        "pyflare.features.history": (1.0, 2.5),
    }
    assert type(attributes["pyflare.features.tenure_np"]) is int
    assert attributes["pyflare.prediction"] == 123.5
    assert attributes["pyflare.prediction.score"] == 0.9


def test_hundreds_of_features_are_kept(captured):
    # OTel's default limit is 128 attributes per span; PyFlare raises it for feature-rich models.
    with pyflare.span("wide-model"):
        pyflare.log_features({f"f{i}": i for i in range(300)})
    attributes = captured.span("wide-model").attributes
    assert sum(1 for k in attributes if k.startswith("pyflare.features.")) == 300
    assert attributes["pyflare.features.f299"] == 299


def test_log_embedding_writes_float_array_and_type(captured):
    with pyflare.span("embed"):
        pyflare.log_embedding(np.array([0.5, -1.25, 3.0], dtype=np.float32), embedding_type="query")
    attributes = captured.span("embed").attributes
    assert attributes["pyflare.embedding"] == (0.5, -1.25, 3.0)
    assert all(type(x) is float for x in attributes["pyflare.embedding"])
    assert attributes["pyflare.embedding.type"] == "query"


def test_log_embedding_defaults_to_input_and_rejects_non_numbers(captured):
    with pyflare.span("embed"):
        pyflare.log_embedding([1, 2])
        with pytest.raises(ValueError, match="flat sequence of numbers"):
            pyflare.log_embedding([[1, 2], [3, 4]])
    attributes = captured.span("embed").attributes
    assert attributes["pyflare.embedding"] == (1.0, 2.0)
    assert attributes["pyflare.embedding.type"] == "input"


def test_identity_and_rag_helpers(captured):
    @pyflare.trace
    def rag(question):
        pyflare.set_user("user-17")
        pyflare.set_feature("support-bot")
        pyflare.set_team("cx")
        pyflare.set_session("session-3")
        pyflare.log_retrieval_contexts(["Refunds take 5 days.", "Contact support."])
        return "5 days"

    rag("refund?")
    attributes = captured.span("rag").attributes
    assert attributes["pyflare.user.id"] == "user-17"
    assert attributes["pyflare.feature.id"] == "support-bot"
    assert attributes["pyflare.team"] == "cx"
    assert attributes["gen_ai.conversation.id"] == "session-3"
    assert attributes["pyflare.retrieval.contexts"] == ("Refunds take 5 days.", "Contact support.")


def test_mixed_feature_lists_become_string_arrays(captured):
    with pyflare.span("mixed"):
        pyflare.log_features({"tags": ["a", 1], "ints_and_floats": [1, 2.5], "nested": {"k": 1}})
    attributes = captured.span("mixed").attributes
    assert attributes["pyflare.features.tags"] == ("a", "1")
    assert attributes["pyflare.features.ints_and_floats"] == (1.0, 2.5)
    assert attributes["pyflare.features.nested"] == "{'k': 1}"


def test_helpers_outside_a_span_change_nothing(captured):
    pyflare.log_features({"a": 1})
    pyflare.set_user("nobody")
    assert pyflare.current_trace_id() is None
    assert captured.spans == ()


def test_current_trace_id_matches_the_exported_trace(captured):
    with pyflare.span("op"):
        seen = pyflare.current_trace_id()
    assert seen == format_trace_id(captured.span("op").context.trace_id)
    assert len(seen) == 32
