"""Compression and insert-speed benchmark for the spans table (target: >= 10:1 compression).

Generates realistic AI/ML span traffic as Arrow batches per SPAN_SCHEMA (LLM chat, agents, RAG,
embeddings, classic-ML scoring; GenAI attributes; prompt previews with the repetition of real
traffic; random ids; ns timestamps in order with jitter), writes it in batches through
ClickHouseWriter into a migrated chdb database, runs OPTIMIZE FINAL and prints per-column bytes.

    python loadtests/bench_compression.py [--spans 1000000] [--batch 10000] [--seed 1]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import statistics
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pyarrow as pa
from clickhouse_connect.driver.client import Client

from workers.storage import migrate
from workers.storage.clickhouse import StorageSettings, connect, disconnect
from workers.storage.writer import ClickHouseWriter
from workers.telemetry.columns import SPAN_COLUMNS, SPAN_SCHEMA

MS = 1_000_000
SECOND = 1_000 * MS

# USD per million tokens (input, output); cost in micro-dollars = tokens * price (1 USD = 1e6 micros).
PRICES = {
    "gpt-4o": (2.5, 10.0),
    "gpt-4o-mini": (0.15, 0.6),
    "claude-3-5-sonnet-20241022": (3.0, 15.0),
    "claude-3-5-haiku-20241022": (0.8, 4.0),
    "text-embedding-3-small": (0.02, 0.0),
    "meta.llama3-1-70b-instruct-v1:0": (0.99, 0.99),
}
CHAT_MODELS = {
    "openai": ["gpt-4o", "gpt-4o-mini"],
    "anthropic": ["claude-3-5-sonnet-20241022", "claude-3-5-haiku-20241022"],
}

# A support-desk vocabulary; free-form answers are random sentences over it.
WORDS = tuple(
    " ".join(
        (
            "the order account shipping refund delivery package customer support team product warranty battery",
            "charger screen device payment card invoice address update password email login verify issue problem",
            "resolve replace return policy days business week tracking carrier label store online app settings",
            "subscription plan upgrade cancel renew billing charge credit balance discount code coupon price size",
            "color model version firmware install setup connect wifi bluetooth reset restart error message help",
            "please thank sorry unfortunately however additionally note that you can also we will our your this",
            "with from into within after before during about under over between through available recommended",
            "required optional standard express international domestic estimated expected confirmed",
        )
    ).split(" ")
)
PRODUCTS = [
    f"{brand} {item}"
    for brand in ("Aero", "Nova", "Pulse", "Zen", "Volt", "Echo", "Luma", "Terra")
    for item in ("Earbuds", "Watch", "Speaker", "Charger", "Tablet", "Camera", "Router", "Headphones", "Monitor")
]
COUNTRIES = [
    "Germany",
    "France",
    "Canada",
    "Japan",
    "Brazil",
    "India",
    "Spain",
    "Italy",
    "Mexico",
    "Norway",
    "Poland",
    "Kenya",
    "Chile",
    "Ireland",
]
QUESTIONS = {
    "order_status": [
        "Where is my order #{order}?",
        "Can you check the status of order {order}?",
        "My order {order} still hasn't arrived, what is going on?",
        "Has order {order} shipped yet?",
    ],
    "refund": [
        "How do I get a refund for my {product}?",
        "I want to return the {product} I bought last week.",
        "The {product} arrived broken, can I get my money back?",
    ],
    "account": [
        "How do I reset my password?",
        "I can't log in to my account.",
        "How do I change the email address on my account?",
        "How do I delete my account?",
    ],
    "shipping": [
        "Do you ship to {country}?",
        "How long does shipping to {country} take?",
        "How much is express shipping to {country}?",
    ],
    "product": [
        "Is the {product} compatible with the {product2}?",
        "What is the battery life of the {product}?",
        "Does the {product} come with a warranty?",
        "How do I pair the {product} with my phone?",
    ],
    "billing": ["Why was I charged twice on {date}?", "Can I pay with PayPal?", "Where can I find my invoice?"],
}
ANSWERS = {
    "order_status": "Your order {order} was shipped on {date} with {carrier} and should arrive within {n} business "
    "days. You can follow it with tracking number {tracking}.",
    "refund": "I'm sorry about your {product}. You can request a refund within 30 days from Orders > Return "
    "item. Once we receive the item, the refund reaches your original payment method in 5-7 days.",
    "account": "To do that, open Settings > Account and follow the steps on screen. If you don't receive the "
    "verification email within 10 minutes, check your spam folder or contact us again.",
    "shipping": "Yes, we ship to {country}. Standard delivery takes {n}-{m} business days and express "
    "delivery takes 2-3 business days. Duties may apply on arrival.",
    "product": "The {product} has a battery life of up to {n} hours and includes a 2-year limited warranty. "
    "To pair it, hold the power button for 5 seconds until the light blinks blue.",
    "billing": "I checked your account: the second charge on {date} is a temporary authorization that will "
    "disappear within 3-5 business days. Your invoices are under Billing > History.",
}


def sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choices(WORDS, k=words))
    return text[0].upper() + text[1:] + "."


@dataclass
class Service:
    name: str
    project: str
    flow: str
    team: str
    feature: str
    scope: tuple[str, str]
    resources: list[list[tuple[str, str]]] = field(default_factory=list)


class Traffic:
    """Generates traces one at a time, each a list of span dicts (only non-default columns)."""

    def __init__(self, seed: int, spans: int, start_ns: int, end_ns: int) -> None:
        self.rng = random.Random(seed)
        rng = self.rng
        self.services = [
            Service(
                "chat-api",
                "acme-support",
                "chat",
                "support-ai",
                "support-chat",
                ("opentelemetry.instrumentation.openai_v2", "2.1b0"),
            ),
            Service(
                "support-agent",
                "acme-support",
                "agent",
                "support-ai",
                "order-agent",
                ("openinference.instrumentation.langchain", "0.1.30"),
            ),
            Service(
                "rag-worker",
                "acme-support",
                "rag",
                "support-ai",
                "kb-indexing",
                ("opentelemetry.instrumentation.openai_v2", "2.1b0"),
            ),
            Service("fraud-scorer", "acme-risk", "fraud", "risk-ml", "card-fraud", ("pyflare", "0.1.0")),
            Service("recommender", "acme-shop", "recs", "shop-ml", "home-recs", ("pyflare", "0.1.0")),
            Service("vision-api", "acme-shop", "vision", "shop-ml", "photo-moderation", ("pyflare", "0.1.0")),
        ]
        self.weights = [30, 15, 5, 30, 15, 5]
        for s in self.services:
            for _ in range(4):
                pod_name = f"{s.name}-{rng.getrandbits(32):08x}-{rng.getrandbits(20):05x}"
                s.resources.append(
                    [
                        ("service.name", s.name),
                        ("service.version", f"1.{rng.randint(2, 9)}.{rng.randint(0, 20)}"),
                        ("service.instance.id", f"{rng.getrandbits(128):032x}"),
                        ("host.name", pod_name),
                        ("k8s.pod.name", pod_name),
                        ("k8s.namespace.name", s.project),
                        ("cloud.region", "eu-west-1"),
                        ("deployment.environment", "production"),
                        ("telemetry.sdk.name", "opentelemetry"),
                        ("telemetry.sdk.language", "python"),
                        ("telemetry.sdk.version", "1.38.0"),
                        ("process.runtime.version", "3.11.9"),
                        ("pyflare.project", s.project),
                    ]
                )
        self.systems = {
            s.name: [" ".join(sentence(rng, rng.randint(8, 16)) for _ in range(rng.randint(3, 6))) for _ in range(3)]
            for s in self.services
        }
        self.docs = [" ".join(sentence(rng, rng.randint(8, 18)) for _ in range(rng.randint(3, 8))) for _ in range(400)]
        self.users = [f"user-{rng.getrandbits(40):010x}" for _ in range(30_000)]
        self.sessions: list[tuple[str, str]] = []
        self.offsets = [0] * 6
        # Poisson arrivals over the window; ~4.2 spans per trace on average.
        self.gap_ns = (end_ns - start_ns) / (spans / 4.2)
        self.clock = float(start_ns)

    # ---- text -------------------------------------------------------------------------------
    def question(self) -> tuple[str, str, dict[str, str]]:
        rng = self.rng
        intent = rng.choices(list(QUESTIONS), weights=[35, 15, 15, 10, 15, 10])[0]
        slots = {
            "order": f"{rng.randint(10_000_000, 99_999_999)}",
            "product": PRODUCTS[min(int(rng.paretovariate(1.2)) - 1, len(PRODUCTS) - 1)],
            "product2": rng.choice(PRODUCTS),
            "country": rng.choice(COUNTRIES),
            "date": f"2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}",
        }
        return intent, rng.choice(QUESTIONS[intent]).format(**slots), slots

    def answer(self, intent: str, slots: dict[str, str]) -> str:
        rng = self.rng
        if rng.random() < 0.3:  # free-form generation: the least compressible share of traffic
            return " ".join(sentence(rng, rng.randint(6, 18)) for _ in range(rng.randint(2, 5)))
        fill = slots | {
            "carrier": rng.choice(["UPS", "DHL", "FedEx"]),
            "n": str(rng.randint(2, 9)),
            "m": str(rng.randint(10, 14)),
            "tracking": f"1Z{rng.getrandbits(48):012X}",
        }
        return ANSWERS[intent].format(**fill)

    # ---- spans ------------------------------------------------------------------------------
    def traces(self) -> Iterator[list[dict[str, Any]]]:
        rng = self.rng
        while True:
            self.clock += rng.expovariate(1.0) * self.gap_ns
            service = rng.choices(self.services, weights=self.weights)[0]
            ctx: dict[str, Any] = {
                "service": service,
                "trace_id": f"{rng.getrandbits(128):032x}",
                "resource": rng.choice(service.resources),
                "spans": [],
            }
            getattr(self, f"_{service.flow}")(ctx, int(self.clock))
            partition = int(ctx["trace_id"][:8], 16) % 6
            for span in ctx["spans"]:
                span["source_partition"] = partition
                span["source_offset"] = self.offsets[partition]
                self.offsets[partition] += 1
            yield ctx["spans"]

    def span(
        self, ctx: dict[str, Any], name: str, kind: str, start: int, duration: int, parent: str, **columns: Any
    ) -> dict[str, Any]:
        service: Service = ctx["service"]
        env = "production" if self.rng.random() < 0.97 else "staging"
        row = {
            "project": service.project,
            "trace_id": ctx["trace_id"],
            "span_id": f"{self.rng.getrandbits(64):016x}",
            "parent_span_id": parent,
            "name": name,
            "kind": kind,
            "start_time": start,
            "end_time": start + duration,
            "duration_ns": duration,
            "service_name": service.name,
            "scope_name": service.scope[0],
            "scope_version": service.scope[1],
            "status_code": "unset",
            "team": service.team,
            "feature_id": service.feature,
            "environment": env,
            "resource": ctx["resource"],
        } | columns
        ctx["spans"].append(row)
        return row

    def server(self, ctx: dict[str, Any], method: str, route: str, start: int, duration: int) -> dict[str, Any]:
        rng = self.rng
        status = 500 if rng.random() < 0.01 else 200
        attrs = [
            ("http.request.method", method),
            ("http.route", route),
            ("url.scheme", "https"),
            ("http.response.status_code", str(status)),
            ("network.protocol.version", "1.1"),
            ("server.address", f"{ctx['service'].name}.acme.internal"),
            ("client.address", f"10.{rng.randint(0, 3)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"),
            (
                "user_agent.original",
                rng.choice(
                    [
                        "okhttp/4.12.0",
                        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15",
                        "python-httpx/0.27.2",
                    ]
                ),
            ),
        ]
        return self.span(
            ctx,
            f"{method} {route}",
            "server",
            start,
            duration,
            "",
            attributes=attrs,
            scope_name="opentelemetry.instrumentation.fastapi",
            scope_version="0.48b0",
            status_code="error" if status == 500 else "unset",
        )

    def llm(
        self,
        ctx: dict[str, Any],
        parent: str,
        start: int,
        provider: str,
        prompt: str,
        answer: str,
        user: str,
        session: str,
    ) -> dict[str, Any]:
        rng = self.rng
        model = rng.choices(CHAT_MODELS[provider], weights=[3, 7])[0]
        input_tokens = len(prompt) // 4 + rng.randint(50, 1500)
        output_tokens = max(1, len(answer) // 4 + rng.randint(-5, 5))
        cache_read = rng.choice([0, 0, 1024, 2048]) if input_tokens > 1100 else 0
        duration = int(rng.lognormvariate(0, 0.5) * (250 + output_tokens * 15) * MS)
        error = rng.random() < 0.02
        price_in, price_out = PRICES[model]
        attrs = [
            ("gen_ai.operation.name", "chat"),
            ("gen_ai.provider.name", provider),
            ("gen_ai.request.model", model),
            ("gen_ai.response.model", model if provider == "anthropic" else f"{model}-2024-08-06"),
            ("gen_ai.request.temperature", rng.choice(["0.0", "0.2", "0.7"])),
            ("gen_ai.request.max_tokens", "1024"),
            ("gen_ai.response.id", ("chatcmpl-" if provider == "openai" else "msg_") + f"{rng.getrandbits(96):024x}"),
            ("gen_ai.usage.input_tokens", str(input_tokens)),
            ("gen_ai.usage.output_tokens", str(output_tokens)),
            ("gen_ai.response.finish_reasons", '["stop"]'),
            ("gen_ai.conversation.id", session),
            ("server.address", "api.openai.com" if provider == "openai" else "api.anthropic.com"),
            ("server.port", "443"),
            ("pyflare.user.id", user),
        ]
        events: list[dict[str, Any]] = []
        if error:
            events = [
                {
                    "time": start + duration,
                    "name": "exception",
                    "attributes": [
                        ("exception.type", "openai.RateLimitError"),
                        (
                            "exception.message",
                            f"Rate limit reached for {model} on tokens per min (TPM): Limit 30000, "
                            f"Used {rng.randint(25000, 30000)}, Requested {input_tokens}.",
                        ),
                        (
                            "exception.stacktrace",
                            'Traceback (most recent call last):\n  File "app/llm.py", line 88, in '
                            "complete\n    response = client.chat.completions.create(**request)\n"
                            "openai.RateLimitError: Error code: 429",
                        ),
                    ],
                }
            ]
        return self.span(
            ctx,
            f"chat {model}",
            "client",
            start,
            duration,
            parent,
            model_id=model,
            provider=provider,
            inference_type="llm",
            operation="chat",
            input_preview=prompt[:1000],
            output_preview="" if error else answer[:1000],
            input_hash=hashlib.sha256(prompt.encode()).hexdigest(),
            input_tokens=input_tokens,
            output_tokens=0 if error else output_tokens,
            total_tokens=input_tokens + (0 if error else output_tokens),
            cache_read_tokens=cache_read,
            cost_usd=Decimal(round(input_tokens * price_in + (0 if error else output_tokens) * price_out)) / 1_000_000,
            finish_reasons=[] if error else ["stop"],
            user_id=user,
            session_id=session,
            attributes=attrs,
            events=events,
            status_code="error" if error else "unset",
            status_message=events[0]["attributes"][1][1] if error else "",
        )

    def embed(self, ctx: dict[str, Any], parent: str, start: int, text: str) -> dict[str, Any]:
        tokens = len(text) // 4 + 1
        attrs = [
            ("gen_ai.operation.name", "embeddings"),
            ("gen_ai.provider.name", "openai"),
            ("gen_ai.request.model", "text-embedding-3-small"),
            ("gen_ai.usage.input_tokens", str(tokens)),
            ("server.address", "api.openai.com"),
        ]
        return self.span(
            ctx,
            "embeddings text-embedding-3-small",
            "client",
            start,
            int(self.rng.uniform(30, 180) * MS),
            parent,
            model_id="text-embedding-3-small",
            provider="openai",
            inference_type="embedding",
            operation="embeddings",
            input_preview=text[:1000],
            input_hash=hashlib.sha256(text.encode()).hexdigest(),
            input_tokens=tokens,
            total_tokens=tokens,
            cost_usd=Decimal(round(tokens * PRICES["text-embedding-3-small"][0])) / 1_000_000,
            embedding_dim=1536,
            attributes=attrs,
        )

    def user_session(self) -> tuple[str, str]:
        rng = self.rng
        if self.sessions and rng.random() < 0.4:
            return rng.choice(self.sessions[-200:])
        pair = (self.users[min(int(rng.paretovariate(1.1)), len(self.users)) - 1], f"{rng.getrandbits(128):032x}")
        self.sessions.append(pair)
        return pair

    def _chat(self, ctx: dict[str, Any], start: int) -> None:
        rng = self.rng
        user, session = self.user_session()
        intent, question, slots = self.question()
        root = self.server(ctx, "POST", "/v1/chat", start, 0)
        t = start + 2 * MS
        emb = self.embed(ctx, root["span_id"], t, question)
        t = emb["end_time"] + MS
        docs = rng.sample(range(len(self.docs)), 3)
        search = self.span(
            ctx,
            "vector.search kb_chunks",
            "client",
            t,
            int(rng.uniform(4, 40) * MS),
            root["span_id"],
            attributes=[
                ("db.system.name", "qdrant"),
                ("db.collection.name", "kb_chunks"),
                ("db.operation.name", "search"),
                ("db.response.returned_rows", "3"),
            ],
        )
        t = search["end_time"] + MS
        system = rng.choice(self.systems[ctx["service"].name])
        context = "\n".join(self.docs[d][:300] for d in docs)
        prompt = f"system: {system}\ncontext: {context}\nuser: {question}"
        provider = rng.choices(["openai", "anthropic"], weights=[7, 3])[0]
        call = self.llm(ctx, root["span_id"], t, provider, prompt, self.answer(intent, slots), user, session)
        self.finish(root, call["end_time"] + 3 * MS)

    def _agent(self, ctx: dict[str, Any], start: int) -> None:
        rng = self.rng
        user, session = self.user_session()
        intent, question, slots = self.question()
        root = self.span(
            ctx,
            "invoke_agent order_assistant",
            "internal",
            start,
            0,
            "",
            operation="invoke_agent",
            attributes=[
                ("gen_ai.operation.name", "invoke_agent"),
                ("gen_ai.agent.name", "order_assistant"),
                ("openinference.span.kind", "AGENT"),
            ],
            user_id=user,
            session_id=session,
        )
        system = rng.choice(self.systems[ctx["service"].name])
        t = start + MS
        prompt = f"system: {system}\nuser: {question}"
        for step in range(rng.randint(1, 3)):
            call = self.llm(
                ctx, root["span_id"], t, "anthropic", prompt, f"tool_use lookup_order {slots['order']}", user, session
            )
            tool_result = json.dumps(
                {
                    "order_id": slots["order"],
                    "status": rng.choice(["shipped", "processing", "delivered"]),
                    "carrier": rng.choice(["UPS", "DHL"]),
                    "step": step,
                }
            )
            tool = self.span(
                ctx,
                "execute_tool lookup_order",
                "internal",
                call["end_time"] + MS,
                int(rng.uniform(20, 120) * MS),
                root["span_id"],
                operation="execute_tool",
                input_preview=json.dumps({"order_id": slots["order"]}),
                output_preview=tool_result,
                attributes=[
                    ("gen_ai.operation.name", "execute_tool"),
                    ("gen_ai.tool.name", "lookup_order"),
                    ("gen_ai.tool.call.id", f"toolu_{rng.getrandbits(80):020x}"),
                ],
            )
            prompt = f"{prompt}\ntool: {tool_result}"
            t = tool["end_time"] + MS
        final = self.llm(ctx, root["span_id"], t, "anthropic", prompt, self.answer(intent, slots), user, session)
        self.finish(root, final["end_time"] + MS)

    def _rag(self, ctx: dict[str, Any], start: int) -> None:
        rng = self.rng
        doc = rng.randrange(len(self.docs))
        root = self.span(
            ctx,
            "index_document",
            "internal",
            start,
            0,
            "",
            attributes=[("document.id", f"kb-{doc:05d}"), ("document.source", "zendesk")],
        )
        t = start + MS
        for chunk in range(rng.randint(2, 5)):
            emb = self.embed(ctx, root["span_id"], t, self.docs[(doc + chunk) % len(self.docs)])
            t = emb["end_time"] + MS
        self.finish(root, t)

    def _fraud(self, ctx: dict[str, Any], start: int) -> None:
        rng = self.rng
        root = self.server(ctx, "POST", "/v1/score", start, 0)
        amount = round(rng.lognormvariate(3.5, 1.2), 2)
        score = rng.betavariate(0.6, 12)
        features = [
            ("amount", f"{amount}"),
            ("merchant_category", rng.choice(["5411", "5812", "5999", "4111", "5732", "7011"])),
            ("country", rng.choice(["DE", "FR", "US", "GB", "ES"])),
            ("card_present", rng.choice(["true", "false"])),
            ("hour_of_day", str(rng.randint(0, 23))),
            ("txn_count_24h", str(rng.randint(0, 12))),
            ("avg_amount_30d", f"{round(amount * rng.uniform(0.5, 2), 2)}"),
        ]
        predict = self.span(
            ctx,
            "predict fraud-xgb",
            "internal",
            start + MS,
            int(rng.uniform(2, 9) * MS),
            root["span_id"],
            model_id="fraud-xgb",
            model_version="v14",
            inference_type="classification",
            operation="predict",
            features=features,
            prediction="fraud" if score > 0.5 else "legit",
            prediction_score=round(score, 6),
            attributes=[
                ("pyflare.model.id", "fraud-xgb"),
                ("pyflare.model.version", "v14"),
                ("pyflare.inference.type", "classification"),
            ],
        )
        self.finish(root, predict["end_time"] + MS)

    def _recs(self, ctx: dict[str, Any], start: int) -> None:
        rng = self.rng
        user = self.users[min(int(rng.paretovariate(1.1)), len(self.users)) - 1]
        root = self.server(ctx, "GET", "/v1/recommendations", start, 0)
        cache = self.span(
            ctx,
            "GET",
            "client",
            start + MS,
            int(rng.uniform(0.3, 2) * MS),
            root["span_id"],
            attributes=[
                ("db.system.name", "redis"),
                ("db.operation.name", "GET"),
                ("db.query.text", "GET recs:user:?"),
            ],
            scope_name="opentelemetry.instrumentation.redis",
            scope_version="0.48b0",
        )
        items = ",".join(f"sku-{rng.randint(1, 5000)}" for _ in range(8))
        predict = self.span(
            ctx,
            "predict two-tower",
            "internal",
            cache["end_time"] + MS,
            int(rng.uniform(5, 25) * MS),
            root["span_id"],
            model_id="two-tower",
            model_version="2026.11.02",
            inference_type="custom",
            operation="predict",
            user_id=user,
            embedding_dim=128,
            prediction=items,
            features=[
                ("segment", rng.choice(["new", "loyal", "churn-risk"])),
                ("last_category", rng.choice(["audio", "wearables", "home"])),
            ],
            attributes=[("pyflare.model.id", "two-tower"), ("pyflare.embedding.type", "user")],
        )
        self.finish(root, predict["end_time"] + MS)

    def _vision(self, ctx: dict[str, Any], start: int) -> None:
        rng = self.rng
        root = self.server(ctx, "POST", "/v1/moderate", start, 0)
        score = rng.random()
        predict = self.span(
            ctx,
            "predict nsfw-vit",
            "internal",
            start + MS,
            int(rng.uniform(20, 90) * MS),
            root["span_id"],
            model_id="nsfw-vit",
            model_version="v3",
            inference_type="classification",
            operation="predict",
            prediction="unsafe" if score > 0.97 else "safe",
            prediction_score=round(score, 6),
            features=[("width", str(rng.choice([640, 1080, 1920]))), ("height", str(rng.choice([480, 1080, 1440])))],
        )
        self.finish(root, predict["end_time"] + MS)

    @staticmethod
    def finish(root: dict[str, Any], end: int) -> None:
        root["end_time"] = end
        root["duration_ns"] = end - root["start_time"]


DEFAULTS: dict[str, Any] = {
    c.name: (
        None
        if c.nullable
        else ""
        if pa.types.is_string(c.type)
        else []
        if pa.types.is_list(c.type) or pa.types.is_map(c.type)
        else 0
    )
    for c in SPAN_COLUMNS
}


def batches(traffic: Traffic, total: int, size: int) -> Iterator[pa.Table]:
    pending: list[dict[str, Any]] = []
    produced = 0
    for trace in traffic.traces():
        pending.extend(trace)
        while len(pending) >= size or (produced + len(pending) >= total and pending):
            take = min(size, total - produced, len(pending))
            chunk, pending = pending[:take], pending[take:]
            produced += take
            yield pa.table(
                {
                    name: pa.array([row.get(name, default) for row in chunk], SPAN_SCHEMA.field(name).type)
                    for name, default in DEFAULTS.items()
                },
                schema=SPAN_SCHEMA,
            )
            if produced >= total:
                return


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spans", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="pyflare-bench-compression-") as directory:
        settings = StorageSettings(url=f"chdb://{directory}", database="bench")
        try:
            run(connect(settings), settings, args)
        finally:
            disconnect(settings)


def run(client: Client, settings: StorageSettings, args: argparse.Namespace) -> None:
    migrate.apply(client, settings)
    writer = ClickHouseWriter(client)
    end = time.time_ns() - 60 * SECOND
    traffic = Traffic(args.seed, args.spans, end - 24 * 3600 * SECOND, end)

    arrow_bytes = 0
    rates: list[float] = []
    generate_s = 0.0
    started = time.perf_counter()
    for table in batches(traffic, args.spans, args.batch):
        generate_s += time.perf_counter() - started
        arrow_bytes += table.nbytes
        t0 = time.perf_counter()
        writer.write("spans", table)
        rates.append(table.num_rows / (time.perf_counter() - t0))
        started = time.perf_counter()
    t0 = time.perf_counter()
    client.command("OPTIMIZE TABLE spans FINAL")
    optimize_s = time.perf_counter() - t0

    columns = client.query(
        "SELECT name, type, data_compressed_bytes, data_uncompressed_bytes FROM system.columns"
        " WHERE database = currentDatabase() AND table = 'spans' ORDER BY data_compressed_bytes DESC"
    ).result_rows
    rows, parts, compressed, uncompressed, on_disk, index_bytes = client.query(
        "SELECT sum(rows), count(), sum(data_compressed_bytes), sum(data_uncompressed_bytes), sum(bytes_on_disk),"
        " sum(secondary_indices_compressed_bytes) FROM system.parts"
        " WHERE database = currentDatabase() AND table = 'spans' AND active"
    ).result_rows[0]

    print(f"spans: {rows:,} in {parts} part(s); generated in {generate_s:.0f} s; OPTIMIZE FINAL {optimize_s:.1f} s")
    print(
        f"insert ({args.batch:,}-row batches, trace_summary view included): median {statistics.median(rates):,.0f} "
        f"rows/s, p10 {statistics.quantiles(rates, n=10)[0]:,.0f}, p90 {statistics.quantiles(rates, n=10)[-1]:,.0f}"
    )
    print(f"\n{'column':<24}{'compressed':>14}{'uncompressed':>16}{'ratio':>9}")
    for name, _type, comp, uncomp in columns:
        print(f"{name:<24}{comp:>14,}{uncomp:>16,}{uncomp / max(comp, 1):>9.1f}")
    print(f"\ncolumn data:   {uncompressed:,} -> {compressed:,} bytes  = {uncompressed / compressed:.1f} : 1")
    print(
        f"on disk (with marks, primary and skip indexes {index_bytes:,}): {on_disk:,} bytes "
        f"= {uncompressed / on_disk:.1f} : 1 vs uncompressed, {arrow_bytes / on_disk:.1f} : 1 vs Arrow input "
        f"({arrow_bytes:,} bytes); {on_disk / rows:.0f} bytes/span"
    )


if __name__ == "__main__":
    main()
