"""The dashboard: one aggregate read of a project's requests, latency, tokens, cost and drift."""
