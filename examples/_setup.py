"""What every LLM example shares: the provider to call (a running stub named by EXAMPLE_PROVIDER_URL,
or a stub started in this process) and PyFlare's settings from the PYFLARE_* environment variables
(PYFLARE_ENDPOINT, PYFLARE_API_KEY; by default a local `pyflare serve` on http://localhost:4318).

Against the real providers, drop the `base_url` arguments and set OPENAI_API_KEY / ANTHROPIC_API_KEY.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager

from provider_stub import ProviderServer


@contextmanager
def provider_url() -> Iterator[str]:
    given = os.environ.get("EXAMPLE_PROVIDER_URL")
    if given:
        yield given.rstrip("/")
        return
    with ProviderServer() as stub:
        yield stub.url


def report(**trace_ids: str | None) -> None:
    """The last line an example prints: which trace each part went to (read by tests/examples)."""
    print(json.dumps(trace_ids), flush=True)
