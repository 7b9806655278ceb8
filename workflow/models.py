"""Maps of the tables the core shares with every app.

``auth_service.*`` belongs to the auth service and ``bank_sync_service.*`` to bank sync; the
workflow service only reads them (tests and ``seed_demo`` write them to build fixtures).
``workflow_service.outbox_events`` is the transactional outbox (:mod:`workflow.outbox`).
``db_table`` uses the ``schema"."table`` form so that Django quotes it as
``"schema"."table"`` while Django's own tables stay in the default schema.
"""

from __future__ import annotations

import uuid

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from workflow.enums import CustomerType, LoanStatus, SourceSystemType
from workflow.fields import PgEnumField, UTCDateTimeField


class Role(models.Model):
    """A role of the auth service (AGENT, SUPERVISOR, ADMIN, ...)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    name = models.CharField(max_length=50, unique=True)
    description = models.TextField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        managed = False
        db_table = 'auth_service"."roles'
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Permission(models.Model):
    """A ``resource:action`` permission granted to a role."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    role = models.ForeignKey(
        Role, on_delete=models.DO_NOTHING, db_column="role_id", related_name="permissions"
    )
    resource = models.CharField(max_length=100)
    action = models.CharField(max_length=50)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        managed = False
        db_table = 'auth_service"."permissions'

    def __str__(self) -> str:
        return f"{self.resource}:{self.action}"


class CrmUser(models.Model):
    """A login user of the CRM (``auth_service.users``); ``role`` holds the role name."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    username = models.CharField(max_length=50, unique=True)
    email = models.CharField(max_length=100, unique=True)
    password_hash = models.CharField(max_length=255)
    first_name = models.CharField(max_length=100, null=True, blank=True)
    last_name = models.CharField(max_length=100, null=True, blank=True)
    role = models.CharField(max_length=50)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        managed = False
        db_table = 'auth_service"."users'
        ordering = ["username"]
        verbose_name = "CRM user"

    def __str__(self) -> str:
        return self.username

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)


class UserSession(models.Model):
    """A database session row of the auth service (the live sessions are in Redis)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    user = models.ForeignKey(
        CrmUser, on_delete=models.DO_NOTHING, db_column="user_id", related_name="sessions"
    )
    token = models.CharField(max_length=255, unique=True)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    last_activity_at = models.DateTimeField(null=True, blank=True)
    user_agent = models.TextField(null=True, blank=True)
    ip_address = models.CharField(max_length=50, null=True, blank=True)

    class Meta:
        managed = False
        db_table = 'auth_service"."user_sessions'

    def __str__(self) -> str:
        return f"session {self.id} of {self.user_id}"


class Customer(models.Model):
    """A bank customer, synchronised from the core systems by bank sync."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    cif = models.CharField(max_length=20, unique=True)
    type = PgEnumField(enum_name="customer_type", choices=CustomerType.choices)
    name = models.CharField(max_length=100, null=True, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    national_id = models.CharField(max_length=20, null=True, blank=True)
    gender = models.CharField(max_length=10, null=True, blank=True)
    company_name = models.CharField(max_length=100, null=True, blank=True)
    registration_number = models.CharField(max_length=20, null=True, blank=True)
    tax_id = models.CharField(max_length=20, null=True, blank=True)
    segment = models.CharField(max_length=50)
    status = models.CharField(max_length=10)
    source_system = PgEnumField(enum_name="source_system_type", choices=SourceSystemType.choices)
    created_by = models.CharField(max_length=50)
    updated_by = models.CharField(max_length=50)
    created_at = UTCDateTimeField(auto_now_add=True)
    updated_at = UTCDateTimeField(auto_now=True)
    is_editable = models.BooleanField(default=False)
    last_synced_at = UTCDateTimeField(null=True, blank=True)

    class Meta:
        managed = False
        db_table = 'bank_sync_service"."customers'
        ordering = ["cif"]

    def __str__(self) -> str:
        return f"{self.cif} {self.display_name}"

    @property
    def display_name(self) -> str:
        return self.name_of(self.name, self.company_name)

    @staticmethod
    def name_of(name: str | None, company_name: str | None) -> str:
        """The name a customer goes by: a person's name, else the company's."""
        return name or company_name or ""


class Loan(models.Model):
    """A loan of a customer, synchronised by bank sync; ``dpd`` is days past due."""

    # The foreign key targets the cif, not the customer's uuid (django-stubs assumes the pk).
    customer_id: str
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    account_number = models.CharField(max_length=20, unique=True)
    customer = models.ForeignKey(
        Customer,
        on_delete=models.DO_NOTHING,
        to_field="cif",
        db_column="cif",
        related_name="loans",
    )
    product_type = models.CharField(max_length=20)
    original_amount = models.DecimalField(max_digits=18, decimal_places=2)
    currency = models.CharField(max_length=3)
    disbursement_date = models.DateField()
    maturity_date = models.DateField()
    interest_rate = models.DecimalField(max_digits=8, decimal_places=4)
    term = models.IntegerField()
    payment_frequency = models.CharField(max_length=20)
    limit_amount = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    outstanding = models.DecimalField(max_digits=18, decimal_places=2)
    remaining_amount = models.DecimalField(max_digits=18, decimal_places=2)
    due_amount = models.DecimalField(max_digits=18, decimal_places=2)
    min_pay = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    next_payment_date = models.DateField()
    dpd = models.IntegerField()
    delinquency_status = models.CharField(max_length=20)
    status = PgEnumField(enum_name="loan_status", choices=LoanStatus.choices)
    close_date = models.DateField(null=True, blank=True)
    resolution_code = models.CharField(max_length=20, null=True, blank=True)
    resolution_notes = models.TextField(null=True, blank=True)
    source_system = PgEnumField(enum_name="source_system_type", choices=SourceSystemType.choices)
    created_by = models.CharField(max_length=50)
    updated_by = models.CharField(max_length=50)
    created_at = UTCDateTimeField(auto_now_add=True)
    updated_at = UTCDateTimeField(auto_now=True)
    is_editable = models.BooleanField(default=False)
    last_synced_at = UTCDateTimeField(null=True, blank=True)

    class Meta:
        managed = False
        db_table = 'bank_sync_service"."loans'
        ordering = ["account_number"]

    def __str__(self) -> str:
        return self.account_number


class OutboxEvent(models.Model):
    """An event waiting for (or done with) publication (``workflow_service.outbox_events``).

    Written by :func:`workflow.outbox.publish` in the transaction of the change it
    describes; the Kafka bridge's relay (``kafka_bridge.relay.relay_once``) produces it to
    Kafka and sets ``published_at``. Events of one ``(topic, message_key)`` are published in
    ``id`` order.
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
