"""Saved views over REST: `/traces/views` (list, create) and `/traces/views/{view_id}` (read, change,
delete).

Every member who can read traces sees their own views and the project's shared ones; a view that
is neither is a 404, like one of another project. Changing or deleting a view takes its owner or
`traces:views:manage` (admins). The stored query is the explorer's URL query string; its keys are
checked so a saved view always opens as saved.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError
from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from webapp.projects.access import ProjectScoped
from webapp.traces.models import MAX_QUERY, SavedView

READ, MANAGE = "traces:read", "traces:views:manage"
VIEW_ID = OpenApiParameter("view_id", int, OpenApiParameter.PATH, description="the saved view's id")
# the explorer's URL keys (webapp/ui/src/traces/filters.ts), plus attr.<key>
EXPLORER_KEYS = ("service", "model", "status", "env", "user", "session", "q", "range", "min_ms", "max_ms", "sort",
                 "order", "cols")  # fmt: skip


class SavedViewSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.email", read_only=True)
    can_edit = serializers.SerializerMethodField(help_text="whether the caller may change or delete it")

    class Meta:
        model = SavedView
        fields = ["id", "name", "query", "shared", "owner", "can_edit", "created_at", "updated_at"]
        read_only_fields = ["id", "owner", "can_edit", "created_at", "updated_at"]
        extra_kwargs = {"query": {"help_text": "the explorer's URL query string, e.g. model=gpt-4o&status=error"}}

    def get_can_edit(self, view: SavedView) -> bool:
        editor = self.context.get("editor")
        return bool(editor and editor(view))

    def validate_query(self, value: str) -> str:
        text = value.lstrip("?")
        if len(text) > MAX_QUERY:
            raise serializers.ValidationError(f"at most {MAX_QUERY} characters")
        unknown = sorted({k for k in QueryDict(text) if k not in EXPLORER_KEYS and not k.startswith("attr.")})
        if unknown:
            raise serializers.ValidationError(
                f"unknown explorer keys {', '.join(unknown)}; accepted: {', '.join(EXPLORER_KEYS)}, attr.<key>"
            )
        return text


class SavedViewAccess(ProjectScoped):
    request: Request

    def user(self) -> Any:
        if self.access.api_key is not None:
            raise ValidationError({"owner": ["saved views belong to a signed-in user; API keys have none"]})
        return self.request.user

    def visible(self) -> QuerySet[SavedView]:
        mine = Q(owner=self.request.user) if self.access.api_key is None else Q(pk__in=[])
        return SavedView.objects.select_related("owner").filter(Q(shared=True) | mine, project=self.access.project)

    def may_edit(self, view: SavedView) -> bool:
        return self.access.can(MANAGE) or (self.access.api_key is None and view.owner_id == self.request.user.pk)

    def out(self, view: SavedView | QuerySet[SavedView], many: bool = False) -> Any:
        return SavedViewSerializer(view, many=many, context={"editor": self.may_edit}).data

    def store(self, form: SavedViewSerializer, **extra: Any) -> SavedView:
        try:
            return form.save(**extra)
        except IntegrityError:
            raise ValidationError({"name": ["you already have a view with this name"]}) from None


class SavedViewListView(SavedViewAccess, APIView):
    required_permissions = {"GET": READ, "POST": READ}

    @extend_schema(responses=SavedViewSerializer(many=True), summary="Saved views: yours and the shared ones",
                   tags=["traces"], operation_id="trace_views_list")  # fmt: skip
    def get(self, request: Request) -> Response:
        return Response(self.out(self.visible(), many=True))

    @extend_schema(request=SavedViewSerializer, responses={201: SavedViewSerializer}, summary="Save a view",
                   tags=["traces"], operation_id="trace_views_create",
                   examples=[OpenApiExample("slow errors", request_only=True, value={
                       "name": "slow gpt-4o errors", "query": "model=gpt-4o&status=error&min_ms=2000",
                       "shared": True})])  # fmt: skip
    def post(self, request: Request) -> Response:
        form = SavedViewSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        view = self.store(form, project=self.access.project, owner=self.user())
        return Response(self.out(view), status=status.HTTP_201_CREATED)


class SavedViewDetailView(SavedViewAccess, APIView):
    required_permissions = {"GET": READ, "PATCH": READ, "DELETE": READ}

    def _editable(self, view_id: int) -> SavedView:
        view = get_object_or_404(self.visible(), pk=view_id)
        if not self.may_edit(view):
            raise PermissionDenied(f"only the view's owner or a role with {MANAGE} changes or deletes it")
        return view

    @extend_schema(parameters=[VIEW_ID], responses=SavedViewSerializer, summary="One saved view", tags=["traces"],
                   operation_id="trace_views_retrieve")  # fmt: skip
    def get(self, request: Request, view_id: int) -> Response:
        return Response(self.out(get_object_or_404(self.visible(), pk=view_id)))

    @extend_schema(parameters=[VIEW_ID], request=SavedViewSerializer, responses=SavedViewSerializer, tags=["traces"],
                   summary="Change a saved view (owner or traces:views:manage)",
                   operation_id="trace_views_partial_update",
                   examples=[OpenApiExample("share", value={"shared": True}, request_only=True)])  # fmt: skip
    def patch(self, request: Request, view_id: int) -> Response:
        form = SavedViewSerializer(self._editable(view_id), data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        return Response(self.out(self.store(form)))

    @extend_schema(parameters=[VIEW_ID], responses={204: None}, tags=["traces"], operation_id="trace_views_destroy",
                   summary="Delete a saved view (owner or traces:views:manage)")  # fmt: skip
    def delete(self, request: Request, view_id: int) -> Response:
        self._editable(view_id).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)

