//! Provider names as instrumentations write them -> PyFlare's one name per provider.
//! Must stay equal to `workers/telemetry/providers.py`.

use crate::pystr::{py_lower, py_strip, py_strip_str};

/// Canonical name of an alias (already lowercased, with spaces and `-` turned into `_`).
fn alias(name: &[u8]) -> Option<&'static [u8]> {
    Some(match name {
        b"az.ai.openai" | b"azure_openai" | b"azure.openai" | b"azure" => b"azure.ai.openai",
        b"az.ai.inference" | b"azure_ai_inference" | b"azure.ai.inference" => b"azure.ai.inference",
        b"aws.bedrock" | b"bedrock" | b"aws" | b"amazon_bedrock" => b"aws.bedrock",
        b"gemini" | b"gcp.gemini" | b"google_ai_studio" => b"gcp.gemini",
        b"vertex_ai" | b"vertexai" | b"vertex" | b"gcp.vertex_ai" => b"gcp.vertex_ai",
        b"google" | b"google_genai" | b"gcp.gen_ai" => b"gcp.gen_ai",
        b"mistral" | b"mistralai" | b"mistral_ai" => b"mistral_ai",
        b"xai" | b"x.ai" | b"x_ai" => b"x_ai",
        b"watsonx" | b"ibm.watsonx.ai" => b"ibm.watsonx.ai",
        b"openai" => b"openai",
        b"anthropic" => b"anthropic",
        b"cohere" => b"cohere",
        b"deepseek" => b"deepseek",
        b"groq" => b"groq",
        b"perplexity" => b"perplexity",
        b"ollama" => b"ollama",
        b"huggingface" | b"hugging_face" => b"huggingface",
        _ => return None,
    })
}

/// `normalise_provider`: strip, lowercase, then the alias table (looked up with spaces and `-`
/// as `_`), else the lowered name. `out` receives the result; false when Python must lowercase.
pub fn normalise_provider(raw: &[u8], out: &mut Vec<u8>) -> bool {
    let stripped = if raw.is_ascii() {
        py_strip(raw)
    } else {
        match std::str::from_utf8(raw) {
            Ok(s) => py_strip_str(s).as_bytes(),
            Err(_) => return false,
        }
    };
    if !py_lower(stripped, out) {
        return false;
    }
    let mut key = [0u8; 32]; // every alias is shorter than this
    if out.len() <= key.len() {
        for (k, &b) in key.iter_mut().zip(out.iter()) {
            *k = if b == b' ' || b == b'-' { b'_' } else { b };
        }
        if let Some(name) = alias(&key[..out.len()]) {
            out.clear();
            out.extend_from_slice(name);
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(raw: &str) -> String {
        let mut out = Vec::new();
        assert!(normalise_provider(raw.as_bytes(), &mut out));
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn aliases_and_lowering() {
        assert_eq!(norm(" Azure OpenAI "), "azure.ai.openai");
        assert_eq!(norm("Azure-OpenAI"), "azure.ai.openai");
        assert_eq!(norm("\x1fAWS\x0b"), "aws.bedrock");
        assert_eq!(norm("My Provider"), "my provider");
        assert_eq!(norm("   "), "");
        assert_eq!(norm("\u{a0}Ünïcode provider "), "ünïcode provider");
    }
}
