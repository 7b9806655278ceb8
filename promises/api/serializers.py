"""Request and response shapes of the promise endpoints (and of the promise in POST /actions)."""

from __future__ import annotations

from rest_framework import serializers

from promises.models import PromiseStatus
from workflow.api.fields import QueryDateField, UTCDateTimeField

SCOPES = (("LOAN", "The action's loan"), ("CUSTOMER", "All the customer's loans"))


def _amount(source: str | None, help_text: str) -> serializers.DecimalField:
    """An amount as a JSON number with 2 decimals (``source`` None: the field's own name)."""
    if source is None:
        return serializers.DecimalField(
            max_digits=20, decimal_places=2, coerce_to_string=False, help_text=help_text
        )
    return serializers.DecimalField(
        source=source, max_digits=20, decimal_places=2, coerce_to_string=False, help_text=help_text
    )


class PromiseOutput(serializers.Serializer):
    id = serializers.UUIDField()
    cif = serializers.CharField(source="customer_id")
    loanAccountNumber = serializers.CharField(
        source="loan_id", allow_null=True, help_text="null: a customer-level promise."
    )
    agentId = serializers.UUIDField(source="agent_id")
    actionId = serializers.UUIDField(
        source="action_id", allow_null=True, help_text="The action that obtained it."
    )
    amount = _amount(None, "Promised amount, a number with 2 decimals.")
    currency = serializers.CharField(help_text="The loan's currency (ISO 4217).")
    promisedDate = serializers.DateField(source="promised_date")
    graceDays = serializers.IntegerField(
        source="grace_days", help_text="Days after promisedDate a payment still counts."
    )
    tolerancePercent = _amount(
        "tolerance_percent", "KEPT once (100 - tolerancePercent)% of amount is paid."
    )
    status = serializers.ChoiceField(choices=PromiseStatus.choices)
    paidAmount = _amount("paid_amount", "Sum of the payments applied to it (not reversed).")
    resolvedAt = UTCDateTimeField(
        source="resolved_at", allow_null=True, help_text="When it left PENDING."
    )
    createdAt = UTCDateTimeField(source="created_at")


class AppropriationOutput(serializers.Serializer):
    id = serializers.UUIDField()
    paymentId = serializers.CharField(source="payment_id")
    amount = _amount(None, "The part of the payment applied to the promise.")
    appropriatedAt = UTCDateTimeField(source="appropriated_at")
    reversedAt = UTCDateTimeField(
        source="reversed_at", allow_null=True, help_text="Set when the payment was reversed."
    )


class PromiseDetailOutput(PromiseOutput):
    cancelledBy = serializers.CharField(source="cancelled_by", allow_null=True)
    cancelReason = serializers.CharField(source="cancel_reason", allow_null=True)
    followUpDate = serializers.DateField(source="follow_up_date", allow_null=True)
    followUpAgentId = serializers.UUIDField(source="follow_up_agent_id", allow_null=True)
    appropriations = AppropriationOutput(many=True)


class PromiseListQuery(serializers.Serializer):
    """Query filters of ``GET /promises``."""

    cif = serializers.CharField(max_length=20, required=False)
    loan = serializers.CharField(max_length=20, required=False, help_text="Loan account number.")
    agentId = serializers.UUIDField(required=False)
    team = serializers.CharField(max_length=30, required=False)
    status = serializers.ChoiceField(choices=PromiseStatus.choices, required=False)
    promisedFrom = QueryDateField(required=False)
    promisedTo = QueryDateField(required=False)

    def validate(self, attrs: dict[str, object]) -> dict[str, object]:
        start, end = attrs.get("promisedFrom"), attrs.get("promisedTo")
        if start and end and start > end:  # type: ignore[operator]
            raise serializers.ValidationError(
                {"promisedTo": "promisedTo must not be before promisedFrom."}
            )
        return attrs


class PromiseCancelInput(serializers.Serializer):
    reason = serializers.CharField(max_length=500, help_text="Why the promise is cancelled.")
