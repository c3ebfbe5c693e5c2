"""`GET /traces/export`: every trace matching the list's filters as a streamed CSV or JSONL file.

The file is produced page by page (1,000 traces per read) while it downloads, so the whole filtered
set is exported without holding it in memory; the pages are the list's own (same filters, same
order), read through an async iterator so the ASGI server streams instead of buffering.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

from asgiref.sync import sync_to_async
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.views import APIView

from webapp.api.params import validate_query
from webapp.api.telemetry import telemetry_reader
from webapp.projects.access import ProjectScoped
from webapp.traces.api.serializers import TraceExportQuery
from webapp.traces.api.traces import listing_of, with_columns
from workers.storage.traces import reads

PAGE = 1000
CSV_FIELDS = (
    "trace_id", "name", "service_name", "start_time", "end_time", "duration_ms", "status", "span_count",
    "error_count", "models", "services", "input_tokens", "output_tokens", "total_tokens", "cost_usd",
)  # fmt: skip
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson"}


def _pages(project: str, filters: reads.TraceFilters, sort: reads.TraceSort,
           columns: list[str]) -> Iterator[list[dict[str, Any]]]:
    after = None
    while True:
        page = reads.list_traces(telemetry_reader(), project, filters, sort, PAGE, after)
        yield with_columns(project, page.traces, columns)
        if page.next_key is None:
            return
        after = page.next_key


def _csv_lines(rows: list[dict[str, Any]], columns: list[str], header: bool) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    if header:
        writer.writerow([*CSV_FIELDS, *(f"attr.{c}" for c in columns)])
    for row in rows:
        cells = [";".join(row[f]) if isinstance(row[f], list) else row[f] for f in CSV_FIELDS]
        cells += [row.get("columns", {}).get(c, "") for c in columns]
        # a cell starting with = + - @ would run as a formula in a spreadsheet
        writer.writerow([f"'{c}" if isinstance(c, str) and c[:1] in ("=", "+", "-", "@") else c for c in cells])
    return out.getvalue()


async def _stream(pages: Iterator[list[dict[str, Any]]], output: str, columns: list[str]) -> AsyncIterator[bytes]:
    take = sync_to_async(lambda: next(pages, None))
    first = True
    while (rows := await take()) is not None:
        if output == "csv":
            text = _csv_lines(rows, columns, header=first)
        else:
            text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
        first = False
        if text:
            yield text.encode("utf-8")
    if first and output == "csv":
        yield _csv_lines([], columns, header=True).encode("utf-8")


class TraceExportView(ProjectScoped, APIView):
    required_permissions = {"GET": "traces:read"}

    @extend_schema(
        parameters=[TraceExportQuery],
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY),
                   (200, "application/x-ndjson"): OpenApiResponse(OpenApiTypes.BINARY)},
        summary="Export every trace matching the filters (streamed CSV or JSONL)",
        operation_id="traces_export",
        description=(
            "Takes the list's filters (`attr.<key>=<value>` included), sort and `columns`; `limit` and `cursor` "
            "are ignored: the whole filtered set is streamed, one trace per line."
        ),
        tags=["traces"],
    )
    def get(self, request: Request) -> StreamingHttpResponse:
        values, attrs = validate_query(request, TraceExportQuery, attr_filters=True)
        filters, sort = listing_of(values, attrs)
        output = values["output"]
        columns = values.get("columns") or []
        pages = _pages(self.access.project.slug, filters, sort, columns)
        response = StreamingHttpResponse(_stream(pages, output, columns), content_type=CONTENT_TYPES[output])
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        response["Content-Disposition"] = f'attachment; filename="traces-{self.access.project.slug}-{stamp}.{output}"'
        return response
