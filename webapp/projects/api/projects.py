"""Projects and memberships over REST.

`/projects` lists the caller's projects (staff create new ones); `/projects/{slug}` reads, renames or
deletes one; `/members` manages the memberships of the request's project (header/param/key).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from webapp.accounts.models import User, normalise_email
from webapp.api.errors import Conflict
from webapp.apikeys.authentication import KeyPrincipal
from webapp.projects.access import ProjectScoped
from webapp.projects.lifecycle import TelemetryPurgeFailed, delete_project, prepare_slug_for_reuse
from webapp.projects.models import SLUG_PATTERN, Membership, Project
from webapp.projects.purging import purge_everywhere
from webapp.rbac.catalogue import ADMIN
from webapp.rbac.registry import role_choices


class PurgeUnavailable(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "storage_unavailable"
    default_detail = "the project's telemetry could not be erased; nothing was changed, try again"


def _purge(slug: str) -> list[str]:
    return purge_everywhere(slug)


class ProjectSerializer(serializers.ModelSerializer):
    role = serializers.SerializerMethodField(help_text="the caller's role in the project")

    class Meta:
        model = Project
        fields = ["slug", "name", "created_at", "role"]
        read_only_fields = ["slug", "created_at", "role"]

    def get_role(self, project: Project) -> str | None:
        roles: dict[int, str] = self.context.get("roles", {})
        return roles.get(project.pk)


class ProjectCreateSerializer(serializers.ModelSerializer):
    slug = serializers.RegexField(
        SLUG_PATTERN,
        max_length=63,
        help_text="immutable; spans name it in the resource attribute pyflare.project",
        error_messages={"invalid": "use 1-63 lower-case letters, digits, '-' or '_', starting with a letter or digit"},
    )

    class Meta:
        model = Project
        fields = ["slug", "name"]

    def validate_slug(self, value: str) -> str:
        if Project.objects.filter(slug=value).exists():
            raise serializers.ValidationError(f"a project with slug {value!r} already exists")
        return value


class MembershipSerializer(serializers.ModelSerializer):
    email = serializers.EmailField(source="user.email", read_only=True)
    display_name = serializers.CharField(source="user.display_name", read_only=True)
    role = serializers.ChoiceField(choices=role_choices())

    class Meta:
        model = Membership
        fields = ["id", "email", "display_name", "role", "created_at"]
        read_only_fields = ["id", "email", "display_name", "created_at"]


class MembershipCreateSerializer(serializers.Serializer):
    email = serializers.EmailField(help_text="an existing user's email")
    role = serializers.ChoiceField(choices=role_choices())


def _roles_of(principal: Any) -> dict[int, str]:
    if isinstance(principal, KeyPrincipal):
        return {principal.api_key.project_id: principal.api_key.role}
    return dict(Membership.objects.filter(user=principal).values_list("project_id", "role"))


class ProjectListView(APIView):
    required_permissions = {"GET": None, "POST": "projects:create"}  # GET: any caller, own projects only

    @extend_schema(responses=ProjectSerializer(many=True), summary="The caller's projects", tags=["projects"])
    def get(self, request: Request) -> Response:
        roles = _roles_of(request.user)
        projects = Project.objects.filter(pk__in=roles).order_by("slug")
        return Response(ProjectSerializer(projects, many=True, context={"roles": roles}).data)

    @extend_schema(
        request=ProjectCreateSerializer,
        responses={201: ProjectSerializer},
        summary="Create a project (staff); the creator becomes its admin",
        tags=["projects"],
        examples=[OpenApiExample("project", value={"slug": "support-bot", "name": "Support bot"}, request_only=True)],
    )
    def post(self, request: Request) -> Response:
        form = ProjectCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            prepare_slug_for_reuse(form.validated_data["slug"], _purge)  # a deleted project's slug starts empty
        except TelemetryPurgeFailed as exc:
            raise PurgeUnavailable(str(exc)) from None
        with transaction.atomic():
            project = form.save()
            Membership.objects.create(user=request.user, project=project, role=ADMIN)
        data = ProjectSerializer(project, context={"roles": {project.pk: ADMIN}}).data
        return Response(data, status=status.HTTP_201_CREATED)


class ProjectDetailView(ProjectScoped, APIView):
    project_url_kwarg = "slug"
    required_permissions = {"GET": "projects:read", "PATCH": "projects:admin", "DELETE": "projects:admin"}

    def _data(self) -> dict[str, Any]:
        access = self.access
        return ProjectSerializer(access.project, context={"roles": {access.project.pk: access.role}}).data

    @extend_schema(responses=ProjectSerializer, summary="One project", tags=["projects"])
    def get(self, request: Request, slug: str) -> Response:
        return Response(self._data())

    @extend_schema(
        request=ProjectSerializer,
        responses=ProjectSerializer,
        summary="Rename a project (the slug never changes)",
        tags=["projects"],
        examples=[OpenApiExample("rename", value={"name": "Support bot (EU)"}, request_only=True)],
    )
    def patch(self, request: Request, slug: str) -> Response:
        form = ProjectSerializer(self.access.project, data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        form.save()
        return Response(self._data())

    @extend_schema(
        responses={204: None},
        summary="Delete a project with its memberships and keys, and erase its stored telemetry",
        description="Spans, metrics, logs, costs, feedback and drift results of the project are deleted from "
        "ClickHouse and its vectors from Qdrant before the project goes; a project created later with the same "
        "slug starts empty. If the stores cannot be reached, nothing is deleted (503).",
        tags=["projects"],
    )
    def delete(self, request: Request, slug: str) -> Response:
        try:
            delete_project(self.access.project, _purge)
        except TelemetryPurgeFailed as exc:
            raise PurgeUnavailable(str(exc)) from None
        return Response(status=status.HTTP_204_NO_CONTENT)


def _guard_last_admin(membership: Membership, new_role: str | None) -> None:
    """A project always keeps at least one admin member."""
    if membership.role != ADMIN or new_role == ADMIN:
        return
    admins = Membership.objects.filter(project=membership.project, role=ADMIN).count()
    if admins <= 1:
        raise Conflict(f"{membership.user.email} is the last admin of {membership.project.slug!r}")


class MemberListView(ProjectScoped, APIView):
    required_permissions = {"GET": "projects:read", "POST": "projects:admin"}

    @extend_schema(responses=MembershipSerializer(many=True), summary="Members of the project", tags=["members"])
    def get(self, request: Request) -> Response:
        members = Membership.objects.filter(project=self.access.project).select_related("user")
        return Response(MembershipSerializer(members, many=True).data)

    @extend_schema(
        request=MembershipCreateSerializer,
        responses={201: MembershipSerializer},
        summary="Add an existing user to the project with a role",
        tags=["members"],
        examples=[OpenApiExample("member", value={"email": "ada@example.com", "role": "developer"}, request_only=True)],
    )
    def post(self, request: Request) -> Response:
        form = MembershipCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        email = normalise_email(form.validated_data["email"])
        user = User.objects.filter(email=email).first()
        if user is None:
            raise ValidationError({"email": [f"no user with email {email!r}; create the account first"]})
        project = self.access.project
        if Membership.objects.filter(user=user, project=project).exists():
            raise Conflict(f"{email} is already a member of {project.slug!r}")
        membership = Membership.objects.create(user=user, project=project, role=form.validated_data["role"])
        return Response(MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)


class MemberDetailView(ProjectScoped, APIView):
    required_permissions = {"GET": "projects:read", "PATCH": "projects:admin", "DELETE": "projects:admin"}

    def _membership(self, pk: int) -> Membership:
        return get_object_or_404(
            Membership.objects.select_related("user", "project"), pk=pk, project=self.access.project
        )

    @extend_schema(responses=MembershipSerializer, summary="One membership", tags=["members"])
    def get(self, request: Request, pk: int) -> Response:
        return Response(MembershipSerializer(self._membership(pk)).data)

    @extend_schema(
        request=MembershipSerializer,
        responses=MembershipSerializer,
        summary="Change a member's role",
        tags=["members"],
        examples=[OpenApiExample("role", value={"role": "viewer"}, request_only=True)],
    )
    def patch(self, request: Request, pk: int) -> Response:
        membership = self._membership(pk)
        form = MembershipSerializer(membership, data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        _guard_last_admin(membership, form.validated_data.get("role", membership.role))
        form.save()
        return Response(form.data)

    @extend_schema(responses={204: None}, summary="Remove a member from the project", tags=["members"])
    def delete(self, request: Request, pk: int) -> Response:
        membership = self._membership(pk)
        _guard_last_admin(membership, None)
        membership.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
