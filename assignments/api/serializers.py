"""Request and response shapes of the assignment endpoints (API.md, "Assignment")."""

from __future__ import annotations

from rest_framework import serializers

from assignments.models import ReassignmentFlag
from workflow.api.fields import JsonInput, UTCDateTimeField
from workflow.enums import (
    CollateralStatus,
    CustomerStatus,
    LendingViolationStatus,
    ProcessingStateStatus,
    RecoveryAbilityStatus,
)


class AssignmentOutput(serializers.Serializer):
    """One assignment version (a ``customer_agents`` row)."""

    id = serializers.UUIDField()
    cif = serializers.CharField(source="customer_id")
    assignedCallAgentId = serializers.UUIDField(source="assigned_call_agent_id", allow_null=True)
    assignedFieldAgentId = serializers.UUIDField(source="assigned_field_agent_id", allow_null=True)
    startDate = serializers.DateField(source="start_date")
    endDate = serializers.DateField(source="end_date", allow_null=True)
    isCurrent = serializers.BooleanField(source="is_current")


class AgentAssignmentOutput(AssignmentOutput):
    """A current assignment of an agent with its customer and case (statuses None: no case)."""

    customerName = serializers.CharField(source="customer.display_name")
    customerStatus = serializers.ChoiceField(
        source="customer.case.customer_status", choices=CustomerStatus.choices, allow_null=True
    )
    collateralStatus = serializers.ChoiceField(
        source="customer.case.collateral_status",
        choices=CollateralStatus.choices,
        allow_null=True,
    )
    processingStateStatus = serializers.ChoiceField(
        source="customer.case.processing_state_status",
        choices=ProcessingStateStatus.choices,
        allow_null=True,
    )
    lendingViolationStatus = serializers.ChoiceField(
        source="customer.case.lending_violation_status",
        choices=LendingViolationStatus.choices,
        allow_null=True,
    )
    recoveryAbilityStatus = serializers.ChoiceField(
        source="customer.case.recovery_ability_status",
        choices=RecoveryAbilityStatus.choices,
        allow_null=True,
    )


class AssignmentHistoryOutput(AssignmentOutput):
    """An assignment version with the names of its agents."""

    assignedCallAgentName = serializers.CharField(
        source="assigned_call_agent.name", allow_null=True
    )
    assignedFieldAgentName = serializers.CharField(
        source="assigned_field_agent.name", allow_null=True
    )


class AssignmentUpdateInput(JsonInput):
    """Agents to assign: an omitted key keeps the current agent, null clears the role."""

    assignedCallAgentId = serializers.UUIDField(required=False, allow_null=True)
    assignedFieldAgentId = serializers.UUIDField(required=False, allow_null=True)


class AssignmentCreateInput(AssignmentUpdateInput):
    """The customer and the agents to assign."""

    cif = serializers.CharField(max_length=20)


class PendingReassignmentFilters(serializers.Serializer):
    """Query filters of ``GET assignments/pending-reassignment`` (pagination apart)."""

    team = serializers.CharField(max_length=30, required=False)
    agentId = serializers.UUIDField(required=False)


class ReassignmentFlagOutput(serializers.Serializer):
    """An open reassignment flag: a customer waiting for a new agent in one role."""

    id = serializers.UUIDField()
    cif = serializers.CharField(source="customer_id")
    customerName = serializers.CharField(source="customer.display_name")
    agentId = serializers.UUIDField(source="agent_id")
    agentName = serializers.CharField(source="agent.name")
    agentEmployeeId = serializers.CharField(source="agent.employee_id")
    agentTeam = serializers.CharField(source="agent.team")
    role = serializers.ChoiceField(choices=ReassignmentFlag.Role.choices)
    reason = serializers.CharField(allow_null=True)
    flaggedAt = UTCDateTimeField(source="flagged_at")
