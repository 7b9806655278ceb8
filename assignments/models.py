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
