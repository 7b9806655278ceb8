"""The contact gate and the contact record of every action (README, "Contact policy").

- :func:`contact_policy_check` answers "may I contact now?" without reserving;
- :func:`contact_attempt_reserve` answers the same question with the same function and, when
  allowed, reserves the attempt: the customer's and the contact point's advisory locks make
  concurrent reservations queue, so a cap is never exceeded (three statements: facts with the
  locks, history, the ledger row; a refusal is written too, for the supervisors' lists);
- :func:`contact_attempt_override` lets a supervisor allow, with a reason, what the policy
  refused (never a hold: lift or narrow the hold instead);
- :func:`contact_recording_start` and :func:`contact_record_action` are called by
  ``actions.services.action_record`` for every new action, before and after it writes the
  action: the first proves the customer exists (with the policy on and no reservation named,
  by the statement that reads its facts and takes its locks); the second consumes the
  reservation the action names, or records the contact and checks it against the policy. A
  breach never refuses the record: it is flagged and published.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from contacts import rules
from contacts.enums import AttemptStatus, Channel, Party, Rule
from contacts.events import publish_contact_override, publish_contact_violation
from contacts.models import ContactAttempt
from contacts.rules import Decision, Facts, Policy
from contacts.selectors import (
    HISTORY_SQL,
    CustomerFacts,
    contact_history,
    contacts_from_json,
    customer_facts,
    history_params,
    lookback_start,
    policy_rules,
)
from workflow.actors import Actor
from workflow.business_time import naive_utc
from workflow.checks import check_choice
from workflow.errors import AgentNotFound, Conflict, Forbidden, NotFound, ValidationFailed
from workflow.models import Customer
from workflow.permissions import Capability, can

CONTACT_POINT_MAX = 200
REASON_MAX = 500
# An action consumes its reservation while the reservation is live (before its expires_at) and
# when dated from shortly before it (clocks drift). A reservation that lapsed unused no longer
# counts against the caps, so its slot may have been given to someone else: an action naming it
# is checked as a contact made without one, and flagged if it broke a rule.
CONSUME_EARLY_MINUTES = 5
_PHONE = re.compile(r"\+?\d{4,20}")
_PHONE_NOISE = re.compile(r"[\s\-().]")


@dataclass(frozen=True)
class GateAnswer:
    """A decision of the gate and, for a reservation, its ledger row and expiry."""

    decision: Decision
    zone: dt.tzinfo
    attempt_id: uuid.UUID | None = None
    expires_at: dt.datetime | None = None
    override_reason: str | None = None


@dataclass(frozen=True)
class ContactStart:
    """What :func:`contact_recording_start` read before the action is written."""

    party: str
    contact_point: str | None
    facts: CustomerFacts | None  # read under the customer's locks; None: not read yet


@dataclass(frozen=True)
class ContactRecord:
    """The ledger row of a recorded action and the rule it broke (None: none)."""

    attempt_id: uuid.UUID
    violation_rule: str | None = None


def normalise_contact_point(value: str | None) -> str | None:
    """One spelling per contact point, so the caps count it once: a phone number without
    spaces, dashes, dots or brackets; an e-mail address in lower case; an address with single
    spaces, case-folded."""
    if value is None:
        return None
    text = " ".join(value.split())
    if not text:
        return None
    if "@" in text:
        return text.lower()
    compact = _PHONE_NOISE.sub("", text)
    if _PHONE.fullmatch(compact):
        return compact
    return text.casefold()


def _check_request(*, channel: str, party: str, contact_point: str | None) -> str | None:
    check_choice(channel, Channel, field="channel")
    check_choice(party, Party, field="party")
    point = normalise_contact_point(contact_point)
    if point is not None and len(point) > CONTACT_POINT_MAX:
        raise ValidationFailed(
            f"contactPoint may have at most {CONTACT_POINT_MAX} characters.", field="contactPoint"
        )
    return point


def _zone(row: CustomerFacts) -> dt.tzinfo:
    return rules.zone_named(row.time_zone, settings.BUSINESS_TIME_ZONE)


def _decide(
    *,
    actor: Actor,
    cif: str,
    channel: str,
    party: str,
    contact_point: str | None,
    at: dt.datetime,
    lock: bool,
) -> tuple[CustomerFacts, Policy | None, Facts, Decision]:
    """The one decision function of the check, the reservation and the override."""
    row = customer_facts(
        cif=cif, at=at, user_id=actor.user_id, lock=lock, contact_point=contact_point
    )
    if row is None:
        raise NotFound(f"No customer with cif {cif}.", field="cif")
    zone = _zone(row)
    if row.policy_id is None:
        return row, None, Facts(zone=zone, holds=row.holds), rules.no_policy(at, zone)
    policy = policy_rules(row.policy_id)
    customer, point = contact_history(
        cif=cif, contact_point=contact_point, since=lookback_start(policy, at), now=at
    )
    facts = Facts(zone=zone, holds=row.holds, customer_contacts=customer, point_contacts=point)
    decision = rules.evaluate(policy, facts, channel=channel, party=party, at=at)
    return row, policy, facts, decision


def contact_policy_check(
    *, actor: Actor, cif: str, channel: str, party: str = Party.BORROWER, contact_point: str
) -> GateAnswer:
    """Whether ``party`` of ``cif`` may be contacted on ``channel`` at ``contact_point`` now,
    exactly as :func:`contact_attempt_reserve` would answer, without reserving (two reads)."""
    point = _check_request(channel=channel, party=party, contact_point=contact_point)
    _, _, facts, decision = _decide(
        actor=actor,
        cif=cif,
        channel=channel,
        party=party,
        contact_point=point,
        at=timezone.now(),
        lock=False,
    )
    return GateAnswer(decision=decision, zone=facts.zone)


def _attempt(
    *,
    actor: Actor,
    row: CustomerFacts,
    decision: Decision,
    channel: str,
    party: str,
    contact_point: str | None,
    status: str,
    counts: bool,
    expires_at: dt.datetime | None = None,
    override_reason: str | None = None,
) -> ContactAttempt:
    return ContactAttempt.objects.create(
        cif=row.cif,
        channel=channel,
        party=party,
        contact_point=contact_point,
        policy_id=decision.policy_id,
        status=status,
        attempted_at=decision.at,
        expires_at=expires_at,
        counts_as_attempt=counts,
        rule=decision.rule,
        override_reason=override_reason,
        agent_id=row.agent_id,
        team=row.agent_team,
        created_by=actor.username,
    )


@transaction.atomic
def contact_attempt_reserve(
    *, actor: Actor, cif: str, channel: str, party: str = Party.BORROWER, contact_point: str
) -> GateAnswer:
    """Reserve one contact attempt of the caller's agent, or refuse it (logged as REFUSED).

    Safe under concurrency: the customer's and the contact point's advisory locks serialise
    the decisions on them until commit. The caller needs an active agent profile.
    """
    point = _check_request(channel=channel, party=party, contact_point=contact_point)
    row, policy, facts, decision = _decide(
        actor=actor,
        cif=cif,
        channel=channel,
        party=party,
        contact_point=point,
        at=timezone.now(),
        lock=True,
    )
    if row.agent_id is None or not row.agent_active:
        raise AgentNotFound("Reserving a contact needs an active agent profile of the caller.")
    if not decision.allowed or policy is None:
        attempt = _attempt(
            actor=actor,
            row=row,
            decision=decision,
            channel=channel,
            party=party,
            contact_point=point,
            status=AttemptStatus.REFUSED,
            counts=False,
        )
        return GateAnswer(decision=decision, zone=facts.zone, attempt_id=attempt.id)
    expires_at = rules.reservation_expiry(policy, facts, channel=channel, at=decision.at)
    attempt = _attempt(
        actor=actor,
        row=row,
        decision=decision,
        channel=channel,
        party=party,
        contact_point=point,
        status=AttemptStatus.RESERVED,
        counts=policy.counts_as_attempt(channel),
        expires_at=expires_at,
    )
    return GateAnswer(
        decision=decision, zone=facts.zone, attempt_id=attempt.id, expires_at=expires_at
    )


@transaction.atomic
def contact_attempt_override(
    *,
    actor: Actor,
    cif: str,
    channel: str,
    party: str = Party.BORROWER,
    contact_point: str,
    reason: str,
) -> GateAnswer:
    """Reserve an attempt the policy refuses, for a supervisor, with a mandatory ``reason``.

    Audited in the ledger (who, when, the rule overridden, the reason) and published as
    ``contact.override``. A hold is never overridden (409): lift or narrow it in the admin. When
    the policy allows the attempt anyway, this is an ordinary reservation.
    """
    if not can(actor, Capability.OVERRIDE_CONTACTS):
        raise Forbidden("Only supervisors and admins may override the contact policy.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("An override needs a reason.", field="reason")
    if len(reason) > REASON_MAX:
        raise ValidationFailed(f"reason may have at most {REASON_MAX} characters.", field="reason")
    point = _check_request(channel=channel, party=party, contact_point=contact_point)
    at = timezone.now()
    row, policy, facts, decision = _decide(
        actor=actor, cif=cif, channel=channel, party=party, contact_point=point, at=at, lock=True
    )
    if policy is None:
        raise Conflict("No contact policy applies to this customer; assign one first.")
    found = rules.breaches(policy, facts.before(at), channel=channel, party=party, at=at)
    if any(breach.rule == Rule.HOLD for breach in found):
        raise Conflict("A hold cannot be overridden; lift or narrow the hold instead.")
    expires_at = rules.reservation_expiry(
        policy, facts, channel=channel, at=at, within_window=False
    )
    overridden = None if decision.allowed else reason
    attempt = _attempt(
        actor=actor,
        row=row,
        decision=decision,
        channel=channel,
        party=party,
        contact_point=point,
        status=AttemptStatus.RESERVED,
        counts=policy.counts_as_attempt(channel),
        expires_at=expires_at,
        override_reason=overridden,
    )
    if overridden:
        publish_contact_override(attempt=attempt, decision=decision, actor=actor)
    return GateAnswer(
        decision=decision,
        zone=facts.zone,
        attempt_id=attempt.id,
        expires_at=expires_at,
        override_reason=overridden,
    )


_CONSUME_SQL = """
UPDATE workflow_service.contact_attempts a
   SET status = 'CONSUMED',
       action_id = %(action_id)s,
       action_date = %(action_date)s,
       counts_as_attempt = a.channel = ANY(p.attempt_types)
           AND (cardinality(p.attempt_results) = 0 OR %(result)s = ANY(p.attempt_results)),
       is_conversation = %(result)s = ANY(p.conversation_results),
       agent_id = %(agent_id)s,
       team = %(team)s,
       updated_at = now() AT TIME ZONE 'UTC'
  FROM workflow_service.contact_policies p
 WHERE a.id = %(attempt_id)s AND a.cif = %(cif)s AND a.channel = %(channel)s
   AND a.status = 'RESERVED' AND p.id = a.policy_id AND a.expires_at > %(now)s
   AND %(action_date)s >= a.attempted_at - make_interval(mins => %(early)s)
