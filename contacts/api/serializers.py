"""Request and response shapes of the contact gate (README, "Contact policy")."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from contacts.enums import AttemptStatus, Channel, Party
from contacts.models import ContactAttempt
from contacts.services import GateAnswer
from workflow.api.fields import UTCDateTimeField


class ContactRequestInput(serializers.Serializer):
    """``{cif, channel, party, contactPoint}``: the body of a reservation, the query of a check."""

    cif = serializers.CharField(max_length=20)
    channel = serializers.ChoiceField(choices=Channel.choices)
    party = serializers.ChoiceField(choices=Party.choices, default=Party.BORROWER)
    contactPoint = serializers.CharField(
        max_length=200, help_text="The phone number, e-mail address or postal address."
    )


class ContactOverrideInput(ContactRequestInput):
    reason = serializers.CharField(max_length=500, help_text="Why the policy is overridden.")


class PolicyRefOutput(serializers.Serializer):
    id = serializers.UUIDField(allow_null=True)
    code = serializers.CharField(allow_null=True)
    version = serializers.IntegerField(allow_null=True)


class DecisionOutput(serializers.Serializer):
    """The gate's answer (the check's ``data``)."""

    allowed = serializers.BooleanField()
    rule = serializers.CharField(
        allow_null=True, help_text="The first rule broken; null when allowed."
    )
    message = serializers.CharField()
    limit = serializers.IntegerField(allow_null=True, help_text="The cap's limit, for a cap rule.")
    count = serializers.IntegerField(allow_null=True, help_text="Attempts counted by that cap.")
    remaining = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="Per cap (e.g. CUSTOMER_1D): attempts left after this one.",
    )
    nextAllowedAt = serializers.CharField(
        allow_null=True,
        help_text=(
            "The earliest moment the contact is allowed, ISO-8601 with the customer's UTC offset "
            "(now when allowed; null when waiting never makes it allowed)."
        ),
    )
    timeZone = serializers.CharField(help_text="The customer's time zone the rules use.")
    policy = PolicyRefOutput()


class ReservationOutput(DecisionOutput):
    """A reservation (``POST contact-attempts``): the decision plus its ``id`` and expiry."""

    id = serializers.UUIDField(allow_null=True, help_text="Give it as contactAttemptId.")
    expiresAt = UTCDateTimeField(allow_null=True, help_text="Make the contact before this.")
    overrideReason = serializers.CharField(allow_null=True)


def decision_data(answer: GateAnswer) -> dict[str, Any]:
    decision = answer.decision
    return {
        "allowed": decision.allowed,
        "rule": decision.rule,
        "message": decision.message,
        "limit": decision.limit,
        "count": decision.count,
        "remaining": decision.remaining,
        "nextAllowedAt": (
            decision.next_allowed_at.astimezone(answer.zone).isoformat(timespec="seconds")
            if decision.next_allowed_at
            else None
        ),
        "timeZone": str(answer.zone),
        "policy": {
            "id": decision.policy_id,
            "code": decision.policy_code,
            "version": decision.policy_version,
        },
    }


def reservation_data(answer: GateAnswer) -> dict[str, Any]:
    return {
        "id": answer.attempt_id if answer.decision.allowed or answer.override_reason else None,
        **decision_data(answer),
        "allowed": True if answer.override_reason else answer.decision.allowed,
        "expiresAt": answer.expires_at,
        "overrideReason": answer.override_reason,
    }


class AttemptOutput(serializers.Serializer):
    """A row of the ledger as a release answers it."""

    id = serializers.UUIDField()
    cif = serializers.CharField()
    channel = serializers.ChoiceField(choices=Channel.choices)
    party = serializers.ChoiceField(choices=Party.choices)
    status = serializers.ChoiceField(
        choices=AttemptStatus.choices,
        help_text="RELEASED after a release; the caps count RESERVED (until expiresAt), "
        "CONSUMED and RECORDED rows.",
    )
    attemptedAt = UTCDateTimeField()
    expiresAt = UTCDateTimeField(allow_null=True)
    releasedAt = UTCDateTimeField(allow_null=True, help_text="When it was released.")


def attempt_data(attempt: ContactAttempt) -> dict[str, Any]:
    released = attempt.status == AttemptStatus.RELEASED
    return {
        "id": attempt.id,
        "cif": attempt.cif,
        "channel": attempt.channel,
        "party": attempt.party,
        "status": attempt.status,
        "attemptedAt": attempt.attempted_at,
        "expiresAt": attempt.expires_at,
        "releasedAt": attempt.updated_at if released else None,
    }
