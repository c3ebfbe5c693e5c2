"""`POST /feedback` (store a label or score on a trace/span) and `GET /feedback` (list them)."""

from __future__ import annotations

import time
import uuid
from typing import Any

from clickhouse_connect.driver.exceptions import ClickHouseError
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from webapp.api.cursor import encode_cursor, page_position
from webapp.api.pages import next_url
from webapp.api.params import check_range, ns_to_iso, validate_query
from webapp.api.telemetry import StorageUnavailable, telemetry_client, telemetry_reader
from webapp.apikeys.authentication import KeyPrincipal
from webapp.feedback.api.serializers import (
    FeedbackListQuery,
    FeedbackListSerializer,
    FeedbackRequest,
    FeedbackSerializer,
)
from webapp.projects.access import ProjectScoped
from workers.storage import feedback as stored


def _shape(item: stored.Feedback) -> dict[str, Any]:
    return {
        "id": str(item.id),
        "trace_id": item.trace_id,
        "span_id": item.span_id,
        "time": ns_to_iso(item.time_ns),
        "time_unix_nano": item.time_ns,
        "label": item.label,
        "label_number": item.label_number,
        "score": item.score,
        "comment": item.comment,
        "source": item.source,
        "user_id": item.user_id,
        "submitted_by": item.submitted_by,
    }


def _submitter(request: Request) -> str:
    principal = request.user
    if isinstance(principal, KeyPrincipal):
        return f"api_key:{principal.api_key.prefix}"
    return f"user:{principal.email}"


class FeedbackView(ProjectScoped, APIView):
    required_permissions = {"GET": "traces:read", "POST": "feedback:write"}

    @extend_schema(
        parameters=[FeedbackListQuery],
        responses=FeedbackListSerializer,
        summary="List feedback",
        operation_id="feedback_list",
        description="Feedback of the project, newest first (filter by trace_id, span_id, source, time).",
        tags=["feedback"],
    )
    def get(self, request: Request) -> Response:
        values, _ = validate_query(request, FeedbackListQuery)
        check_range(values, "start_time", "end_time")
        listing, after = page_position(values, (int, str))
        limit = values["limit"]
        items = stored.list_feedback(
            telemetry_reader(),
            self.access.project.slug,
            values.get("trace_id"),
            values.get("span_id"),
            values.get("source"),
            values.get("start_time"),
            values.get("end_time"),
            limit + 1,
            after,
        )
        cursor = None
        if len(items) > limit:
            last = items[limit - 1]
            cursor = encode_cursor([last.time_ns, str(last.id)], listing)
        return Response(
            {"feedback": [_shape(i) for i in items[:limit]], "next_cursor": cursor, "next": next_url(request, cursor)}
        )

    @extend_schema(
        request=FeedbackRequest,
        responses={201: FeedbackSerializer},
        summary="Send a ground-truth label or a score for a trace or span",
        operation_id="feedback_create",
        description=(
            "Stored as sent (a later submission does not replace an earlier one). The trace need not be "
            "stored yet: spans are ingested asynchronously and may arrive after their feedback."
        ),
        tags=["feedback"],
        examples=[
            OpenApiExample(
                "reviewer label",
                value={
                    "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736",
                    "span_id": "00f067aa0ba902b7",
                    "label": "correct",
                    "score": 0.9,
                    "source": "reviewer",
                    "comment": "answer matches the policy document",
                },
                request_only=True,
            )
        ],
    )
    def post(self, request: Request) -> Response:
        form = FeedbackRequest(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        label, label_number = data.get("label", ("", None))
        item = stored.Feedback(
            id=uuid.uuid4(),
            trace_id=data["trace_id"],
            span_id=data.get("span_id", ""),
            time_ns=data.get("time") or time.time_ns(),
            label=label,
            label_number=label_number,
            score=data.get("score"),
            comment=data.get("comment", ""),
            source=data["source"],
            user_id=data.get("user_id", ""),
            submitted_by=_submitter(request),
        )
        try:
            stored.record(telemetry_client(), self.access.project.slug, item)
        except ClickHouseError as exc:
            raise StorageUnavailable(f"could not store the feedback: {exc}") from exc
        return Response(_shape(item), status=status.HTTP_201_CREATED)
