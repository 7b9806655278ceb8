"""Writes of agents: create, update, link to and unlink from a CRM user.

Each change publishes ``workflow-service.agent.created`` / ``agent.updated`` through the
outbox, in the same transaction (``agents.events``). Every link and unlink is also
recorded in ``agent_link_audit`` (who, when, why), and allowed only within the scope of
:func:`ensure_may_link`.

Uniqueness (employee id, e-mail, one agent per user) is checked first for a clear error, and
the database's unique constraints are the last word: an ``IntegrityError`` raised by a
concurrent writer becomes the same 409, never a 500.

Once ``manage.py enforce_agent_user_link`` has made ``agents.user_id`` NOT NULL, an agent
created without a user or an unlink is refused by the database; that violation becomes a
400/409 on ``userId`` as well (see ``workflow.agent_link_ddl``).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Field

from agents.events import (
    agent_created_row,
    agent_state,
    publish_agent_created,
    publish_agent_updated,
)
from agents.models import Agent, AgentLinkAudit
from workflow.actors import Actor
from workflow.business_time import aware_utc
from workflow.enums import AgentType
from workflow.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from workflow.models import CrmUser, OutboxEvent
from workflow.outbox import publish_rows
from workflow.permissions import Capability, can
from workflow.sentinels import UNSET, Unset

# Every agent needs a user once the link is enforced (agents.user_id NOT NULL).
USER_REQUIRED_MESSAGE = "every agent must be linked to a user; give userId"

# Unique constraints of workflow_service.agents → the API field at fault.
_UNIQUE_FIELDS = {
    "agents_employee_id_key": "employeeId",
    "agents_email_key": "email",
    "uk_agents_user_id": "userId",
}


def _constraint_name(exc: IntegrityError) -> str | None:
    diag = getattr(exc.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None)


def _is_user_id_not_null_violation(exc: IntegrityError) -> bool:
    """Whether ``exc`` is a NULL written into the enforced ``agents.user_id``."""
    cause = exc.__cause__
    diag = getattr(cause, "diag", None)
    return (
        getattr(cause, "sqlstate", None) == "23502"
        and getattr(diag, "column_name", None) == "user_id"
    )


def _domain_error(exc: IntegrityError) -> DomainError:
    """The API error for a constraint violation of the agents table (re-raises any other)."""
    if _is_user_id_not_null_violation(exc):
        return ValidationFailed(USER_REQUIRED_MESSAGE, field="userId")
    constraint = _constraint_name(exc) or ""
    if constraint == "fk_agents_user_id":
        # The user was deleted between our check and the write.
        return NotFound("The user does not exist.", field="userId")
    field = _UNIQUE_FIELDS.get(constraint)
    if field is None:
        raise exc
    return Conflict(f"Another agent already has this {field}.", field=field)


def _ensure_employee_id_free(employee_id: str) -> None:
    if Agent.objects.filter(employee_id=employee_id).exists():
        raise Conflict(
            f"An agent with employeeId {employee_id} already exists.", field="employeeId"
        )


def _ensure_email_free(email: str, *, exclude_id: uuid.UUID | None = None) -> None:
    # The column's unique constraint is case-sensitive; people's addresses are not.
    others = Agent.objects.filter(email__iexact=email)
    if exclude_id is not None:
        others = others.exclude(id=exclude_id)
    if others.exists():
        raise Conflict(f"An agent with e-mail {email} already exists.", field="email")


def _user_holder(user_id: uuid.UUID, *, agent_id: uuid.UUID | None) -> str | None:
    """The employee id of the agent other than ``agent_id`` linked to the user ``user_id``
    (None when there is none): one statement. 404 on ``userId`` when the user does not exist.

    Only the clear error comes from here: ``uk_agents_user_id`` has the last word."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.employee_id FROM auth_service.users u "
            "LEFT JOIN workflow_service.agents a ON a.user_id = u.id AND a.id IS DISTINCT FROM %s "
            "WHERE u.id = %s",
            [agent_id, user_id],
        )
        row = cursor.fetchone()
    if row is None:
        raise NotFound(f"User {user_id} does not exist.", field="userId")
    return row[0]


def _ensure_user_free(user_id: uuid.UUID, holder: str | None) -> None:
    """409 when ``holder`` (:func:`_user_holder`) names another agent linked to ``user_id``."""
    if holder is not None:
        raise Conflict(f"User {user_id} is already linked to agent {holder}.", field="userId")


def _locked_agent(agent_id: uuid.UUID, *, field: str | None = None) -> Agent:
    agent = Agent.objects.select_for_update().filter(id=agent_id).first()
    if agent is None:
        raise NotFound(f"Agent {agent_id} does not exist.", field=field)
    return agent


