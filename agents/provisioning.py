"""Agents of the auth service's users: the agent profile a login user gets, and keeping it in step
(used by the bridge's user-event handlers, ``kafka_bridge.handlers.users``).

Every write goes through :mod:`agents.services` (create, update, link), which publish the agent
events and check uniqueness; this module only decides what the profile should be.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Iterator
from typing import Literal

from django.db import transaction
from django.db.models import Exists, OuterRef

from agents import services
from agents.models import Agent
from workflow.actors import Actor
from workflow.enums import AgentType
from workflow.errors import Conflict, NotFound
from workflow.models import CrmUser

EMPLOYEE_ID_MAX_LENGTH = 20
# Tries of agent_provision_for_user to find a free employee id (each a numeric suffix more).
_EMPLOYEE_ID_ATTEMPTS = 100
_NOT_IN_EMPLOYEE_ID = re.compile(r"[^A-Z0-9._-]")

ProvisionOutcome = Literal["existing", "linked", "created"]


def agent_type_for_role(role: str | None) -> str:
    """The agent type of an auth service role: AGENT, SUPERVISOR or ADMIN (any case); any
    other role (or none) gives AGENT."""
    value = (role or "").strip().upper()
    return value if value in AgentType.values else AgentType.AGENT


def agent_name_for_user(user: CrmUser) -> str:
    """The user's first and last name, or the username when the user has neither."""
    return (user.full_name.strip() or user.username)[:100]


def employee_id_candidates(username: str) -> Iterator[str]:
    """Employee ids for a user, best first: the username upper-cased (letters, digits and
    ``._-`` only, at most 20 characters), then the same with ``-2``, ``-3``, ... (the base cut
    short so the whole stays within 20 characters)."""
    base = _NOT_IN_EMPLOYEE_ID.sub("", username.upper()) or "USER"
    yield base[:EMPLOYEE_ID_MAX_LENGTH]
    number = 2
    while True:
        suffix = f"-{number}"
        yield base[: EMPLOYEE_ID_MAX_LENGTH - len(suffix)] + suffix
        number += 1


def _profile_of(user: CrmUser) -> dict[str, str]:
    """The name, e-mail and type of the agent a user gets."""
    return {
        "name": agent_name_for_user(user),
        "email": user.email,
        "type": agent_type_for_role(user.role),
    }


def _create_for_user(*, user: CrmUser, team: str, actor: Actor) -> Agent:
    """A new agent for ``user`` under the first free employee id: ``agent_create`` refuses a
    taken one (its check, or the unique constraint for a concurrent writer) with a 409 on
    ``employeeId`` inside its own savepoint, and the next one is tried."""
    candidates = employee_id_candidates(user.username)
    for _ in range(_EMPLOYEE_ID_ATTEMPTS):
        employee_id = next(candidates)
        try:
            return services.agent_create(
                employee_id=employee_id,
                **_profile_of(user),
                phone=None,
                team=team,
                actor=actor,
                user_id=user.id,
            )
        except Conflict as exc:
            if exc.field != "employeeId":
                raise
    raise Conflict(
        f"No free employee id for user {user.username} after {_EMPLOYEE_ID_ATTEMPTS} tries.",
        field="employeeId",
    )


# savepoint=False: nested in a Kafka handler's transaction, whose failure rolls it back whole.
@transaction.atomic(savepoint=False)
def agent_provision_for_user(
    *, user_id: uuid.UUID, team: str, actor: Actor
) -> tuple[Agent, ProvisionOutcome]:
    """Make sure the CRM user ``user_id`` has an agent profile; ``(agent, outcome)``.

    * ``existing``: an agent is already linked to the user; nothing changes.
    * ``linked``: exactly one agent without a user has the user's e-mail (any case); it is
      linked to the user (``agent_link_user``, which publishes ``agent.updated``).
    * ``created``: a new agent (``agent_create``, which publishes ``agent.created``), built
      from the user's current row in ``auth_service.users``: name from first and last name,
      else the username; e-mail; type from the role (:func:`agent_type_for_role`); ``team``;
      employee id from :func:`employee_id_candidates`, the first one free. A user already
      inactive gets an inactive agent (``agent_update`` then publishes ``agent.updated``).

    404 (``userId``) when the user does not exist; 409 when the e-mail belongs to an agent
    linked to another user (``email``), or to several unlinked agents.
    """
    user = CrmUser.objects.filter(id=user_id).first()
    if user is None:
        raise NotFound(f"User {user_id} does not exist.", field="userId")
    linked = Agent.objects.filter(user_id=user_id).first()
    if linked is not None:
        return linked, "existing"
    namesakes = list(
        Agent.objects.select_for_update()
        .filter(email__iexact=user.email, user__isnull=True)
        .order_by("id")[:2]
    )
    if len(namesakes) > 1:
        raise Conflict(
            f"Several unlinked agents have the e-mail {user.email}; link one by hand.",
            field="email",
        )
    if namesakes:
        agent, _ = services.agent_link_user(agent_id=namesakes[0].id, user_id=user_id, actor=actor)
        return agent, "linked"
    agent = _create_for_user(user=user, team=team, actor=actor)
    if not user.is_active:
        agent = services.agent_update(agent_id=agent.id, actor=actor, is_active=False)
    return agent, "created"


def users_to_provision_at_once(user_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, CrmUser]:
    """Those of ``user_ids`` for whom :func:`agent_provision_for_user` would simply create an
    agent under their first employee-id candidate, so that a batch may create them set-based
    (``agents.services.new_agent_rows``): active users without an agent, whose e-mail no agent
    has (in any case: no namesake to link, no conflict) and whose first candidate no agent has.
    Among them each e-mail and each candidate goes to the first user (in ``user_ids`` order).
    The others (unknown, inactive, linked, a namesake, a taken id) are left to
    :func:`agent_provision_for_user`. Two statements, whatever the number of users."""
    ids = list(dict.fromkeys(user_ids))
    users = (
        CrmUser.objects.filter(id__in=ids, is_active=True)
        .exclude(Exists(Agent.objects.filter(user_id=OuterRef("id"))))
        .exclude(Exists(Agent.objects.filter(email__iexact=OuterRef("email"))))
    )
    found = {user.id: user for user in users}
    candidates = {
        user_id: next(employee_id_candidates(user.username)) for user_id, user in found.items()
    }
    taken = set(
        Agent.objects.filter(employee_id__in=set(candidates.values())).values_list(
            "employee_id", flat=True
        )
    )
    emails: set[str] = set()
    chosen: dict[uuid.UUID, CrmUser] = {}
    for user_id in ids:
        user = found.get(user_id)
        if user is None or candidates[user_id] in taken or user.email.upper() in emails:
            continue
        taken.add(candidates[user_id])
        emails.add(user.email.upper())
        chosen[user_id] = user
    return chosen


def agent_rows_for_user(*, user: CrmUser, team: str, actor: Actor) -> services.NewAgentRows:
    """The agent :func:`agent_provision_for_user` creates for a user of
    :func:`users_to_provision_at_once`, as unsaved rows (``services.new_agents_save``)."""
    return services.new_agent_rows(
        employee_id=next(employee_id_candidates(user.username)),
        **_profile_of(user),
        team=team,
        user=user,
        actor=actor,
    )
