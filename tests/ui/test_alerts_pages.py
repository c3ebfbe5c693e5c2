"""The alerting pages in Chromium against a real `pyflare serve`: an alert raised by the server's
own rule evaluation over spans sent with the SDK shows in the alerts centre, is acknowledged and
resolved there, and "silence this" makes a silence the silences page lists; a rule made in the
editor previews its metric and lands in the API; a maintenance window is created and deleted; a
developer (alerts:read only) gets no write actions and a viewer no alerting pages at all."""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.outbound.receivers import Receiver
from tests.serve.running import INIT_KEY, ServeProcess
from tests.ui.accounts import create_member
from tests.ui.conftest import PROJECT, login
from tests.ui.telemetry import sdk_llm_trace

pytestmark = pytest.mark.browser

HEADERS = {"X-API-Key": INIT_KEY, "X-PyFlare-Project": PROJECT}
DEV_EMAIL, DEV_PASSWORD = "alerts-dev@ui.example", "ui-tests-dev-alerts-battery"
VIEWER_EMAIL, VIEWER_PASSWORD = "alerts-viewer@ui.example", "ui-tests-viewer-alerts-battery"


def call(serve: ServeProcess, method: str, path: str, **kwargs: Any) -> Any:
    reply = requests.request(method, f"{serve.web}/api/v1/{path}", headers=HEADERS, timeout=30, **kwargs)
    assert reply.ok, reply.text
    return reply.json() if reply.content else None


def firing_alert(serve: ServeProcess) -> tuple[dict[str, Any], dict[str, Any]]:
    """A threshold rule over a model of its own, two traces of that model, and the alert the server's
    evaluation (the embedded alerting tick) raises for it."""
    model = f"m-{uuid.uuid4().hex[:8]}"
    rule = call(serve, "POST", "alerts/rules", json={
        "name": f"traffic {model}", "rule_type": "threshold", "severity": "critical", "evaluation_interval": "10s",
        "config": {"metric": "request_count", "operator": ">", "value": 1, "window": "10m",
                   "filters": {"model_id": model}, "group_by": ["model_id"]},
        "labels": {"team": "ui"}, "annotations": {"summary": "more than one request"}})  # fmt: skip
    for i in range(2):
        sdk_llm_trace(serve, service="alert-ui", model=model, question=f"q{i}", answer="a", input_tokens=3,
                      output_tokens=2)  # fmt: skip
    deadline = time.time() + 90
    while time.time() < deadline:
        found = call(serve, "GET", "alerts", params={"rule_id": rule["id"], "status": "firing"})["alerts"]
        if found:
            return rule, found[0]
        time.sleep(1)
    raise AssertionError(f"rule {rule['id']} raised no alert in 90 s")


def alerts_of(serve: ServeProcess, rule_id: int) -> dict[int, dict[str, Any]]:
    return {a["id"]: a for a in call(serve, "GET", "alerts", params={"rule_id": rule_id})["alerts"]}


