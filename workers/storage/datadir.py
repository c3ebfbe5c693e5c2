"""Where PyFlare keeps local data in embedded mode.

`PYFLARE_DATA_DIR` (default `~/.pyflare`) holds the chdb directory and the Qdrant edge shards.
"""

from __future__ import annotations

from pathlib import Path

from workers.env import env_str


def data_dir() -> Path:
    """The absolute data directory from `PYFLARE_DATA_DIR`, `~` expanded."""
    return Path(env_str("PYFLARE_DATA_DIR", "~/.pyflare")).expanduser().resolve()
