"""The Kafka bridge's tables (``workflow/sql/0006_kafka_bridge.sql``), mapped unmanaged."""

from __future__ import annotations

import uuid

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from agents.models import Agent
from workflow.fields import UTCDateTimeField


class OutboxEvent(models.Model):
    """An event waiting for (or done with) publication (``workflow_service.outbox_events``).

    Written by :func:`kafka_bridge.outbox.publish` in the transaction of the change it
    describes; :func:`kafka_bridge.relay.relay_once` produces it to Kafka and sets
    ``published_at``. Events of one ``(topic, message_key)`` are published in ``id`` order.
    """

    id = models.BigAutoField(primary_key=True)
    event_id = models.UUIDField(unique=True)
    topic = models.CharField(max_length=200)
    message_key = models.CharField(max_length=200, null=True, blank=True)
    payload = models.JSONField(encoder=DjangoJSONEncoder)
    headers = models.JSONField(default=dict)
    created_at = UTCDateTimeField(default=timezone.now)
    published_at = UTCDateTimeField(null=True, blank=True)
    attempts = models.IntegerField(default=0)
    last_error = models.TextField(null=True, blank=True)

    class Meta:
        managed = False
        db_table = 'workflow_service"."outbox_events'
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.topic} {self.event_id}"


class ProcessedEvent(models.Model):
    """A consumed event already applied (``workflow_service.processed_events``)."""

    event_id = models.UUIDField(primary_key=True)
    topic = models.CharField(max_length=200)
    processed_at = UTCDateTimeField(default=timezone.now)

    class Meta:
        managed = False
        db_table = 'workflow_service"."processed_events'
        ordering = ["processed_at"]

    def __str__(self) -> str:
        return f"{self.topic} {self.event_id}"


class EventWatermark(models.Model):
    """The newest event timestamp applied to one entity (``workflow_service.event_watermarks``).

    The primary key is ``(entity_type, entity_key)``.
    """

    pk = models.CompositePrimaryKey("entity_type", "entity_key")
    entity_type = models.CharField(max_length=50)
    entity_key = models.CharField(max_length=200)
    event_timestamp = UTCDateTimeField()
    updated_at = UTCDateTimeField(default=timezone.now)

    class Meta:
        managed = False
        db_table = 'workflow_service"."event_watermarks'

    def __str__(self) -> str:
        return f"{self.entity_type} {self.entity_key} @ {self.event_timestamp}"


class Payment(models.Model):
    """A payment reported by the payment service (``workflow_service.payments``).

    ``call_agent`` and ``field_agent`` are the agents assigned to the customer on the bank's
    business day of ``payment_date`` (see :mod:`kafka_bridge.selectors`). ``cif`` and
    ``loan_account_number`` are plain columns, not foreign keys: a payment may arrive before
    bank sync knows its customer or loan.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    payment_id = models.CharField(max_length=64, unique=True)
    reference_number = models.CharField(max_length=100, null=True, blank=True)
    loan_account_number = models.CharField(max_length=20, null=True, blank=True)
    cif = models.CharField(max_length=20, null=True, blank=True)
    amount = models.DecimalField(max_digits=18, decimal_places=2)
    currency = models.CharField(max_length=3, null=True, blank=True)
    payment_date = UTCDateTimeField()
    payment_channel = models.CharField(max_length=50, null=True, blank=True)
    call_agent = models.ForeignKey(
        Agent,
        on_delete=models.DO_NOTHING,
        db_column="call_agent_id",
        null=True,
        blank=True,
        related_name="+",
    )
    field_agent = models.ForeignKey(
        Agent,
        on_delete=models.DO_NOTHING,
        db_column="field_agent_id",
        null=True,
        blank=True,
        related_name="+",
    )
    event_id = models.UUIDField(null=True, blank=True)
    source = models.CharField(max_length=100, null=True, blank=True)
    received_at = UTCDateTimeField(default=timezone.now)
    raw = models.JSONField(encoder=DjangoJSONEncoder)

    class Meta:
        managed = False
        db_table = 'workflow_service"."payments'
        ordering = ["-payment_date"]

    def __str__(self) -> str:
        return f"payment {self.payment_id} {self.amount} {self.currency or ''}".rstrip()
