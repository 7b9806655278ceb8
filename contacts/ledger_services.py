"""Changes to the contact ledger after the decision (README, "Contact policy").

- :func:`contact_attempt_release`: a client gives back a reservation it will not use, so it
  stops counting against the caps at once (a reservation nobody releases stops at its
  ``expires_at``);
- :func:`contact_action_result_changed`: an action's result changed (``PUT
  /actions/{id}/result``), so its contact may now be an attempt or a conversation where it was
  not (or the reverse): its ledger row follows, and the violation flags of the contacts the
  change can affect (the customer's, and the contact point's for its caps, from the changed
  contact to the end of the policy's longest window) are judged again as
  ``manage.py audit_contacts`` judges them, so its counts keep equal to the flags.
"""

from __future__ import annotations

import uuid
from collections import defaultdict

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from agents.selectors import agent_for_actor
from contacts import rules
from contacts.enums import AttemptStatus
from contacts.events import publish_contact_violation
from contacts.models import ContactAttempt, ContactHold, ContactProfile
from contacts.rules import Contact, Facts, Hold
from contacts.selectors import lookback_start, policy_rules
from workflow.actors import Actor
from workflow.errors import Conflict, Forbidden, NotFound
from workflow.permissions import Capability, can

# Rows of the ledger that stand for a contact that happened (the audit replays these).
HAPPENED = (AttemptStatus.CONSUMED, AttemptStatus.RECORDED)


@transaction.atomic
def contact_attempt_release(*, actor: Actor, attempt_id: uuid.UUID) -> ContactAttempt:
    """Release reservation ``attempt_id`` unused: it stops counting against the caps now.

    The agent who reserved it, or a supervisor or admin, may release it. Releasing a released
    reservation answers it again (a retried request); a reservation already used by an action,
    a refusal or a contact recorded without a reservation cannot be released (409). The row
    lock taken first makes a release and the action consuming the same reservation wait for
    each other: exactly one of them wins.
    """
    row = ContactAttempt.objects.select_for_update().filter(id=attempt_id).first()
    if row is None:
        raise NotFound(f"No contact reservation with id {attempt_id}.", field="id")
    if not can(actor, Capability.OVERRIDE_CONTACTS) and (row.agent_id != agent_for_actor(actor).id):
        raise Forbidden(
            "Only the agent who reserved this contact, or a supervisor, may release it."
        )
    if row.status == AttemptStatus.RELEASED:
        return row
    if row.status == AttemptStatus.CONSUMED:
        raise Conflict(
            f"This reservation was used by action {row.action_id}; it cannot be released."
        )
    if row.status == AttemptStatus.REFUSED:
        raise Conflict("This attempt was refused; there is no reservation to release.")
    if row.status == AttemptStatus.RECORDED:
        raise Conflict("This contact was recorded without a reservation; nothing to release.")
    row.status, row.updated_at = AttemptStatus.RELEASED, timezone.now()
    ContactAttempt.objects.filter(id=row.id, status=AttemptStatus.RESERVED).update(
        status=row.status, updated_at=row.updated_at
    )
    return row


# The caller holds the action's row lock, so nobody else changes this ledger row's
# classification meanwhile: ``before`` needs no lock of its own.
_RECLASSIFY_SQL = """
WITH before AS (
    SELECT a.id, a.counts_as_attempt, a.is_conversation
      FROM workflow_service.contact_attempts a
     WHERE a.action_id = %(action_id)s
)
UPDATE workflow_service.contact_attempts a
   SET counts_as_attempt = a.channel = ANY(p.attempt_types)
           AND (cardinality(p.attempt_results) = 0 OR %(result)s = ANY(p.attempt_results)),
       is_conversation = %(result)s = ANY(p.conversation_results),
       updated_at = now() AT TIME ZONE 'UTC'
  FROM before, workflow_service.contact_policies p
 WHERE a.id = before.id AND p.id = a.policy_id
RETURNING a.id,
          a.counts_as_attempt IS DISTINCT FROM before.counts_as_attempt
          OR a.is_conversation IS DISTINCT FROM before.is_conversation
"""