# Agent field name (``user`` or ``user_id``) → (its column, the field), for _save's UPDATE.
_COLUMNS: dict[str, tuple[str, Field[Any, Any]]] = {}
for _field in Agent._meta.concrete_fields:
    _attname, _column = _field.get_attname_column()
    if _column is not None:
        _COLUMNS[_field.name] = _COLUMNS[_attname] = (_column, _field)


def _save(agent: Agent, *, update_fields: list[str]) -> None:
    """Write the changed columns in one ``UPDATE ... RETURNING updated_at`` (the trigger sets
    it); a unique violation becomes a 409, a NULL user once the link is enforced a 400.

    Call it as the last statement before the commit, after the audit and outbox rows: the
    trigger of ``workflow.table_versions`` locks the agents table's version row from this
    write to the commit, which serialises every writer of the table for that time. No
    savepoint: the caller's atomic block rolls the violation back, and nothing runs between
    the violation and the error.
    """
    columns = [_COLUMNS[name] for name in update_fields]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(column)} = %s" for column, _ in columns)
    values = [
        field.get_db_prep_save(getattr(agent, field.attname), connection) for _, field in columns
    ]
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {quote(Agent._meta.db_table)} SET {assignments} "
                "WHERE id = %s RETURNING updated_at",
                [*values, agent.id],
            )
            row = cursor.fetchone()
    except IntegrityError as exc:
        raise _domain_error(exc) from exc
    assert row is not None, "the agent is locked by _locked_agent"
    agent.updated_at = aware_utc(row[0])


# --- Who may link whom (README, "Roles and permissions") -------------------------------------

REASON_MAX_LENGTH = 500


def supervisor_team(actor: Actor) -> str | None:
    """The team a supervisor may link within: that of the agent linked to ``actor``'s CRM user
    (None without one)."""
    if actor.user_id is None:
        return None
    return Agent.objects.filter(user_id=actor.user_id).values_list("team", flat=True).first()


def ensure_may_link(
    *, actor: Actor, agent_label: str, agent_type: str, team: str, users: list[CrmUser]
) -> None:
    """403 unless ``actor`` may link (or unlink) ``users`` and the agent described.

    The one place of the linking scope: system processes (commands, Kafka handlers) and ADMIN
    may link any agent to any user. A SUPERVISOR may link only an agent of type AGENT in the
    supervisor's own team (the team of the agent linked to the supervisor's CRM user) and only
    users whose role is AGENT; linking supervisors and admins stays with admins. Nobody else
    may link at all.
    """
    if actor.system or can(actor, Capability.LINK_ANY_USER):
        return
    if not can(actor, Capability.LINK_USERS):
        raise Forbidden("Linking a user to an agent needs the SUPERVISOR or ADMIN role.")
    team_of_actor = supervisor_team(actor)
    if team_of_actor is None:
        raise Forbidden(
            "A supervisor links users only to agents of their own team, and you have no "
            "agent profile with a team; ask an admin.",
            field="agentId",
        )
    if agent_type != AgentType.AGENT:
        raise Forbidden(
            f"Agent {agent_label} is of type {agent_type}: only an admin may link supervisors "
            "and admins.",
            field="agentId",
        )
    if team != team_of_actor:
        raise Forbidden(
            f"Agent {agent_label} is in team {team}, not in your team {team_of_actor}: only "
            "an admin may link it.",
            field="agentId",
        )
    for user in users:
        if user.role.strip().upper() != AgentType.AGENT:
            raise Forbidden(
                f"User {user.username} has the role {user.role}: only an admin may link "
                "supervisors and admins.",
                field="userId",
            )


def _ensure_may_link_users(
    actor: Actor, *, agent_label: str, agent_type: str, team: str, user_ids: list[uuid.UUID]
) -> None:
    """:func:`ensure_may_link` for users known by id, read only when the scope needs them."""
    if actor.system or can(actor, Capability.LINK_ANY_USER):
        return  # no need to read the users
    ensure_may_link(
        actor=actor,
        agent_label=agent_label,
        agent_type=agent_type,
        team=team,
        users=list(CrmUser.objects.filter(id__in=user_ids)),
    )


def _ensure_may_link_agent(actor: Actor, agent: Agent, user_ids: list[uuid.UUID]) -> None:
    _ensure_may_link_users(
        actor,
        agent_label=agent.employee_id,
        agent_type=agent.type,
        team=agent.team,
        user_ids=user_ids,
    )


def _clean_reason(reason: str | None) -> str | None:
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationFailed(
            f"The reason is longer than {REASON_MAX_LENGTH} characters.", field="reason"
        )
    return reason or None


