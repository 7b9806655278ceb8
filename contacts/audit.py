"""Replay of recorded contacts against a contact policy (``manage.py audit_contacts``).

Every action dated in the period is replayed, in the order the contacts happened, with the
rules of :func:`contacts.rules.evaluate`: the history a contact is judged against is the
recorded contacts before it (a reservation nobody used is not a contact). A contact made
through a reservation is judged at the moment it was reserved, one recorded without a
reservation at its action date; the party and contact point come from the ledger
(BORROWER and none for actions recorded before the engine or with it switched off).

With the policy each contact was recorded under (the default), the violations found on the
contacts the engine judged at recording (those with a ledger row) equal the flags set then when
contacts are recorded in the order they happen; with ``--policy`` every contact is judged by
that policy's current version instead. Actions without a ledger row (recorded before the engine,
with ``CONTACT_POLICY_ENABLED`` off, or loaded around the service) are judged by the replay too,
but counted apart: no flag was ever set on them, so they are no disagreement. They are contacts
all the same, so the violations found count them in the history of later contacts; the flag of
a judged contact is compared with the decision on the history the engine could see (the ledger),
and the judged contacts whose decision changes with the unseen actions are counted as
``unseen_history``. Contacts a supervisor allowed by override are reported apart.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection

from contacts.models import ContactHold, ContactPolicy, ContactProfile
from contacts.rules import Contact, Facts, Hold, Policy, evaluate, local_day_start, zone_named
from contacts.selectors import customer_facts, policy_rules
from workflow.business_time import aware_utc, naive_utc

_CONTACTS_SQL = """
SELECT r.id, r.cif, r.type, r.action_result, r.action_date, r.agent_id, ag.team,
       a.id, coalesce(a.party, 'BORROWER'), a.contact_point,
       coalesce(a.attempted_at, r.action_date), a.policy_id, a.violation_rule,
       a.override_reason
  FROM workflow_service.action_records r
  JOIN workflow_service.agents ag ON ag.id = r.agent_id
  LEFT JOIN workflow_service.contact_attempts a ON a.action_id = r.id
 WHERE r.action_date >= %(since)s AND r.action_date < %(until)s
 ORDER BY coalesce(a.attempted_at, r.action_date), coalesce(a.created_at, r.created_at), r.id
