"""Contact policies, holds and the ledger of contact attempts (``workflow_service.contact_*``).

The tables are this project's own, created by ``contacts/sql/0001_contact_policy.sql`` through
the app's migrations; the models map them (``managed = False``, like every table here).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone

from contacts.enums import AttemptStatus, CapScope, HoldType, Party
from workflow.enums import ActionResult, ActionType
from workflow.fields import UTCDateTimeField


def _channels(**kwargs: Any) -> ArrayField:
    return ArrayField(models.CharField(max_length=10, choices=ActionType.choices), **kwargs)


def _results(**kwargs: Any) -> ArrayField:
    return ArrayField(models.CharField(max_length=30, choices=ActionResult.choices), **kwargs)


class ContactPolicy(models.Model):
    """One version of a contact policy (``contact_policies``).

    A version never changes once written: a change is a new version of the same ``code``
    (``contacts.policy_services.policy_save``), the previous one is no longer ``is_current``.
    Every decision records the version it used.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    code = models.CharField(max_length=50)
    version = models.PositiveIntegerField(default=1)
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True, default="")
    source = models.TextField(blank=True, default="", help_text="The rule's legal source.")
    is_preset = models.BooleanField(default=False)
    is_current = models.BooleanField(default=True)
    channels = _channels(help_text="Channels that may be used at all.")
    parties = ArrayField(
        models.CharField(max_length=20, choices=Party.choices),
        help_text="Parties that may be contacted (liable for the debt).",
    )
    attempt_types = _channels(help_text="Action types that count as an attempt.")
    attempt_results = _results(
        blank=True, default=list, help_text="Results that count as an attempt (empty: all)."
    )
    conversation_results = _results(
        blank=True, default=list, help_text="Results that mean a right-party conversation."
    )
    block_days = models.PositiveIntegerField(
        default=0, help_text="Days blocked after a conversation (its day counts; 0: none)."
    )
    block_channels = _channels(
        blank=True, default=list, help_text="Channels the block covers (empty: all)."
    )
    reservation_minutes = models.PositiveIntegerField(
        default=15, help_text="How long a reservation may be used."
    )
    created_at = UTCDateTimeField(default=timezone.now)
    created_by = models.CharField(max_length=50)
    superseded_at = UTCDateTimeField(null=True, blank=True)

    class Meta:
        managed = False
        db_table = 'workflow_service"."contact_policies'
        ordering = ["code", "-version"]
        verbose_name = "contact policy"
        verbose_name_plural = "contact policies"

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"


class ContactPolicyWindow(models.Model):
    """The local hours a channel may be used under a policy version."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    policy = models.ForeignKey(
        ContactPolicy, on_delete=models.CASCADE, related_name="windows", db_column="policy_id"
    )
    channel = models.CharField(max_length=10, choices=ActionType.choices)
    starts = models.TimeField()
    ends = models.TimeField()

    class Meta:
        managed = False
        db_table = 'workflow_service"."contact_policy_windows'
        ordering = ["channel"]

    def __str__(self) -> str:
        return f"{self.channel} {self.starts:%H:%M}-{self.ends:%H:%M}"


class ContactPolicyCap(models.Model):
    """At most ``max_attempts`` attempts per customer or contact point over ``days`` days."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    policy = models.ForeignKey(
        ContactPolicy, on_delete=models.CASCADE, related_name="caps", db_column="policy_id"
    )
    scope = models.CharField(max_length=20, choices=CapScope.choices)
    days = models.PositiveIntegerField(help_text="Local calendar days, today included.")
    max_attempts = models.PositiveIntegerField()
    channels = _channels(blank=True, default=list, help_text="Channels counted (empty: all).")

    class Meta:
        managed = False
        db_table = 'workflow_service"."contact_policy_caps'
        ordering = ["scope", "days"]

    def __str__(self) -> str:
        return f"{self.max_attempts} per {self.scope.lower()} in {self.days} day(s)"


