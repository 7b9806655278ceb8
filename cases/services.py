"""Writes of customers' cases: opening a case and recording a status input on it."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from agents.selectors import active_agent_for_actor
from cases.models import CustomerCase, CustomerCaseAction
from cases.selectors import customer_get
from workflow.actors import Actor
from workflow.checks import check_action_date, check_choice
from workflow.enums import (
    CollateralStatus,
    CustomerStatus,
    LendingViolationStatus,
    ProcessingStateStatus,
    RecoveryAbilityStatus,
)
from workflow.errors import NotFound, ValidationFailed
from workflow.sentinels import UNSET, Unset

# An action date may run a little ahead of the server clock (the caller's clock drifts).


def case_open_locked(
    *,
    actor: Actor,
    cif: str,
    assigned_call_agent_id: uuid.UUID | None = None,
    assigned_field_agent_id: uuid.UUID | None = None,
) -> tuple[CustomerCase, bool]:
    """The customer's case row locked ``FOR UPDATE``, opened when absent; ``(case, created)``.

    A new case gets the default statuses (ACTIVE, UNSECURED, IN_PROCESS, NONE, MEDIUM) and the
    given agents; the database trigger then opens its first assignment version (an empty one
    when no agent is given). Call it inside a transaction: the lock serializes every change
    of this customer's case, and with it the trigger's history writes, until commit.
    """
    case = CustomerCase.objects.select_for_update().filter(customer_id=cif).first()
    if case is not None:
        return case, False
    case = CustomerCase(
        customer_id=cif,
        assigned_call_agent_id=assigned_call_agent_id,
        assigned_field_agent_id=assigned_field_agent_id,
        customer_status=CustomerStatus.ACTIVE,
        collateral_status=CollateralStatus.UNSECURED,
        processing_state_status=ProcessingStateStatus.IN_PROCESS,
        lending_violation_status=LendingViolationStatus.NONE,
        recovery_ability_status=RecoveryAbilityStatus.MEDIUM,
        created_by=actor.username,
        updated_by=actor.username,
    )
    try:
        with transaction.atomic():
            case.save(force_insert=True)
    except IntegrityError:
        # A concurrent request opened the case first (unique cif): wait for its lock and
        # continue with its row. Any other integrity failure leaves no row and is re-raised.
        existing = CustomerCase.objects.select_for_update().filter(customer_id=cif).first()
        if existing is None:
            raise
        return existing, False
    return case, True


@transaction.atomic
def case_record_action(
    *,
    actor: Actor,
    cif: str,
    action_date: dt.datetime | None = None,
    notes: str | None = None,
    customer_status: str | None = None,
    collateral_status: str | None = None,
    processing_state_status: str | None = None,
    lending_violation_status: str | None = None,
    recovery_ability_status: str | None = None,
) -> CustomerCaseAction:
    """Record a status input by the caller's agent and apply it to the customer's case.

    In one transaction: the case row is locked (opened with the default statuses when the
    customer has none), the given statuses and ``f_update`` (= the action date) are written to
    it, and the ``customer_case_actions`` row is inserted. Statuses not given keep their value.
    """
    agent = active_agent_for_actor(actor)
    check_choice(customer_status, CustomerStatus, field="customerStatus")
    check_choice(collateral_status, CollateralStatus, field="collateralStatus")
    check_choice(processing_state_status, ProcessingStateStatus, field="processingStateStatus")
    check_choice(lending_violation_status, LendingViolationStatus, field="lendingViolationStatus")
    check_choice(recovery_ability_status, RecoveryAbilityStatus, field="recoveryAbilityStatus")
    if notes is not None and not notes.strip():
        notes = None
    statuses = {
        "customer_status": customer_status,
        "collateral_status": collateral_status,
        "processing_state_status": processing_state_status,
        "lending_violation_status": lending_violation_status,
        "recovery_ability_status": recovery_ability_status,
    }
    given = [name for name, value in statuses.items() if value is not None]
    if not given and notes is None:
        raise ValidationFailed(
            "Give notes or at least one of customerStatus, collateralStatus, "
            "processingStateStatus, lendingViolationStatus, recoveryAbilityStatus.",
            field="notes",
        )
    if action_date is None:
        action_date = timezone.now()
    check_action_date(action_date)
    customer_get(cif=cif)

    case, _ = case_open_locked(actor=actor, cif=cif)
    if customer_status is not None:
        case.customer_status = customer_status
    if collateral_status is not None:
        case.collateral_status = collateral_status
    if processing_state_status is not None:
        case.processing_state_status = processing_state_status
    if lending_violation_status is not None:
        case.lending_violation_status = lending_violation_status
    if recovery_ability_status is not None:
        case.recovery_ability_status = recovery_ability_status
    case.f_update = action_date
    case.updated_by = actor.username
    # The agent columns stay out of the UPDATE: a status input never touches the assignment.
    case.save(update_fields=[*given, "f_update", "updated_by"])

    return CustomerCaseAction.objects.create(
        customer_id=cif,
        agent=agent,
        action_date=action_date,
        notes=notes,
        customer_status=customer_status,
        collateral_status=collateral_status,
        processing_state_status=processing_state_status,
        lending_violation_status=lending_violation_status,
        recovery_ability_status=recovery_ability_status,
        created_by=actor.username,
        updated_by=actor.username,
    )


# --- Back-office corrections -------------------------------------------------------------

_STATUS_CHOICES: dict[str, tuple[type[models.TextChoices], str]] = {
    "customer_status": (CustomerStatus, "customerStatus"),
    "collateral_status": (CollateralStatus, "collateralStatus"),
    "processing_state_status": (ProcessingStateStatus, "processingStateStatus"),
    "lending_violation_status": (LendingViolationStatus, "lendingViolationStatus"),
    "recovery_ability_status": (RecoveryAbilityStatus, "recoveryAbilityStatus"),
}


@transaction.atomic
def case_update_statuses(
    *,
    actor: Actor,
    cif: str,
    customer_status: str | Unset = UNSET,
    collateral_status: str | Unset = UNSET,
    processing_state_status: str | Unset = UNSET,
    lending_violation_status: str | Unset = UNSET,
    recovery_ability_status: str | Unset = UNSET,
) -> tuple[CustomerCase, list[str]]:
    """Correct the statuses of the customer's existing case; ``(case, changed field names)``.

    For supervisors in the back-office. Unlike ``case_record_action`` no case action is
    recorded: a status input belongs to an agent and a supervisor may have no agent profile,
    so the caller records who changed what (the admin writes its log entry). Statuses not
    given (``UNSET``) or equal to the stored value are left alone and nothing is written when
    none changes; otherwise the changed statuses, ``f_update`` (now) and ``updated_by`` are
    written. The agent columns stay out of the UPDATE, so the assignment history is never
    touched. 404 on ``cif`` when the customer has no case, 400 on an unknown status value.
    """
    wanted = {
        "customer_status": customer_status,
        "collateral_status": collateral_status,
        "processing_state_status": processing_state_status,
        "lending_violation_status": lending_violation_status,
        "recovery_ability_status": recovery_ability_status,
    }
    given = {name: value for name, value in wanted.items() if not isinstance(value, Unset)}
    for name, value in given.items():
        choices, api_field = _STATUS_CHOICES[name]
        if value is None:
            raise ValidationFailed(f"{api_field} cannot be empty.", field=api_field)
        check_choice(value, choices, field=api_field)

    case = CustomerCase.objects.select_for_update().filter(customer_id=cif).first()
    if case is None:
        raise NotFound(f"Customer {cif} has no case.", field="cif")
    changed = [name for name, value in given.items() if getattr(case, name) != value]
    if not changed:
        return case, []
    for name in changed:
        setattr(case, name, given[name])
    case.f_update = timezone.now()
    case.updated_by = actor.username
    case.save(update_fields=[*changed, "f_update", "updated_by"])
    return case, changed