RETURNING a.id
"""

_RECORD_SQL = f"""
WITH recorded AS (
    INSERT INTO workflow_service.contact_attempts
        (id, cif, channel, party, contact_point, policy_id, status, attempted_at,
         counts_as_attempt, is_conversation, action_id, action_date, agent_id, team, created_by)
    VALUES (%(id)s, %(cif)s, %(channel)s, %(party)s, %(point)s, %(policy_id)s, 'RECORDED',
            %(action_date)s, %(counts)s, %(conversation)s, %(action_id)s, %(action_date)s,
            %(agent_id)s, %(team)s, %(created_by)s)
    RETURNING id
), history AS ({HISTORY_SQL})
SELECT history.customer_contacts, history.point_contacts FROM recorded, history
"""


def contact_recording_start(
    *,
    cif: str,
    channel: str,
    action_date: dt.datetime,
    attempt_id: uuid.UUID | None = None,
    party: str | None = None,
    contact_point: str | None = None,
) -> ContactStart | None:
    """The first step of recording a contact, before the action is written: None when there
    is no customer ``cif``; ``ValidationFailed`` for a party or contact point the ledger cannot
    take.

    With the policy on and no reservation named, the statement that proves the customer exists
    is the one that reads its facts and takes its advisory locks (``customer_facts``), so the
    policy adds one statement to recording an action, not two; the locks are held from here to
    the end of the caller's transaction. Otherwise it is a plain existence check.
    """
    party = party or Party.BORROWER
    if not settings.CONTACT_POLICY_ENABLED or attempt_id is not None:
        # Off: nothing recorded. A reservation is consumed by one UPDATE and needs the facts
        # only when it lapsed (contact_record_action reads them then).
        point = (
            _check_request(channel=channel, party=party, contact_point=contact_point)
            if settings.CONTACT_POLICY_ENABLED
            else contact_point
        )
        exists = Customer.objects.filter(cif=cif).exists()
        return ContactStart(party=party, contact_point=point, facts=None) if exists else None
    point = _check_request(channel=channel, party=party, contact_point=contact_point)
    facts = customer_facts(cif=cif, at=action_date, user_id=None, lock=True, contact_point=point)
    return ContactStart(party=party, contact_point=point, facts=facts) if facts else None


def contact_record_action(
    *,
    actor: Actor,
    action_id: uuid.UUID,
    action_date: dt.datetime,
    cif: str,
    channel: str,
    result: str,
    agent_id: uuid.UUID,
    team: str | None,
    attempt_id: uuid.UUID | None = None,
    party: str | None = None,
    contact_point: str | None = None,
    start: ContactStart | None = None,
) -> ContactRecord | None:
    """Record the party and contact point of a new action and check it against the policy.

    Runs inside the caller's transaction (``action_record``'s), after
    :func:`contact_recording_start` (``start``: its party, contact point and facts). With
    ``attempt_id`` naming a live reservation of the same customer and channel, it consumes it
    (one statement). Else the contact is recorded as made without a reservation and checked as
    of ``action_date`` (one statement when ``start`` read the facts under the customer's lock,
    two otherwise); a breach is flagged on the row and published as ``contact.violation`` (two
    more). Never refuses for a policy reason. None, and nothing done, when
    ``CONTACT_POLICY_ENABLED`` is off.
    """
    if not settings.CONTACT_POLICY_ENABLED:
        return None
    if start is None:
        party = party or Party.BORROWER
        point = _check_request(channel=channel, party=party, contact_point=contact_point)
        read = None
    else:
        party, point, read = start.party, start.contact_point, start.facts
    if attempt_id is not None:
        with connection.cursor() as cursor:
            cursor.execute(
                _CONSUME_SQL,
                {
                    "attempt_id": attempt_id,
                    "cif": cif,
                    "channel": channel,
                    "action_id": action_id,
                    "action_date": naive_utc(action_date),
                    "result": result,
                    "agent_id": agent_id,
                    "team": team,
                    "now": naive_utc(timezone.now()),
                    "early": CONSUME_EARLY_MINUTES,
                },
            )
            consumed = cursor.fetchone()
        if consumed is not None:
            return ContactRecord(attempt_id=consumed[0])
    return _record_without_reservation(
        actor=actor,
        action_id=action_id,
        action_date=action_date,
        cif=cif,
        channel=channel,
        result=result,
        agent_id=agent_id,
        team=team,
        party=party,
        contact_point=point,
        customer_read=read,
    )


def _record_without_reservation(
    *,
    actor: Actor,
    action_id: uuid.UUID,
    action_date: dt.datetime,
    cif: str,
    channel: str,
    result: str,
    agent_id: uuid.UUID,
    team: str | None,
    party: str,
    contact_point: str | None,
    customer_read: CustomerFacts | None = None,
) -> ContactRecord | None:
    row = customer_read or customer_facts(
        cif=cif, at=action_date, user_id=None, lock=True, contact_point=contact_point
    )
    if row is None:
        return None
    policy = policy_rules(row.policy_id) if row.policy_id else None
    attempt = ContactAttempt(
        id=uuid.uuid4(),
        cif=cif,
        channel=channel,
        party=party,
        contact_point=contact_point,
        policy_id=policy.id if policy else None,
        status=AttemptStatus.RECORDED,
        attempted_at=action_date,
        counts_as_attempt=policy.counts_as_attempt(channel, result) if policy else True,
        is_conversation=policy.is_conversation(result) if policy else False,
        action_id=action_id,
        action_date=action_date,
        agent_id=agent_id,
        team=team,
        created_by=actor.username,
    )
    since = lookback_start(policy, action_date) if policy else action_date
    with connection.cursor() as cursor:
        cursor.execute(
            _RECORD_SQL,
            {
                **history_params(cif=cif, contact_point=contact_point, since=since),
                "id": attempt.id,
                "channel": channel,
                "party": party,
                "policy_id": attempt.policy_id,
                "action_date": naive_utc(action_date),
                "counts": attempt.counts_as_attempt,
                "conversation": attempt.is_conversation,
                "action_id": action_id,
                "agent_id": agent_id,
                "team": team,
                "created_by": actor.username,
            },
        )
        customer, point = cursor.fetchone()
    if policy is None:
        return ContactRecord(attempt_id=attempt.id)
    facts = Facts(
        zone=_zone(row),
        holds=row.holds,
        customer_contacts=contacts_from_json(customer),
        point_contacts=contacts_from_json(point),
    )
    decision = rules.evaluate(policy, facts, channel=channel, party=party, at=action_date)
    if decision.allowed:
        return ContactRecord(attempt_id=attempt.id)
    attempt.violation_rule = decision.rule
    attempt.violation = decision.detail()
    ContactAttempt.objects.filter(id=attempt.id).update(
        violation_rule=attempt.violation_rule, violation=attempt.violation
    )
    publish_contact_violation(
        attempt=attempt,
        decision=decision,
        action_id=action_id,
        action_date=action_date,
        actor=actor,
    )
    return ContactRecord(attempt_id=attempt.id, violation_rule=decision.rule)
