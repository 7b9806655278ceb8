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


class AgentLinkAudit(models.Model):
    """One link or unlink of a CRM user and an agent (``workflow_service.agent_link_audit``).

    Written by ``agents.services`` in the transaction of the change; never updated. No foreign
    keys in the table (the trail outlives a deleted user or agent), so ids are plain uuids.
    """

    class Operation(models.TextChoices):
        LINK = "LINK", "Linked"
        UNLINK = "UNLINK", "Unlinked"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    agent_id = models.UUIDField()
    user_id = models.UUIDField()
    operation = models.CharField(max_length=10, choices=Operation.choices)
    reason = models.CharField(max_length=500, null=True, blank=True)
    actor_user_id = models.UUIDField(null=True, blank=True)
    actor_username = models.CharField(max_length=50)
    occurred_at = UTCDateTimeField(default=timezone.now)

    class Meta:
        managed = False
        db_table = 'workflow_service"."agent_link_audit'
        ordering = ["-occurred_at", "-id"]
        verbose_name = "agent link audit entry"
        verbose_name_plural = "agent link audit"

    def __str__(self) -> str:
        return f"{self.get_operation_display()} {self.user_id} ↔ {self.agent_id}"
