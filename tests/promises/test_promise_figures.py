"""The promise figures of the agent, ranking and team performance reports."""

from __future__ import annotations

import pytest

from promises.models import PaymentPromise, PromiseStatus
from promises.resolution import promises_resolve_due
from promises.services import promise_cancel
from tests.api import envelope_ok, unlinked_client
from tests.factories import ActionRecordFactory, AgentFactory, CustomerFactory, LoanFactory
from tests.promises import helpers
from tests.promises.helpers import day, local

pytestmark = pytest.mark.django_db

BASE = "/api/v1/collection"


def test_made_kept_rates_broken_and_median_days_to_the_next_contact() -> None:
    agent = AgentFactory(team="Promise Team")
    made = {}
    for name in ("kept", "partial", "broken", "late", "cancelled", "pending"):
        customer = CustomerFactory()
        loan = LoanFactory(customer=customer).account_number
        past = name != "pending" and name != "cancelled"
        made[name] = helpers.promise(
            agent=agent,
            cif=customer.cif,
            loan=loan,
            amount="1000",
            promised=-6 if past else 2,
            made=-8,
            grace=1,
        )
        if name == "kept":
            helpers.pay(cif=customer.cif, loan=loan, amount="1000", at=local(day(-6)))
        if name == "partial":
            helpers.pay(cif=customer.cif, loan=loan, amount="400", at=local(day(-6)))
    promise_cancel(actor=helpers.ACTOR, promise_id=made["cancelled"].id, reason="test")
    promises_resolve_due(today=day(0))
    # Both broke 4 days ago; one was called 2 days later, the other 3 days later.
    for name, contact in (("broken", -2), ("late", -1)):
        PaymentPromise.objects.filter(id=made[name].id).update(resolved_at=local(day(-4)))
        ActionRecordFactory(
            customer_id=made[name].customer_id,
            loan_id=made[name].loan_id,
            agent=AgentFactory(),
            action_date=local(day(contact)),
        )
    assert PaymentPromise.objects.filter(status=PromiseStatus.BROKEN).count() == 2

    period = f"startDate={day(-10).isoformat()}&endDate={day(0).isoformat()}"
    client = unlinked_client("SUPERVISOR")
    expected = {
        "made": 6,
        "kept": 1,
        "partiallyKept": 1,
        "broken": 2,
        "cancelled": 1,
        "pending": 1,
        "keptRateByCount": 25.0,  # 1 of 4 resolved
        "keptRateByAmount": 35.0,  # 1400 paid of 4000 promised
        "medianDaysToNextContact": 2.5,  # 2 and 3 days
    }
    single = envelope_ok(client.get(f"{BASE}/agents/{agent.id}/performance?{period}"))
    assert single["metrics"]["promises"] == expected
    ranking = envelope_ok(client.get(f"{BASE}/agents/performance?team=Promise%20Team&{period}"))
    assert ranking["agents"][0]["metrics"]["promises"] == expected
    team = envelope_ok(client.get(f"{BASE}/teams/Promise%20Team/performance?{period}"))
    assert team["metrics"]["promises"] == expected
