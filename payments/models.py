"""Payments reported by the payment service (``workflow/sql/0006_kafka_bridge.sql``), mapped
unmanaged."""

from __future__ import annotations

import uuid

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from agents.models import Agent
from workflow.fields import UTCDateTimeField


class Payment(models.Model):
    """A payment reported by the payment service (``workflow_service.payments``).

    ``call_agent`` and ``field_agent`` are the agents assigned to the customer on the bank's
    business day of ``payment_date`` (see :func:`assignments.selectors.assignment_on`). ``cif`` and
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


class PaymentReversal(models.Model):
    """A reversed payment (``workflow_service.payment_reversals``, ``payments/sql``).

    Written once per payment by :func:`payments.services.payment_reverse` (the payment
    service's ``payment.reversed`` event, or a supervisor in the admin); the payment's promise
    appropriations stop counting. A reversal may arrive before its payment: the payment is
    then stored but never applied to promises.
    """

    payment_id = models.CharField(max_length=64, primary_key=True)
    reversed_at = UTCDateTimeField(default=timezone.now)
    reason = models.TextField(null=True, blank=True)
    event_id = models.UUIDField(null=True, blank=True)
    reversed_by = models.CharField(max_length=50)

    class Meta:
        managed = False
        db_table = 'workflow_service"."payment_reversals'
        ordering = ["-reversed_at"]

    def __str__(self) -> str:
        return f"reversal of payment {self.payment_id}"
