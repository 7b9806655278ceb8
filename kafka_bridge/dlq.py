"""Dead letters: messages that can never be applied go to ``<topic>.dlq``, never silently dropped.

Two paths write them, with the same headers:

* the consumer, for a message it cannot parse or validate: produced directly to Kafka
  (original key, value and headers, byte for byte), and the offset is committed only once the
  broker acknowledged the dead letter;
* the Celery task, for an event whose handler kept failing: written to the outbox (original key
  and payload) in its own transaction, and published by the relay. A broker outage at that
  moment delays the dead letter and loses nothing.

Headers added: ``dlq-error``, ``dlq-original-topic``, ``dlq-original-partition``,
``dlq-original-offset``, ``dlq-failed-at`` (ISO UTC) and ``dlq-stage`` (``validation`` or
``handler``). :func:`replay` puts dead letters back on their original topic, without them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from confluent_kafka import Consumer, KafkaError, KafkaException, Message, Producer, TopicPartition
from django.db import transaction
from django.utils import timezone

from kafka_bridge.clients import Headers, header_pairs, header_text
from kafka_bridge.topics import DLQ_SUFFIX, dlq_topic
from workflow.models import OutboxEvent
from workflow.outbox import enqueue, iso_z

logger = logging.getLogger(__name__)

DLQ_ERROR = "dlq-error"
DLQ_ORIGINAL_TOPIC = "dlq-original-topic"
DLQ_ORIGINAL_PARTITION = "dlq-original-partition"
DLQ_ORIGINAL_OFFSET = "dlq-original-offset"
DLQ_FAILED_AT = "dlq-failed-at"
DLQ_STAGE = "dlq-stage"
DLQ_HEADER_PREFIX = "dlq-"

STAGE_VALIDATION = "validation"
STAGE_HANDLER = "handler"

MAX_ERROR_LENGTH = 2000


class SupportsWrite(Protocol):
    def write(self, text: str, /) -> Any: ...


class DeadLetterError(Exception):
    """A dead letter could not be written (the original message must not be committed)."""


def dlq_headers(
    *, error: str, topic: str, partition: int | None, offset: int | None, stage: str
) -> dict[str, str]:
    return {
        DLQ_ERROR: error[:MAX_ERROR_LENGTH],
        DLQ_ORIGINAL_TOPIC: topic,
        DLQ_ORIGINAL_PARTITION: "" if partition is None else str(partition),
        DLQ_ORIGINAL_OFFSET: "" if offset is None else str(offset),
        DLQ_FAILED_AT: iso_z(timezone.now()),
        DLQ_STAGE: stage,
    }


def dead_letter_message(
    producer: Producer, message: Message, error: str, *, timeout: float = 30.0
) -> None:
    """Produce ``message`` (a consumed message) to its DLQ topic and wait for the broker's
    acknowledgement; raise :class:`DeadLetterError` when it does not come."""
    topic = message.topic()
    assert topic is not None
    extra = dlq_headers(
        error=error,
        topic=topic,
        partition=message.partition(),
        offset=message.offset(),
        stage=STAGE_VALIDATION,
    )
    headers: Headers = [*header_pairs(message), *extra.items()]
    outcome: list[KafkaError | None] = []
    try:
        producer.produce(
            dlq_topic(topic),
            key=message.key(),
            value=message.value(),
            headers=headers,
            on_delivery=lambda err, msg: outcome.append(err),
        )
    except (BufferError, KafkaException) as exc:
        raise DeadLetterError(f"could not queue the dead letter: {exc}") from exc
    producer.flush(timeout)
    if not outcome:
        raise DeadLetterError(f"no acknowledgement for the dead letter within {timeout} s")
    if outcome[0] is not None:
        raise DeadLetterError(f"dead letter not delivered: {outcome[0]}")
    logger.warning(
        "message dead-lettered",
        extra={
            "topic": topic,
            "partition": message.partition(),
            "offset": message.offset(),
            "error": error[:500],
        },
    )


def dead_letter_event(
    *,
    topic: str,
    key: str | None,
    payload: Any,
    headers: Mapping[str, str],
    partition: int | None,
    offset: int | None,
    error: str,
) -> OutboxEvent:
    """Queue a handled event whose handler failed for ``<topic>.dlq``, through the outbox."""
    merged = {
        **{name: value for name, value in headers.items() if not name.startswith("dlq-")},
        **dlq_headers(
            error=error, topic=topic, partition=partition, offset=offset, stage=STAGE_HANDLER
        ),
    }
    with transaction.atomic():
        row = enqueue(topic=dlq_topic(topic), key=key, payload=payload, headers=merged)
    logger.error(
        "event dead-lettered after its handler failed",
        extra={"topic": topic, "partition": partition, "offset": offset, "error": error[:500]},
    )
    return row


def strip_dlq_headers(message: Message) -> Headers:
    """The message's headers without the ``dlq-*`` ones."""
    return [(name, value) for name, value in header_pairs(message) if not name.startswith("dlq-")]


