"""Admin forms for agents; each write goes through the agents services, as the API's do.

A service's ``DomainError`` becomes an error on the form field it names (its camelCase API
field mapped to the form's), so a conflict is shown on the form, never a 500.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.db import transaction

from agents.models import Agent
from agents.services import (
    REASON_MAX_LENGTH,
    agent_create,
    agent_link_user,
    agent_unlink_user,
    agent_update,
)
from workflow.actors import Actor
from workflow.admin_base import ServiceForm
from workflow.enums import AgentType
from workflow.errors import DomainError
from workflow.models import CrmUser

# The API's field names (DomainError.field) → the form's.
FORM_FIELDS = {
    "employeeId": "employee_id",
    "name": "name",
    "email": "email",
    "phone": "phone",
    "type": "type",
    "team": "team",
    "isActive": "is_active",
    "userId": "user",
    "agentId": "agent",
    "reason": "reason",
}
# The fields agent_update changes, in the order the audit message lists them.
UPDATABLE_FIELDS = ("name", "email", "phone", "type", "team", "is_active")


def add_domain_error(form: forms.BaseForm, exc: DomainError) -> None:
    """Show ``exc`` on the form field it names, or above the form when that field is absent."""
    name = FORM_FIELDS.get(exc.field or "")
    form.add_error(name if name in form.fields else None, exc.message)


def user_label(user: CrmUser | None) -> str:
    """``username (ROLE)``, the way the admin shows a linked CRM user."""
    return "none" if user is None else f"{user.username} ({user.role})"


class AgentAdminForm(ServiceForm):
    """The agent add/change form of the admin.

    Validating it writes nothing. ``AgentAdmin.save_model`` calls :meth:`write`, which calls
    ``agent_create`` / ``agent_update`` / ``agent_link_user`` / ``agent_unlink_user`` in the
    admin's transaction; a refusal rolls all of it back and the form is shown again with the
    error on its field (``ServiceForm``). Linking or unlinking the user needs a ``reason``.
    ``actor`` is set by ``AgentAdmin.get_form``.
    """

    email = forms.EmailField(max_length=100)
    reason = forms.CharField(
        label="Reason for the link change",
        max_length=REASON_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text="Required when the CRM user is linked, changed or unlinked; kept in the link "
        "audit.",
    )

    actor: Actor | None = None

    class Meta:
        model = Agent
        fields = ("employee_id", "name", "email", "phone", "type", "team", "is_active", "user")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.audit_message = ""  # set by the admin's save_model, for the log
        if "user" in self.fields:
            self.fields["user"].help_text = (
                "The CRM login of this agent. Only users with no agent are offered; search by "
                "username, e-mail or name."
            )

    def validate_unique(self) -> None:
        """Uniqueness is the services' to judge, with the API's messages (and race-safe)."""

    def show_service_error(self, exc: DomainError) -> None:
        add_domain_error(self, exc)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if "user" in self.fields and "user" in self.changed_data and "reason" in self.fields:
            if not (cleaned.get("reason") or "").strip():
                self.add_error("reason", "Say why the CRM user is linked or unlinked.")
        return cleaned

    def write(self, actor: Actor) -> tuple[Agent, str]:
        """Make the change through the services; the agent and the admin log's message.

        Raises the services' ``DomainError``; the caller's transaction must roll back then.
        """
        if self.instance._state.adding:
            return self._create(actor)
        return self._change(actor)

    def _create(self, actor: Actor) -> tuple[Agent, str]:
        data = self.cleaned_data
        user: CrmUser | None = data.get("user")
        agent = agent_create(
            employee_id=data["employee_id"],
            name=data["name"],
            email=data["email"],
            phone=data.get("phone") or None,
            type=data["type"],
            team=data["team"],
            actor=actor,
            user_id=user.id if user is not None else None,
            reason=data.get("reason"),
        )
        notes = ["Created"]
        if user is not None:
            reason = data["reason"].strip()
            notes.append(f"linked to user {user_label(user)} (reason: {reason})")
        if "is_active" in data and not data["is_active"]:
            agent = agent_update(agent_id=agent.id, actor=actor, is_active=False)
            notes.append("inactive")
        return agent, "; ".join(notes) + "."

    def _change(self, actor: Actor) -> tuple[Agent, str]:
        agent_id: uuid.UUID = self.instance.pk
        data = self.cleaned_data
        changed = [name for name in UPDATABLE_FIELDS if name in self.changed_data]
        notes = []
        if changed:
            agent_update(
                agent_id=agent_id,
                actor=actor,
                **{name: data[name] for name in changed},
            )
            for name in changed:
                label = self.fields[name].label or name
                notes.append(f"{label}: {self.initial.get(name)!r} → {data[name]!r}")
        if "user" in self.fields and "user" in self.changed_data:
            notes.append(self._relink(agent_id, data.get("user"), actor, data["reason"].strip()))
        agent = Agent.objects.select_related("user").get(id=agent_id)
        message = "; ".join(notes)
        return agent, f"{message[:1].upper()}{message[1:]}." if notes else ""

    def _relink(self, agent_id: uuid.UUID, user: CrmUser | None, actor: Actor, reason: str) -> str:
        previous_id = self.initial.get("user")
        previous = CrmUser.objects.filter(id=previous_id).first() if previous_id else None
        if user is None:
            agent_unlink_user(agent_id=agent_id, actor=actor, reason=reason)
            return f"unlinked from user {user_label(previous)} (reason: {reason})"
        agent_link_user(
            agent_id=agent_id, user_id=user.id, actor=actor, replace=True, reason=reason
        )
        if previous is None:
            return f"linked to user {user_label(user)} (reason: {reason})"
        return (
            f"linked to user {user_label(user)} instead of {user_label(previous)} "
            f"(reason: {reason})"
        )


class LinkPairForm(forms.Form):
    """The "link by hand" form of the linking page: an agent and a CRM user, both unlinked,
    and why. The link is made by ``agent_link_user`` after validation (the admin's view)."""

    agent = forms.ModelChoiceField(
        queryset=Agent.objects.filter(user__isnull=True),
        error_messages={"required": "Choose an agent without a user."},
    )
    user = forms.ModelChoiceField(
        queryset=CrmUser.objects.filter(agent__isnull=True, is_active=True),
        error_messages={"required": "Choose a CRM user without an agent."},
    )
    reason = forms.CharField(
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        error_messages={"required": "Say why the user is linked to the agent."},
    )


def default_agent_type(role: str) -> str:
    """The agent type matching a CRM role (AGENT for a role with no agent type)."""
    role = role.upper()
    return role if role in AgentType.values else AgentType.AGENT.value


class AgentProfileForm(forms.Form):
    """One CRM user's new agent profile, on the "create agent profile" page of the users admin.

    The agent's e-mail is the user's (the link is by e-mail); the rest is asked for.
    """

    employee_id = forms.CharField(label="Employee id", max_length=20)
    name = forms.CharField(max_length=100)
    phone = forms.CharField(max_length=20, required=False)
    type = forms.ChoiceField(choices=AgentType.choices)
    team = forms.CharField(max_length=30, widget=forms.TextInput(attrs={"list": "agent-teams"}))

    def __init__(self, *args: Any, user: CrmUser, suggested_employee_id: str, **kwargs: Any):
        kwargs.setdefault("prefix", f"user-{user.id}")
        kwargs.setdefault(
            "initial",
            {
                "employee_id": suggested_employee_id,
                "name": (user.full_name or user.username)[:100],
                "type": default_agent_type(user.role),
            },
        )
        super().__init__(*args, **kwargs)
        self.user = user

    def create(self, actor: Actor) -> Agent:
        """Create the agent linked to the user in one transaction (``DomainError`` on conflict)."""
        data = self.cleaned_data
        with transaction.atomic():
            return agent_create(
                reason="agent profile created for the CRM user in the admin",
                employee_id=data["employee_id"],
                name=data["name"],
                email=self.user.email,
                phone=data["phone"] or None,
                type=data["type"],
                team=data["team"],
                actor=actor,
                user_id=self.user.id,
            )
