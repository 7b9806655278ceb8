"""The consumer loop: Kafka messages → validated payloads → inbox rows → one Celery task per lane.

One :class:`EventConsumer` serves one consumer group. Each step reads a batch and handles the
messages in order. A message that is not JSON, or fails its topic's schema, goes to
``<topic>.dlq``. A message whose event type its handler does not take is skipped (logged).
The other messages are recorded in the inbox (:mod:`kafka_bridge.inbox`, a PostgreSQL table)
with one multi-row INSERT, and each lane (:mod:`kafka_bridge.lanes`) that received some gets
one ``kafka_bridge.tasks.handle_events`` task naming its inbox rows, which the lane worker
applies in batches (:func:`kafka_bridge.processing.apply_inbox_batch`). The valid messages read
before a dead letter are handed off before it, so each partition is handled in order.

Offsets are committed synchronously after the batch, and only up to messages that were handed
off (recorded in the inbox and sent to Celery), dead-lettered or skipped. That is at-least-once
delivery: after a crash, messages handed off but not yet committed come again, keep their inbox
row, and the task finds their event id already claimed. A Celery task can still be lost after the
commit (kombu's Redis transport pops a task before it records it as unacknowledged, so a lane
worker killed in between loses it): its events stay in the inbox, and every
``KAFKA_INBOX_REDISPATCH_SECONDS`` / 2 the consumer sends a task again, per lane, for the keys
of its topics with a row older than that.

When a hand-off fails (PostgreSQL or Redis down) or a dead letter is not acknowledged (Kafka
down), the messages from the first one not handed off are not committed. The consumer seeks
their partitions back, pauses (0.5 s doubling to 30 s) and tries again, so nothing is skipped or
reordered. librdkafka reconnects to the broker by itself; kombu reconnects to Redis on the next
hand-off.
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


def celery_hand_off(*, queue: str, inbox_ids: list[int]) -> None:
    """Send the inbox rows ``inbox_ids`` (one lane's, in the order read) to the lane ``queue``;
    returns once the Celery broker accepted the task."""
    from kafka_bridge.tasks import handle_events

    handle_events.apply_async(
        kwargs={"inbox_ids": inbox_ids},
        queue=queue,
        retry=True,
        retry_policy=HANDOFF_RETRY_POLICY,
        # What Celery logs and shows for the task: which rows, not their payloads (customer
        # data stays out of the logs).
        argsrepr="()",
        kwargsrepr=f"{{'inbox_ids': [{inbox_ids[0]}..{inbox_ids[-1]}] ({len(inbox_ids)})}}",
    )


@dataclass(frozen=True)
class _Reject:
    """A message to dead-letter, and why."""

    reason: str


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
        # Messages read but not yet handed off (with their outcome and index), and the events
        # among them waiting for the inbox.
        waiting: list[tuple[int, Message, str]] = []
        events: list[inbox.NewEvent] = []

        def confirm() -> None:
            nonlocal handled
            self._hand_off(events)
            events.clear()
            for _, message, outcome in waiting:
                topic, partition, offset = message.topic(), message.partition(), message.offset()
                assert topic is not None and partition is not None and offset is not None
                self._pending[(topic, partition)] = offset + 1
                if outcome == HANDED_OFF:
                    self.stats.handed_off += 1
                elif outcome == SKIPPED:
                    self.stats.skipped += 1
                else:
                    self.stats.dead_lettered += 1
            handled += len(waiting)
            waiting.clear()

        rest = len(messages)
        try:
            for index, message in enumerate(messages):
                error = message.error()
                if error is not None:
                    self._log_kafka_error(error)
                    continue
                if self.stop.stopping:
                    rest = index
                    break
                verdict = self._prepare(message)
                if isinstance(verdict, inbox.NewEvent):
                    events.append(verdict)
                    waiting.append((index, message, HANDED_OFF))
                elif isinstance(verdict, _Reject):
                    confirm()  # what came before it first: the partition's order
                    waiting.append((index, message, DEAD_LETTERED))
                    self._dead_letter(message, verdict.reason)
                    confirm()
                else:
                    waiting.append((index, message, SKIPPED))
            confirm()
        except HandoffFailed as exc:
            self.stats.handoff_failures += 1
            self._pause = min(max(self._pause * 2, 0.5), self.max_pause)
            self._paused_until = time.monotonic() + self._pause
            first = waiting[0][1]
            logger.warning(
                "hand-off failed; the message will be read again in %.1f s: %s",
                self._pause,
                exc,
                extra={
                    "group": self.group_id,
                    "topic": first.topic(),
                    "partition": first.partition(),
                    "offset": first.offset(),
                },
            )
            rest = waiting[0][0]
        else:
            if handled:
                self._pause = 0.0
        self._rewind(messages[rest:])
        self._commit()
        self._sweep_inbox()
        self._report()
        return handled

    def _prepare(self, message: Message) -> inbox.NewEvent | _Reject | str:
        """The inbox row of a valid message, a :class:`_Reject`, or ``SKIPPED``."""
        topic = message.topic()
        assert topic is not None
        registration = registry.for_topic(topic)
        if registration is None:  # subscribed topics all have handlers; be defensive
            return _Reject(f"no handler is registered for topic {topic}")
        raw = message.value()
        if raw is None:
            return _Reject("empty message (no value)")
        try:
            payload = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            return _Reject(f"invalid JSON: {exc}")
        if not isinstance(payload, dict):
            return _Reject("invalid event: expected a JSON object")
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
            return _Reject("invalid event: " + "; ".join(errors))
        key = _decode(message.key())
        return inbox.NewEvent(
            event_id=registration.event_id(payload),
            topic=topic,
            key=key,
            ordering_key=registration.ordering_key(payload, key),
            partition=message.partition(),
            offset=message.offset(),
            payload=payload,
            headers=header_text(message),
        )

    def _hand_off(self, events: list[inbox.NewEvent]) -> None:
        """Record ``events`` in the inbox (one statement) and send one task per lane."""
        if not events:
            return
        try:
            # Durable first: once the rows are committed the events cannot be lost, whatever
            # becomes of the Celery tasks.
            ids = inbox.record_many(events)
            by_lane: dict[str, dict[int, None]] = {}
            for event, inbox_id in zip(events, ids, strict=True):
                by_lane.setdefault(lanes.lane_queue(event.ordering_key), {})[inbox_id] = None
            for queue, lane_ids in by_lane.items():
                self.dispatch(queue=queue, inbox_ids=list(lane_ids))
        except Exception as exc:
            raise HandoffFailed(f"{type(exc).__name__}: {exc}") from exc

    def _sweep_inbox(self) -> None:
        """Send a task again, one per lane, for the keys whose inbox rows waited longer than
        ``KAFKA_INBOX_REDISPATCH_SECONDS`` (their task was lost); at most every half of that."""
        now = time.monotonic()
        older_than = conf.inbox_redispatch_seconds()
        if now - self._last_sweep < max(older_than / 2, 0.5):
            return
        self._last_sweep = now
        try:
            rows = inbox.claim_stale(self.topic_names, older_than=older_than)
            by_lane: dict[str, list[int]] = {}
            for row in rows:  # a key's newest row: its task applies the older ones first
                by_lane.setdefault(lanes.lane_queue(row.ordering_key), []).append(row.id)
            for queue, lane_ids in by_lane.items():
                self.dispatch(queue=queue, inbox_ids=lane_ids)
                self.stats.redispatched += len(lane_ids)
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

    def _dead_letter(self, message: Message, error: str) -> None:
        try:
            dead_letter_message(self.dlq_producer, message, error)
        except DeadLetterError as exc:
            raise HandoffFailed(str(exc)) from exc

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