def test_alert_centre_silence_acknowledge_resolve(page: Any, ui_serve: ServeProcess) -> None:
    rule, alert = firing_alert(ui_serve)
    name = rule["name"]
    login(page)
    page.goto(f"/p/{PROJECT}/alerts?rule_id={rule['id']}")
    row = page.get_by_test_id("alert-row").filter(has_text=name)
    row.wait_for()
    assert page.get_by_test_id("state-firing").inner_text().endswith("1")
    row.get_by_role("button", name=name, exact=True).click()
    detail = page.get_by_test_id("alert-detail")
    assert "more than one request" in detail.inner_text()
    detail.get_by_test_id("history-event").filter(has_text="fired").wait_for()  # the evaluation's event

    # silence this: one `=` matcher per label of the alert, editable before creating
    row.get_by_role("button", name=f"Silence {name}").click()
    form = page.get_by_role("form", name="New silence")
    rows = form.get_by_test_id("matcher-row")
    labels = alert["labels"]
    assert rows.count() == len(labels)

    def field(i: int, part: str) -> str:
        return str(form.get_by_label(f"Matcher {i + 1} {part}").input_value())

    shown = {field(i, "label"): (field(i, "operator"), field(i, "value")) for i in range(rows.count())}
    assert shown == {k: ("=", str(v)) for k, v in labels.items()}
    keep = sorted(labels).index("model_id")
    for i in reversed(range(rows.count())):  # narrow it to the model only
        if i != keep:
            form.get_by_role("button", name=f"Remove matcher {i + 1}").click()
    form.get_by_label("Comment").fill("ui test silence")
    form.get_by_role("button", name="Create silence").click()
    page.get_by_test_id("silence-made").wait_for()
    silences = [s for s in call(ui_serve, "GET", "alerts/silences") if s["comment"] == "ui test silence"]
    assert [(s["matchers"], s["state"]) for s in silences] == [([f'model_id="{labels["model_id"]}"'], "active")]
    page.goto(f"/p/{PROJECT}/alerts/silences")
    listed = page.get_by_test_id("silences-active").get_by_test_id("silence-row").filter(has_text="ui test silence")
    assert f'model_id="{labels["model_id"]}"' in listed.inner_text()
    silence_id = silences[0]["id"]
    listed.get_by_role("button", name=f"Expire silence {silence_id}").click()
    page.get_by_test_id("silences-expired").get_by_test_id("silence-row").filter(has_text="ui test silence").wait_for()
    assert [s["state"] for s in call(ui_serve, "GET", "alerts/silences") if s["id"] == silence_id] == ["expired"]

    # acknowledge, then resolve from the acknowledged tab
    page.goto(f"/p/{PROJECT}/alerts?rule_id={rule['id']}")
    page.get_by_role("button", name=f"Acknowledge {name}").click()
    page.get_by_test_id("state-acknowledged").filter(has_text="1").wait_for()
    assert alerts_of(ui_serve, rule["id"])[alert["id"]]["state"] == "acknowledged"
    page.get_by_test_id("state-acknowledged").click()
    page.get_by_role("button", name=f"Resolve {name}").click()
    page.get_by_test_id("state-resolved").filter(has_text="1").wait_for()
    resolved = alerts_of(ui_serve, rule["id"])[alert["id"]]
    assert (resolved["state"], resolved["resolved_by"]) == ("resolved", "admin@ui.example")
    page.get_by_test_id("state-resolved").click()
    page.get_by_test_id("alert-row").filter(has_text=name).get_by_role("button", name=name, exact=True).click()
    history = page.get_by_test_id("alert-detail").get_by_test_id("history-event")
    history.filter(has_text="resolved by admin@ui.example").wait_for()
    shown = [h.split(" — ", 1)[1] for h in history.all_inner_texts()]
    assert [h for h in shown if h.startswith(("acknowledged", "resolved"))] == [
        "acknowledged by admin@ui.example",
        "resolved by admin@ui.example",
    ]
    assert shown[0].startswith("fired")


def test_rule_editor_previews_and_creates_a_rule(page: Any, ui_serve: ServeProcess, artifacts_dir: Path) -> None:
    model = f"p-{uuid.uuid4().hex[:8]}"
    for i in range(3):
        sdk_llm_trace(ui_serve, service="alert-ui", model=model, question=f"q{i}", answer="a", input_tokens=1,
                      output_tokens=1)  # fmt: skip
    receiver = Receiver()
    try:
        channel = call(ui_serve, "POST", "notification-channels",
                       json={"name": f"hook-{model}", "url": f"{receiver.url}/hook"})  # fmt: skip
        login(page)
        page.goto(f"/p/{PROJECT}/alerts/rules")
        page.get_by_role("button", name="New rule").click()
        form = page.get_by_role("form", name="New rule")
        form.get_by_label("Name", exact=True).fill(f"requests {model}")
        form.get_by_label("Metric").select_option("request_count")
        form.get_by_label("Value", exact=True).fill("2")
        form.get_by_label("Window").fill("1h")
        form.get_by_role("button", name="Add filters").click()
        form.get_by_label("Filters 1 name").fill("model_id")
        form.get_by_label("Filters 1 value").fill(model)
        form.get_by_role("checkbox", name=f"hook-{model}").check()
        # the preview: the model's requests over the last day with the threshold line; 3 in the newest hour
        preview = form.get_by_test_id("rule-preview")
        preview.filter(has_text="request_count over 1h").wait_for()
        assert preview.get_by_test_id("threshold-line").count() == 1
        assert "threshold > 2" in preview.inner_text()
        page.screenshot(path=str(artifacts_dir / "rule_editor_preview.png"), full_page=True)
        answer = call(
            ui_serve,
            "POST",
            "alerts/rules/preview",
            json={
                "rule_type": "threshold",
                "config": {
                    "metric": "request_count",
                    "operator": ">",
                    "value": 2,
                    "window": "1h",
                    "filters": {"model_id": model},
                },
            },
        )
        assert [p["value"] for p in answer["series"][0]["points"] if p["value"] is not None] == [3.0]

        # a 400 is shown next to the field it names, then the fixed rule is created
        form.get_by_label("Evaluate every").fill("1s")
        form.get_by_role("button", name="Create rule").click()
        assert "between" in form.get_by_test_id("error-evaluation_interval").inner_text()
        form.get_by_label("Evaluate every").fill("2m")
        form.get_by_role("button", name="Create rule").click()
        page.get_by_test_id("rule-row").filter(has_text=f"requests {model}").wait_for()
        made = [r for r in call(ui_serve, "GET", "alerts/rules") if r["name"] == f"requests {model}"]
        assert len(made) == 1
        assert made[0]["config"] == {"metric": "request_count", "operator": ">", "value": 2, "window": "1h",
                                     "filters": {"model_id": model}}  # fmt: skip
        assert (made[0]["channels"], made[0]["evaluation_interval"]) == ([channel["id"]], "2m")
    finally:
        receiver.close()


