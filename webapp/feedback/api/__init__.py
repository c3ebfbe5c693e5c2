"""The feedback REST API: scores and comments on traces."""
