"""Collection agents (``workflow_service.agents``) and their monthly performance view."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

from workflow.enums import AgentType
from workflow.fields import PgEnumField, UTCDateTimeField
from workflow.models import CrmUser


class Agent(models.Model):
    """A collector (call or field agent, supervisor, admin), linked one-to-one to a CRM user."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    employee_id = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=100)
    email = models.CharField(max_length=100, unique=True)
    phone = models.CharField(max_length=20, null=True, blank=True)
    type = PgEnumField(enum_name="agent_type", choices=AgentType.choices)
    team = models.CharField(max_length=30)
    is_active = models.BooleanField(default=True)
    user = models.OneToOneField(
        CrmUser,
        on_delete=models.DO_NOTHING,
        db_column="user_id",
        null=True,
        blank=True,
        related_name="agent",
    )
    created_at = UTCDateTimeField(default=timezone.now)
    updated_at = UTCDateTimeField(default=timezone.now)
    created_by = models.CharField(max_length=50, null=True, blank=True)
    updated_by = models.CharField(max_length=50, null=True, blank=True)

    class Meta:
        managed = False
        db_table = 'workflow_service"."agents'
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.employee_id})"


class AgentPerformance(models.Model):
    """One row of the ``agent_performance`` materialized view: an active agent's month."""

    pk = models.CompositePrimaryKey("agent_id", "year", "month")
    agent = models.ForeignKey(
        Agent, on_delete=models.DO_NOTHING, db_column="agent_id", related_name="+"
    )
    agent_name = models.CharField(max_length=100)
    team = models.CharField(max_length=30)
    year = models.IntegerField()
    month = models.IntegerField()
    total_actions = models.BigIntegerField()
    total_customers = models.BigIntegerField()
    payment_promises = models.BigIntegerField()
    payments_received = models.BigIntegerField()

    class Meta:
        managed = False
        db_table = 'workflow_service"."agent_performance'
        ordering = ["-year", "-month", "agent_name"]

    def __str__(self) -> str:
        return f"{self.agent_name} {self.year}-{self.month:02d}"
