"""Scale mode's path for live updates: a notifier in another process (as the Kafka consumer would run
it) reaches the websocket subscribers of a web process through the Redis channel layer.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from channels_redis.core import RedisChannelLayer
from clickhouse_connect.driver.client import Client

from tests.serve.running import INIT_KEY, start_serve, trace_subscriber
from tests.serve.spans import genai_traces, hex_trace_id, payload
from webapp.realtime.publisher import LayerPublisher
from workers.ingest.notify import TraceNotifier
from workers.ingest.sink import StorageSink
from workers.storage.writer import ClickHouseWriter
from workers.telemetry.batches import NormaliseOptions, TraceBatch


@pytest.mark.redis
def test_a_notifier_in_another_process_reaches_subscribers_through_redis(
    redis_url: str, ch_migrated: Client, tmp_path: Path
) -> None:
    project = f"scale-{uuid.uuid4().hex[:8]}"  # groups live in the shared Redis: keep this test's apart
    web = start_serve(tmp_path, {"PYFLARE_INIT_API_KEY": INIT_KEY, "PYFLARE_INIT_PROJECT": project,
                                 "PYFLARE_REDIS_URL": redis_url})
    try:
        with trace_subscriber(web, project, "traces:gpt-4o") as ws:

            spans = genai_traces(1, model="gpt-4o", project=project, service="scale-bot")
            batch = TraceBatch(NormaliseOptions())
            batch.add_otlp(payload(spans))
            layer = RedisChannelLayer(hosts=[redis_url])
            notifier = TraceNotifier(StorageSink(ClickHouseWriter(ch_migrated), None), LayerPublisher(layer))
            notifier.write("traces", batch.to_arrow(), [])

            event = json.loads(ws.recv(timeout=30))
            assert event["type"] == "trace"
            assert event["payload"]["trace_id"] == hex_trace_id(spans[0])
            assert event["payload"]["project"] == project
            assert event["payload"]["models"] == ["gpt-4o"]
        assert web.stop() == 0
    finally:
        web.kill()


@pytest.mark.redis
def test_sends_waiting_on_a_stalled_redis_are_capped_and_the_rest_dropped(redis_url: str) -> None:
    import asyncio
    import threading
    import time

    import redis

    loop = asyncio.new_event_loop()
    threading.Thread(target=loop.run_forever, daemon=True).start()
    layer = RedisChannelLayer(hosts=[redis_url])
    publisher = LayerPublisher(layer, loop=loop, max_in_flight=10)
    publisher("warm-up", {"type": "trace", "payload": {}})  # the layer's connection is open before the stall
    deadline = time.monotonic() + 30
    while publisher.in_flight and time.monotonic() < deadline:
        time.sleep(0.01)
    redis.Redis.from_url(redis_url).execute_command("CLIENT", "PAUSE", "1500", "ALL")  # a stalled Redis
    for n in range(50):
        publisher(f"stalled-{n}", {"type": "trace", "payload": {"n": n}})
    assert (publisher.in_flight, publisher.dropped) == (10, 40)  # the ingest thread never waited
    while publisher.in_flight and time.monotonic() < deadline:  # Redis answers again: the waiting ten go out
        time.sleep(0.05)
    assert publisher.in_flight == 0
    publisher("after", {"type": "trace", "payload": {}})
    assert publisher.dropped == 40
    asyncio.run_coroutine_threadsafe(layer.close_pools(), loop).result(timeout=30)
    loop.call_soon_threadsafe(loop.stop)
