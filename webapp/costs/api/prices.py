"""Model price overrides and custom models over REST (`/costs/prices`).

Changes apply to spans ingested after the next price refresh (PYFLARE_PRICE_REFRESH_SECONDS);
stored history keeps its cost until `pyflare reprice` runs. Reading needs `costs:read`, changing
`costs:configure`; every change is validated by building the project's PriceBook with it.
"""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from webapp.costs.models import PriceOverride
from webapp.projects.access import ProjectScoped

READ, WRITE = "costs:read", "costs:configure"
PRICE_ID = OpenApiParameter("price_id", int, OpenApiParameter.PATH, description="the override's id")
DESCRIPTION = ("Prices in USD per million tokens. Cache and reasoning prices default to the input and output "
               "prices. An override wins over the packaged table while in force (it also covers dated variants "
               "of the name); a model the table lacks becomes a custom model. Applies to new spans within "
               "PYFLARE_PRICE_REFRESH_SECONDS; run `pyflare reprice` to re-price history.")  # fmt: skip


class PriceOverrideSerializer(serializers.ModelSerializer):
    aliases = serializers.ListField(child=serializers.CharField(max_length=200), required=False, max_length=50)

    class Meta:
        model = PriceOverride
        fields = ["id", "model", "provider", "aliases", "input_usd_per_mtok", "output_usd_per_mtok",
                  "cache_read_usd_per_mtok", "cache_write_usd_per_mtok", "reasoning_usd_per_mtok", "effective_from",
                  "effective_to", "reasoning_in_output", "note", "created_at", "updated_at"]  # fmt: skip
        read_only_fields = ["id", "created_at", "updated_at"]

    def save_for(self, project: Any) -> PriceOverride:
        row = self.instance or PriceOverride(project=project)
        for name, value in self.validated_data.items():
            setattr(row, name, value)
        row.full_clean()  # builds the project's PriceBook with this row: a 400 when unusable
        row.save()
        return row


def _row(view: ProjectScoped, price_id: int) -> PriceOverride:
    return get_object_or_404(PriceOverride, pk=price_id, project=view.access.project)


class PriceOverrideListView(ProjectScoped, APIView):
    required_permissions = {"GET": READ, "POST": WRITE}

    @extend_schema(responses=PriceOverrideSerializer(many=True), summary="The project's price overrides",
                   tags=["prices"], operation_id="prices_list", description=DESCRIPTION)  # fmt: skip
    def get(self, request: Request) -> Response:
        rows = PriceOverride.objects.filter(project=self.access.project)
        return Response(PriceOverrideSerializer(rows, many=True).data)

    @extend_schema(
        request=PriceOverrideSerializer, responses={201: PriceOverrideSerializer}, tags=["prices"],
        summary="Add a price override or a custom model", operation_id="prices_create", description=DESCRIPTION,
        examples=[OpenApiExample("fine-tuned model", request_only=True, value={
            "model": "ft:gpt-4o-mini:acme:support", "provider": "openai", "input_usd_per_mtok": "0.30",
            "output_usd_per_mtok": "1.20"})],
    )  # fmt: skip
    def post(self, request: Request) -> Response:
        form = PriceOverrideSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        row = form.save_for(self.access.project)
        return Response(PriceOverrideSerializer(row).data, status=status.HTTP_201_CREATED)


class PriceOverrideDetailView(ProjectScoped, APIView):
    required_permissions = {"GET": READ, "PATCH": WRITE, "DELETE": WRITE}

    @extend_schema(parameters=[PRICE_ID], responses=PriceOverrideSerializer, summary="One price override",
                   tags=["prices"], operation_id="prices_retrieve")  # fmt: skip
    def get(self, request: Request, price_id: int) -> Response:
        return Response(PriceOverrideSerializer(_row(self, price_id)).data)

    @extend_schema(parameters=[PRICE_ID], request=PriceOverrideSerializer, responses=PriceOverrideSerializer,
                   tags=["prices"], summary="Change a price override (only the fields given)",
                   operation_id="prices_partial_update",
                   examples=[OpenApiExample("new output price", value={"output_usd_per_mtok": "1.00"},
                                            request_only=True)])  # fmt: skip
    def patch(self, request: Request, price_id: int) -> Response:
        form = PriceOverrideSerializer(_row(self, price_id), data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        return Response(PriceOverrideSerializer(form.save_for(self.access.project)).data)

    @extend_schema(parameters=[PRICE_ID], responses={204: None}, summary="Remove a price override",
                   tags=["prices"], operation_id="prices_destroy")  # fmt: skip
    def delete(self, request: Request, price_id: int) -> Response:
        _row(self, price_id).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
