"""Django admin for projects and memberships."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from webapp.projects.lifecycle import TelemetryPurgeFailed, delete_project, prepare_slug_for_reuse
from webapp.projects.models import DeletedProject, Membership, Project
from webapp.projects.purging import purge_everywhere


class ProjectForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = ["slug", "name"]

    def clean_slug(self) -> str:
        slug = str(self.cleaned_data["slug"])
        if self.instance.pk is None:
            try:
                prepare_slug_for_reuse(slug, purge_everywhere)  # a deleted project's slug starts empty
            except TelemetryPurgeFailed as exc:
                raise forms.ValidationError(str(exc)) from None
        return slug


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["slug", "name", "created_at"]
    search_fields = ["slug", "name"]
    inlines = [MembershipInline]

    def get_readonly_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        return ["slug", "created_at"] if obj is not None else ["created_at"]  # the slug never changes

    form = ProjectForm

    # Deleting here erases the project's telemetry as the API does; a reused slug starts empty.

    def delete_model(self, request: HttpRequest, obj: Project) -> None:
        try:
            delete_project(obj, purge_everywhere)
        except TelemetryPurgeFailed as exc:
            self.message_user(request, str(exc), messages.ERROR)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Project]) -> None:
        for project in queryset:
            self.delete_model(request, project)


@admin.register(DeletedProject)
class DeletedProjectAdmin(admin.ModelAdmin):
    list_display = ["slug", "name", "deleted_at"]
    search_fields = ["slug"]
    readonly_fields = ["slug", "name", "deleted_at", "erased_from"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "project", "role", "created_at"]
    list_filter = ["role", "project"]
    search_fields = ["user__email", "project__slug"]
    autocomplete_fields = ["user", "project"]