@dataclass
class ReplayResult:
    replayed: int = 0
    remaining: int = 0
    offsets: list[tuple[int, int]] = field(default_factory=list)  # (partition, offset)


def replay(
    topic: str,
    *,
    consumer: Consumer,
    producer: Producer | None,
    limit: int | None = None,
    dry_run: bool = False,
    out: SupportsWrite | None = None,
    timeout: float = 30.0,
) -> ReplayResult:
    """Re-publish the dead letters of ``topic`` (read from ``<topic>.dlq`` by ``consumer``,
    whose group remembers what was replayed) to ``topic``, without their ``dlq-*`` headers.

    Reads from the group's committed position up to the end of the DLQ as it was when the replay
    started (so letters that fail again are not replayed twice in one run), in offset order per
    partition, at most ``limit`` letters. Commits each partition's position after the broker has
    acknowledged the replayed messages. ``dry_run`` prints what would be replayed and changes
    nothing.
    """
    if topic.endswith(DLQ_SUFFIX):
        raise ValueError(f"give the original topic, not its dead-letter topic ({topic})")
    source = dlq_topic(topic)
    metadata = consumer.list_topics(source, timeout=timeout)
    info = metadata.topics.get(source)
    if info is None or info.error is not None or not info.partitions:
        return ReplayResult()
    partitions = sorted(info.partitions)
    committed = consumer.committed([TopicPartition(source, p) for p in partitions], timeout)
    ends: dict[int, int] = {}
    starts: dict[int, int] = {}
    for tp in committed:
        low, high = consumer.get_watermark_offsets(
            TopicPartition(source, tp.partition), timeout=timeout
        )
        start = tp.offset if tp.offset >= 0 else low
        if start < high:
            starts[tp.partition] = start
            ends[tp.partition] = high
    result = ReplayResult(remaining=sum(ends[p] - starts[p] for p in ends))
    if not ends:
        return result
    consumer.assign([TopicPartition(source, p, starts[p]) for p in ends])
    positions: dict[int, int] = {}
    failures: list[KafkaError] = []
    pending = dict(ends)
    deadline = time.monotonic() + timeout
    while pending and (limit is None or result.replayed < limit):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{source}: could not read the dead letters within {timeout} s")
        for message in consumer.consume(min(500, limit or 500), 1.0):
            error = message.error()
            if error is not None:
                logger.warning("replay_dlq: kafka error %s", error)
                continue
            partition = message.partition()
            offset = message.offset()
            assert partition is not None and offset is not None
            if partition not in pending or offset >= pending[partition]:
                continue
            if limit is not None and result.replayed >= limit:
                break
            if out is not None:
                key = message.key()
                out.write(
                    f"{'would replay' if dry_run else 'replaying'} {source}[{partition}]@{offset}"
                    f" key={key.decode('utf-8', 'replace') if key else None}"
                    f" error={header_text(message).get(DLQ_ERROR)!r}\n"
                )
            if not dry_run:
                assert producer is not None
                producer.produce(
                    topic,
                    key=message.key(),
                    value=message.value(),
                    headers=strip_dlq_headers(message),
                    on_delivery=lambda err, msg: failures.append(err) if err else None,
                )
            result.replayed += 1
            result.offsets.append((partition, offset))
            positions[partition] = offset + 1
            if offset + 1 >= pending[partition]:
                del pending[partition]
    if not dry_run and positions:
        assert producer is not None
        if producer.flush(timeout) or failures:
            raise DeadLetterError(
                f"replayed messages were not all acknowledged ({failures[:1]}); nothing committed"
            )
        consumer.commit(
            offsets=[TopicPartition(source, p, o) for p, o in positions.items()],
            asynchronous=False,
        )
    result.remaining -= result.replayed
    return result
