"""Routes of the projects slice: /projects, /projects/{slug}, /members, /members/{id}."""

from __future__ import annotations

from django.urls import path

from webapp.projects.api.projects import MemberDetailView, MemberListView, ProjectDetailView, ProjectListView

urlpatterns = [
    path("projects", ProjectListView.as_view(), name="project-list"),
    path("projects/<slug:slug>", ProjectDetailView.as_view(), name="project-detail"),
    path("members", MemberListView.as_view(), name="member-list"),
    path("members/<int:pk>", MemberDetailView.as_view(), name="member-detail"),
]