def contact_action_result_changed(
    *, actor: Actor, action_id: uuid.UUID, action_result: str
) -> int | None:
    """Follow the change of action ``action_id``'s result in the ledger.

    Runs inside the caller's transaction (``action_update_result``'s). One statement when the
    contact's classification (attempt, conversation) stays as it was; otherwise the contacts it
    can affect are judged again and their flags set or cleared (a newly flagged contact is
    published as ``contact.violation``). Returns how many flags changed; None, and nothing
    done, when ``CONTACT_POLICY_ENABLED`` is off or the action has no policy-judged ledger row.
    """
    if not settings.CONTACT_POLICY_ENABLED:
        return None
    with connection.cursor() as cursor:
        cursor.execute(_RECLASSIFY_SQL, {"action_id": action_id, "result": action_result})
        row = cursor.fetchone()
    if row is None:
        return None
    attempt_id, changed = row
    if not changed:
        return 0
    return _judge_again(actor=actor, changed=ContactAttempt.objects.get(id=attempt_id))


def _judge_again(*, actor: Actor, changed: ContactAttempt) -> int:
    """Judge again, in the order they happened, the contacts after ``changed`` that its new
    classification can affect, with the rules of ``manage.py audit_contacts``."""
    policy = policy_rules(changed.policy_id)  # type: ignore[arg-type]
    start = changed.attempted_at
    span = start - lookback_start(policy, start)  # the longest window, a day more
    end = start + span
    near = Q(cif=changed.cif)
    if changed.contact_point:
        near |= Q(contact_point=changed.contact_point)
    happened = ContactAttempt.objects.filter(
        action_id__isnull=False, status__in=HAPPENED, attempted_at__lte=end
    )
    # The contacts to judge again: the customer's, and the contact point's (its caps).
    judged = {
        row.id: row
        for row in happened.filter(near, attempted_at__gte=start)
        if row.policy_id is not None and not row.override_reason
    }
    cifs = {row.cif for row in judged.values()}
    points = {row.contact_point for row in judged.values() if row.contact_point}
    # Everything they are judged against: their customers' and their contact points' contacts.
    rows = list(
        happened.filter(Q(cif__in=cifs) | Q(contact_point__in=points))
        .filter(attempted_at__gte=start - span)
        .order_by("attempted_at", "created_at", "action_id")
    )
    zones = {
        profile.cif: rules.zone_named(profile.time_zone, settings.BUSINESS_TIME_ZONE)
        for profile in ContactProfile.objects.filter(cif__in=cifs)
    }
    holds: dict[str, list[Hold]] = defaultdict(list)
    for hold in ContactHold.objects.filter(cif__in=cifs):
        ends = min(filter(None, [hold.expires_at, hold.lifted_at]), default=None)
        holds[hold.cif].append(
            Hold(hold.hold_type, hold.starts_at, ends, frozenset(hold.channels), hold.id)
        )

    by_customer: dict[str, list[Contact]] = defaultdict(list)
    by_point: dict[str, list[Contact]] = defaultdict(list)
    flipped = 0
    for row in rows:
        if row.id in judged:
            facts = Facts(
                zone=zones.get(row.cif, rules.zone_named(None, settings.BUSINESS_TIME_ZONE)),
                holds=tuple(holds[row.cif]),
                customer_contacts=tuple(by_customer[row.cif]),
                point_contacts=tuple(by_point[row.contact_point]) if row.contact_point else (),
            )
            decision = rules.evaluate(
                policy_rules(row.policy_id),  # type: ignore[arg-type]
                facts,
                channel=row.channel,
                party=row.party,
                at=row.attempted_at,
            )
            if decision.rule != row.violation_rule:
                flipped += 1
                newly = row.violation_rule is None
                row.violation_rule = decision.rule
                row.violation = decision.detail() if decision.rule else None
                ContactAttempt.objects.filter(id=row.id).update(
                    violation_rule=row.violation_rule,
                    violation=row.violation,
                    updated_at=timezone.now(),
                )
                if newly:
                    publish_contact_violation(
                        attempt=row,
                        decision=decision,
                        action_id=row.action_id,  # type: ignore[arg-type]
                        action_date=row.action_date,
                        actor=actor,
                    )
        contact = Contact(
            at=row.attempted_at,
            channel=row.channel,
            counts=row.counts_as_attempt,
            conversation=row.is_conversation,
        )
        by_customer[row.cif].append(contact)
        if row.contact_point:
            by_point[row.contact_point].append(contact)
    return flipped
