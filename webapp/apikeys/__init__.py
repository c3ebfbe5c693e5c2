"""Project API keys: stored as hashes, shown once, revocable; `X-API-Key` and bearer authentication."""
