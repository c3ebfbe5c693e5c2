"""Drift's storage: window reads from `spans` (+ `feedback`), `drift_results` writes and reads, and the
live and reference vectors in Qdrant. The scoring itself is pure (`workers/analysis/drift/monitor`).
"""
