"""The admin sign-in form: tells a throttled person when to try again."""

from __future__ import annotations

from typing import Any

from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError

from workflow.auth import throttle
from workflow.errors import Throttled


class ThrottledAdminAuthenticationForm(AdminAuthenticationForm):
    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        if username:
            try:
                throttle.check(username, throttle.client_ip(self.request))
            except Throttled as exc:
                minutes = max(1, round(exc.retry_after / 60))
                raise ValidationError(
                    f"Too many failed sign-in attempts. Try again in about {minutes} minute(s).",
                    code="throttled",
                ) from exc
        return super().clean()
