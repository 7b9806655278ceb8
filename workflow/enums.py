"""``TextChoices`` that mirror the PostgreSQL enums of the bank's schema, value for value.

The database enum is the source of truth; ``tests/workflow/test_enums.py`` compares each
class with ``pg_enum`` so that a drift fails the build.
"""

from __future__ import annotations

from django.db import models


class AgentType(models.TextChoices):
    AGENT = "AGENT", "Agent"
    SUPERVISOR = "SUPERVISOR", "Supervisor"
    ADMIN = "ADMIN", "Admin"


class ActionType(models.TextChoices):
    CALL = "CALL", "Call"
    VISIT = "VISIT", "Visit"
    EMAIL = "EMAIL", "E-mail"
    SMS = "SMS", "SMS"
    LETTER = "LETTER", "Letter"


class ActionSubtype(models.TextChoices):
    REMINDER_CALL = "REMINDER_CALL", "Reminder call"
    FOLLOW_UP_CALL = "FOLLOW_UP_CALL", "Follow-up call"
    FIELD_VISIT = "FIELD_VISIT", "Field visit"
    COURTESY_CALL = "COURTESY_CALL", "Courtesy call"
    PAYMENT_REMINDER = "PAYMENT_REMINDER", "Payment reminder"
    DISPUTE_RESOLUTION = "DISPUTE_RESOLUTION", "Dispute resolution"


class ActionResult(models.TextChoices):
    PROMISE_TO_PAY = "PROMISE_TO_PAY", "Promise to pay"
    PAYMENT_MADE = "PAYMENT_MADE", "Payment made"
    NO_CONTACT = "NO_CONTACT", "No contact"
    REFUSED_TO_PAY = "REFUSED_TO_PAY", "Refused to pay"
    DISPUTE = "DISPUTE", "Dispute"
    PARTIAL_PAYMENT = "PARTIAL_PAYMENT", "Partial payment"
    RESCHEDULED = "RESCHEDULED", "Rescheduled"


class CustomerStatus(models.TextChoices):
    ACTIVE = "ACTIVE", "Active"
    INACTIVE = "INACTIVE", "Inactive"
    COOPERATIVE = "COOPERATIVE", "Cooperative"
    UNCOOPERATIVE = "UNCOOPERATIVE", "Uncooperative"
    DISPUTED = "DISPUTED", "Disputed"


class CollateralStatus(models.TextChoices):
    SECURED = "SECURED", "Secured"
    UNSECURED = "UNSECURED", "Unsecured"
    PARTIAL = "PARTIAL", "Partial"
    UNDER_REVIEW = "UNDER_REVIEW", "Under review"


class ProcessingStateStatus(models.TextChoices):
    IN_PROCESS = "IN_PROCESS", "In process"
    COMPLETED = "COMPLETED", "Completed"
    PENDING = "PENDING", "Pending"
    ESCALATED = "ESCALATED", "Escalated"
    ON_HOLD = "ON_HOLD", "On hold"


class LendingViolationStatus(models.TextChoices):
    NONE = "NONE", "None"
    MINOR = "MINOR", "Minor"
    MAJOR = "MAJOR", "Major"
    CRITICAL = "CRITICAL", "Critical"


class RecoveryAbilityStatus(models.TextChoices):
    HIGH = "HIGH", "High"
    MEDIUM = "MEDIUM", "Medium"
    LOW = "LOW", "Low"
    NONE = "NONE", "None"
    UNKNOWN = "UNKNOWN", "Unknown"


class CustomerType(models.TextChoices):
    INDIVIDUAL = "INDIVIDUAL", "Individual"
    ORGANIZATION = "ORGANIZATION", "Organization"


class LoanStatus(models.TextChoices):
    OPEN = "OPEN", "Open"
    CLOSED = "CLOSED", "Closed"


class SourceSystemType(models.TextChoices):
    T24 = "T24", "T24"
    W4 = "W4", "W4"
    OTHER = "OTHER", "Other"
    CRM = "CRM", "CRM"


# Database enum name -> mirroring class, for the drift test and the enum field.
PG_ENUMS: dict[str, type[models.TextChoices]] = {
    "agent_type": AgentType,
    "action_type": ActionType,
    "action_subtype": ActionSubtype,
    "action_result": ActionResult,
    "customer_status": CustomerStatus,
    "collateral_status": CollateralStatus,
    "processing_state_status": ProcessingStateStatus,
    "lending_violation_status": LendingViolationStatus,
    "recovery_ability_status": RecoveryAbilityStatus,
    "customer_type": CustomerType,
    "loan_status": LoanStatus,
    "source_system_type": SourceSystemType,
}
