"""A pipeline calling several models in one trace: an OpenAI embedding, an Anthropic answer with
prompt caching, and an OpenAI summary. Each call is one span with its own tokens and cost.

Run: python examples/multi_model_pipeline.py
"""

from __future__ import annotations

import anthropic
import openai
from _setup import provider_url, report

import pyflare


def main() -> None:
    pyflare.init(service_name="example-multi-model")
    pyflare.instrument("openai", "anthropic")
    with provider_url() as url, pyflare.span("support pipeline") as root:
        oai = openai.OpenAI(base_url=f"{url}/v1", api_key="sk-example", max_retries=0)
        claude = anthropic.Anthropic(base_url=url, api_key="sk-ant-example", max_retries=0)
        vector = oai.embeddings.create(model="text-embedding-3-small", input="[case:embeddings] my order is late")
        print("embedding dims:", len(vector.data[0].embedding))
        reply = claude.messages.create(
            model="claude-sonnet-4-5",
            max_tokens=200,
            messages=[{"role": "user", "content": "[case:messages-cache] Draft a reply about a late order"}],
        )
        draft = reply.content[0].text
        summary = oai.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": f"[case:summary] Summarise: {draft}"}]
        )
        print("summary:", summary.choices[0].message.content)
    pyflare.shutdown()
    report(pipeline=root.trace_id)


if __name__ == "__main__":
    main()
