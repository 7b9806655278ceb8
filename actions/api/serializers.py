"""Request and response shapes of the action endpoints (API.md: ActionRecord)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from actions.models import ActionRecord
from contacts.enums import Party
from promises.api.serializers import PromiseOutput
from workflow.api.fields import DateRangeInput, JsonInput, UTCDateTimeField
from workflow.api.output import represent
from workflow.enums import ActionResult, ActionSubtype, ActionType


class VisitLocationInput(JsonInput):
    latitude = serializers.DecimalField(
        max_digits=None,
        decimal_places=None,
        required=False,
        allow_null=True,
        help_text="-90 to 90, at most 8 decimal places; required with longitude.",
    )
    longitude = serializers.DecimalField(
        max_digits=None,
        decimal_places=None,
        required=False,
        allow_null=True,
        help_text="-180 to 180, at most 8 decimal places; required with latitude.",
    )
    address = serializers.CharField(required=False, allow_null=True, allow_blank=True)


class ActionCreateInput(JsonInput):
    cif = serializers.CharField(max_length=20)
    loanAccountNumber = serializers.CharField(max_length=20)
    type = serializers.ChoiceField(choices=ActionType.choices)
    subtype = serializers.ChoiceField(choices=ActionSubtype.choices)
    actionResult = serializers.ChoiceField(choices=ActionResult.choices)
    actionDate = UTCDateTimeField(
        required=False,
        allow_null=True,
        help_text="When the action happened, with a zone; defaults to now.",
    )
    notes = serializers.CharField(
        max_length=5000, required=False, allow_null=True, allow_blank=True
    )
    callTraceId = serializers.CharField(
        max_length=20, required=False, allow_null=True, allow_blank=True
    )
    visitLocation = VisitLocationInput(
        required=False, allow_null=True, help_text="Required with coordinates for a VISIT."
    )
    # The contact ledger (contacts app): the reservation this contact used, whom and where.
    contactAttemptId = serializers.UUIDField(
        required=False, allow_null=True, help_text="The reservation (POST contact-attempts)."
    )
    party = serializers.ChoiceField(
        choices=Party.choices, required=False, allow_null=True, help_text="Default BORROWER."
    )
    contactPoint = serializers.CharField(
        max_length=200,
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text="Phone number, e-mail or address contacted.",
    )
    # A PROMISE_TO_PAY's terms (promises app); without them no promise is tracked.
    promiseAmount = serializers.DecimalField(
        max_digits=None,
        decimal_places=None,
        required=False,
        allow_null=True,
        help_text="With PROMISE_TO_PAY: the amount promised, > 0, in the loan's currency.",
    )
    promiseDate = serializers.DateField(
        required=False,
        allow_null=True,
        input_formats=["%Y-%m-%d"],
        help_text="With PROMISE_TO_PAY: the promised day, from today up to the horizon.",
    )
    promiseScope = serializers.ChoiceField(
        choices=(("LOAN", "The action's loan"), ("CUSTOMER", "All the customer's loans")),
        required=False,
        help_text="LOAN (default) or CUSTOMER: which payments count towards the promise.",
    )


class ActionResultInput(JsonInput):
    actionResult = serializers.ChoiceField(choices=ActionResult.choices)
    notes = serializers.CharField(
        max_length=5000,
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text="When given, replaces the notes (null clears them).",
    )


class ActionListQuery(DateRangeInput):
    """Query filters of the action lists (dates are inclusive business days)."""

    type = serializers.ChoiceField(choices=ActionType.choices, required=False)
    subtype = serializers.ChoiceField(choices=ActionSubtype.choices, required=False)
    actionResult = serializers.ChoiceField(choices=ActionResult.choices, required=False)


class VisitLocationOutput(serializers.Serializer):
    latitude = serializers.DecimalField(max_digits=10, decimal_places=8, allow_null=True)
    longitude = serializers.DecimalField(max_digits=11, decimal_places=8, allow_null=True)
    address = serializers.CharField(allow_null=True)


class ActionOutput(serializers.Serializer):
    id = serializers.UUIDField()
    cif = serializers.CharField(source="customer_id")
    loanAccountNumber = serializers.CharField(source="loan_id")
    agentId = serializers.UUIDField(source="agent_id")
    agentName = serializers.CharField(source="agent.name")
    type = serializers.ChoiceField(choices=ActionType.choices)
    subtype = serializers.ChoiceField(choices=ActionSubtype.choices)
    actionResult = serializers.ChoiceField(source="action_result", choices=ActionResult.choices)
    actionDate = UTCDateTimeField(source="action_date")
    notes = serializers.CharField(allow_null=True)
    callTraceId = serializers.CharField(source="call_trace_id", allow_null=True)
    visitLocation = serializers.SerializerMethodField()
    createdAt = UTCDateTimeField(source="created_at")
    updatedAt = UTCDateTimeField(source="updated_at")
    createdBy = serializers.CharField(source="created_by")
    updatedBy = serializers.CharField(source="updated_by")

    @extend_schema_field(VisitLocationOutput(allow_null=True))
    def get_visitLocation(self, record: ActionRecord) -> dict[str, Any] | None:
        if (
            record.visit_latitude is None
            and record.visit_longitude is None
            and not record.visit_address
        ):
            return None
        return represent(
            VisitLocationOutput,
            {
                "latitude": record.visit_latitude,
                "longitude": record.visit_longitude,
                "address": record.visit_address,
            },
        )


class ActionRecordedOutput(ActionOutput):
    """The answer to POST /actions (OpenAPI): ``promise`` only when the body carried one."""

    promise = PromiseOutput(
        required=False, help_text="The promise recorded; present only with promise terms."
    )


class ActionListOutput(ActionOutput):
    """An action in a list: also the status of the promise it obtained, if any."""

    promiseStatus = serializers.CharField(
        source="promise_status",
        allow_null=True,
        help_text="Status of the promise this action obtained; null when it made none.",
    )
