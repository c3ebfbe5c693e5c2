"""The `/ws` websocket of `pyflare serve`: subscribers get a notification for each stored trace of
their project and subscribed model, nothing of other projects; authentication by key (header or
first message, never the URL) or session; a revoked key's socket is closed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExportResult
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from tests.serve.running import INIT_KEY, ServeProcess, start_serve
from tests.serve.spans import genai_traces, hex_trace_id

ADMIN = {"email": "ops@example.com", "password": "a long and unusual passphrase 7"}
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
QUIET_SECONDS = 1.0  # how long "nothing more arrives" is watched


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    process = start_serve(tmp_path_factory.mktemp("live"), {
        "PYFLARE_INIT_API_KEY": INIT_KEY,
        "PYFLARE_INIT_ADMIN_EMAIL": ADMIN["email"],
        "PYFLARE_INIT_ADMIN_PASSWORD": ADMIN["password"],
        "PYFLARE_WS_KEY_RECHECK_SECONDS": "0.5", "PYFLARE_WS_AUTH_TIMEOUT_SECONDS": "2",
    })
    try:
        yield process
    finally:
        process.kill()


@pytest.fixture(scope="module")
def admin_session(live: ServeProcess) -> requests.Session:
    session = requests.Session()
    # logging in needs the CSRF token like any session write
    session.headers["X-CSRFToken"] = session.get(f"{live.web}/api/v1/auth/csrf", timeout=30).json()["csrf_token"]
    assert session.post(f"{live.web}/api/v1/auth/login", json=ADMIN, timeout=30).status_code == 200
    session.headers["X-CSRFToken"] = session.cookies["csrftoken"]
    return session


@pytest.fixture(scope="module")
def other_key(live: ServeProcess, admin_session: requests.Session) -> str:
    """A viewer key of a second project, made through the REST API by the signed-in admin."""
    made = admin_session.post(f"{live.web}/api/v1/projects", json={"slug": "other", "name": "Other"}, timeout=30)
    assert made.status_code == 201, made.text
    key = admin_session.post(f"{live.web}/api/v1/api-keys", json={"name": "live view", "role": "viewer"},
                             headers={"X-PyFlare-Project": "other"}, timeout=30)
    assert key.status_code == 201, key.text
    return str(key.json()["key"])


@pytest.fixture(scope="module")
def other_ingest_key(live: ServeProcess, other_key: str, admin_session: requests.Session) -> str:
    """An ingest key of the second project, to send its telemetry with."""
    key = admin_session.post(f"{live.web}/api/v1/api-keys", json={"name": "exporter", "role": "ingest"},
                             headers={"X-PyFlare-Project": "other"}, timeout=30)
    assert key.status_code == 201, key.text
    return str(key.json()["key"])


def ws_url(serve: ServeProcess, query: str = "") -> str:
    return f"ws://127.0.0.1:{serve.port}/ws{query}"


def subscribed(stack: ExitStack, serve: ServeProcess, key: str, channels: list[str]) -> ClientConnection:
    ws = stack.enter_context(connect(ws_url(serve), additional_headers={"X-API-Key": key}, open_timeout=30))
    hello = json.loads(ws.recv(timeout=30))
    assert hello["type"] == "connected"
    ws.send(json.dumps({"action": "subscribe", "channels": channels}))
    reply = json.loads(ws.recv(timeout=30))
    assert reply == {"type": "subscribed", "channels": channels, "subscriptions": sorted(channels)}
    return ws


def send(serve: ServeProcess, spans: list[ReadableSpan], key: str = INIT_KEY) -> None:
    exporter = OTLPSpanExporter(endpoint=f"{serve.otlp_http}/v1/traces", headers={"x-api-key": key}, timeout=30)
    assert exporter.export(spans) == SpanExportResult.SUCCESS


def next_event(ws: ClientConnection) -> dict[str, Any]:
    return dict(json.loads(ws.recv(timeout=30)))


def trace_payload(ws: ClientConnection) -> dict[str, Any]:
    """The next trace notification's payload, its `timestamp` (root start) checked and removed."""
    event = next_event(ws)
    assert event["type"] == "trace", event
    payload = dict(event["payload"])
    started = datetime.fromisoformat(payload.pop("timestamp"))
    payload["start_us"] = (started - EPOCH) // timedelta(microseconds=1)
    return payload


