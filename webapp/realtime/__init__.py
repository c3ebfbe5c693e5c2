"""Live updates over the websocket `/ws`: the seed protocol (subscribe/unsubscribe to channels such
as `traces:<model>` and `traces:*`) and the Channels sender (`publisher.py`) through which the ingest
pipeline's notifier (workers/ingest/notify.py) reaches it, in `pyflare serve` and `pyflare ingest` alike.
"""
