from __future__ import annotations

from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "workflow"
    verbose_name = "Workflow core"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_login_failed

        # Registers the bearer scheme with drf-spectacular.
        from workflow.api import schema  # noqa: F401
        from workflow.auth.backends import record_failed_sign_in

        user_login_failed.connect(record_failed_sign_in, dispatch_uid="workflow-login-throttle")