class ContactPolicyAssignment(models.Model):
    """Which policy (its current version) applies: to one cif, or by jurisdiction and loan
    product (any when empty). The most specific row wins, then the lowest ``priority``."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    policy_code = models.CharField(max_length=50)
    cif = models.CharField(max_length=20, null=True, blank=True)
    jurisdiction = models.CharField(max_length=10, null=True, blank=True)
    product_type = models.CharField(max_length=50, null=True, blank=True)
    priority = models.IntegerField(default=100)
    note = models.CharField(max_length=200, blank=True, default="")
    created_at = UTCDateTimeField(default=timezone.now)
    created_by = models.CharField(max_length=50)

    class Meta:
        managed = False
        db_table = 'workflow_service"."contact_policy_assignments'
        ordering = ["cif", "jurisdiction", "product_type", "priority"]
        verbose_name = "policy assignment"

    def __str__(self) -> str:
        scope = self.cif or "/".join(filter(None, [self.jurisdiction, self.product_type]))
        return f"{self.policy_code} for {scope or 'every customer'}"


class ContactProfile(models.Model):
    """A customer's jurisdiction and time zone for contact rules (none: the bank's zone)."""

    cif = models.CharField(max_length=20, primary_key=True)
    jurisdiction = models.CharField(max_length=10, null=True, blank=True)
    time_zone = models.CharField(max_length=64, null=True, blank=True)
    updated_at = UTCDateTimeField(default=timezone.now)
    updated_by = models.CharField(max_length=50)

    class Meta:
        managed = False
        db_table = 'workflow_service"."contact_customer_profiles'
        ordering = ["cif"]
        verbose_name = "customer contact profile"

    def __str__(self) -> str:
        return self.cif


class ContactHold(models.Model):
    """A hold on contacting a customer, on some channels (all when none) for a period."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    cif = models.CharField(max_length=20)
    hold_type = models.CharField(max_length=20, choices=HoldType.choices)
    channels = _channels(blank=True, default=list, help_text="Channels suppressed (empty: all).")
    starts_at = UTCDateTimeField()
    expires_at = UTCDateTimeField(null=True, blank=True)
    review_date = models.DateField(null=True, blank=True)
    reason = models.TextField()
    created_at = UTCDateTimeField(default=timezone.now)
    created_by = models.CharField(max_length=50)
    lifted_at = UTCDateTimeField(null=True, blank=True)
    lifted_by = models.CharField(max_length=50, null=True, blank=True)
    lift_reason = models.TextField(null=True, blank=True)

    class Meta:
        managed = False
        db_table = 'workflow_service"."contact_holds'
        ordering = ["-starts_at"]
        verbose_name = "contact hold"

    def __str__(self) -> str:
        return f"{self.get_hold_type_display()} on {self.cif}"


class ContactAttempt(models.Model):
    """One row of the ledger: a reservation, a refusal, or a contact recorded without one.

    A recorded action's party and contact point live here (``action_id``); the bank's
    ``action_records`` is unchanged. ``rule`` is the rule that refused the attempt (or that a
    supervisor overrode, with ``override_reason``); ``violation_rule`` flags a recorded contact
    that broke the policy.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    cif = models.CharField(max_length=20)
    channel = models.CharField(max_length=10, choices=ActionType.choices)
    party = models.CharField(max_length=20, choices=Party.choices)
    contact_point = models.CharField(max_length=200, null=True, blank=True)
    policy = models.ForeignKey(
        ContactPolicy, on_delete=models.DO_NOTHING, null=True, db_column="policy_id"
    )
    status = models.CharField(max_length=10, choices=AttemptStatus.choices)
    attempted_at = UTCDateTimeField()
    expires_at = UTCDateTimeField(null=True, blank=True)
    counts_as_attempt = models.BooleanField()
    is_conversation = models.BooleanField(default=False)
    rule = models.CharField(max_length=60, null=True, blank=True)
    override_reason = models.CharField(max_length=500, null=True, blank=True)
    action_id = models.UUIDField(null=True, blank=True)
    action_date = UTCDateTimeField(null=True, blank=True)
    violation_rule = models.CharField(max_length=60, null=True, blank=True)
    violation = models.JSONField(null=True, blank=True)
    agent_id = models.UUIDField(null=True, blank=True)
    team = models.CharField(max_length=30, null=True, blank=True)
    created_at = UTCDateTimeField(default=timezone.now)
    created_by = models.CharField(max_length=50)
    updated_at = UTCDateTimeField(default=timezone.now)

    class Meta:
        managed = False
        db_table = 'workflow_service"."contact_attempts'
        ordering = ["-attempted_at"]
        verbose_name = "contact attempt"

    def __str__(self) -> str:
        return f"{self.channel} {self.party} {self.cif} ({self.status})"
