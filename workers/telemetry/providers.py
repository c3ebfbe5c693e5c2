"""Provider names as instrumentations write them -> PyFlare's one name per provider.

Canonical names follow the current OTel GenAI `gen_ai.provider.name` values; the aliases come
from the deprecated `gen_ai.system` values, OpenInference `llm.provider`/`llm.system` and
OpenLLMetry's spellings.
"""

from __future__ import annotations

_ALIASES: dict[str, str] = {
    # Azure
    "az.ai.openai": "azure.ai.openai",
    "azure_openai": "azure.ai.openai",
    "azure.openai": "azure.ai.openai",
    "azure": "azure.ai.openai",
    "az.ai.inference": "azure.ai.inference",
    "azure_ai_inference": "azure.ai.inference",
    "azure.ai.inference": "azure.ai.inference",
    # AWS
    "aws.bedrock": "aws.bedrock",
    "bedrock": "aws.bedrock",
    "aws": "aws.bedrock",
    "amazon_bedrock": "aws.bedrock",
    # Google
    "gemini": "gcp.gemini",
    "gcp.gemini": "gcp.gemini",
    "google_ai_studio": "gcp.gemini",
    "vertex_ai": "gcp.vertex_ai",
    "vertexai": "gcp.vertex_ai",
    "vertex": "gcp.vertex_ai",
    "gcp.vertex_ai": "gcp.vertex_ai",
    "google": "gcp.gen_ai",
    "google_genai": "gcp.gen_ai",
    "gcp.gen_ai": "gcp.gen_ai",
    # Others
    "mistral": "mistral_ai",
    "mistralai": "mistral_ai",
    "mistral_ai": "mistral_ai",
    "xai": "x_ai",
    "x.ai": "x_ai",
    "x_ai": "x_ai",
    "watsonx": "ibm.watsonx.ai",
    "ibm.watsonx.ai": "ibm.watsonx.ai",
    "openai": "openai",
    "anthropic": "anthropic",
    "cohere": "cohere",
    "deepseek": "deepseek",
    "groq": "groq",
    "perplexity": "perplexity",
    "ollama": "ollama",
    "huggingface": "huggingface",
    "hugging_face": "huggingface",
}

_seen: dict[str, str] = {}  # raw value -> result; providers are few, so this stays small


def normalise_provider(raw: str) -> str:
    """`Azure OpenAI`, `az.ai.openai`, `azure` -> `azure.ai.openai`; unknown names lowercased."""
    done = _seen.get(raw)
    if done is not None:
        return done
    lowered = raw.strip().lower()
    result = _ALIASES.get(lowered.replace(" ", "_").replace("-", "_"), lowered)
    if len(_seen) < 10_000:
        _seen[raw] = result
    return result
