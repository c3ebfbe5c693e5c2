"""Attribute names PyFlare writes: its own `pyflare.*` keys and the OTel GenAI current conventions.

One place for every key, so the SDK and the server's normaliser can be checked against the same list.
"""

from enum import StrEnum


class InferenceType(StrEnum):
    """Kind of model call recorded in `pyflare.inference.type`."""

    LLM = "llm"
    EMBEDDING = "embedding"
    CLASSIFICATION = "classification"
    REGRESSION = "regression"
    OBJECT_DETECTION = "object_detection"
    CUSTOM = "custom"


def inference_type_value(value: "InferenceType | str") -> str:
    """Validate an inference type; an unknown name raises an error listing the valid ones."""
    try:
        return InferenceType(value).value
    except ValueError:
        valid = ", ".join(t.value for t in InferenceType)
        raise ValueError(f"unknown inference_type {value!r}; valid values: {valid}") from None


# Resource attributes
SERVICE_NAME = "service.name"
SERVICE_VERSION = "service.version"
DEPLOYMENT_ENVIRONMENT = "deployment.environment.name"
PROJECT = "pyflare.project"
DISTRO_NAME = "telemetry.distro.name"
DISTRO_VERSION = "telemetry.distro.version"

# PyFlare span attributes: read before any other convention (docs/ingestion.md, "Normalisation")
MODEL_ID = "pyflare.model.id"
MODEL_VERSION = "pyflare.model.version"
MODEL_PROVIDER = "pyflare.model.provider"
INFERENCE_TYPE = "pyflare.inference.type"
INPUT_PREVIEW = "pyflare.input.preview"
OUTPUT_PREVIEW = "pyflare.output.preview"
USER_ID = "pyflare.user.id"
FEATURE_ID = "pyflare.feature.id"
TEAM = "pyflare.team"
FEATURES_PREFIX = "pyflare.features."
PREDICTION = "pyflare.prediction"
PREDICTION_SCORE = "pyflare.prediction.score"
EMBEDDING = "pyflare.embedding"
EMBEDDING_TYPE = "pyflare.embedding.type"
RETRIEVAL_CONTEXTS = "pyflare.retrieval.contexts"

# OTel GenAI semantic conventions (current, not the deprecated gen_ai.system / prompt_tokens names)
GEN_AI_OPERATION = "gen_ai.operation.name"
GEN_AI_PROVIDER = "gen_ai.provider.name"
GEN_AI_REQUEST_MODEL = "gen_ai.request.model"
GEN_AI_RESPONSE_MODEL = "gen_ai.response.model"
GEN_AI_INPUT_TOKENS = "gen_ai.usage.input_tokens"
GEN_AI_OUTPUT_TOKENS = "gen_ai.usage.output_tokens"
GEN_AI_CACHE_READ_TOKENS = "gen_ai.usage.cache_read.input_tokens"
GEN_AI_CACHE_CREATION_TOKENS = "gen_ai.usage.cache_creation.input_tokens"
GEN_AI_REASONING_TOKENS = "gen_ai.usage.reasoning.output_tokens"
GEN_AI_FINISH_REASONS = "gen_ai.response.finish_reasons"
GEN_AI_CONVERSATION_ID = "gen_ai.conversation.id"
GEN_AI_TOKEN_TYPE = "gen_ai.token.type"
GEN_AI_RESPONSE_ID = "gen_ai.response.id"
GEN_AI_OUTPUT_TYPE = "gen_ai.output.type"
GEN_AI_INPUT_MESSAGES = "gen_ai.input.messages"
GEN_AI_OUTPUT_MESSAGES = "gen_ai.output.messages"
GEN_AI_SYSTEM_INSTRUCTIONS = "gen_ai.system_instructions"
GEN_AI_REQUEST_PREFIX = "gen_ai.request."  # + temperature, max_tokens, top_p, seed, ...
GEN_AI_REQUEST_STREAM = "gen_ai.request.stream"  # PyFlare addition: the call was streamed
GEN_AI_EMBEDDINGS_DIMENSION = "gen_ai.embeddings.dimension.count"
GEN_AI_TOOL_NAME = "gen_ai.tool.name"
GEN_AI_TOOL_CALL_ID = "gen_ai.tool.call.id"
GEN_AI_TOOL_CALL_ARGUMENTS = "gen_ai.tool.call.arguments"
GEN_AI_TOOL_CALL_RESULT = "gen_ai.tool.call.result"
GEN_AI_TOOL_TYPE = "gen_ai.tool.type"
GEN_AI_AGENT_NAME = "gen_ai.agent.name"
GEN_AI_DATA_SOURCE_ID = "gen_ai.data_source.id"
SERVER_ADDRESS = "server.address"
SERVER_PORT = "server.port"
# PyFlare additions for provider calls
TIME_TO_FIRST_TOKEN = "pyflare.gen_ai.time_to_first_token"  # seconds, streamed calls
ERROR_CATEGORY = "pyflare.error.category"  # rate_limit, timeout, auth, bad_request, server, connection
AZURE_DEPLOYMENT = "pyflare.azure.deployment"
FRAMEWORK_RUN_TYPE = "pyflare.framework.run_type"  # LangChain: chain, llm, tool, retriever, agent
DELEGATED_TO_PROVIDER = "pyflare.gen_ai.delegated"  # a framework LLM span whose call a provider span records

# GenAI client metrics
GEN_AI_DURATION_METRIC = "gen_ai.client.operation.duration"
GEN_AI_TOKEN_USAGE_METRIC = "gen_ai.client.token.usage"

# General conventions
ERROR_TYPE = "error.type"
CODE_FUNCTION = "code.function.name"
