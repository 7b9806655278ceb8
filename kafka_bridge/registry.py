"""Topic → handler registry.

A handler is a function ``(payload, meta) -> None`` registered for one topic::

    @handler(topics.USER_CREATED, schema=schemas.USER_CREATED, key_field="userId")
    def user_created(payload: dict[str, Any], meta: EventMeta) -> None:
        agent_link_user(...)  # one service call

The consumer validates each message against ``schema`` (a failure dead-letters it), skips event
types the handler does not take (``event_types``), and hands the payload (an inbox row) to the
Celery task ``kafka_bridge.tasks.handle_events``, which claims the event id (idempotency) and
calls the handler inside one transaction (shared with the other events of its batch; a handler
must not commit, and anything it raises rolls the batch back to be applied one by one).
Handlers live in :mod:`kafka_bridge.handlers`, imported when Django starts
(``KafkaBridgeConfig.ready``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from workflow.event_schema import Schema, get_path


class EventRejected(Exception):
    """Raised by a handler for an event that can never succeed: it is dead-lettered at once,
    without retries, with this message as its ``dlq-error``."""


@dataclass(frozen=True)
class EventMeta:
    """Where a payload came from."""

    topic: str
    key: str | None
    event_id: uuid.UUID
    headers: Mapping[str, str] = field(default_factory=dict)
    partition: int | None = None
    offset: int | None = None


HandlerFunc = Callable[[dict[str, Any], EventMeta], None]


@dataclass(frozen=True)
class BatchEvent:
    """An event of a batch handed to its topic's batch step."""

    payload: dict[str, Any]
    meta: EventMeta
    # Enters the event's trace: what is built inside names it (log lines, produced events'
    # request-id header), as inside its handler.
    traced: Callable[[], AbstractContextManager[None]]


# Does the work of some of a batch's events set-based, in the batch's transaction, before the
# handlers run; returns the ids of the events it did, whose handlers are then not called.
BatchStep = Callable[[Sequence[BatchEvent]], set[uuid.UUID]]


@dataclass(frozen=True)
class Registration:
    """A handler and how to read its topic's messages."""

    topic: str
    func: HandlerFunc
    schema: Schema
    key_field: str | None = None
    event_id_field: str = "id"
    # Other names of the event id, tried in order when ``event_id_field`` is absent.
    event_id_aliases: tuple[str, ...] = ()
    event_types: frozenset[str] | None = None
    event_type_field: str = "event_type"
    topic_setting: str | None = None
    # Set by :func:`batch_step`; None: every event goes through ``func``.
    batch_step: BatchStep | None = None

    @property
    def name(self) -> str:
        return f"{self.func.__module__}.{self.func.__qualname__}"

    def topic_name(self) -> str:
        """The topic consumed: ``topic``, or the value of ``topic_setting`` when it is set."""
        if self.topic_setting:
            value = getattr(settings, self.topic_setting, self.topic)
            if not isinstance(value, str) or not value:
                raise ImproperlyConfigured(f"{self.topic_setting} must be a non-empty topic name.")
            return value
        return self.topic

    def validate(self, payload: Any) -> list[str]:
        return self.schema.validate(payload)

    def skip_reason(self, payload: Mapping[str, Any]) -> str | None:
        """Why a (JSON object) message is not for this handler, or None when it is."""
        if self.event_types is None:
            return None
        kind = payload.get(self.event_type_field)
        if isinstance(kind, str) and kind not in self.event_types:
            return f"{self.event_type_field} {kind!r} is not handled"
        return None

    @property
    def event_id_fields(self) -> tuple[str, ...]:
        return (self.event_id_field, *self.event_id_aliases)

    def _event_id_value(self, payload: Mapping[str, Any]) -> Any:
        for name in self.event_id_fields:
            value = get_path(payload, name)
            if value not in (None, ""):
                return value
        return None

    def event_id(self, payload: Mapping[str, Any]) -> uuid.UUID:
        return uuid.UUID(str(self._event_id_value(payload)))

    def ordering_key(self, payload: Mapping[str, Any], message_key: str | None) -> str:
        """The key whose events must be applied in order: the payload's ``key_field`` (the
        entity), else the Kafka message key, else the event id (no ordering needed)."""
        if self.key_field:
            value = get_path(payload, self.key_field)
            if value not in (None, ""):
                return str(value)
        if message_key:
            return message_key
        return str(self._event_id_value(payload))


