"""The contact-policy vocabulary: channels, parties, holds, ledger states, cap scopes, rules."""

from __future__ import annotations

from django.db import models

from workflow.enums import ActionType

# A contact's channel is the type of the action that records it (CALL, VISIT, EMAIL, ...).
Channel = ActionType


class Party(models.TextChoices):
    BORROWER = "BORROWER", "Borrower"
    CO_BORROWER = "CO_BORROWER", "Co-borrower"
    GUARANTOR = "GUARANTOR", "Guarantor"
    REFERENCE = "REFERENCE", "Reference person (not liable)"


class HoldType(models.TextChoices):
    DISPUTE = "DISPUTE", "Dispute"
    CEASE_CONTACT = "CEASE_CONTACT", "Cease-contact request"
    DECEASED = "DECEASED", "Deceased"
    HARDSHIP = "HARDSHIP", "Hardship"
    LEGAL_MORATORIUM = "LEGAL_MORATORIUM", "Legal moratorium"


class AttemptStatus(models.TextChoices):
    RESERVED = "RESERVED", "Reserved"
    CONSUMED = "CONSUMED", "Reserved and recorded"
    RECORDED = "RECORDED", "Recorded without a reservation"
    REFUSED = "REFUSED", "Refused"
    RELEASED = "RELEASED", "Released unused"


# Ledger rows that stand for a contact (made, or allowed to be made): the caps count these.
COUNTED_STATUSES = (AttemptStatus.RESERVED, AttemptStatus.CONSUMED, AttemptStatus.RECORDED)


class CapScope(models.TextChoices):
    CUSTOMER = "CUSTOMER", "Per customer"
    CONTACT_POINT = "CONTACT_POINT", "Per contact point (phone number, address)"


class Rule(models.TextChoices):
    """The stable names of the rules a decision can cite (caps add their own key, e.g.
    ``CUSTOMER_1D`` or ``CONTACT_POINT_30D_CALL``: see :meth:`contacts.rules.Cap.key`)."""

    NO_POLICY = "NO_POLICY", "No policy applies"
    CHANNEL_NOT_ALLOWED = "CHANNEL_NOT_ALLOWED", "Channel not allowed"
    PARTY_NOT_ALLOWED = "PARTY_NOT_ALLOWED", "Party not liable / not allowed"
    HOLD = "HOLD", "Customer on hold"
    TIME_WINDOW = "TIME_WINDOW", "Outside the allowed local hours"
    CONVERSATION_BLOCK = "CONVERSATION_BLOCK", "Blocked after a conversation"
