"""``manage.py audit_contacts``: the replay finds what the recording flagged, and nothing where
every contact went through a reservation."""

from __future__ import annotations

import csv
import datetime as dt
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from actions.services import action_record
from contacts.audit import audit_contacts
from contacts.models import ContactAttempt
from contacts.policy_services import hold_create
from contacts.services import contact_attempt_reserve
from tests.contacts.conftest import Clock, local
from tests.factories import AgentFactory, CrmUserFactory, LoanFactory
from workflow.actors import Actor
from workflow.models import Loan

pytestmark = pytest.mark.django_db

SUPERVISOR = Actor(username="sup.audit", roles=frozenset({"SUPERVISOR"}))


def agent_actor(team: str) -> Actor:
    user = CrmUserFactory()
    AgentFactory(user=user, team=team)
    return Actor(username=user.username, user_id=user.id, roles=frozenset({"AGENT"}))


def record(actor: Actor, loan: Loan, at: dt.datetime, **extra: object) -> None:
    action_record(
        actor=actor,
        cif=loan.customer_id,
        loan_account_number=loan.account_number,
        type=str(extra.pop("type", "CALL")),
        subtype="REMINDER_CALL",
        action_result=str(extra.pop("result", "NO_CONTACT")),
        action_date=at,
        **extra,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("cifs_per_read", [10_000, 1], ids=["one read", "a read per customer"])
def test_the_replay_counts_equal_the_flags_set_when_recording(
    presets: None, clock: Clock, cifs_per_read: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The customers' zones and holds are read in slices (a statement binds at most 65,535
    # parameters): one slice per customer finds the same as one for all.
    monkeypatch.setattr("contacts.audit.CIFS_PER_READ", cifs_per_read)
    clock.set(local(2026, 3, 20, 12))
    north, south = agent_actor("North"), agent_actor("South")
    first, second = LoanFactory(), LoanFactory()
    for minute in range(7):  # 2 over the daily cap of 5
        record(north if minute % 2 else south, first, local(2026, 3, 10, 9, minute))
    record(north, first, local(2026, 3, 10, 22, 30))  # after 21:00 (the first rule cited)
    record(south, second, local(2026, 3, 11, 6, 10))  # before 07:00
    record(south, second, local(2026, 3, 11, 9, 0), party="REFERENCE")
    hold_create(
        cif=second.customer_id,
        hold_type="DISPUTE",
        starts_at=local(2026, 3, 12, 0),
        reason="Disputed.",
        actor=SUPERVISOR,
    )
    record(north, second, local(2026, 3, 12, 10, 0))
    record(north, second, local(2026, 3, 9, 10, 0))  # before the period: history only

    report = audit_contacts(start=dt.date(2026, 3, 10), end=dt.date(2026, 3, 12))

    flags = ContactAttempt.objects.filter(
        violation_rule__isnull=False, action_date__gte=local(2026, 3, 10, 0)
    )
    assert report.checked == 11
    assert len(report.violations) == report.flagged_at_recording == flags.count() == 6
    assert report.disagreements == 0
    assert report.per("rule") == {
        "CUSTOMER_1D": 2,
        "TIME_WINDOW": 2,
        "PARTY_NOT_ALLOWED": 1,
        "HOLD": 1,
    }
    assert report.per("team") == {"North": 3, "South": 3}
    assert sorted(str(f.violation_rule) for f in flags) == sorted(
        str(r.rule) for r in report.violations
    )


def test_it_finds_nothing_where_every_contact_went_through_a_reservation(
    presets: None, clock: Clock
) -> None:
    actor = agent_actor("North")
    loans = [LoanFactory(), LoanFactory()]
    start = local(2026, 3, 10, 6, 50)
    for step in range(40):  # every 20 minutes for 13 hours, reserving before each contact
        clock.set(start + dt.timedelta(minutes=20 * step))
        loan = loans[step % 2]
        answer = contact_attempt_reserve(
            actor=actor, cif=loan.customer_id, channel="CALL", contact_point=f"09{step % 2}"
        )
        if answer.decision.allowed:
            clock.advance(minutes=2)
            record(
                actor,
                loan,
                clock.moment,
                contact_attempt_id=answer.attempt_id,
                contact_point=f"09{step % 2}",
            )

    report = audit_contacts(start=dt.date(2026, 3, 10), end=dt.date(2026, 3, 10))

    assert report.checked == 10  # five a day for each customer
    assert report.violations == [] and report.flagged_at_recording == 0
    # The same contacts replayed against Regulation F instead: its window (08:00-21:00) catches
    # the three reserved at 07:10, 07:30 and 07:50; 5 calls a day stay within 7 in 7 days.
    strict = audit_contacts(
        start=dt.date(2026, 3, 10), end=dt.date(2026, 3, 10), policy_code="US_REGULATION_F"
    )
    assert strict.checked == 10 and strict.per("rule") == {"TIME_WINDOW": 3}


def test_the_command_prints_the_counts_and_writes_a_csv(
    presets: None, clock: Clock, tmp_path: Path
) -> None:
    actor = agent_actor("North")
    loan = LoanFactory()
    record(actor, loan, local(2026, 3, 1, 23, 0))
    out = StringIO()
    path = tmp_path / "violations.csv"

    call_command(
        "audit_contacts",
        "--from",
        "2026-03-01",
        "--to",
        "2026-03-01",
        "--csv",
        str(path),
        stdout=out,
    )

    text = out.getvalue()
    assert "violations found:         1" in text and "flagged when recorded:    1" in text
    assert "TIME_WINDOW: 1" in text and "North: 1" in text
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert [(r["cif"], r["rule"], r["flaggedAtRecording"]) for r in rows] == [
        (loan.customer_id, "TIME_WINDOW", "TIME_WINDOW")
    ]
    assert rows[0]["localTime"] == "2026-03-01T23:00:00+07:00"


def test_actions_the_engine_never_judged_are_counted_apart_not_as_disagreements(
    presets: None, clock: Clock, settings: Any
) -> None:
    actor = agent_actor("North")
    loan = LoanFactory()
    record(actor, loan, local(2026, 3, 1, 23, 0))  # judged and flagged: after 21:00
    settings.CONTACT_POLICY_ENABLED = False
    record(actor, loan, local(2026, 3, 1, 23, 30))  # recorded with the engine off: no row
    settings.CONTACT_POLICY_ENABLED = True

    report = audit_contacts(start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 1))

    assert (report.checked, report.unjudged) == (2, 1)
    assert report.per("rule") == {"TIME_WINDOW": 2}
    assert (report.unjudged_violations, report.flagged_at_recording) == (1, 1)
    assert report.disagreements == 0


def test_a_flag_is_compared_with_what_the_engine_could_see(
    presets: None, clock: Clock, settings: Any
) -> None:
    """Five calls recorded with the engine off, then one with it on: the engine, which counts
    its ledger, did not flag the sixth; the replay, which counts every action, finds the daily
    cap broken. No disagreement: the difference is told apart as unseen history."""
    actor = agent_actor("North")
    loan = LoanFactory()
    settings.CONTACT_POLICY_ENABLED = False
    for minute in range(5):
        record(actor, loan, local(2026, 3, 1, 9, minute))
    settings.CONTACT_POLICY_ENABLED = True
    record(actor, loan, local(2026, 3, 1, 9, 10))

    report = audit_contacts(start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 1))

    assert report.per("rule") == {"CUSTOMER_1D": 1} and report.flagged_at_recording == 0
    assert (report.disagreements, report.unseen_history) == (0, 1)
    assert not +report.engine_violations
