"""The transformers integration with real pipelines over tiny random models built here and saved to a
temporary folder (no hub download). A word-level tokenizer makes token counts checkable by hand:
one token per word of the prompt, and exactly the number of new tokens the generation was asked for."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from tokenizers import Tokenizer, models, pre_tokenizers
from transformers import (
    BertConfig,
    BertForSequenceClassification,
    GPT2Config,
    GPT2LMHeadModel,
    PreTrainedTokenizerFast,
    pipeline,
)

import pyflare
from pyflare.integrations import transformers as pf_transformers

WORDS = ["[UNK]", "[PAD]", "the", "model", "is", "fast", "slow", "good", "bad", "very", "not", "and"]


def word_tokenizer() -> PreTrainedTokenizerFast:
    backend = Tokenizer(models.WordLevel({w: i for i, w in enumerate(WORDS)}, unk_token="[UNK]"))
    backend.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    return PreTrainedTokenizerFast(tokenizer_object=backend, unk_token="[UNK]", pad_token="[PAD]")


@pytest.fixture(scope="module")
def generator_dir(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("tiny-gpt2")
    torch.manual_seed(0)
    config = GPT2Config(
        vocab_size=len(WORDS),
        n_positions=32,
        n_embd=16,
        n_layer=1,
        n_head=2,
        bos_token_id=1,
        eos_token_id=1,
        pad_token_id=1,
    )
    GPT2LMHeadModel(config).save_pretrained(path)
    word_tokenizer().save_pretrained(path)
    return path


@pytest.fixture(scope="module")
def classifier_dir(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("tiny-bert")
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=len(WORDS),
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=32,
        num_labels=2,
        id2label={0: "NEGATIVE", 1: "POSITIVE"},
        label2id={"NEGATIVE": 0, "POSITIVE": 1},
    )
    BertForSequenceClassification(config).save_pretrained(path)
    word_tokenizer().save_pretrained(path)
    return path


@pytest.fixture
def instrumented():
    pyflare.instrument("transformers")
    yield
    pyflare.uninstrument("transformers")


def test_generation_span_has_task_model_and_token_counts(captured, instrumented, generator_dir):
    generate = pipeline("text-generation", model=str(generator_dir), device="cpu")
    prompt = "the model is very"
    result = generate(prompt, max_new_tokens=4, min_new_tokens=4, do_sample=False)
    assert result[0]["generated_text"].startswith(prompt)
    span = captured.span(f"text-generation {generator_dir}")
    a = span.attributes
    assert a["pyflare.transformers.task"] == "text-generation"
    assert a["gen_ai.request.model"] == a["pyflare.model.id"] == str(generator_dir)
    assert a["gen_ai.operation.name"] == "text_completion"
    assert a["pyflare.inference.type"] == "llm"
    assert a["gen_ai.usage.input_tokens"] == len(prompt.split())
    assert a["gen_ai.usage.output_tokens"] == 4
    assert a["pyflare.batch.size"] == 1
    assert 0 < a["pyflare.transformers.latency_ms"] <= (span.end_time - span.start_time) / 1e6
    assert a["pyflare.output.preview"].startswith("[{'generated_text': 'the model is very")

    usage = captured.metric("gen_ai.client.token.usage")
    by_type = {p.attributes["gen_ai.token.type"]: p.sum for p in usage.data.data_points}
    assert by_type == {"input": 4, "output": 4}


def test_classification_batch_records_tokens_and_the_first_label(captured, instrumented, classifier_dir):
    classify = pipeline("text-classification", model=str(classifier_dir), device="cpu")
    texts = ["the model is good", "not bad and very fast"]
    results = classify(texts)
    span = captured.span(f"text-classification {classifier_dir}")
    a = span.attributes
    assert a["pyflare.inference.type"] == "classification"
    assert a["pyflare.batch.size"] == 2
    assert a["gen_ai.usage.input_tokens"] == sum(len(t.split()) for t in texts)  # no special tokens defined
    assert "gen_ai.usage.output_tokens" not in a
    assert a["pyflare.prediction"] == results[0]["label"]
    assert a["pyflare.prediction.score"] == pytest.approx(results[0]["score"])


def test_content_capture_off_writes_no_previews(start, generator_dir):
    captured = start(capture_content=False)
    pyflare.instrument("transformers")
    try:
        pipeline("text-generation", model=str(generator_dir))("the model", max_new_tokens=2, do_sample=False)
    finally:
        pyflare.uninstrument("transformers")
    span = captured.span(f"text-generation {generator_dir}")
    assert "pyflare.input.preview" not in span.attributes
    assert "pyflare.output.preview" not in span.attributes


def test_failing_call_is_an_error_span_and_uninstrument_restores(captured, classifier_dir):
    classify = pipeline("text-classification", model=str(classifier_dir), device="cpu")
    pyflare.instrument("transformers")
    try:
        with pytest.raises(Exception) as raised:
            classify(12345)
    finally:
        pyflare.uninstrument("transformers")
    span = captured.span(f"text-classification {classifier_dir}")
    assert span.status.status_code.name == "ERROR"
    assert span.attributes["error.type"].endswith(type(raised.value).__name__)
    assert not pf_transformers.is_instrumented()
    classify("the model")
    assert len([s for s in captured.spans if s.name.startswith("text-classification")]) == 1


def test_inputs_given_by_keyword_are_counted_and_passed_on(captured, instrumented, classifier_dir):
    classify = pipeline("text-classification", model=str(classifier_dir), device="cpu")
    result = classify(inputs="the model is not slow")
    span = captured.span(f"text-classification {classifier_dir}")
    assert span.attributes["gen_ai.usage.input_tokens"] == 5
    assert span.attributes["pyflare.prediction"] == result[0]["label"]
