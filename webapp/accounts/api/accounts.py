"""Session login for the UI (`POST /auth/login`, `POST /auth/logout`) and `GET /auth/me`.

`me` answers for both kinds of caller: a signed-in user (with all their projects and roles) or an
API key (its one project and role).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate, login, logout
from django.middleware.csrf import get_token
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import AuthenticationFailed, Throttled
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from webapp.accounts.models import normalise_email
from webapp.apikeys.authentication import KeyPrincipal
from webapp.projects.models import Membership
from webapp.rbac import registry
from webapp.security.login_throttle import LoginThrottle


class LoginSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})


class ProjectRoleSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    role = serializers.CharField()
    permissions = serializers.ListField(
        child=serializers.CharField(), help_text="the project permissions this role holds, e.g. traces:read"
    )


class MeSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["user", "api_key"])
    email = serializers.EmailField(allow_null=True)
    display_name = serializers.CharField(allow_blank=True)
    is_staff = serializers.BooleanField()
    api_key_prefix = serializers.CharField(allow_null=True)
    projects = ProjectRoleSerializer(many=True)


def _project_role(project: Any, role: str) -> dict[str, Any]:
    return {"slug": project.slug, "name": project.name, "role": role, "permissions": registry.granted(role)}


def describe_principal(principal: Any) -> dict[str, Any]:
    if isinstance(principal, KeyPrincipal):
        key = principal.api_key
        return {
            "kind": "api_key",
            "email": None,
            "display_name": key.name,
            "is_staff": False,
            "api_key_prefix": key.prefix,
            "projects": [_project_role(key.project, key.role)],
        }
    memberships = Membership.objects.filter(user=principal).select_related("project")
    return {
        "kind": "user",
        "email": principal.email,
        "display_name": principal.display_name,
        "is_staff": principal.is_staff,
        "api_key_prefix": None,
        "projects": [_project_role(m.project, m.role) for m in memberships],
    }


class LoginView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[type] = []
    throttle_classes: list[type] = []  # failed logins are throttled per address and account below

    @extend_schema(
        request=LoginSerializer,
        responses=MeSerializer,
        summary="Sign in with email and password (sets the session cookie)",
        tags=["auth"],
        examples=[OpenApiExample("login", value={"email": "ada@example.com", "password": "correct horse"})],
    )
    def post(self, request: Request) -> Response:
        # a browser login needs the CSRF token too: else another site could sign a visitor into its own account
        SessionAuthentication().enforce_csrf(request)
        form = LoginSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        email = normalise_email(form.validated_data["email"])
        throttle = LoginThrottle.for_request(request._request, email)
        lockout = throttle.lockout()
        if lockout is not None:
            raise Throttled(wait=lockout.retry_after, detail=lockout.message)
        user = authenticate(request._request, username=email, password=form.validated_data["password"])
        if user is None:
            throttle.failed()
            raise AuthenticationFailed("wrong email or password, or the account is disabled")
        throttle.succeeded()
        login(request._request, user)
        return Response(describe_principal(user))

    def get_authenticate_header(self, request: Request) -> str:
        return 'Session realm="pyflare"'  # a failed login is a 401, not a 403


class CsrfTokenSerializer(serializers.Serializer):
    csrf_token = serializers.CharField(help_text="send it as X-CSRFToken on unsafe session requests")


class CsrfView(APIView):
    """Sets the CSRF cookie (as serving the UI does) and returns its token, for clients not served by it."""

    permission_classes = [AllowAny]
    authentication_classes: list[type] = []

    @extend_schema(responses=CsrfTokenSerializer, summary="Get a CSRF token (sets the csrftoken cookie)", tags=["auth"])
    def get(self, request: Request) -> Response:
        return Response({"csrf_token": get_token(request._request)})


class LogoutView(APIView):
    @extend_schema(request=None, responses={204: None}, summary="End the session", tags=["auth"])
    def post(self, request: Request) -> Response:
        logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    @extend_schema(responses=MeSerializer, summary="Who is calling: user or API key, projects and roles", tags=["auth"])
    def get(self, request: Request) -> Response:
        return Response(describe_principal(request.user))
