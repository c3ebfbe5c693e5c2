"""List/create and read/change/delete views over one project-scoped model, for the alerting objects
that need nothing more (silences, maintenance windows, inhibition rules). Another project's object is
a 404, like one that does not exist."""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from django.shortcuts import get_object_or_404
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from webapp.alerting.api.common import READ, WRITE, ProjectModelSerializer
from webapp.projects.access import ProjectScoped


class ScopedList(ProjectScoped, APIView):
    serializer_class: type[ProjectModelSerializer]
    required_permissions = {"GET": READ, "POST": WRITE}

    def extra_fields(self, request: Request) -> dict[str, Any]:
        return {}

    def get(self, request: Request) -> Response:
        rows = self.serializer_class.Meta.model.objects.filter(project=self.access.project)
        return Response(self.serializer_class(rows, many=True).data)

    def post(self, request: Request) -> Response:
        form = self.serializer_class(data=request.data)
        form.is_valid(raise_exception=True)
        obj = form.save_for(self.access.project, **self.extra_fields(request))
        return Response(self.serializer_class(obj).data, status=status.HTTP_201_CREATED)


class ScopedDetail(ProjectScoped, APIView):
    serializer_class: type[ProjectModelSerializer]
    required_permissions = {"GET": READ, "PATCH": WRITE, "DELETE": WRITE}

    def object(self, pk: int) -> Model:
        return get_object_or_404(self.serializer_class.Meta.model, pk=pk, project=self.access.project)

    def get(self, request: Request, pk: int) -> Response:
        return Response(self.serializer_class(self.object(pk)).data)

    def patch(self, request: Request, pk: int) -> Response:
        form = self.serializer_class(self.object(pk), data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        return Response(self.serializer_class(form.save_for(self.access.project)).data)

    def delete(self, request: Request, pk: int) -> Response:
        self.object(pk).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
