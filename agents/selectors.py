"""Reads of agents: lists, lookups by id, user and actor, team names and employee-id suggestions."""

from __future__ import annotations

import re
import uuid
from typing import NamedTuple

from django.db import connection
from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Coalesce, Concat

from agents.api.filters import AgentFilter
from agents.models import Agent
from workflow.actors import Actor
from workflow.errors import AgentNotFound, Forbidden, NotFound
from workflow.models import CrmUser
from workflow.sql_model import SqlModel

# An employee id made of a letter prefix and a number (EMP001), for suggesting the next ones.
_EMPLOYEE_ID = re.compile(r"^(?P<prefix>[A-Za-z]*)(?P<number>[0-9]{1,12})$")


class AgentRef(NamedTuple):
    """An agent as the rows of plain-SQL lists carry it (``workflow.sql_list``): the name and
    employee id a list item or an admin history row shows."""

    name: str
    employee_id: str


_AGENT = SqlModel(Agent, alias="a")
_AGENT_OF_USER = (
    f"SELECT {_AGENT.columns} FROM workflow_service.agents a WHERE a.user_id = %s::uuid"
)
_AGENT_BY_ID = f"SELECT {_AGENT.columns} FROM workflow_service.agents a WHERE a.id = %s::uuid"


def agent_for_actor(actor: Actor) -> Agent:
    """The agent profile linked to the calling user; 403 ``AGENT_NOT_FOUND`` when none.

    Every write of an agent reads it first: plain SQL (``workflow.sql_model``), one indexed
    statement (``user_id`` is unique), as for the other single-agent lookups here."""
    agent = _AGENT.one(_AGENT_OF_USER, [actor.user_id]) if actor.user_id else None
    if agent is None:
        raise _no_agent_profile(actor)
    return agent


def agent_id_for_actor(actor: Actor) -> uuid.UUID:
    """The id of the calling user's agent profile (``agent_for_actor``'s 403 when none).

    Every request of an agent acting within OWN_WORK reads it, for its scope: one indexed
    statement without the ORM (building the queryset and a model cost 0.4 ms a request)."""
    row = None
    if actor.user_id:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id FROM workflow_service.agents WHERE user_id = %s", [actor.user_id]
            )
            row = cursor.fetchone()
    if row is None:
        raise _no_agent_profile(actor)
    return uuid.UUID(str(row[0]))


def _no_agent_profile(actor: Actor) -> AgentNotFound:
    return AgentNotFound(
        f"User {actor.username} has no agent profile; ask an administrator to link one."
    )


def active_agent_for_actor(actor: Actor) -> Agent:
    """The caller's own agent profile, which must be active to record or change work."""
    agent = agent_for_actor(actor)
    if not agent.is_active:
        raise Forbidden(
            f"Agent {agent.employee_id} is inactive and cannot record or change work; "
            "ask a supervisor to reactivate the profile."
        )
    return agent


def agents_list(
    *, type: str | None = None, team: str | None = None, is_active: bool | None = None
) -> QuerySet[Agent]:
    """Agents matching the filters (None = any), ordered by name then id (a stable order)."""
    filters = {"type": type, "team": team, "is_active": is_active}
    return AgentFilter.apply(filters, Agent.objects.all()).order_by("name", "id")


def agent_by_id(agent_id: uuid.UUID) -> Agent:
    """The agent with ``agent_id``; 404 ``NOT_FOUND`` when none."""
    agent = _AGENT.one(_AGENT_BY_ID, [agent_id])
    if agent is None:
        raise NotFound(f"Agent {agent_id} does not exist.")
    return agent


def agent_by_user(user_id: uuid.UUID) -> Agent:
    """The agent linked to the CRM user ``user_id``; 404 ``NOT_FOUND`` when none is."""
    agent = _AGENT.one(_AGENT_OF_USER, [user_id])
    if agent is None:
        raise NotFound(f"No agent is linked to user {user_id}.")
    return agent


def agent_teams() -> list[str]:
    """The teams agents belong to, sorted (suggestions for forms; teams are free text)."""
    return list(Agent.objects.order_by("team").values_list("team", flat=True).distinct())


def suggested_employee_ids(count: int) -> list[str]:
    """``count`` unused employee ids following the most common ``<letters><digits>`` pattern.

    For ``EMP001``..``EMP042`` that is ``EMP043``, ``EMP044``, ...; ``EMP001`` onwards when
    there is no agent. Only a suggestion for a person to confirm: ids come from HR.
    """
    prefixes: dict[tuple[str, int], int] = {}
    highest: dict[tuple[str, int], int] = {}
    for employee_id in Agent.objects.values_list("employee_id", flat=True).iterator():
        match = _EMPLOYEE_ID.match(employee_id)
        if match is None:
            continue
        key = (match["prefix"], len(match["number"]))
        prefixes[key] = prefixes.get(key, 0) + 1
        highest[key] = max(highest.get(key, 0), int(match["number"]))
    if prefixes:
        prefix, width = max(prefixes, key=lambda key: (prefixes[key], key))
        start = highest[(prefix, width)] + 1
    else:
        prefix, width, start = "EMP", 3, 1
    return [f"{prefix}{number:0{width}d}" for number in range(start, start + count)]


def unlinked_agents_matching(search: str) -> QuerySet[Agent]:
    """Agents without a CRM user whose name, e-mail or employee id contains ``search`` (any
    case; every unlinked agent when it is blank), by name."""
    agents = Agent.objects.filter(user__isnull=True)
    term = search.strip()
    if term:
        agents = agents.filter(
            Q(name__icontains=term) | Q(email__icontains=term) | Q(employee_id__icontains=term)
        )
    return agents.order_by("name", "id")


def unlinked_users_matching(search: str) -> QuerySet[CrmUser]:
    """Active CRM users no agent is linked to whose name (first, last or both), username or
    e-mail contains ``search`` (any case; all of them when it is blank), by username."""
    users = CrmUser.objects.filter(agent__isnull=True, is_active=True)
    term = search.strip()
    if term:
        users = users.annotate(
            full_name_text=Concat(
                Coalesce("first_name", Value("")), Value(" "), Coalesce("last_name", Value(""))
            )
        ).filter(
            Q(username__icontains=term)
            | Q(email__icontains=term)
            | Q(full_name_text__icontains=term)
        )
    return users.order_by("username", "id")
