"""Request and response shapes of the case endpoints (API.md, "CaseAction")."""

from __future__ import annotations

from rest_framework import serializers

from workflow.api.fields import JsonInput, UTCDateTimeField
from workflow.enums import (
    CollateralStatus,
    CustomerStatus,
    LendingViolationStatus,
    ProcessingStateStatus,
    RecoveryAbilityStatus,
)


class CaseStatusesOutput(serializers.Serializer):
    """The five case statuses of a row (a case, a status input or the report view)."""

    customerStatus = serializers.ChoiceField(
        source="customer_status", choices=CustomerStatus.choices, allow_null=True
    )
    collateralStatus = serializers.ChoiceField(
        source="collateral_status", choices=CollateralStatus.choices, allow_null=True
    )
    processingStateStatus = serializers.ChoiceField(
        source="processing_state_status", choices=ProcessingStateStatus.choices, allow_null=True
    )
    lendingViolationStatus = serializers.ChoiceField(
        source="lending_violation_status", choices=LendingViolationStatus.choices, allow_null=True
    )
    recoveryAbilityStatus = serializers.ChoiceField(
        source="recovery_ability_status", choices=RecoveryAbilityStatus.choices, allow_null=True
    )


class CaseActionOutput(CaseStatusesOutput):
    """One status input on a customer's case, with the recording agent's name."""

    id = serializers.UUIDField()
    cif = serializers.CharField(source="customer_id")
    agentId = serializers.UUIDField(source="agent_id")
    agentName = serializers.CharField(source="agent.name")
    actionDate = UTCDateTimeField(source="action_date")
    notes = serializers.CharField(allow_null=True)
    createdAt = UTCDateTimeField(source="created_at")
    updatedAt = UTCDateTimeField(source="updated_at")
    createdBy = serializers.CharField(source="created_by")
    updatedBy = serializers.CharField(source="updated_by")


class CaseActionInput(JsonInput):
    """A status input: notes and/or statuses (a status not given keeps its value)."""

    cif = serializers.CharField(max_length=20)
    actionDate = UTCDateTimeField(required=False)
    notes = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    customerStatus = serializers.ChoiceField(
        choices=CustomerStatus.choices, required=False, allow_null=True
    )
    collateralStatus = serializers.ChoiceField(
        choices=CollateralStatus.choices, required=False, allow_null=True
    )
    processingStateStatus = serializers.ChoiceField(
        choices=ProcessingStateStatus.choices, required=False, allow_null=True
    )
    lendingViolationStatus = serializers.ChoiceField(
        choices=LendingViolationStatus.choices, required=False, allow_null=True
    )
    recoveryAbilityStatus = serializers.ChoiceField(
        choices=RecoveryAbilityStatus.choices, required=False, allow_null=True
    )
