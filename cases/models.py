"""Customer case status (current row and history) and the collection status view."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

from agents.models import Agent
from workflow.enums import (
    CollateralStatus,
    CustomerStatus,
    LendingViolationStatus,
    ProcessingStateStatus,
    RecoveryAbilityStatus,
)
from workflow.fields import PgEnumField, UTCDateTimeField
from workflow.models import Customer

# The five status dimensions of a case, in the order screens show them.
STATUS_FIELDS = (
    "customer_status",
    "collateral_status",
    "processing_state_status",
    "lending_violation_status",
    "recovery_ability_status",
)


class CustomerCase(models.Model):
    """The current state of one customer's case (``workflow_service.customer_cases``).

    Changing either assigned agent makes the database trigger close the customer's current
    ``customer_agents`` row and open a new one.
    """

    # The foreign key targets the cif, not the customer's uuid (django-stubs assumes the pk).
    customer_id: str
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    customer = models.OneToOneField(
        Customer,
        on_delete=models.DO_NOTHING,
        to_field="cif",
        db_column="cif",
        related_name="case",
    )
    assigned_call_agent = models.ForeignKey(
        Agent,
        on_delete=models.DO_NOTHING,
        db_column="assigned_call_agent_id",
        null=True,
        blank=True,
        related_name="call_cases",
    )
    assigned_field_agent = models.ForeignKey(
        Agent,
        on_delete=models.DO_NOTHING,
        db_column="assigned_field_agent_id",
        null=True,
        blank=True,
        related_name="field_cases",
    )
    f_update = UTCDateTimeField(null=True, blank=True)
    customer_status = PgEnumField(enum_name="customer_status", choices=CustomerStatus.choices)
    collateral_status = PgEnumField(enum_name="collateral_status", choices=CollateralStatus.choices)
    processing_state_status = PgEnumField(
        enum_name="processing_state_status", choices=ProcessingStateStatus.choices
    )
    lending_violation_status = PgEnumField(
        enum_name="lending_violation_status", choices=LendingViolationStatus.choices
    )
    recovery_ability_status = PgEnumField(
        enum_name="recovery_ability_status", choices=RecoveryAbilityStatus.choices
    )
    created_at = UTCDateTimeField(default=timezone.now)
    updated_at = UTCDateTimeField(default=timezone.now)
    created_by = models.CharField(max_length=50, null=True, blank=True)
    updated_by = models.CharField(max_length=50, null=True, blank=True)

    class Meta:
        managed = False
        db_table = 'workflow_service"."customer_cases'
        ordering = ["customer_id"]

    def __str__(self) -> str:
        return f"case of {self.customer_id}"


class CustomerCaseAction(models.Model):
    """One status input on a customer's case (``workflow_service.customer_case_actions``)."""

    # The foreign key targets the cif, not the customer's uuid (django-stubs assumes the pk).
    customer_id: str
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    customer = models.ForeignKey(
        Customer,
        on_delete=models.DO_NOTHING,
        to_field="cif",
        db_column="cif",
        related_name="case_actions",
    )
    agent = models.ForeignKey(
        Agent, on_delete=models.DO_NOTHING, db_column="agent_id", related_name="case_actions"
    )
    action_date = UTCDateTimeField()
    notes = models.TextField(null=True, blank=True)
    customer_status = PgEnumField(
        enum_name="customer_status", choices=CustomerStatus.choices, null=True, blank=True
    )
    collateral_status = PgEnumField(
        enum_name="collateral_status", choices=CollateralStatus.choices, null=True, blank=True
    )
    processing_state_status = PgEnumField(
        enum_name="processing_state_status",
        choices=ProcessingStateStatus.choices,
        null=True,
        blank=True,
    )
    lending_violation_status = PgEnumField(
        enum_name="lending_violation_status",
        choices=LendingViolationStatus.choices,
        null=True,
        blank=True,
    )
    recovery_ability_status = PgEnumField(
        enum_name="recovery_ability_status",
        choices=RecoveryAbilityStatus.choices,
        null=True,
        blank=True,
    )
    created_at = UTCDateTimeField(default=timezone.now)
    updated_at = UTCDateTimeField(default=timezone.now)
    created_by = models.CharField(max_length=50)
    updated_by = models.CharField(max_length=50)

    class Meta:
        managed = False
        db_table = 'workflow_service"."customer_case_actions'
        ordering = ["-action_date"]

    def __str__(self) -> str:
        return f"case action on {self.customer_id} at {self.action_date:%Y-%m-%d}"


class CustomerCollectionStatus(models.Model):
    """One row of the ``customer_collection_status`` materialized view (read-only)."""

    cif = models.CharField(max_length=20, primary_key=True)
    customer_id = models.UUIDField()
    customer_name = models.CharField(max_length=100, null=True)
    segment = models.CharField(max_length=50)
    customer_status = models.CharField(max_length=50, null=True)
    collateral_status = models.CharField(max_length=50, null=True)
    processing_state_status = models.CharField(max_length=50, null=True)
    lending_violation_status = models.CharField(max_length=50, null=True)
    recovery_ability_status = models.CharField(max_length=50, null=True)
    assigned_call_agent_id = models.UUIDField(null=True)
    assigned_call_agent_name = models.CharField(max_length=100, null=True)
    assigned_call_agent_user_id = models.UUIDField(null=True)
    assigned_field_agent_id = models.UUIDField(null=True)
    assigned_field_agent_name = models.CharField(max_length=100, null=True)
    assigned_field_agent_user_id = models.UUIDField(null=True)
    total_loans = models.BigIntegerField()
    total_outstanding = models.DecimalField(max_digits=20, decimal_places=2, null=True)
    total_due_amount = models.DecimalField(max_digits=20, decimal_places=2, null=True)
    max_dpd = models.IntegerField(null=True)
    total_actions = models.BigIntegerField()
    last_action_date = UTCDateTimeField(null=True)

    class Meta:
        managed = False
        db_table = 'workflow_service"."customer_collection_status'
        ordering = ["cif"]

    def __str__(self) -> str:
        return self.cif
