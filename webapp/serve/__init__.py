"""`pyflare serve`: the embedded mode — web app, OTLP receivers and ingestion in ONE process.

The OTLP receivers put validated requests on a bounded in-process queue; the same ingest loop,
normalisation and storage code as `pyflare ingest` drain it into chdb and qdrant-edge.
"""
