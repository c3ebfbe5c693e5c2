"""Live updates over the websocket `/ws`: the seed protocol (subscribe/unsubscribe to channels such
as `traces:<model>` and `traces:*`) and the notifier that feeds it from the ingest side.
"""