def assert_quiet(ws: ClientConnection) -> None:
    with pytest.raises(TimeoutError):
        ws.recv(timeout=QUIET_SECONDS)


def expected_payload(spans: list[ReadableSpan], project: str) -> dict[str, Any]:
    (root,) = [s for s in spans if s.parent is None]
    (llm,) = [s for s in spans if s.parent is not None]
    model = llm.attributes["gen_ai.request.model"]  # type: ignore[index]
    assert root.end_time is not None and root.start_time is not None
    return {
        "trace_id": hex_trace_id(root),
        "model_id": model,
        "models": [model],
        "status": "error" if llm.status.is_ok is False else "ok",
        "duration_ms": (root.end_time - root.start_time) / 1e6,
        "root_name": "handle question",
        "service": root.resource.attributes["service.name"],
        "project": project,
        "start_us": root.start_time // 1000,
    }


def test_subscribers_get_their_projects_traces_for_their_models_only(live: ServeProcess, other_key: str,
                                                                    other_ingest_key: str) -> None:
    with ExitStack() as stack:
        one_model = subscribed(stack, live, INIT_KEY, ["traces:gpt-4o"])
        every_model = subscribed(stack, live, INIT_KEY, ["traces:*"])
        other_project = subscribed(stack, live, other_key, ["traces:*"])

        elsewhere = genai_traces(1, model="gpt-4o", project="other", service="other-bot")
        send(live, elsewhere, other_ingest_key)
        assert trace_payload(other_project) == expected_payload(elsewhere, "other")

        mine = genai_traces(1, model="gpt-4o", service="live-bot")
        send(live, mine)
        failing = genai_traces(1, model="claude-haiku", service="live-bot", error=True)
        send(live, failing)

        assert trace_payload(one_model) == expected_payload(mine, "default")
        assert trace_payload(every_model) == expected_payload(mine, "default")
        second = trace_payload(every_model)
        assert second == expected_payload(failing, "default")
        assert second["status"] == "error"
        for ws in (one_model, every_model, other_project):
            assert_quiet(ws)  # the other project's trace (sent first) reached none of "default"'s sockets


def test_unsubscribe_stops_notifications(live: ServeProcess) -> None:
    with ExitStack() as stack:
        ws = subscribed(stack, live, INIT_KEY, ["traces:mistral-small"])
        ws.send(json.dumps({"action": "unsubscribe", "channels": ["traces:mistral-small"]}))
        assert next_event(ws) == {"type": "unsubscribed", "channels": ["traces:mistral-small"], "subscriptions": []}
        send(live, genai_traces(1, model="mistral-small"))
        assert_quiet(ws)


def closed_with(ws: ClientConnection) -> int:
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            ws.recv(timeout=30)
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code


@pytest.mark.parametrize(
    "headers",
    [{"X-API-Key": "pf_not_a_key_of_this_install"}, {"Authorization": "Bearer pf_not_a_key_of_this_install"}],
)
def test_an_invalid_key_is_closed_with_4401(live: ServeProcess, headers: dict[str, str]) -> None:
    with connect(ws_url(live), additional_headers=headers, open_timeout=30) as ws:
        assert next_event(ws) == {"type": "error", "error": "invalid API key"}
        assert closed_with(ws) == 4401


def test_a_key_in_the_url_is_refused(live: ServeProcess) -> None:
    with connect(ws_url(live, f"?api_key={INIT_KEY}"), open_timeout=30) as ws:
        event = next_event(ws)
        assert event["type"] == "error" and "not accepted in the URL" in event["error"]
        assert closed_with(ws) == 4400


def test_the_key_may_come_as_the_first_message(live: ServeProcess) -> None:
    with connect(ws_url(live), open_timeout=30) as ws:
        assert next_event(ws)["type"] == "auth_required"
        ws.send(json.dumps({"type": "auth", "api_key": INIT_KEY}))
        assert next_event(ws)["type"] == "connected"
        ws.send(json.dumps({"action": "subscribe", "channels": ["traces:first-message"]}))
        assert next_event(ws)["type"] == "subscribed"
        spans = genai_traces(1, model="first-message", service="auth-bot")
        send(live, spans)
        assert trace_payload(ws) == expected_payload(spans, "default")


