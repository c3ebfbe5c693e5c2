"""JSON errors for every API failure: `{"error": code, "message": text, "details": {...}}`.

DRF's own exceptions are rendered in that shape; Django and database errors a client can provoke
(validation, integrity, bad data, oversized or suspicious requests) become 4xx instead of 500.
Unknown API URLs and unexpected server errors under /api/ answer JSON too.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler, set_rollback

from webapp.api.telemetry import ReadLimitExceeded, StorageUnavailable

log = logging.getLogger(__name__)


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = "the request conflicts with the current state"


class StorageUnavailableError(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "storage_unavailable"
    default_detail = "the telemetry store (ClickHouse) cannot be reached"


class ReadLimitError(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "query_limit_exceeded"


def _as_api_exception(exc: Exception) -> Exception:
    if isinstance(exc, StorageUnavailable):
        return StorageUnavailableError(str(exc))
    if isinstance(exc, ReadLimitExceeded):
        return ReadLimitError(str(exc))
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    if isinstance(exc, IntegrityError):
        return Conflict("the change conflicts with existing data (a duplicate or a missing reference)")
    if isinstance(exc, DataError):
        return exceptions.ValidationError("a value is out of range or not valid for its field")
    if isinstance(exc, SuspiciousOperation):
        return exceptions.ParseError(str(exc) or "the request was refused as malformed")
    if isinstance(exc, UnicodeError):
        return exceptions.ParseError("the request is not valid UTF-8")
    return exc


def _summary(detail: Any) -> str:
    """One readable line from DRF's nested error details."""
    if isinstance(detail, dict):
        parts = []
        for field, value in detail.items():
            text = _summary(value)
            parts.append(text if field == "non_field_errors" else f"{field}: {text}")
        return "; ".join(parts)
    if isinstance(detail, list):
        return " ".join(_summary(item) for item in detail)
    return str(detail)


def _code(exc: exceptions.APIException) -> str:
    codes = exc.get_codes()
    return codes if isinstance(codes, str) else exc.default_code


def json_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    exc = _as_api_exception(exc)
    response = exception_handler(exc, context)
    if response is None:
        return None  # a server bug: Django's 500 handler answers (JSON under /api/, see below)
    if isinstance(exc, exceptions.APIException):
        detail = exc.detail
        body: dict[str, Any] = {"error": _code(exc), "message": _summary(detail)}
        if isinstance(exc, exceptions.ValidationError):
            body["error"] = "invalid"
            body["details"] = detail
        elif isinstance(exc, exceptions.Throttled) and exc.wait is not None:
            body["retry_after_seconds"] = exc.wait
    else:  # Http404 / PermissionDenied from Django, converted by DRF
        code = "not_found" if isinstance(exc, Http404) else "permission_denied"
        body = {"error": code, "message": str(exc) or code.replace("_", " ")}
    response.data = body
    set_rollback()
    return response


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"error": "not_found", "message": f"no API endpoint at {request.path}"}, status=404)
    return defaults.page_not_found(request, exception)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"error": "bad_request", "message": str(exception) or "bad request"}, status=400)
    return defaults.bad_request(request, exception)


def forbidden(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"error": "permission_denied", "message": str(exception) or "forbidden"}, status=403)
    return defaults.permission_denied(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"error": "server_error", "message": "internal error; see the server log"}, status=500)
    return defaults.server_error(request)