def _link_audit(
    agent: Agent, user_id: uuid.UUID, operation: str, reason: str | None, actor: Actor
) -> AgentLinkAudit:
    return link_audit_row(
        agent_id=agent.id, user_id=user_id, operation=operation, reason=reason, actor=actor
    )


def link_audit_row(
    *, agent_id: uuid.UUID, user_id: uuid.UUID, operation: str, reason: str | None, actor: Actor
) -> AgentLinkAudit:
    """The audit row of a link or unlink, not yet saved (set-based writers save many at once)."""
    return AgentLinkAudit(
        agent_id=agent_id,
        user_id=user_id,
        operation=operation,
        reason=reason,
        actor_user_id=actor.user_id,
        actor_username=actor.username[:50],
    )


@transaction.atomic
def agent_create(
    *,
    employee_id: str,
    name: str,
    email: str,
    phone: str | None,
    type: str,
    team: str,
    actor: Actor,
    user_id: uuid.UUID | None = None,
    reason: str | None = None,
) -> Agent:
    """Create an active agent, linked to the CRM user ``user_id`` when given.

    409 on a duplicate employeeId or e-mail, or when the user is linked to another agent
    (``userId``); 404 for an unknown user; 403 when the link is outside the actor's scope
    (:func:`ensure_may_link`). Without ``user_id`` the agent is not linked, which the
    database refuses once the link is enforced: 400 on ``userId``. The link is audited with
    ``reason``.
    """
    reason = _clean_reason(reason)
    _ensure_employee_id_free(employee_id)
    _ensure_email_free(email)
    if user_id is not None:
        holder = _user_holder(user_id, agent_id=None)
        _ensure_may_link_users(
            actor, agent_label=employee_id, agent_type=type, team=team, user_ids=[user_id]
        )
        _ensure_user_free(user_id, holder)
    agent = _new_agent(
        employee_id=employee_id,
        name=name,
        email=email,
        phone=phone,
        type=type,
        team=team,
        user_id=user_id,
        actor=actor,
    )
    # The event first: the INSERT locks the agents table's version row to the commit (see
    # _save); only the link's audit row, which needs the agent, goes after it.
    publish_agent_created(agent=agent, actor=actor)
    try:
        # No savepoint of its own: this function's atomic block is one (or the transaction),
        # and nothing runs between the violation and the error that rolls it back.
        agent.save(force_insert=True)
    except IntegrityError as exc:
        raise _domain_error(exc) from exc
    if user_id is not None:
        _link_audit(agent, user_id, "LINK", reason, actor).save(force_insert=True)
    return agent


def _new_agent(
    *,
    employee_id: str,
    name: str,
    email: str,
    phone: str | None,
    type: str,
    team: str,
    user_id: uuid.UUID | None,
    actor: Actor,
) -> Agent:
    return Agent(
        employee_id=employee_id,
        name=name,
        email=email,
        phone=phone or None,
        type=type,
        team=team,
        is_active=True,
        user_id=user_id,
        created_by=actor.username,
        updated_by=actor.username,
    )


@dataclass(frozen=True)
class NewAgentRows:
    """What creating an agent for a user writes: the agent, its link's audit, agent.created."""

    agent: Agent
    audit: AgentLinkAudit
    event: OutboxEvent


def new_agent_rows(
    *, employee_id: str, name: str, email: str, type: str, team: str, user: CrmUser, actor: Actor
) -> NewAgentRows:
    """The rows :func:`agent_create` writes for an agent linked to ``user``, not yet saved,
    for a set-based caller (``agents.provisioning.users_to_provision_at_once``) that has
    checked what ``agent_create`` checks: employee id and e-mail free, the user exists and
    has no agent. The actor's right to link is checked here. Save them with
    :func:`new_agents_save`; the unique constraints refuse what a concurrent writer took."""
    ensure_may_link(actor=actor, agent_label=employee_id, agent_type=type, team=team, users=[user])
    agent = _new_agent(
        employee_id=employee_id,
        name=name,
        email=email,
        phone=None,
        type=type,
        team=team,
        user_id=user.id,
        actor=actor,
    )
    return NewAgentRows(
        agent=agent,
        audit=link_audit_row(
            agent_id=agent.id, user_id=user.id, operation="LINK", reason=None, actor=actor
        ),
        event=agent_created_row(agent=agent, actor=actor),
    )


def new_agents_save(rows: Sequence[NewAgentRows]) -> None:
    """Save rows of :func:`new_agent_rows`: three INSERTs whatever their number."""
    if not rows:
        return
    Agent.objects.bulk_create([row.agent for row in rows])
    AgentLinkAudit.objects.bulk_create([row.audit for row in rows])
    publish_rows([row.event for row in rows])


