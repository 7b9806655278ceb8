"""Kafka handlers of the auth service's user events: keep each user's agent profile in step.

Each event runs in one transaction with the claim of its event id (a redelivery is a no-op),
under an advisory lock on its userId; the consumer keeps one user's events in order (the
lanes, :mod:`kafka_bridge.lanes`). The three topics are not ordered against each other, so:

* ``user.created`` is not compared with other events: it provisions the agent from the user's
  CURRENT row in ``auth_service.users`` (``agent_provision_for_user``), which already holds
  whatever later events changed, and does nothing when an agent is linked to the user.
* ``user.updated`` and ``user.deactivated`` apply only when their timestamp is newer than the
  last one applied to the user (watermark ``("user", userId)``); an older event is ignored.
* ``user.updated`` for a user without an agent provisions one as ``user.created`` would (the
  ``user.created`` event may simply not have been applied yet); ``user.deactivated`` for a
  user without an agent changes nothing: a later ``user.created`` reads the inactive user row
  and creates an inactive agent.

Both also mark the user deactivated in Redis (``workflow.auth.sessions``), so that every token
of theirs is refused (401 ``SESSION_REVOKED``), and ``user.updated`` with ``isActive: true``
clears the mark; this is done first, so an event that fails later is retried and marks again.
A mark that cannot be written (Redis down) fails the event, which is retried.

Changes go through the agent services, which publish ``workflow-service.agent.created`` /
``agent.updated`` through the outbox. A refusal of those services (a ``DomainError``: an
e-mail that belongs to another agent, an unknown user) can never succeed by retrying: the
processing dead-letters the event at once, like :class:`~kafka_bridge.registry.EventRejected`.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from agents.models import Agent
from agents.provisioning import (
    agent_name_for_user,
    agent_provision_for_user,
    agent_rows_for_user,
    agent_type_for_role,
    users_to_provision_at_once,
)
from agents.services import agent_update, new_agents_save
from assignments.flags import reassignment_flags_raise, reassignment_flags_resolve_for_agent
from kafka_bridge import schemas, topics
from kafka_bridge.idempotency import advance_watermark
from kafka_bridge.registry import BatchEvent, EventMeta, batch_step, handler
from workflow.actors import Actor, system_actor
from workflow.auth import sessions
from workflow.event_schema import parse_datetime_utc
from workflow.models import CrmUser

logger = logging.getLogger(__name__)

# Who the audit columns and the events' createdBy / updatedBy name for these changes.
ACTOR_NAME = "auth-service-sync"
# event_watermarks.entity_type of the users' events.
WATERMARK_ENTITY = "user"
DEFAULT_TEAM = "Unassigned"
DEACTIVATED_REASON = "The agent's user was deactivated in the auth service"


def _actor() -> Actor:
    return system_actor(ACTOR_NAME)


def default_team() -> str:
    """The team of agents created for new users: setting ``AGENT_DEFAULT_TEAM``."""
    team = getattr(settings, "AGENT_DEFAULT_TEAM", DEFAULT_TEAM)
    if not isinstance(team, str) or not 1 <= len(team.strip()) <= 30:
        raise ImproperlyConfigured("AGENT_DEFAULT_TEAM must be a team name of 1 to 30 characters.")
    return team.strip()


def _provision(user_id: uuid.UUID, meta: EventMeta) -> Agent:
    agent, outcome = agent_provision_for_user(user_id=user_id, team=default_team(), actor=_actor())
    logger.info(
        "agent %s for user %s: %s",
        agent.employee_id,
        user_id,
        outcome,
        extra={"topic": meta.topic, "event_id": str(meta.event_id)},
    )
    return agent


def _is_newest(payload: dict[str, Any], meta: EventMeta) -> bool:
    """Record the event as the user's newest; False (and logged) when a newer one was
    already applied."""
    newest = advance_watermark(
        WATERMARK_ENTITY, payload["userId"], parse_datetime_utc(payload["timestamp"])
    )
    if not newest:
        logger.info(
            "ignored: a newer event of user %s was already applied",
            payload["userId"],
            extra={"topic": meta.topic, "event_id": str(meta.event_id)},
        )
    return newest


def _deactivated(agent: Agent, *, reason: str, meta: EventMeta) -> None:
    """Deactivate the agent (when active) and flag its current customers for reassignment."""
    if agent.is_active:
        agent_update(agent_id=agent.id, actor=_actor(), is_active=False)
    flagged = reassignment_flags_raise(agent_id=agent.id, reason=reason, event_id=meta.event_id)
    logger.info("agent %s deactivated, %s customer role(s) flagged", agent.employee_id, flagged)


@handler(
    topics.USER_CREATED,
    schema=schemas.USER_CREATED,
    key_field="userId",
    topic_setting=topics.TOPIC_SETTINGS[topics.USER_CREATED],
)
def user_created(payload: dict[str, Any], meta: EventMeta) -> None:
    """Link or create the user's agent profile unless one is linked already."""
    _provision(uuid.UUID(payload["userId"]), meta)


