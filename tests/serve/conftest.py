"""One `pyflare serve` subprocess shared by the tests of this folder that need no special settings."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.serve.running import INIT_KEY, ServeProcess, start_serve

MAX_BODY_BYTES = 1024 * 1024
CORS_ORIGIN = "http://app.example"


@pytest.fixture(scope="session")
def serve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    process = start_serve(
        tmp_path_factory.mktemp("serve"),
        {
            "PYFLARE_INIT_API_KEY": INIT_KEY,
            "PYFLARE_OTLP_MAX_BODY_BYTES": str(MAX_BODY_BYTES),
            "PYFLARE_OTLP_CORS_ORIGINS": CORS_ORIGIN,
        },
    )
    try:
        yield process
    finally:
        process.kill()
