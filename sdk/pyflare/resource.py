"""The OTel Resource PyFlare attaches to everything it emits.

`pyflare.project` selects the project on the server; `service.name` left unset falls back to OTel's own
rules (OTEL_SERVICE_NAME, then `unknown_service`), because Resource.create merges the OTEL_* detectors.
"""

from __future__ import annotations

from typing import Any

from opentelemetry.sdk.resources import Resource

from pyflare import semconv
from pyflare.settings import Settings
from pyflare.version import __version__


def build_resource(settings: Settings) -> Resource:
    attributes: dict[str, Any] = {semconv.DISTRO_NAME: "pyflare", semconv.DISTRO_VERSION: __version__}
    attributes.update(settings.resource_attributes)
    named = {
        semconv.SERVICE_NAME: settings.service_name,
        semconv.SERVICE_VERSION: settings.version,
        semconv.DEPLOYMENT_ENVIRONMENT: settings.environment,
        semconv.PROJECT: settings.project,
    }
    # Named init arguments win over the same key in resource_attributes.
    attributes.update({key: value for key, value in named.items() if value is not None})
    return Resource.create(attributes)