_REGISTRY: dict[str, Registration] = {}


def handler(
    topic: str,
    *,
    schema: Schema,
    key_field: str | None = None,
    event_id_field: str = "id",
    event_id_aliases: Iterable[str] = (),
    event_types: Iterable[str] | None = None,
    event_type_field: str = "event_type",
    topic_setting: str | None = None,
) -> Callable[[HandlerFunc], HandlerFunc]:
    """Register the decorated function as the handler of ``topic``.

    ``schema`` validates every message (its ``event_id_field`` must be a uuid field, required
    unless ``event_id_aliases`` names other uuid fields that may carry the id instead, the
    schema then requiring one of them with ``one_of_required``);
    ``key_field`` (dotted path) names the entity whose events must stay in order;
    ``event_types`` (read at ``event_type_field``) limits the handler to those types, others
    are skipped; ``topic_setting`` names a Django setting that renames the topic.
    """
    aliases = tuple(event_id_aliases)
    for name in (event_id_field, *aliases):
        id_field = schema.fields.get(name.split(".")[0])
        if "." not in name and (id_field is None or id_field.kind != "uuid"):
            raise ImproperlyConfigured(f"{topic}: schema must require a uuid {name!r}.")
    if aliases and (event_id_field, *aliases) not in schema.one_of_required:
        raise ImproperlyConfigured(
            f"{topic}: schema must require one of {(event_id_field, *aliases)} (one_of_required)."
        )

    def register(func: HandlerFunc) -> HandlerFunc:
        existing = _REGISTRY.get(topic)
        if existing is not None and existing.name != f"{func.__module__}.{func.__qualname__}":
            raise ImproperlyConfigured(f"{topic} already has a handler: {existing.name}")
        _REGISTRY[topic] = Registration(
            topic=topic,
            func=func,
            schema=schema,
            key_field=key_field,
            event_id_field=event_id_field,
            event_id_aliases=aliases,
            event_types=frozenset(event_types) if event_types is not None else None,
            event_type_field=event_type_field,
            topic_setting=topic_setting,
        )
        return func

    return register


def batch_step(topic: str) -> Callable[[BatchStep], BatchStep]:
    """Register the decorated function as the batch step of ``topic``'s handler (registered
    before it): in a batch (``processing.apply_inbox_batch``) it gets the topic's events that
    are new, oldest first, and does the work of those it can set-based, which must be exactly
    what the handler would do for each; the handler runs for the others, after it. An event
    applied one by one (outside a batch, or when a batch failed) goes through the handler."""

    def register(func: BatchStep) -> BatchStep:
        registration = _REGISTRY.get(topic)
        if registration is None:
            raise ImproperlyConfigured(f"{topic} has no handler for the batch step {func}.")
        _REGISTRY[topic] = replace(registration, batch_step=func)
        return func

    return register


def registrations() -> list[Registration]:
    return list(_REGISTRY.values())


def for_topic(topic_name: str) -> Registration | None:
    """The registration consuming ``topic_name`` (settings-renamed topics resolved)."""
    for registration in _REGISTRY.values():
        if registration.topic_name() == topic_name:
            return registration
    return None


def has_handler(topic: str) -> bool:
    """Whether the (logical, DESIGN.md) ``topic`` has a registered handler."""
    return topic in _REGISTRY


def handled_topic_names(logical_topics: Iterable[str]) -> list[str]:
    """The consumed names of those of ``logical_topics`` that have a handler."""
    return [_REGISTRY[t].topic_name() for t in logical_topics if t in _REGISTRY]
