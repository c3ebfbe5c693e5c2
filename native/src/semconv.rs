//! Attribute key -> the span field it feeds and at which precedence (lower rank wins).
//!
//! Ranks: pyflare.* 0-9, OTel GenAI current 10-19, GenAI deprecated 20-29, OpenInference 30-39,
//! OpenLLMetry legacy 40-49. The table must stay equal to `workers/telemetry/semconv.py`.

/// Field slots that a single attribute value fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    Model,
    ModelVersion,
    Provider,
    InferenceType,
    Operation,
    Input,
    Output,
    InputTokens,
    OutputTokens,
    TotalTokens,
    CacheRead,
    CacheCreation,
    Reasoning,
    FinishReasons,
    User,
    Session,
    FeatureId,
    Team,
    Environment,
    Prediction,
    PredictionScore,
    EmbeddingType,
}

pub const SLOTS: usize = 22;
/// Rank of a slot that no attribute fed.
pub const NO_RANK: u8 = 99;

/// What an attribute key means for the span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spec {
    /// Kept in the attributes map only.
    Plain,
    /// A text field.
    Text(Slot, u8),
    /// A UInt32 token count.
    Tokens(Slot, u8),
    /// `pyflare.prediction.score`: a float.
    Score(u8),
    /// `gen_ai.response.finish_reasons`: a list of strings.
    Strings(u8),
    /// `pyflare.features.<name>`: an entry of the features map.
    Feature,
    /// Spans that need Python's message rendering, embedding vectors or indexed-message assembly.
    Python,
}

use Slot::*;
use Spec::*;

const FEATURE_PREFIX: &[u8] = b"pyflare.features.";
const INDEXED_PREFIXES: [&[u8]; 5] = [
    b"llm.input_messages.",
    b"llm.output_messages.",
    b"retrieval.documents.",
    b"gen_ai.prompt.",
    b"gen_ai.completion.",
];

/// The spec of an attribute key.
pub fn spec(key: &[u8]) -> Spec {
    match key {
        // pyflare SDK
        b"pyflare.model.id" => Text(Model, 0),
        b"pyflare.model.version" => Text(ModelVersion, 0),
        b"pyflare.model.provider" => Text(Provider, 0),
        b"pyflare.inference.type" => Text(InferenceType, 0),
        b"pyflare.input.preview" => Text(Input, 0),
        b"pyflare.output.preview" => Text(Output, 0),
        b"pyflare.user.id" => Text(User, 0),
        b"pyflare.feature.id" => Text(FeatureId, 0),
        b"pyflare.team" => Text(Team, 0),
        b"pyflare.environment" => Text(Environment, 0),
        b"pyflare.prediction" => Text(Prediction, 0),
        b"pyflare.prediction.score" => Score(0),
        b"pyflare.embedding" => Python,
        b"pyflare.embedding.type" => Text(EmbeddingType, 0),
        // OTel GenAI, current
        b"gen_ai.provider.name" => Text(Provider, 10),
        b"gen_ai.request.model" => Text(Model, 10),
        b"gen_ai.response.model" => Text(Model, 11),
        b"gen_ai.operation.name" => Text(Operation, 10),
        b"gen_ai.usage.input_tokens" => Tokens(InputTokens, 10),
        b"gen_ai.usage.output_tokens" => Tokens(OutputTokens, 10),
        b"gen_ai.usage.total_tokens" => Tokens(TotalTokens, 12),
        b"gen_ai.usage.cache_read.input_tokens" => Tokens(CacheRead, 10),
        b"gen_ai.usage.cache_creation.input_tokens" => Tokens(CacheCreation, 10),
        b"gen_ai.usage.cache_write.input_tokens" => Tokens(CacheCreation, 11),
        b"gen_ai.usage.reasoning.output_tokens" => Tokens(Reasoning, 10),
        b"gen_ai.response.finish_reasons" => Strings(10),
        b"anthropic.message.stop_reason" => Strings(12),
        b"gen_ai.input.messages" | b"gen_ai.output.messages" => Python,
        b"gen_ai.conversation.id" => Text(Session, 10),
        // OTel GenAI, deprecated
        b"gen_ai.system" => Text(Provider, 20),
        b"gen_ai.usage.prompt_tokens" => Tokens(InputTokens, 20),
        b"gen_ai.usage.completion_tokens" => Tokens(OutputTokens, 20),
        b"gen_ai.prompt" | b"gen_ai.completion" => Python,
        // OpenInference
        b"llm.model_name" => Text(Model, 30),
        b"embedding.model_name" => Text(Model, 31),
        b"llm.provider" => Text(Provider, 30),
        b"llm.system" => Text(Provider, 31),
        b"llm.token_count.prompt" => Tokens(InputTokens, 30),
        b"llm.token_count.completion" => Tokens(OutputTokens, 30),
        b"llm.token_count.total" => Tokens(TotalTokens, 30),
        b"llm.token_count.prompt_details.cache_read" => Tokens(CacheRead, 30),
        b"llm.token_count.prompt_details.cache_write" => Tokens(CacheCreation, 30),
        b"llm.token_count.completion_details.reasoning" => Tokens(Reasoning, 30),
        b"llm.finish_reason" => Strings(30),
        b"openinference.span.kind" => Text(Operation, 30),
        b"input.value" => Text(Input, 31),
        b"output.value" => Text(Output, 31),
        b"session.id" => Text(Session, 30),
        b"user.id" => Text(User, 30),
        // OpenLLMetry legacy
        b"llm.usage.total_tokens" => Tokens(TotalTokens, 40),
        b"llm.request.type" => Text(Operation, 40),
        b"gen_ai.usage.cache_read_input_tokens" => Tokens(CacheRead, 40),
        b"gen_ai.usage.cache_creation_input_tokens" => Tokens(CacheCreation, 40),
        b"gen_ai.usage.reasoning_tokens" => Tokens(Reasoning, 40),
        b"enduser.id" => Text(User, 41),
        _ if key.starts_with(FEATURE_PREFIX) => Feature,
        // Indexed message keys are assembled into the input/output text in Python. Keys under
        // these prefixes that match no pattern are plain there; leaving them to Python is safe.
        _ if INDEXED_PREFIXES.iter().any(|p| key.starts_with(p)) => Python,
        _ => Plain,
    }
}

/// The feature name of a `pyflare.features.<name>` key.
pub fn feature_name(key: &[u8]) -> &[u8] {
    &key[FEATURE_PREFIX.len()..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_resolve() {
        assert_eq!(spec(b"gen_ai.request.model"), Text(Model, 10));
        assert_eq!(spec(b"pyflare.features.tier"), Feature);
        assert_eq!(feature_name(b"pyflare.features.tier"), b"tier");
        assert_eq!(spec(b"gen_ai.prompt.0.content"), Python);
        assert_eq!(spec(b"gen_ai.prompt"), Python);
        assert_eq!(spec(b"http.route"), Plain);
        assert_eq!(spec(b"gen_ai.usage.cache_write.input_tokens"), Tokens(CacheCreation, 11));
        assert_eq!(spec(b"llm.finish_reason"), Strings(30));
        assert_eq!(spec(b"llm.output_messages.0.message.tool_calls.0.tool_call.function.name"), Python);
    }
}
