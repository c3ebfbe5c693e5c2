"""Notification channels: payload building, one delivery per kind, and notifications → webhook at a
steady rate through the delivery task (the delivery half of "evaluation → webhook delivered").

Real receivers on 127.0.0.1: a threading HTTP server (webhook, Slack, PagerDuty, Alertmanager API
shape) and aiosmtpd (email). The control plane is a fresh SQLite database in a temporary data dir;
deliveries run as in `pyflare serve` (eager tasks on the in-process timer thread). Prints medians and
p99s.

    python loadtests/bench_channels.py [--deliveries 300] [--rate 100] [--seconds 10]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import statistics
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


def setup(data: Path) -> None:
    os.environ.update({"PYFLARE_DATA_DIR": str(data), "PYFLARE_SECRET_KEY": secrets.token_urlsafe(50),
                       "DJANGO_SETTINGS_MODULE": "webapp.settings", "PYFLARE_LOG_LEVEL": "WARNING",
                       "PYFLARE_OUTBOUND_ALLOW_CIDRS": "127.0.0.1/32"})  # fmt: skip
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


class Receiver:
    def __init__(self) -> None:
        self.arrivals: dict[str, float] = {}
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
                if isinstance(body, dict) and body.get("alerts"):
                    receiver.arrivals[body["alerts"][0]["labels"]["alertname"]] = time.monotonic()
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"


def message(name: str, alerts: int = 1) -> Any:
    from workers.analysis.alerting.messages import AlertItem, AlertMessage

    items = tuple(AlertItem(f"fp{i}", {"alertname": name, "model_id": f"m{i}"}, {"summary": f"{name} {i}"},
                            time.time() - 60, None, "firing", f"https://pyflare.example/alerts/{i}")
                  for i in range(alerts))  # fmt: skip
    return AlertMessage("bench", "ops", f"{{}}:{name}", {"alertname": name}, {"alertname": name}, {}, items)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def bench_payloads(runs: int = 2000) -> None:
    from workers.analysis.alerting import payloads

    big = message("HighErrorRate", alerts=100)
    builders = {"webhook": lambda: payloads.webhook_payload(big), "slack": lambda: payloads.slack_payload(big),
                "pagerduty": lambda: payloads.pagerduty_event(big, "key"),
                "email": lambda: payloads.email_content(big),
                "alertmanager": lambda: payloads.alertmanager_alerts(big)}  # fmt: skip
    for name, build in builders.items():
        times = []
        for _ in range(runs // 10):
            t = time.perf_counter()
            build()
            times.append((time.perf_counter() - t) * 1e6)
        median, p99 = statistics.median(times), pct(times, 0.99)
        print(f"payload {name:<12} (100 alerts): median {median:8.1f} µs  p99 {p99:8.1f} µs")


def bench_deliver(project: Any, receiver: Receiver, n: int) -> None:
    from aiosmtpd.controller import Controller

    from webapp.costs.models import NotificationChannel
    from webapp.costs.senders import deliver

    class Sink:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            return "250 OK"

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        smtp_port = s.getsockname()[1]
    smtp = Controller(Sink(), hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    base = receiver.url.rsplit("/", 1)[0]
    kinds = {
        "webhook": {"url": receiver.url},
        "slack": {"url": receiver.url},
        "pagerduty": {"url": receiver.url, "secrets": {"routing_key": "k"}},
        "alertmanager": {"url": base},
        "email": {"config": {"host": "127.0.0.1", "port": smtp_port, "starttls": False, "from": "a@example.com",
                             "to": ["b@example.com"]}},
    }  # fmt: skip
    try:
        for kind, fields in kinds.items():
            channel = NotificationChannel(project=project, name=f"bench-{kind}", kind=kind, **fields)
            channel.full_clean()
            channel.save()
            times = []
            for i in range(n):
                t = time.perf_counter()
                deliver(channel, message(f"D{i}", alerts=5))
                times.append((time.perf_counter() - t) * 1000)
            print(f"deliver {kind:<12} (5 alerts, {n}x): median {statistics.median(times):6.2f} ms  "
                  f"p99 {pct(times, .99):6.2f} ms")  # fmt: skip
    finally:
        smtp.stop()


def bench_rate(project: Any, receiver: Receiver, rate: float, seconds: float) -> None:
    from webapp.costs.models import NotificationChannel
    from workers.tasks.channels import send_to_channels

    channel = NotificationChannel.objects.create(project=project, name="bench-rate", kind="webhook", url=receiver.url)
    sent: dict[str, float] = {}
    start = time.monotonic()
    total = int(rate * seconds)
    for i in range(total):
        due = start + i / rate
        time.sleep(max(0.0, due - time.monotonic()))
        name = f"R{i}"
        sent[name] = time.monotonic()
        send_to_channels([channel], message(name))
    deadline = time.monotonic() + 60
    while len([n for n in sent if n in receiver.arrivals]) < total and time.monotonic() < deadline:
        time.sleep(0.05)
    from django.db.models import Count

    from webapp.costs.models import ChannelDelivery

    latency = [(receiver.arrivals[n] - t) * 1000 for n, t in sent.items() if n in receiver.arrivals]
    rows = ChannelDelivery.objects.filter(channel=channel).values("status").annotate(n=Count("id"))
    print("delivery rows by status:", {r["status"]: r["n"] for r in rows})
    print(f"send_to_channels → webhook received at {rate:g}/s for {seconds:g} s: {len(latency)}/{total} delivered, "
          f"median {statistics.median(latency):.1f} ms  p99 {pct(latency, .99):.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deliveries", type=int, default=300)
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        setup(Path(tmp))
        from webapp.projects.models import Project

        project = Project.objects.create(slug="bench", name="Bench")
        receiver = Receiver()
        bench_payloads()
        bench_deliver(project, receiver, args.deliveries)
        bench_rate(project, receiver, args.rate, args.seconds)


if __name__ == "__main__":
    main()
