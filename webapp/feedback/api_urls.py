"""Route of the feedback endpoint under /api/v1."""

from __future__ import annotations

from django.urls import path

from webapp.feedback.api.feedback import FeedbackView

urlpatterns = [path("feedback", FeedbackView.as_view(), name="feedback")]
