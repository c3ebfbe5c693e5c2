"""Trace reads: the one place that lists traces, reads a trace's spans and summarises them.

`summary.py` holds the summary type and the rules (a redelivered span is read once; a provider call
traced twice — spans sharing `spans.response_id` within a project — is priced once, on its first
span), `reads.py` the list and span reads, `windows.py` how newest-first pages pick hour windows.
Every reader goes through a `RowReader` (`reader.py`): the API's applies its read limits.
"""
