"""OpenAI chat and streaming, traced by PyFlare's OpenAI integration in one line.

Run: python examples/openai_chat.py   (spans go to PYFLARE_ENDPOINT, default http://localhost:4318)
"""

from __future__ import annotations

import openai
from _setup import provider_url, report

import pyflare


def main() -> None:
    pyflare.init(service_name="example-openai-chat")
    pyflare.instrument("openai")  # capture_content=True would also record the messages
    with provider_url() as url:
        client = openai.OpenAI(base_url=f"{url}/v1", api_key="sk-example", max_retries=0)
        with pyflare.span("ask about France") as chat_root:
            answer = client.chat.completions.create(
                model="gpt-4o-mini", messages=[{"role": "user", "content": "[case:chat] Capital of France?"}]
            )
            print("chat:", answer.choices[0].message.content)
        with pyflare.span("count to three") as stream_root:
            # no stream_options: PyFlare asks for usage itself and hides the extra chunk from this loop
            stream = client.chat.completions.create(
                model="gpt-4o-mini", messages=[{"role": "user", "content": "[case:stream-usage] Count"}], stream=True
            )
            print("stream:", "".join(chunk.choices[0].delta.content or "" for chunk in stream))
    pyflare.shutdown()  # flushes the spans
    report(chat=chat_root.trace_id, stream=stream_root.trace_id)


if __name__ == "__main__":
    main()