@batch_step(topics.USER_CREATED)
def users_created(events: Sequence[BatchEvent]) -> set[uuid.UUID]:
    """A batch's ``user.created`` events whose agent is a plain creation, set-based: two
    statements find them (``users_to_provision_at_once``), three INSERTs write the agents,
    their link audits and their ``agent.created`` events. The others (and a second event of
    one user) go through :func:`user_created`."""
    plain = users_to_provision_at_once(uuid.UUID(event.payload["userId"]) for event in events)
    team, actor = default_team(), _actor()
    rows, done = [], set()
    for event in events:
        user = plain.pop(uuid.UUID(event.payload["userId"]), None)
        if user is None:
            continue
        with event.traced():
            created = agent_rows_for_user(user=user, team=team, actor=actor)
            logger.info(
                "agent %s for user %s: created",
                created.agent.employee_id,
                user.id,
                extra={"topic": event.meta.topic, "event_id": str(event.meta.event_id)},
            )
        rows.append(created)
        done.add(event.meta.event_id)
    new_agents_save(rows)
    return done


@handler(
    topics.USER_UPDATED,
    schema=schemas.USER_UPDATED,
    key_field="userId",
    topic_setting=topics.TOPIC_SETTINGS[topics.USER_UPDATED],
)
def user_updated(payload: dict[str, Any], meta: EventMeta) -> None:
    """Sync e-mail, name, type and active flag of the user's agent (newer events only)."""
    if not _is_newest(payload, meta):
        return
    if payload.get("isActive") is False:
        sessions.mark_user_deactivated(payload["userId"])
    elif payload.get("isActive") is True:
        sessions.clear_user_deactivated(payload["userId"])
    user_id = uuid.UUID(payload["userId"])
    agent = Agent.objects.select_for_update().filter(user_id=user_id).first()
    if agent is None:
        _provision(user_id, meta)  # from the current user row: this event's changes included
        return
    user = CrmUser.objects.filter(id=user_id).first()
    changes: dict[str, Any] = {}
    if "email" in payload and payload["email"] != agent.email:
        changes["email"] = payload["email"]
    # The event names no first/last name change: the name is read from the user row.
    name = agent_name_for_user(user) if user is not None else payload.get("username")
    if name and name != agent.name:
        changes["name"] = name
    if "role" in payload and agent_type_for_role(payload["role"]) != agent.type:
        changes["type"] = agent_type_for_role(payload["role"])
    reactivated = payload.get("isActive") is True and not agent.is_active
    if "isActive" in payload and payload["isActive"] != agent.is_active:
        changes["is_active"] = payload["isActive"]
    if changes:
        agent = agent_update(agent_id=agent.id, actor=_actor(), **changes)
    if payload.get("isActive") is False:
        _deactivated(agent, reason=DEACTIVATED_REASON, meta=meta)
    elif reactivated:
        reassignment_flags_resolve_for_agent(agent_id=agent.id, actor=_actor())


@handler(
    topics.USER_DEACTIVATED,
    schema=schemas.USER_DEACTIVATED,
    key_field="userId",
    topic_setting=topics.TOPIC_SETTINGS[topics.USER_DEACTIVATED],
)
def user_deactivated(payload: dict[str, Any], meta: EventMeta) -> None:
    """Deactivate the user's agent and flag its customers for reassignment."""
    if not _is_newest(payload, meta):
        return
    sessions.mark_user_deactivated(payload["userId"])
    agent = Agent.objects.select_for_update().filter(user_id=payload["userId"]).first()
    if agent is None:
        logger.info("user %s has no agent: nothing to deactivate", payload["userId"])
        return
    reason = DEACTIVATED_REASON
    if payload.get("reason"):
        reason = f"{reason}: {payload['reason']}"
    _deactivated(agent, reason=reason, meta=meta)
