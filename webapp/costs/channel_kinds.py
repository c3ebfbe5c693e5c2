"""The kinds of notification channel and their settings: which URL each needs, which `config`
fields (shown by the API) and which `secrets` (write-only) it takes, with validation whose messages
name the field. A registry, one entry per kind; `webapp.costs.senders` holds the matching senders."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from workers.analysis.alerting.payloads import PAGERDUTY_SEVERITIES

PAGERDUTY_EVENTS_URL = "https://events.pagerduty.com/v2/enqueue"
_EMAIL = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+$")
MAX_TEXT = 500


class ConfigError(ValueError):
    """A setting is wrong; `field` names it (`config.port`, `secrets.routing_key`, `url`)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("must be a string")
    value = value.strip()
    if len(value) > MAX_TEXT or any(c in value for c in "\r\n\x00"):
        raise ValueError(f"must be one line of at most {MAX_TEXT} characters")
    return value


def _host(value: Any) -> str:
    value = _text(value)
    if not re.fullmatch(r"[A-Za-z0-9.\-]+|\[[0-9A-Fa-f:.]+\]|[0-9A-Fa-f:.]+", value):
        raise ValueError("must be a host name or an IP address")
    return value.strip("[]")


def _port(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
        raise ValueError("must be an integer from 1 to 65535")
    return value


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


def _address(value: Any) -> str:
    value = _text(value)
    if not _EMAIL.match(value):
        raise ValueError(f"{value!r} is not an email address")
    return value


def _addresses(value: Any) -> list[str]:
    items = [v for v in value.split(",") if v.strip()] if isinstance(value, str) else value
    if not isinstance(items, list) or not items:
        raise ValueError("must be a list of at least one email address")
    if len(items) > 50:
        raise ValueError("at most 50 recipients")
    return [_address(v) for v in items]


def _severity(value: Any) -> str:
    value = _text(value)
    if value not in PAGERDUTY_SEVERITIES:
        raise ValueError(f"must be one of {', '.join(PAGERDUTY_SEVERITIES)}")
    return value


def _key(value: Any) -> str:
    value = _text(value)
    if not value:
        raise ValueError("must not be empty")
    return value


@dataclass(frozen=True)
class Setting:
    parse: Callable[[Any], Any]
    required: bool = False
    default: Any = None


@dataclass(frozen=True)
class ChannelKind:
    name: str
    label: str
    url: str  # "required", "optional" (default_url then) or "none"
    default_url: str = ""
    config: Mapping[str, Setting] = field(default_factory=dict)
    secrets: Mapping[str, Setting] = field(default_factory=dict)
    url_is_secret: bool = False  # the API shows only the URL's scheme and host

    def clean_config(self, raw: Any) -> dict[str, Any]:
        return _clean("config", self.config, raw)

    def clean_secrets(self, raw: Any) -> dict[str, Any]:
        return _clean("secrets", self.secrets, raw)


def _clean(where: str, settings: Mapping[str, Setting], raw: Any) -> dict[str, Any]:
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError(where, "must be an object")
    unknown = sorted(set(raw) - set(settings))
    if unknown:
        known = ", ".join(settings) or "none"
        raise ConfigError(f"{where}.{unknown[0]}", f"unknown setting (this kind takes: {known})")
    clean: dict[str, Any] = {}
    for name, setting in settings.items():
        value = raw.get(name)
        if value is None or value == "":
            if setting.required:
                raise ConfigError(f"{where}.{name}", "this setting is required")
            if setting.default is not None:
                clean[name] = setting.default
            continue
        try:
            clean[name] = setting.parse(value)
        except ValueError as exc:
            raise ConfigError(f"{where}.{name}", str(exc)) from None
    return clean


_BEARER = {"bearer_token": Setting(_key)}
KINDS: dict[str, ChannelKind] = {
    kind.name: kind
    for kind in (
        ChannelKind("webhook", "webhook (Alertmanager-compatible JSON POST)", "required",
                    config={"send_resolved": Setting(_flag, default=True)}, secrets=_BEARER),
        ChannelKind("slack", "Slack (incoming webhook)", "required", url_is_secret=True,
                    config={"channel": Setting(_text), "username": Setting(_text),
                            "send_resolved": Setting(_flag, default=True)}),
        ChannelKind("pagerduty", "PagerDuty (Events API v2)", "optional", default_url=PAGERDUTY_EVENTS_URL,
                    config={"severity": Setting(_severity, default="error"), "source": Setting(_text),
                            "send_resolved": Setting(_flag, default=True)},
                    secrets={"routing_key": Setting(_key, required=True)}),
        ChannelKind("email", "email (SMTP)", "none",
                    config={"host": Setting(_host, required=True), "port": Setting(_port, default=587),
                            "starttls": Setting(_flag, default=True), "from": Setting(_address, required=True),
                            "to": Setting(_addresses, required=True), "send_resolved": Setting(_flag, default=True)},
                    secrets={"username": Setting(_key), "password": Setting(_key)}),
        ChannelKind("alertmanager", "Alertmanager (POST /api/v2/alerts)", "required",
                    config={"send_resolved": Setting(_flag, default=True)}, secrets=_BEARER),
    )
}  # fmt: skip


def channel_kind(name: str) -> ChannelKind:
    try:
        return KINDS[name]
    except KeyError:
        raise ConfigError("kind", f"unknown channel kind {name!r} (valid: {', '.join(KINDS)})") from None