def test_the_bearer_header_authenticates(live: ServeProcess) -> None:
    with connect(ws_url(live), additional_headers={"Authorization": f"Bearer {INIT_KEY}"}, open_timeout=30) as ws:
        assert next_event(ws)["type"] == "connected"


@pytest.mark.parametrize(
    "first", [json.dumps({"action": "subscribe", "channels": ["traces:*"]}), "not json",
              json.dumps({"type": "auth", "api_key": "pf_wrong"})],
)  # fmt: skip
def test_without_valid_credentials_the_socket_is_closed_with_4401(live: ServeProcess, first: str) -> None:
    with connect(ws_url(live), open_timeout=30) as ws:
        assert next_event(ws)["type"] == "auth_required"
        ws.send(first)
        assert next_event(ws)["type"] == "error"
        assert closed_with(ws) == 4401


def test_silence_instead_of_credentials_is_closed_with_4401(live: ServeProcess) -> None:
    with connect(ws_url(live), open_timeout=30) as ws:
        assert next_event(ws)["type"] == "auth_required"
        event = next_event(ws)  # PYFLARE_WS_AUTH_TIMEOUT_SECONDS later
        assert event["type"] == "error" and "no credentials in time" in event["error"]
        assert closed_with(ws) == 4401


def test_a_revoked_key_closes_its_open_sockets(live: ServeProcess, admin_session: requests.Session) -> None:
    made = admin_session.post(f"{live.web}/api/v1/api-keys", json={"name": "soon revoked", "role": "viewer"},
                              headers={"X-PyFlare-Project": "default"}, timeout=30)  # fmt: skip
    assert made.status_code == 201, made.text
    with ExitStack() as stack:
        ws = subscribed(stack, live, made.json()["key"], ["traces:*"])
        revoked = admin_session.post(f"{live.web}/api/v1/api-keys/{made.json()['id']}/revoke",
                                     headers={"X-PyFlare-Project": "default"}, timeout=30)  # fmt: skip
        assert revoked.status_code == 200, revoked.text
        event = next_event(ws)  # within PYFLARE_WS_KEY_RECHECK_SECONDS, idle or not
        assert event == {"type": "error", "error": "the API key of this connection was revoked"}, event
        assert closed_with(ws) == 4401


def test_bad_messages_get_errors_that_say_what_is_valid(live: ServeProcess) -> None:
    with connect(ws_url(live), additional_headers={"X-API-Key": INIT_KEY}, open_timeout=30) as ws:
        assert next_event(ws)["type"] == "connected"
        ws.send("not json")
        assert "JSON" in next_event(ws)["error"]
        ws.send(json.dumps({"action": "watch", "channels": ["traces:*"]}))
        assert "subscribe, unsubscribe" in next_event(ws)["error"]
        ws.send(json.dumps({"action": "subscribe", "channels": ["weather:*"]}))
        assert "valid: traces" in next_event(ws)["error"]


def test_a_signed_in_member_subscribes_with_the_session_cookie(
    live: ServeProcess, admin_session: requests.Session
) -> None:
    cookie = f"sessionid={admin_session.cookies['sessionid']}"
    origin = f"http://127.0.0.1:{live.port}"
    with connect(ws_url(live, "?project=default"), additional_headers={"Cookie": cookie, "Origin": origin},
                 open_timeout=30) as ws:
        assert next_event(ws) == {"type": "connected", "project": "default", "channels": {
            "traces": "new traces: `traces:*` for all, `traces:<model_id>` for one model"}}
        ws.send(json.dumps({"action": "subscribe", "channels": ["traces:o3"]}))
        assert next_event(ws)["type"] == "subscribed"
        spans = genai_traces(1, model="o3", service="session-bot")
        send(live, spans)
        assert trace_payload(ws) == expected_payload(spans, "default")


def test_a_session_from_a_foreign_origin_is_refused(live: ServeProcess, admin_session: requests.Session) -> None:
    cookie = f"sessionid={admin_session.cookies['sessionid']}"
    with connect(ws_url(live, "?project=default"), open_timeout=30,
                 additional_headers={"Cookie": cookie, "Origin": "http://evil.example"}) as ws:
        assert "origin" in next_event(ws)["error"]
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=30)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403
