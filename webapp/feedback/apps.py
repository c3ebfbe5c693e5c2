"""Django app for feedback; registers `feedback:write`.

Granted to developer and operator (admin holds `*`): feedback arrives from the application's
backend (a developer's key) and from people reviewing outputs or labelling ground truth for drift
and accuracy monitoring (operators). Viewers stay read-only, as the seed's role table makes them.
"""

from __future__ import annotations

from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "webapp.feedback"
    label = "feedback"
    verbose_name = "Feedback"

    def ready(self) -> None:
        from webapp.rbac.catalogue import DEVELOPER, OPERATOR
        from webapp.rbac.registry import register_permission

        register_permission(
            "feedback:write",
            "send ground-truth labels and scores on traces and spans",
            granted_to=(DEVELOPER, OPERATOR),
        )
