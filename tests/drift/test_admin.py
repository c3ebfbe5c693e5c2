"""Drift in the Django admin: monitors are configured there, references and alerts are shown read-only."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.webapp.conftest import World
from tests.webapp.telemetry import client_for
from webapp.accounts.models import User
from webapp.drift.models import DriftMonitor, DriftReference


@pytest.fixture
def admin_site(world: World) -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("root@example.com", "a root passphrase 99"))
    return client


def test_drift_pages_render_and_show_reference_parts(admin_site: Client, world: World) -> None:
    upload = {"features": {"age": {"values": [20, 30, 40]}, "plan": {"counts": {"basic": 3, "pro": 1}}}}
    assert client_for(world, "operator").post("/api/v1/drift/m/reference", upload, format="json").status_code == 201
    monitor, reference = DriftMonitor.objects.get(), DriftReference.objects.get()
    pages = [
        "driftmonitor/",
        "driftmonitor/add/",
        f"driftmonitor/{monitor.pk}/change/",
        "driftreference/",
        "driftalert/",
    ]
    for url in [f"/admin/drift/{page}" for page in pages]:
        assert admin_site.get(url).status_code == 200, url
    page = admin_site.get(f"/admin/drift/driftreference/{reference.pk}/change/").content.decode()
    assert "numerical · sorted_sample · 3 values" in page and "categorical · category_counts · 4 values" in page
    assert admin_site.get("/admin/drift/driftreference/add/").status_code == 403


def test_a_monitor_changed_in_the_admin_is_validated(admin_site: Client, world: World) -> None:
    response = admin_site.post("/admin/drift/driftmonitor/add/", {
        "project": world.own.project.pk, "model_id": "m2", "enabled": "on", "window_seconds": 600,
        "features": "[]", "feature_types": "{}", "feature_methods": '{"age": "nope"}', "type_methods": "{}",
        "thresholds": "{}", "drift_share": 0.5, "concept_metric": "accuracy", "concept_alpha": 0.05,
        "min_samples": 30, "max_window_rows": 1000,
    })  # fmt: skip
    assert response.status_code == 200 and "unknown drift method" in response.content.decode()
    assert not DriftMonitor.objects.filter(model_id="m2").exists()