"""


@dataclass(frozen=True)
class AuditedContact:
    action_id: uuid.UUID
    cif: str
    channel: str
    party: str
    at: dt.datetime
    agent_id: uuid.UUID
    team: str
    rule: str | None
    flagged_rule: str | None
    overridden: bool
    local_at: str


@dataclass
class AuditReport:
    start: dt.date
    end: dt.date
    policy: str
    checked: int = 0
    violations: list[AuditedContact] = field(default_factory=list)
    overridden: list[AuditedContact] = field(default_factory=list)
    flagged_at_recording: int = 0
    disagreements: int = 0  # judged contacts whose replayed rule differs from their flag
    unjudged: int = 0  # contacts without a ledger row: never judged at recording
    unjudged_violations: int = 0  # of the violations found, those on unjudged contacts
    # Judged contacts whose replayed rule differs only because of actions the engine never saw
    # (no ledger row): contacts it could not count when it judged them.
    unseen_history: int = 0
    # Per rule, the violations of judged contacts as the engine saw them: equal to the flags.
    engine_violations: Counter[str | None] = field(default_factory=Counter)

    def per(self, attribute: str) -> Counter[str]:
        return Counter(str(getattr(row, attribute)) for row in self.violations)


def _policy_named(code: str) -> Policy:
    code, _, version = code.partition(":")
    rows = ContactPolicy.objects.filter(code=code)
    row = (
        rows.filter(version=int(version)).first()
        if version
        else rows.filter(is_current=True).first()
    )
    if row is None:
        raise ValueError(f"No contact policy {code}{':' + version if version else ''}.")
    return policy_rules(row.id)


CIFS_PER_READ = 10_000


def audit_contacts(*, start: dt.date, end: dt.date, policy_code: str | None = None) -> AuditReport:
    """Replay the actions dated ``start``..``end`` (business days, inclusive)."""
    business = zone_named(None, settings.BUSINESS_TIME_ZONE)
    since = local_day_start(start, business)
    until = local_day_start(end + dt.timedelta(days=1), business)
    fixed = _policy_named(policy_code) if policy_code else None
    longest = max(
        [cap.days for cap in fixed.caps] + [fixed.block_days]
        if fixed
        else [366],  # the recorded policies may look back up to a year
    )
    lookback = since - dt.timedelta(days=longest + 1)

    with connection.cursor() as cursor:
        cursor.execute(_CONTACTS_SQL, {"since": naive_utc(lookback), "until": naive_utc(until)})
        rows = cursor.fetchall()
    cifs = sorted({row[1] for row in rows})
    zones: dict[str, dt.tzinfo] = {}
    holds: dict[str, list[Hold]] = defaultdict(list)
    # A period's customers run to the hundred thousands: read in slices, as a statement may
    # bind at most 65,535 parameters (server-side binding, DB_PREPARE_THRESHOLD).
    for first in range(0, len(cifs), CIFS_PER_READ):
        some = cifs[first : first + CIFS_PER_READ]
        for p in ContactProfile.objects.filter(cif__in=some):
            zones[p.cif] = zone_named(p.time_zone, settings.BUSINESS_TIME_ZONE)
        for hold in ContactHold.objects.filter(cif__in=some):
            ends = min(filter(None, [hold.expires_at, hold.lifted_at]), default=None)
            holds[hold.cif].append(
                Hold(hold.hold_type, hold.starts_at, ends, frozenset(hold.channels), hold.id)
            )
    assigned: dict[str, Policy | None] = {}

    def policy_of(cif: str, policy_id: uuid.UUID | None) -> Policy | None:
        if fixed is not None:
            return fixed
        if policy_id is not None:
            return policy_rules(policy_id)
        if cif not in assigned:
            facts = customer_facts(cif=cif, at=until, user_id=None, lock=False)
            assigned[cif] = policy_rules(facts.policy_id) if facts and facts.policy_id else None
        return assigned[cif]

    report = AuditReport(start=start, end=end, policy=policy_code or "as recorded")
    by_customer: dict[str, list[Contact]] = defaultdict(list)
    by_point: dict[str, list[Contact]] = defaultdict(list)
    ledger_customer: dict[str, list[Contact]] = defaultdict(list)  # what the engine saw
    ledger_point: dict[str, list[Contact]] = defaultdict(list)
    for (
        action_id,
        cif,
        channel,
        result,
        action_date,
        agent_id,
        team,
        attempt_id,
        party,
        point,
        attempted_at,
        policy_id,
        flagged_rule,
        override_reason,
    ) in rows:
        at = aware_utc(attempted_at)
        policy = policy_of(cif, policy_id)
        if policy is None:
            continue
        zone = zones.get(cif, business)
        in_period = since <= aware_utc(action_date) < until
        if in_period:
            facts = Facts(
                zone=zone,
                holds=tuple(holds[cif]),
                customer_contacts=tuple(by_customer[cif]),
                point_contacts=tuple(by_point[point]) if point else (),
            )
            decision = evaluate(policy, facts, channel=channel, party=party, at=at)
            report.checked += 1
            report.flagged_at_recording += flagged_rule is not None
            judged = attempt_id is not None
            report.unjudged += not judged
            if judged and not override_reason:
                # The flag is compared with the decision on what the engine could see: the
                # ledger's contacts, not actions it never judged (they have no ledger row).
                seen = Facts(
                    zone=zone,
                    holds=facts.holds,
                    customer_contacts=tuple(ledger_customer[cif]),
                    point_contacts=tuple(ledger_point[point]) if point else (),
                )
                engine = evaluate(policy, seen, channel=channel, party=party, at=at)
                report.engine_violations[engine.rule] += engine.rule is not None
                report.disagreements += engine.rule != flagged_rule
                report.unseen_history += engine.rule != decision.rule
            if not judged and decision.rule is not None:
                report.unjudged_violations += 1
            if decision.rule is not None:
                audited = AuditedContact(
                    action_id=action_id,
                    cif=cif,
                    channel=channel,
                    party=party,
                    at=at,
                    agent_id=agent_id,
                    team=team,
                    rule=decision.rule,
                    flagged_rule=flagged_rule,
                    overridden=bool(override_reason),
                    local_at=at.astimezone(zone).isoformat(timespec="seconds"),
                )
                (report.overridden if override_reason else report.violations).append(audited)
        contact = Contact(
            at=at,
            channel=channel,
            counts=policy.counts_as_attempt(channel, result),
            conversation=policy.is_conversation(result),
        )
        by_customer[cif].append(contact)
        if point:
            by_point[point].append(contact)
        if attempt_id is not None:
            ledger_customer[cif].append(contact)
            if point:
                ledger_point[point].append(contact)
    return report
