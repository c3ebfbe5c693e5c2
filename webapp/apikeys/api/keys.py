"""API keys over REST: create (the plaintext is in that one response only), list, read, revoke.

All of it needs `apikeys:manage` in the request's project; a caller cannot mint a key whose role
holds more than their own.
"""

from __future__ import annotations

from datetime import datetime

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from webapp.apikeys.models import ApiKey
from webapp.projects.access import ProjectScoped
from webapp.rbac.registry import role_choices, role_covers


class ApiKeySerializer(serializers.ModelSerializer):
    status = serializers.SerializerMethodField()
    created_by = serializers.EmailField(source="created_by.email", read_only=True, allow_null=True, default=None)

    class Meta:
        model = ApiKey
        fields = [
            "id",
            "name",
            "prefix",
            "role",
            "status",
            "created_by",
            "created_at",
            "last_used_at",
            "revoked_at",
            "expires_at",
        ]
        read_only_fields = fields

    def get_status(self, key: ApiKey) -> str:
        return key.status()


class ApiKeyCreatedSerializer(ApiKeySerializer):
    key = serializers.CharField(help_text="the secret; shown in this response only, store it now")

    class Meta(ApiKeySerializer.Meta):
        fields = [*ApiKeySerializer.Meta.fields, "key"]
        read_only_fields = fields


class ApiKeyCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    role = serializers.ChoiceField(choices=role_choices())
    expires_at = serializers.DateTimeField(required=False, allow_null=True)

    def validate_expires_at(self, value: datetime | None) -> datetime | None:
        if value is not None and value <= timezone.now():
            raise serializers.ValidationError("must be in the future")
        return value


class ApiKeyListView(ProjectScoped, APIView):
    required_permissions = {"GET": "apikeys:manage", "POST": "apikeys:manage"}

    @extend_schema(
        responses=ApiKeySerializer(many=True), summary="The project's API keys (no secrets)", tags=["api-keys"]
    )
    def get(self, request: Request) -> Response:
        keys = ApiKey.objects.filter(project=self.access.project).select_related("created_by")
        return Response(ApiKeySerializer(keys, many=True).data)

    @extend_schema(
        request=ApiKeyCreateSerializer,
        responses={201: ApiKeyCreatedSerializer},
        summary="Create an API key; the response is the only time its secret is shown",
        tags=["api-keys"],
        examples=[OpenApiExample("key", value={"name": "ci exporter", "role": "developer"}, request_only=True)],
    )
    def post(self, request: Request) -> Response:
        form = ApiKeyCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        access = self.access
        role = form.validated_data["role"]
        if not role_covers(access.role, role):
            raise PermissionDenied(f"your role {access.role!r} cannot create keys with role {role!r}")
        user = request.user if getattr(request.user, "pk", None) is not None else None
        key, plaintext = ApiKey.issue(
            project=access.project,
            name=form.validated_data["name"],
            role=role,
            created_by=user,
            expires_at=form.validated_data.get("expires_at"),
        )
        data = {**ApiKeySerializer(key).data, "key": plaintext}
        return Response(data, status=status.HTTP_201_CREATED)


class ApiKeyDetailView(ProjectScoped, APIView):
    required_permissions = {"GET": "apikeys:manage"}

    @extend_schema(responses=ApiKeySerializer, summary="One API key (no secret)", tags=["api-keys"])
    def get(self, request: Request, pk: int) -> Response:
        key = get_object_or_404(ApiKey.objects.select_related("created_by"), pk=pk, project=self.access.project)
        return Response(ApiKeySerializer(key).data)


class ApiKeyRevokeView(ProjectScoped, APIView):
    required_permissions = {"POST": "apikeys:manage"}

    @extend_schema(
        request=None,
        responses=ApiKeySerializer,
        summary="Revoke an API key; it stops working at once (revoking twice is harmless)",
        tags=["api-keys"],
    )
    def post(self, request: Request, pk: int) -> Response:
        key = get_object_or_404(ApiKey, pk=pk, project=self.access.project)
        key.revoke()
        return Response(ApiKeySerializer(key).data)
