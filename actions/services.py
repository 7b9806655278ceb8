"""Writes of action records: recording an action and changing its result."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from actions.events import publish_action_recorded
from actions.models import ActionRecord
from agents.models import Agent
from agents.selectors import active_agent_for_actor
from contacts.ledger_services import contact_action_result_changed
from contacts.services import contact_record_action, contact_recording_start
from promises.services import PromiseTerms, promise_make_for_action
from workflow import generations
from workflow.actors import Actor
from workflow.business_time import naive_utc
from workflow.checks import check_action_date, check_choice
from workflow.enums import ActionResult, ActionSubtype, ActionType
from workflow.errors import Forbidden, NotFound, ValidationFailed
from workflow.permissions import Access, Capability, grant
from workflow.sentinels import UNSET, Unset
from workflow.sql_model import SqlModel

# Clocks drift between the agents' devices and the server; more than this ahead is a mistake.
# visit_latitude is decimal(10,8) and visit_longitude decimal(11,8): PostgreSQL would round
# extra decimals silently, so they are refused instead.
COORDINATE_SCALE = Decimal("1e-8")


@dataclass(frozen=True)
class VisitLocation:
    """Where a visit took place; latitude and longitude come together."""

    latitude: Decimal | None = None
    longitude: Decimal | None = None
    address: str | None = None


def _check_coordinate(value: Decimal, *, limit: int, field: str) -> None:
    if not value.is_finite() or abs(value) > limit:
        raise ValidationFailed(f"{field} must be between -{limit} and {limit}.", field=field)
    if value.quantize(COORDINATE_SCALE) != value:
        raise ValidationFailed(f"{field} may have at most 8 decimal places.", field=field)


def _check_visit_location(location: VisitLocation | None, *, action_type: str) -> None:
    if location is not None:
        if location.latitude is not None and location.longitude is None:
            raise ValidationFailed(
                "visitLocation.longitude is required with a latitude.",
                field="visitLocation.longitude",
            )
        if location.longitude is not None and location.latitude is None:
            raise ValidationFailed(
                "visitLocation.latitude is required with a longitude.",
                field="visitLocation.latitude",
            )
        if location.latitude is not None and location.longitude is not None:
            _check_coordinate(location.latitude, limit=90, field="visitLocation.latitude")
            _check_coordinate(location.longitude, limit=180, field="visitLocation.longitude")
    if action_type == ActionType.VISIT and (location is None or location.latitude is None):
        raise ValidationFailed(
            "A VISIT must carry visitLocation with latitude and longitude.",
            field="visitLocation",
        )


# An action's row is written (recording) and locked (a result update) with plain statements
# (``workflow.sql_model``), the agent of the answer read in the update's own statement.
_ACTION_RECORD = SqlModel(ActionRecord, alias="r")
_AGENT = SqlModel(Agent, alias="a")
_LOCK_ACTION_SQL = (
    f"SELECT {_ACTION_RECORD.columns} FROM workflow_service.action_records r"
    " WHERE r.id = %s::uuid LIMIT 1 FOR UPDATE"
)


@transaction.atomic
def action_record(
    *,
    actor: Actor,
    cif: str,
    loan_account_number: str,
    type: str,
    subtype: str,
    action_result: str,
    action_date: dt.datetime | None = None,
    notes: str | None = None,
    call_trace_id: str | None = None,
    visit_location: VisitLocation | None = None,
    contact_attempt_id: uuid.UUID | None = None,
    party: str | None = None,
    contact_point: str | None = None,
    promise: PromiseTerms | None = None,
) -> ActionRecord:
    """Record an action of the caller's agent on loan ``loan_account_number`` of ``cif``.

    ``action_date`` defaults to now; it may not be more than five minutes ahead nor before
    2000. A VISIT needs coordinates. The loan must belong to the customer. The contact's
    ``party`` and ``contact_point`` go to the contact ledger, which consumes the reservation
    ``contact_attempt_id`` or flags a contact that broke the policy (never refused for that).
    ``promise`` (a PROMISE_TO_PAY's amount and date) records the promise too
    (``promises.services``).
    """
    agent = active_agent_for_actor(actor)
    generations.bump_agents_on_commit(agent.id)  # the agent's cached reports
    check_choice(type, ActionType, field="type")
    check_choice(subtype, ActionSubtype, field="subtype")
    check_choice(action_result, ActionResult, field="actionResult")
    if action_date is None:
        action_date = timezone.now()
    check_action_date(action_date)
    _check_visit_location(visit_location, action_type=type)

    # With the contact policy on, the statement that proves the customer exists also reads its
    # contact facts and takes its locks (one statement where there were two).
    contact = contact_recording_start(
        cif=cif,
        channel=type,
        action_date=action_date,
        attempt_id=contact_attempt_id,
        party=party,
        contact_point=contact_point,
    )
    if contact is None:
        raise NotFound(f"No customer with cif {cif}.", field="cif")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT cif FROM bank_sync_service.loans WHERE account_number = %s::text",
            [loan_account_number],
        )
        loan = cursor.fetchone()
    if loan is None:
        raise NotFound(
            f"No loan with account number {loan_account_number}.", field="loanAccountNumber"
        )
    if loan[0] != cif:
        raise ValidationFailed(
            f"Loan {loan_account_number} does not belong to customer {cif}.",
            field="loanAccountNumber",
        )

    location = visit_location or VisitLocation()
    record = _ACTION_RECORD.insert(
        ActionRecord(
            customer_id=cif,
            loan_id=loan_account_number,
            agent=agent,
            type=type,
            subtype=subtype,
            action_result=action_result,
            action_date=action_date,
            notes=notes or None,
            call_trace_id=call_trace_id or None,
            visit_latitude=location.latitude,
            visit_longitude=location.longitude,
            visit_address=location.address or None,
            created_by=actor.username,
            updated_by=actor.username,
        )
    )
    publish_action_recorded(record=record, actor=actor)  # outbox row, same transaction
    contact_record_action(
        actor=actor,
        action_id=record.id,
        action_date=action_date,
        cif=cif,
        channel=type,
        result=action_result,
        agent_id=agent.id,
        team=agent.team,
        attempt_id=contact_attempt_id,
        party=party,
        contact_point=contact_point,
        start=contact,
    )
    if promise is not None:
        promise_make_for_action(
            actor=actor,
            terms_given=promise,
            action_id=record.id,
            action_result=action_result,
            agent_id=agent.id,
            cif=cif,
            loan_account_number=loan_account_number,
        )
    return record


@transaction.atomic
def action_update_result(
    *,
    actor: Actor,
    action_id: uuid.UUID,
    action_result: str,
    notes: str | Unset | None = UNSET,
) -> ActionRecord:
    """Change the result (and, when given, the notes) of action ``action_id``.

    EDIT_RESULTS: supervisors and admins may change any action; an agent (scope OWN_ACTIONS)
    only the actions it recorded. The contact ledger follows the new result (whether the
    contact is an attempt, a conversation) and the flags it affects are set again
    (``contacts.ledger_services.contact_action_result_changed``).
    """
    check_choice(action_result, ActionResult, field="actionResult")
    scoped = grant(actor, Capability.EDIT_RESULTS).access is not Access.ALLOWED
    editor = active_agent_for_actor(actor) if scoped else None

    record = _ACTION_RECORD.one(_LOCK_ACTION_SQL, [action_id])
    if record is None:
        raise NotFound(f"No action with id {action_id}.", field="id")
    if editor is not None and record.agent_id != editor.id:
        raise Forbidden(
            "Only the agent who recorded this action, or a supervisor, may change its result."
        )
    generations.bump_agents_on_commit(record.agent_id)

    changes: dict[str, str | None] = {"action_result": action_result, "updated_by": actor.username}
    if not isinstance(notes, Unset):
        changes["notes"] = notes
    # The real key is (id, action_date): naming both keeps the UPDATE on one partition. The
    # table's trigger stamps updated_at: the statement returns the row as stored, with the
    # agent the answer shows.
    assignments = ", ".join(f"{column} = %s" for column in changes)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH r AS (
                UPDATE workflow_service.action_records SET {assignments}
                WHERE id = %s::uuid AND action_date = %s::timestamp
                RETURNING *
            )
            SELECT {_ACTION_RECORD.columns}, {_AGENT.columns}
            FROM r JOIN workflow_service.agents a ON a.id = r.agent_id
            """,
            [*changes.values(), record.id, naive_utc(record.action_date)],
        )
        row = cursor.fetchone()
    assert row is not None, "the action is locked"
    updated = _ACTION_RECORD.instance(row)
    updated.agent = _AGENT.instance(row[len(_ACTION_RECORD.fields) :])
    contact_action_result_changed(actor=actor, action_id=record.id, action_result=action_result)
    return updated