def test_maintenance_window_created_and_deleted(page: Any, ui_serve: ServeProcess) -> None:
    name = f"retrain {uuid.uuid4().hex[:6]}"
    login(page)
    page.goto(f"/p/{PROJECT}/alerts/maintenance")
    page.get_by_role("button", name="New window").click()
    form = page.get_by_role("form", name="New maintenance window")
    form.get_by_label("Name").fill(name)
    form.get_by_label("Models (comma-separated; empty: all)").fill("churn-v3, churn-v4")
    form.get_by_role("checkbox", name="Mon").check()
    form.get_by_role("checkbox", name="Wed").check()
    form.get_by_label("Time zone").fill("Europe/Paris")
    form.get_by_role("button", name="Create window").click()
    row = page.get_by_test_id("window-row").filter(has_text=name)
    row.wait_for()
    assert "Mon, Wed 22:00\u201324:00 (Europe/Paris)" in row.inner_text()
    made = [w for w in call(ui_serve, "GET", "alerts/maintenance") if w["name"] == name]
    assert [(w["model_ids"], w["weekdays"], w["times"], w["timezone"]) for w in made] == [
        (["churn-v3", "churn-v4"], [0, 2], [["22:00", "24:00"]], "Europe/Paris")
    ]
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name=f"Delete maintenance window {name}").click()
    row.wait_for(state="detached")
    assert not [w for w in call(ui_serve, "GET", "alerts/maintenance") if w["name"] == name]


def test_developer_gets_no_alerting_actions_and_viewer_no_pages(page: Any, ui_serve: ServeProcess) -> None:
    rule, _alert = firing_alert(ui_serve)
    create_member(ui_serve, DEV_EMAIL, DEV_PASSWORD, PROJECT, "developer")
    create_member(ui_serve, VIEWER_EMAIL, VIEWER_PASSWORD, PROJECT, "viewer")
    login(page, DEV_EMAIL, DEV_PASSWORD)
    page.goto(f"/p/{PROJECT}/alerts?rule_id={rule['id']}")
    row = page.get_by_test_id("alert-row").filter(has_text=rule["name"])
    row.wait_for()
    for action in ("Acknowledge", "Resolve", "Silence"):
        assert row.get_by_role("button", name=f"{action} {rule['name']}").is_disabled()
    assert "alerts:write" in page.get_by_test_id("missing-write").inner_text()
    for path, create in (("rules", "New rule"), ("silences", "New silence"), ("maintenance", "New window")):
        page.goto(f"/p/{PROJECT}/alerts/{path}")
        # the role is known once the sidebar lists the entries it grants (before, every action is hidden)
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Alert rules").wait_for()
        page.get_by_test_id("missing-write").wait_for()
        page.wait_for_load_state("networkidle")
        assert page.get_by_role("button", name=create).count() == 0
    page.goto(f"/p/{PROJECT}/alerts/rules")
    listed = page.get_by_test_id("rule-row").filter(has_text=rule["name"])
    listed.wait_for()
    assert listed.get_by_role("button").count() == 0  # no edit, no delete

    page.context.clear_cookies()
    login(page, VIEWER_EMAIL, VIEWER_PASSWORD)
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Drift").wait_for()  # drift:read: the role is known
    assert [n for n in ("Alerts", "Alert rules", "Silences", "Maintenance")
            if nav.get_by_role("link", name=n, exact=True).count()] == []  # fmt: skip