@transaction.atomic
def agent_update(
    *,
    agent_id: uuid.UUID,
    actor: Actor,
    name: str | Unset = UNSET,
    email: str | Unset = UNSET,
    phone: str | Unset | None = UNSET,
    type: str | Unset = UNSET,
    team: str | Unset = UNSET,
    is_active: bool | Unset = UNSET,
) -> Agent:
    """Change the given fields of an agent (the others keep their values).

    404 for an unknown agent, 409 when the e-mail belongs to another agent. The database
    trigger sets ``updated_at``.
    """
    agent = _locked_agent(agent_id)
    before = agent_state(agent)
    changed: list[str] = []
    if not isinstance(name, Unset):
        agent.name = name
        changed.append("name")
    if not isinstance(email, Unset):
        _ensure_email_free(email, exclude_id=agent.id)
        agent.email = email
        changed.append("email")
    if not isinstance(phone, Unset):
        agent.phone = phone or None
        changed.append("phone")
    if not isinstance(type, Unset):
        agent.type = type
        changed.append("type")
    if not isinstance(team, Unset):
        agent.team = team
        changed.append("team")
    if not isinstance(is_active, Unset):
        agent.is_active = is_active
        changed.append("is_active")
    if not changed:
        return agent
    agent.updated_by = actor.username
    publish_agent_updated(agent=agent, before=before, actor=actor)  # when a value changed
    _save(agent, update_fields=[*changed, "updated_by"])  # last: see _save
    return agent


@transaction.atomic
def agent_link_user(
    *,
    agent_id: uuid.UUID,
    user_id: uuid.UUID,
    actor: Actor,
    replace: bool = False,
    reason: str | None = None,
) -> tuple[Agent, bool]:
    """Link an agent to a CRM user; returns the agent and whether anything changed.

    404 for an unknown agent (``agentId``) or user (``userId``); 403 when the agent or a user
    is outside the actor's scope (:func:`ensure_may_link`); 409 when the user is linked to
    another agent (``userId``) or, unless ``replace``, the agent to another user
    (``agentId``). ``replace`` moves the agent from its user to ``user_id`` in one update,
    the only way to change the user once the link is enforced (no unlinked moment).
    Linking the pair already linked changes nothing. A change is audited (an UNLINK of the
    previous user first when replacing, then the LINK) with ``reason``, and published as
    ``agent.updated`` carrying the reason.
    """
    reason = _clean_reason(reason)
    # The row lock serialises links of the same agent; uk_agents_user_id those of one user.
    agent = _locked_agent(agent_id, field="agentId")
    before = agent_state(agent)
    holder = _user_holder(user_id, agent_id=agent.id)
    previous = agent.user_id
    _ensure_may_link_agent(actor, agent, [user_id] if previous is None else [user_id, previous])
    if previous == user_id:
        return agent, False
    _ensure_user_free(user_id, holder)
    if previous is not None and not replace:
        raise Conflict(
            f"Agent {agent.employee_id} is already linked to user {agent.user_id}; "
            "unlink it first.",
            field="agentId",
        )
    audits = [] if previous is None else [_link_audit(agent, previous, "UNLINK", reason, actor)]
    AgentLinkAudit.objects.bulk_create(
        [*audits, _link_audit(agent, user_id, "LINK", reason, actor)]
    )
    agent.user_id = user_id
    agent.updated_by = actor.username
    publish_agent_updated(agent=agent, before=before, actor=actor, reason=reason)
    _save(agent, update_fields=["user", "updated_by"])  # last: see _save
    return agent, True


@transaction.atomic
def agent_unlink_user(*, agent_id: uuid.UUID, actor: Actor, reason: str | None = None) -> Agent:
    """Remove an agent's link to its CRM user; an agent with no link is left as it is.

    404 for an unknown agent; 403 outside the actor's scope (:func:`ensure_may_link`); 409 on
    ``userId`` once the link is enforced (every agent must keep a user). Audited with
    ``reason`` and published as ``agent.updated`` carrying it.
    """
    reason = _clean_reason(reason)
    agent = _locked_agent(agent_id)
    if agent.user_id is None:
        return agent
    previous = agent.user_id
    _ensure_may_link_agent(actor, agent, [previous])
    before = agent_state(agent)
    _link_audit(agent, previous, "UNLINK", reason, actor).save(force_insert=True)
    agent.user_id = None
    agent.updated_by = actor.username
    publish_agent_updated(agent=agent, before=before, actor=actor, reason=reason)
    try:
        _save(agent, update_fields=["user", "updated_by"])  # last: see _save
    except ValidationFailed as exc:
        raise Conflict(
            f"Agent {agent.employee_id} cannot be unlinked: every agent must be linked to a "
            "user (the link is enforced). Link it to another user instead.",
            field="userId",
        ) from exc
    return agent
