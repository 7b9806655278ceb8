"""The team dashboard's form: a period of business days and an optional team."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms

from reports.figures import performance_period
from workflow.errors import DomainError

# The API field performance_period names in its errors -> the form field that shows it.
_FORM_FIELD_OF = {"startDate": "start_date", "endDate": "end_date"}


class DashboardForm(forms.Form):
    """The dashboard's period (business days, inclusive) and optional team."""

    start_date = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Default: the first day of the end date's month.",
    )
    end_date = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Default: today (the bank's day).",
    )
    team = forms.ChoiceField(required=False)

    def __init__(self, *args: Any, teams: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        team_field = cast(forms.ChoiceField, self.fields["team"])
        team_field.choices = [("", "All teams"), *((team, team) for team in teams)]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if self.errors:
            return cleaned
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and start > end:
            self.add_error("end_date", "The end date is before the start date.")
            return cleaned
        try:
            start, end = performance_period(start=start, end=end)
        except DomainError as exc:
            self.add_error(_FORM_FIELD_OF.get(exc.field or ""), exc.message)
            return cleaned
        cleaned["start_date"], cleaned["end_date"] = start, end
        return cleaned

    def period(self) -> tuple[dt.date, dt.date, str | None]:
        """``(start, end, team or None)`` of a valid form."""
        data = self.cleaned_data
        return data["start_date"], data["end_date"], data.get("team") or None
