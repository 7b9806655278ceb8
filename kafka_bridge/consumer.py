"""The consumer loop: Kafka message → validated payload → Celery task, then commit.

One :class:`EventConsumer` serves one consumer group. Each step reads a batch and handles the
messages in order. A message that is not JSON, or fails its topic's schema, goes to
``<topic>.dlq``. A message whose event type its handler does not take is skipped (logged).
Every other message is recorded in the inbox (:mod:`kafka_bridge.inbox`, a PostgreSQL table) and
becomes a ``kafka_bridge.tasks.handle_event`` task on the lane queue of its key
(:mod:`kafka_bridge.lanes`) naming its inbox row.

Offsets are committed synchronously after the batch, and only up to messages that were handed
off (recorded in the inbox and sent to Celery), dead-lettered or skipped. That is at-least-once
delivery: after a crash, messages handed off but not yet committed come again, keep their inbox
row, and the task finds their event id already claimed. A Celery task can still be lost after the
commit (kombu's Redis transport pops a task before it records it as unacknowledged, so a lane
worker killed in between loses it): its event stays in the inbox, and every
``KAFKA_INBOX_REDISPATCH_SECONDS`` / 2 the consumer sends a task again for the keys of its topics
with a row older than that.

When a hand-off fails (PostgreSQL or Redis down) or a dead letter is not acknowledged (Kafka
down), the message is not committed. The consumer seeks its partition back to that message,
pauses (0.5 s doubling to 30 s) and tries again, so nothing is skipped or reordered. librdkafka
reconnects to the broker by itself; kombu reconnects to Redis on the next hand-off.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from confluent_kafka import Consumer, KafkaError, KafkaException, Message, Producer, TopicPartition

from kafka_bridge import conf, inbox, lanes, registry
from kafka_bridge.clients import header_text, make_consumer
from kafka_bridge.dlq import DeadLetterError, dead_letter_message
from workflow.runloop import StopFlag

logger = logging.getLogger(__name__)

HANDED_OFF = "handed-off"
SKIPPED = "skipped"
DEAD_LETTERED = "dead-lettered"

# kombu's publish retries before a hand-off counts as failed (the consumer then backs off).
HANDOFF_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0.1,
    "interval_step": 0.5,
    "interval_max": 1.0,
}

Dispatch = Callable[..., None]


class HandoffFailed(Exception):
    """A message could not be handed off or dead-lettered; it must be read again."""


def celery_hand_off(
    *,
    topic: str,
    key: str | None,
    payload: dict[str, Any],
    headers: dict[str, str],
    partition: int | None,
    offset: int | None,
    queue: str,
    inbox_id: int | None = None,
) -> None:
    """Send the event (its inbox row ``inbox_id``) to its lane; returns once the Celery broker
    accepted the task."""
    from kafka_bridge.tasks import handle_event

    handle_event.apply_async(
        kwargs={
            "topic": topic,
            "key": key,
            "payload": payload,
            "headers": headers,
            "partition": partition,
            "offset": offset,
            "inbox_id": inbox_id,
        },
        queue=queue,
        # The worker's log lines of this event carry its id as request_id (workflow.request_id).
        headers={"request_id": str(headers.get("event-id") or payload.get("id") or "")},
        retry=True,
        retry_policy=HANDOFF_RETRY_POLICY,
        # What Celery logs and shows for the task: where the event came from, not its payload
        # (customer data stays out of the logs, and repr-ing payloads costs time).
        argsrepr="()",
        kwargsrepr=(
            f"{{'topic': {topic!r}, 'partition': {partition}, 'offset': {offset}, "
            f"'inbox_id': {inbox_id}}}"
        ),
    )


@dataclass
class ConsumerStats:
    handed_off: int = 0
    skipped: int = 0
    dead_lettered: int = 0
    handoff_failures: int = 0
    commits: int = 0
    redispatched: int = 0


def _decode(value: str | bytes | None) -> str | None:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


class EventConsumer:
    """One consumer group: the handled topics of that group, handed off in order."""

    def __init__(
        self,
        *,
        group_id: str,
        topic_names: list[str],
        dlq_producer: Producer,
        stop: StopFlag,
        batch_size: int = 500,
        dispatch: Dispatch = celery_hand_off,
        max_pause: float = 30.0,
        **config: Any,
    ) -> None:
        self.group_id = group_id
        self.topic_names = topic_names
        self.dlq_producer = dlq_producer
        self.stop = stop
        self.batch_size = batch_size
        self.dispatch = dispatch
        self.max_pause = max_pause
        self.stats = ConsumerStats()
        self.consumer: Consumer = make_consumer(group_id, **config)
        self._pending: dict[tuple[str, int], int] = {}  # (topic, partition) -> next offset
        self._paused_until = 0.0
        self._pause = 0.0
        self._last_report = time.monotonic()
        self._last_sweep = 0.0

    # --- lifecycle ------------------------------------------------------------------------

    def start(self) -> None:
        self.consumer.subscribe(self.topic_names, on_revoke=self._on_revoke, on_lost=self._on_lost)
        logger.info("consumer started", extra={"group": self.group_id, "topics": self.topic_names})

    def close(self) -> None:
        """Commit what was handed off and leave the group."""
        try:
            self._commit()
        finally:
            self.consumer.close()
            logger.info(
                "consumer stopped",
                extra={"group": self.group_id, **self.stats.__dict__},
            )

    def _on_revoke(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        self._commit()
        revoked = {(tp.topic, tp.partition) for tp in partitions}
        self._pending = {tp: o for tp, o in self._pending.items() if tp not in revoked}

    def _on_lost(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        lost = {(tp.topic, tp.partition) for tp in partitions}
        self._pending = {tp: o for tp, o in self._pending.items() if tp not in lost}

    # --- the loop -------------------------------------------------------------------------

    def step(self, timeout: float) -> int:
        """Read one batch (waiting up to ``timeout`` s) and handle it; return how many messages
        were handled (handed off, skipped or dead-lettered)."""
        now = time.monotonic()
        if now < self._paused_until:
            self.stop.wait(min(timeout, self._paused_until - now))
            return 0
        messages = self.consumer.consume(self.batch_size, timeout)
        handled = 0
        for index, message in enumerate(messages):
            error = message.error()
            if error is not None:
                self._log_kafka_error(error)
                continue
            if self.stop.stopping:
                self._rewind(messages[index:])
                break
            try:
                outcome = self._handle(message)
            except HandoffFailed as exc:
                self.stats.handoff_failures += 1
                self._pause = min(max(self._pause * 2, 0.5), self.max_pause)
                self._paused_until = time.monotonic() + self._pause
                logger.warning(
                    "hand-off failed; the message will be read again in %.1f s: %s",
                    self._pause,
                    exc,
                    extra={
                        "group": self.group_id,
                        "topic": message.topic(),
                        "partition": message.partition(),
                        "offset": message.offset(),
                    },
                )
                self._rewind(messages[index:])
                break
            self._pause = 0.0
            handled += 1
            topic, partition, offset = message.topic(), message.partition(), message.offset()
            assert topic is not None and partition is not None and offset is not None
            self._pending[(topic, partition)] = offset + 1
            if outcome == HANDED_OFF:
                self.stats.handed_off += 1
            elif outcome == SKIPPED:
                self.stats.skipped += 1
            else:
                self.stats.dead_lettered += 1
        self._commit()
        self._sweep_inbox()
        self._report()
        return handled

    def _handle(self, message: Message) -> str:
        topic = message.topic()
        assert topic is not None
        registration = registry.for_topic(topic)
        if registration is None:  # subscribed topics all have handlers; be defensive
            return self._dead_letter(message, f"no handler is registered for topic {topic}")
        raw = message.value()
        if raw is None:
            return self._dead_letter(message, "empty message (no value)")
        try:
            payload = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            return self._dead_letter(message, f"invalid JSON: {exc}")
        if not isinstance(payload, dict):
            return self._dead_letter(message, "invalid event: expected a JSON object")
        reason = registration.skip_reason(payload)
        if reason is not None:
            logger.info(
                "event skipped: %s",
                reason,
                extra={
                    "topic": topic,
                    "partition": message.partition(),
                    "offset": message.offset(),
                },
            )
            return SKIPPED
        errors = registration.validate(payload)
        if errors:
            return self._dead_letter(message, "invalid event: " + "; ".join(errors))
        key = _decode(message.key())
        headers = header_text(message)
        ordering_key = registration.ordering_key(payload, key)
        try:
            # Durable first: once the row is committed the event cannot be lost, whatever
            # becomes of the Celery task.
            inbox_id = inbox.record(
                event_id=registration.event_id(payload),
                topic=topic,
                key=key,
                ordering_key=ordering_key,
                partition=message.partition(),
                offset=message.offset(),
                payload=payload,
                headers=headers,
            )
            self.dispatch(
                topic=topic,
                key=key,
                payload=payload,
                headers=headers,
                partition=message.partition(),
                offset=message.offset(),
                queue=lanes.lane_queue(ordering_key),
                inbox_id=inbox_id,
            )
        except Exception as exc:
            raise HandoffFailed(f"{type(exc).__name__}: {exc}") from exc
        return HANDED_OFF

    def _sweep_inbox(self) -> None:
        """Send a task again for the keys whose inbox rows waited longer than
        ``KAFKA_INBOX_REDISPATCH_SECONDS`` (their task was lost); at most every half of that."""
        now = time.monotonic()
        older_than = conf.inbox_redispatch_seconds()
        if now - self._last_sweep < max(older_than / 2, 0.5):
            return
        self._last_sweep = now
        try:
            rows = inbox.claim_stale(self.topic_names, older_than=older_than)
            for row in rows:
                self.dispatch(
                    topic=row.topic,
                    key=row.key,
                    payload=row.payload,
                    headers=row.headers,
                    partition=row.partition,
                    offset=row.offset,
                    queue=lanes.lane_queue(row.ordering_key),
                    inbox_id=row.id,
                )
                self.stats.redispatched += 1
        except Exception as exc:  # PostgreSQL or Redis down: the next sweep tries again
            logger.warning("inbox sweep failed: %s", exc, extra={"group": self.group_id})
            return
        if rows:
            logger.warning(
                "%s event(s) waited in the inbox over %.0f s; their tasks were sent again",
                len(rows),
                older_than,
                extra={"group": self.group_id, "keys": len(rows)},
            )

    def _dead_letter(self, message: Message, error: str) -> str:
        try:
            dead_letter_message(self.dlq_producer, message, error)
        except DeadLetterError as exc:
            raise HandoffFailed(str(exc)) from exc
        return DEAD_LETTERED

    def _rewind(self, messages: list[Message]) -> None:
        """Seek each partition back to its first message not handled, so it is read again.
        If that is impossible the process must not go on (it would skip the message): the
        KafkaException propagates and the command exits; a restart resumes from the commit."""
        firsts: dict[tuple[str, int], int] = {}
        for message in messages:
            if message.error() is not None:
                continue
            topic, partition, offset = message.topic(), message.partition(), message.offset()
            assert topic is not None and partition is not None and offset is not None
            firsts.setdefault((topic, partition), offset)
        for (topic, partition), offset in firsts.items():
            self.consumer.seek(TopicPartition(topic, partition, offset))

    def _commit(self) -> None:
        if not self._pending:
            return
        offsets = [TopicPartition(t, p, o) for (t, p), o in self._pending.items()]
        try:
            results = self.consumer.commit(offsets=offsets, asynchronous=False)
        except KafkaException as exc:
            # Kept and retried with the next commit; worst case the messages come again.
            logger.warning("offset commit failed: %s", exc, extra={"group": self.group_id})
            return
        failed = [tp for tp in results or [] if tp.error is not None]
        if failed:
            logger.warning("offset commit failed for %s", failed, extra={"group": self.group_id})
            return
        self._pending.clear()
        self.stats.commits += 1

    def _log_kafka_error(self, error: KafkaError) -> None:
        if error.code() == KafkaError.UNKNOWN_TOPIC_OR_PART:
            logger.debug("topic not created yet: %s", error)
        elif error.code() != KafkaError._PARTITION_EOF:
            logger.warning("kafka error: %s", error, extra={"group": self.group_id})

    def _report(self) -> None:
        if time.monotonic() - self._last_report >= 60:
            self._last_report = time.monotonic()
            logger.info("consumer progress", extra={"group": self.group_id, **self.stats.__dict__})
