"""Property-based tests of the gate against the database, with a frozen clock: for every
generated sequence of requests, ``GET contact-policy/check`` (the check service) gives exactly
the answer the reservation then gives, holds are honoured and the stored reservations never
exceed a cap."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contacts.models import ContactAttempt
from contacts.policy_services import hold_create, profile_set
from contacts.presets import install_presets
from contacts.services import contact_attempt_reserve, contact_policy_check
from tests.factories import AgentFactory, CrmUserFactory, LoanFactory
from workflow.actors import Actor

pytestmark = pytest.mark.django_db

SUPERVISOR = Actor(username="sup.props", roles=frozenset({"SUPERVISOR"}))
# (jurisdiction, zone): the Vietnam preset in Vietnam, Regulation F across US zones.
PROFILES = [
    (None, None),
    ("US", "America/New_York"),
    ("US", "America/Los_Angeles"),
    ("SA", "Asia/Riyadh"),
    ("IN", "Asia/Kolkata"),
]
BASES = [
    dt.datetime(2026, 3, 7, 12, tzinfo=dt.UTC),  # the US change of 8 March
    dt.datetime(2026, 10, 31, 12, tzinfo=dt.UTC),  # and of 1 November
    dt.datetime(2026, 6, 30, 14, tzinfo=dt.UTC),  # midnight in Vietnam at 17:00 UTC
]


class Rollback(Exception):
    """Raised to undo one generated example."""


@pytest.fixture
def actor(db: None) -> Actor:
    install_presets()
    user = CrmUserFactory()
    AgentFactory(user=user)
    return Actor(username=user.username, user_id=user.id, roles=frozenset({"AGENT"}))


requests = st.lists(
    st.tuples(
        st.integers(0, 3 * 24 * 60),  # minutes after the base
        st.sampled_from(["CALL", "SMS", "VISIT"]),
        st.sampled_from(["BORROWER", "BORROWER", "GUARANTOR", "REFERENCE"]),
        st.sampled_from(["0901", "0902"]),
    ),
    min_size=1,
    max_size=14,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    profile=st.sampled_from(PROFILES),
    base=st.sampled_from(BASES),
    requests=requests,
    hold=st.one_of(st.none(), st.tuples(st.integers(0, 2 * 24 * 60), st.integers(60, 24 * 60))),
)
def test_check_agrees_with_the_reservation_and_the_store_never_exceeds_a_cap(
    actor: Actor,
    profile: tuple[str | None, str | None],
    base: dt.datetime,
    requests: list[tuple[int, str, str, str]],
    hold: tuple[int, int] | None,
) -> None:
    moment = {"now": base}
    try:
        with transaction.atomic(), mock.patch("django.utils.timezone.now", lambda: moment["now"]):
            loan = LoanFactory()
            cif = loan.customer_id
            jurisdiction, zone = profile
            if jurisdiction:
                profile_set(cif=cif, jurisdiction=jurisdiction, time_zone=zone, actor=SUPERVISOR)
            held = None
            if hold:
                held = (
                    base + dt.timedelta(minutes=hold[0]),
                    base + dt.timedelta(minutes=sum(hold)),
                )
                hold_create(
                    cif=cif,
                    hold_type="HARDSHIP",
                    starts_at=held[0],
                    expires_at=held[1],
                    reason="Generated.",
                    actor=SUPERVISOR,
                )
            for offset, channel, party, point in sorted(requests):
                moment["now"] = base + dt.timedelta(minutes=offset)
                request = {"cif": cif, "channel": channel, "party": party, "contact_point": point}
                checked = contact_policy_check(actor=actor, **request).decision
                reserved = contact_attempt_reserve(actor=actor, **request).decision
                assert checked == reserved
                if reserved.allowed and held:
                    assert not held[0] <= moment["now"] < held[1]
                if party == "REFERENCE":
                    assert not reserved.allowed
            tz = ZoneInfo(zone or "Asia/Ho_Chi_Minh")
            reservations = ContactAttempt.objects.filter(cif=cif, status="RESERVED")
            per_day = Counter(r.attempted_at.astimezone(tz).date() for r in reservations)
            if jurisdiction is None:  # Vietnam: 5 a day
                assert max(per_day.values(), default=0) <= 5
            if jurisdiction == "US":  # 7 calls in 7 days
                calls = sorted(
                    r.attempted_at.astimezone(tz).date()
                    for r in reservations
                    if r.channel == "CALL"
                )
                for day in calls:
                    assert sum(0 <= (day - other).days < 7 for other in calls) <= 7
            raise Rollback
    except Rollback:
        pass
