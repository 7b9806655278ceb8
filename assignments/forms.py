"""Forms of the cases back-office: the case change form and bulk assignment.

The case form writes through the same services as the API when the admin saves it
(``CustomerCaseForm.write``, never in ``clean()``): the agents through ``assignment_assign`` (the
database trigger then writes the assignment history once) and the statuses through
``case_update_statuses``, in the admin's transaction. A refusal rolls both back and becomes an
error on the form (``workflow.admin_base.ServiceForm``); the admin logs what ``write`` reports.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms

from agents.models import Agent
from assignments.services import assignment_assign
from cases.models import STATUS_FIELDS, CustomerCase
from cases.services import case_update_statuses
from workflow.actors import Actor
from workflow.admin_base import ServiceForm
from workflow.errors import DomainError
from workflow.sentinels import UNSET, Unset

AGENT_FIELDS = ("assigned_call_agent", "assigned_field_agent")

# The API field a service names in its error -> the form field that shows it.
_FORM_FIELD_OF = {
    "assignedCallAgentId": "assigned_call_agent",
    "assignedFieldAgentId": "assigned_field_agent",
    "customerStatus": "customer_status",
    "collateralStatus": "collateral_status",
    "processingStateStatus": "processing_state_status",
    "lendingViolationStatus": "lending_violation_status",
    "recoveryAbilityStatus": "recovery_ability_status",
    "startDate": "start_date",
    "endDate": "end_date",
}


def form_field_for(error: DomainError, form: forms.BaseForm) -> str | None:
    """The form field a domain error points at, or None (a non-field error)."""
    name = _FORM_FIELD_OF.get(error.field or "")
    return name if name in form.fields else None


def agent_label(agent: Agent | None) -> str:
    """How an agent reads in messages and the admin log: ``Name (employee id)`` or "nobody"."""
    return f"{agent.name} ({agent.employee_id})" if agent is not None else "nobody"


class CustomerCaseForm(ServiceForm):
    """The case change form; ``actor`` is set by the admin for the signed-in user."""

    actor: Actor

    class Meta:
        model = CustomerCase
        fields = [*AGENT_FIELDS, *STATUS_FIELDS]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Human descriptions of what write() changed, for the admin log.
        self.changes: list[str] = []
        # The case's agents and statuses before this form's values were put on the instance.
        self.before: dict[str, Any] = {}

    def show_service_error(self, exc: DomainError) -> None:
        self.add_error(form_field_for(exc, self), exc.message)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        # Taken here: ModelForm puts the cleaned values on the instance right after clean().
        self.before = {
            name: getattr(self.instance, name) for name in (*AGENT_FIELDS, *STATUS_FIELDS)
        }
        return cleaned

    def _agent_choice(self, name: str) -> uuid.UUID | Unset | None:
        """The agent id to assign for ``name``: UNSET when the field did not change."""
        if name not in self.changed_data:
            return UNSET
        agent = self.cleaned_data.get(name)
        return agent.id if agent is not None else None

    def write(self) -> list[str]:
        """Apply the changed agents and statuses through the services; what changed, for the
        log (``changes`` too). Raises the services' ``DomainError``: the caller's transaction
        must roll back then."""
        cleaned = self.cleaned_data
        case = self.instance
        call_choice = self._agent_choice("assigned_call_agent")
        field_choice = self._agent_choice("assigned_field_agent")
        statuses = {name: cleaned[name] for name in STATUS_FIELDS if name in self.changed_data}
        changes: list[str] = []
        if call_choice is not UNSET or field_choice is not UNSET:
            _, changed = assignment_assign(
                actor=self.actor,
                cif=case.customer_id,
                call_agent_id=call_choice,
                field_agent_id=field_choice,
            )
            if changed:
                changes += [
                    f"{name.removeprefix('assigned_').replace('_', ' ')}: "
                    f"{agent_label(self.before[name])} → {agent_label(cleaned.get(name))}"
                    for name in AGENT_FIELDS
                    if name in self.changed_data
                ]
        if statuses:
            _, changed_statuses = case_update_statuses(
                actor=self.actor, cif=case.customer_id, **statuses
            )
            changes += [
                f"{name.replace('_', ' ')}: {self.before[name]} → {statuses[name]}"
                for name in changed_statuses
            ]
        self.changes = changes
        return changes


class AgentChoiceField(forms.ModelChoiceField):
    """An active agent, shown as ``Name (employee id), team``."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.employee_id}), {obj.team}"


def _active_agents() -> Any:
    return Agent.objects.filter(is_active=True).order_by("team", "name", "id")


class AssignAgentsForm(forms.Form):
    """The intermediate page of the bulk action: the agents to give every selected customer."""

    call_agent = AgentChoiceField(
        queryset=_active_agents(),
        required=False,
        empty_label="— keep each customer's call agent —",
        label="Call agent",
    )
    field_agent = AgentChoiceField(
        queryset=_active_agents(),
        required=False,
        empty_label="— keep each customer's field agent —",
        label="Field agent",
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if not self.errors and not (cleaned.get("call_agent") or cleaned.get("field_agent")):
            raise forms.ValidationError("Choose a call agent, a field agent or both.")
        return cleaned
