"""Assignment history of customers to call and field agents (SCD type 2)."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

from agents.models import Agent
from workflow.fields import UTCDateTimeField
from workflow.models import Customer


class CustomerAgent(models.Model):
    """One version of a customer's assignment (``workflow_service.customer_agents``).

    Rows are written by the database trigger ``track_customer_agent_assignments`` whenever
    ``customer_cases`` changes its agents; the application never inserts them itself. The
    table is range-partitioned by ``start_date`` with primary key ``(id, start_date)``;
    Django maps ``id`` alone as the primary key, as for action records.
    """

    # The foreign key targets the cif, not the customer's uuid (django-stubs assumes the pk).
    customer_id: str
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    customer = models.ForeignKey(
        Customer,
        on_delete=models.DO_NOTHING,
        to_field="cif",
        db_column="cif",
        related_name="assignment_history",
    )
    assigned_call_agent = models.ForeignKey(
        Agent,
        on_delete=models.DO_NOTHING,
        db_column="assigned_call_agent_id",
        null=True,
        blank=True,
        related_name="+",
    )
    assigned_field_agent = models.ForeignKey(
        Agent,
        on_delete=models.DO_NOTHING,
        db_column="assigned_field_agent_id",
        null=True,
        blank=True,
        related_name="+",
    )
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    is_current = models.BooleanField(default=True)
    created_at = UTCDateTimeField(default=timezone.now)
    updated_at = UTCDateTimeField(default=timezone.now)

    class Meta:
        managed = False
        db_table = 'workflow_service"."customer_agents'
        ordering = ["-start_date", "-created_at"]

    def __str__(self) -> str:
        return f"{self.customer_id} from {self.start_date}"


class ReassignmentFlag(models.Model):
    """A customer to reassign away from an agent in one role
    (``workflow_service.reassignment_flags``, ``workflow/sql/0009_reassignment_flags.sql``).

    Raised when the agent's login user is deactivated (``kafka_bridge.handlers.users``); open while
    ``resolved_at`` is None, resolved when the customer is assigned away from the agent in
    that role (``assignments.services.assignment_assign``). At most one open flag exists per
    ``(cif, agent, role)`` (a partial unique index).
    """

    class Role(models.TextChoices):
        CALL = "CALL", "Call agent"
        FIELD = "FIELD", "Field agent"

    # The foreign key targets the cif, not the customer's uuid (django-stubs assumes the pk).
    customer_id: str
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    customer = models.ForeignKey(
        Customer,
        on_delete=models.DO_NOTHING,
        to_field="cif",
        db_column="cif",
        db_constraint=False,
        related_name="+",
    )
    agent = models.ForeignKey(
        Agent, on_delete=models.DO_NOTHING, db_column="agent_id", related_name="+"
    )
    role = models.CharField(max_length=10, choices=Role.choices)
    reason = models.TextField(null=True, blank=True)
    event_id = models.UUIDField(null=True, blank=True)
    flagged_at = UTCDateTimeField(default=timezone.now)
    resolved_at = UTCDateTimeField(null=True, blank=True)
    resolved_by = models.CharField(max_length=50, null=True, blank=True)

    class Meta:
        managed = False
        db_table = 'workflow_service"."reassignment_flags'
        ordering = ["flagged_at", "id"]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.role} agent {self.agent_id}"
