"""Action records: every call, visit, SMS, e-mail or letter made on a customer's loan."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

from agents.models import Agent
from workflow.enums import ActionResult, ActionSubtype, ActionType
from workflow.fields import PgEnumField, UTCDateTimeField
from workflow.models import Customer, Loan


class ActionRecord(models.Model):
    """One action (``workflow_service.action_records``).

    The table is range-partitioned by ``action_date`` and its real primary key is
    ``(id, action_date)``. Django maps ``id`` alone as the primary key (decision recorded in
    the README): ids are random UUIDs, unique on their own, and the admin can list and open
    rows by id, which ``CompositePrimaryKey`` does not allow in Django 5.2. Lookups that know
    the date should also filter on ``action_date`` so PostgreSQL visits one partition.
    ``customer_id`` holds the cif and ``loan_id`` the loan account number (the keys the
    foreign keys use).
    """

    # The foreign key targets the cif, not the customer's uuid (django-stubs assumes the pk).
    customer_id: str
    loan_id: str
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    customer = models.ForeignKey(
        Customer,
        on_delete=models.DO_NOTHING,
        to_field="cif",
        db_column="cif",
        related_name="actions",
    )
    loan = models.ForeignKey(
        Loan,
        on_delete=models.DO_NOTHING,
        to_field="account_number",
        db_column="loan_account_number",
        related_name="actions",
    )
    agent = models.ForeignKey(
        Agent, on_delete=models.DO_NOTHING, db_column="agent_id", related_name="actions"
    )
    type = PgEnumField(enum_name="action_type", choices=ActionType.choices)
    subtype = PgEnumField(enum_name="action_subtype", choices=ActionSubtype.choices)
    action_result = PgEnumField(enum_name="action_result", choices=ActionResult.choices)
    action_date = UTCDateTimeField()
    notes = models.TextField(null=True, blank=True)
    call_trace_id = models.CharField(max_length=20, null=True, blank=True)
    visit_latitude = models.DecimalField(max_digits=10, decimal_places=8, null=True, blank=True)
    visit_longitude = models.DecimalField(max_digits=11, decimal_places=8, null=True, blank=True)
    visit_address = models.TextField(null=True, blank=True)
    created_at = UTCDateTimeField(default=timezone.now)
    updated_at = UTCDateTimeField(default=timezone.now)
    created_by = models.CharField(max_length=50)
    updated_by = models.CharField(max_length=50)

    class Meta:
        managed = False
        db_table = 'workflow_service"."action_records'
        ordering = ["-action_date"]

    def __str__(self) -> str:
        return f"{self.type} {self.action_result} on {self.loan_id}"
