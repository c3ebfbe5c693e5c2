"""The new-trace notifier around the real storage writer: one event per trace once its root is stored,
with models and errors of spans stored earlier, per project group; a failing publish never fails the write.
"""

from __future__ import annotations

from typing import Any

import pytest
from channels.layers import InMemoryChannelLayer
from clickhouse_connect.driver.client import Client

from tests.serve.spans import genai_traces, hex_trace_id, payload
from workers.ingest.notify import TRACE_MESSAGE_TYPE, TraceNotifier
from workers.ingest.sink import StorageSink
from workers.storage.writer import ClickHouseWriter
from workers.telemetry.batches import NormaliseOptions, TraceBatch


def table_of(spans: list[Any]) -> Any:
    batch = TraceBatch(NormaliseOptions())
    batch.add_otlp(payload(spans))
    return batch.to_arrow()


class Outbox:
    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, group: str, message: dict[str, Any]) -> None:
        self.sent.append((group, message))


@pytest.fixture
def outbox() -> Outbox:
    return Outbox()


def test_a_complete_trace_is_announced_once_to_its_projects_group(ch_migrated: Client, outbox: Outbox) -> None:
    notifier = TraceNotifier(StorageSink(ClickHouseWriter(ch_migrated), None), outbox)
    spans = genai_traces(2, model="gpt-4o", project="shop") + genai_traces(1, model="o3", project="lab", error=True)
    notifier.write("traces", table_of(spans), [])
    groups = sorted(group for group, _ in outbox.sent)
    assert groups == ["pyflare.traces.lab", "pyflare.traces.shop", "pyflare.traces.shop"]
    by_trace = {m["event"]["payload"]["trace_id"]: m for _, m in outbox.sent}
    roots = [s for s in spans if s.parent is None]
    assert set(by_trace) == {hex_trace_id(r) for r in roots}
    for root in roots:
        message = by_trace[hex_trace_id(root)]
        assert message["type"] == TRACE_MESSAGE_TYPE
        event = message["event"]
        assert event["type"] == "trace"
        lab = root.resource.attributes["pyflare.project"] == "lab"
        assert event["payload"]["models"] == (["o3"] if lab else ["gpt-4o"])
        assert event["payload"]["status"] == ("error" if lab else "ok")
        assert event["payload"]["duration_ms"] == (root.end_time - root.start_time) / 1e6
    stored = ch_migrated.query("SELECT count() FROM spans").result_rows[0][0]
    assert stored == len(spans)


def test_a_root_stored_after_its_children_carries_their_model_and_error(ch_migrated: Client, outbox: Outbox) -> None:
    notifier = TraceNotifier(StorageSink(ClickHouseWriter(ch_migrated), None), outbox)
    spans = genai_traces(1, model="claude-opus", error=True)
    (root,) = [s for s in spans if s.parent is None]
    (child,) = [s for s in spans if s.parent is not None]
    notifier.write("traces", table_of([child]), [])
    assert outbox.sent == []  # no root yet: the trace is not complete
    notifier.write("traces", table_of([root]), [])
    ((_group, message),) = outbox.sent
    assert message["event"]["payload"]["models"] == ["claude-opus"]
    assert message["event"]["payload"]["model_id"] == "claude-opus"
    assert message["event"]["payload"]["status"] == "error"


def test_a_failing_publish_does_not_fail_the_stored_write(ch_migrated: Client) -> None:
    def broken(group: str, message: dict[str, Any]) -> None:
        raise ConnectionError("channel layer unreachable")

    notifier = TraceNotifier(StorageSink(ClickHouseWriter(ch_migrated), None), broken)
    spans = genai_traces(3)
    notifier.write("traces", table_of(spans), [])  # must not raise: the loop would write the batch again
    assert ch_migrated.query("SELECT count() FROM spans").result_rows[0][0] == len(spans)
    assert notifier.published == 0


def test_a_project_name_that_is_no_slug_still_gets_a_valid_group_of_its_own(
    ch_migrated: Client, outbox: Outbox
) -> None:
    notifier = TraceNotifier(StorageSink(ClickHouseWriter(ch_migrated), None), outbox)
    notifier.write("traces", table_of(genai_traces(1, project="Team Blue! (EU)")), [])
    notifier.write("traces", table_of(genai_traces(1, project="Team Blue! (US)")), [])
    groups = [group for group, _ in outbox.sent]
    assert len(set(groups)) == 2
    for group in groups:
        assert InMemoryChannelLayer().require_valid_group_name(group)
