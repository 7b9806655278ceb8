"""Property: for any sequence of promises, payments and reversals on one customer,

- no payment is applied beyond its amount, and no promise beyond what it asked
  (and ``paid_amount`` is exactly the sum of its live appropriations);
- replaying the same events in the same order on a fresh customer gives the same state.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from promises.models import PaymentPromise, PromiseAppropriation
from promises.resolution import promises_resolve_due
from tests.factories import AgentFactory, CustomerFactory, LoanFactory
from tests.promises import helpers
from tests.promises.helpers import day, local

pytestmark = pytest.mark.django_db

amounts = st.integers(min_value=1, max_value=50).map(lambda n: str(n * 100))
make = st.tuples(
    st.just("promise"),
    st.sampled_from(["L1", "L2", None]),
    amounts,
    st.integers(min_value=-4, max_value=4),  # promised day
    st.sampled_from(["0", "10"]),  # tolerance
)
pay = st.tuples(
    st.just("pay"),
    st.sampled_from(["L1", "L2", None]),
    amounts,
    st.integers(min_value=-3, max_value=0),  # payment day
    st.sampled_from(["VND", "VND", "VND", "USD"]),
)
reverse = st.tuples(st.just("reverse"), st.integers(min_value=0, max_value=9))
resolve = st.tuples(st.just("resolve"))
operations = st.lists(st.one_of(make, pay, pay, reverse, resolve), min_size=1, max_size=12)


class Rollback(Exception):
    pass


def play(ops: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Apply ``ops`` to a fresh customer; return its state in terms free of ids."""
    agent = AgentFactory()
    customer = CustomerFactory()
    loans = {
        "L1": LoanFactory(customer=customer).account_number,
        "L2": LoanFactory(customer=customer).account_number,
    }
    payments: list[str] = []
    promise_order: dict[Any, int] = {}
    for n, op in enumerate(ops):
        if op[0] == "promise":
            _, loan, amount, promised, tolerance = op
            made = helpers.promise(
                agent=agent,
                cif=customer.cif,
                loan=loans[loan or "L1"],
                customer_level=loan is None,
                amount=amount,
                promised=promised,
                made=min(promised, 0) - 4,
                grace=1,
                tolerance=tolerance,
            )
            promise_order[made.id] = len(promise_order)
        elif op[0] == "pay":
            _, loan, amount, on, currency = op
            payments.append(
                helpers.pay(
                    cif=customer.cif,
                    loan=loans[loan] if loan else None,
                    amount=amount,
                    at=local(day(on)),
                    currency=currency,
                    payment_id=f"{customer.cif}-{n}",
                )
            )
        elif op[0] == "reverse" and payments:
            helpers.reverse(payments[op[1] % len(payments)])
        elif op[0] == "resolve":
            promises_resolve_due(today=day(0))

    check_invariants(customer.cif)
    promises = PaymentPromise.objects.filter(customer_id=customer.cif)
    state = [
        (
            promise_order[p.id],
            p.loan_id is None,
            p.status,
            p.paid_amount,
            sorted(
                (a.payment_id.split("-")[-1], a.amount, a.reversed_at is None)
                for a in p.appropriations.all()
            ),
        )
        for p in promises
    ]
    return sorted(state)


def check_invariants(cif: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT pay.payment_id, pay.amount, coalesce(sum(a.amount), 0)
            FROM workflow_service.payments pay
            LEFT JOIN workflow_service.promise_appropriations a
                   ON a.payment_id = pay.payment_id AND a.reversed_at IS NULL
            WHERE pay.cif = %s
            GROUP BY pay.payment_id, pay.amount
            """,
            [cif],
        )
        for payment_id, amount, applied in cursor.fetchall():
            assert applied <= amount, payment_id
    for promise in PaymentPromise.objects.filter(customer_id=cif):
        live = sum(
            (
                a.amount
                for a in PromiseAppropriation.objects.filter(
                    promise=promise, reversed_at__isnull=True
                )
            ),
            Decimal(0),
        )
        assert live == promise.paid_amount <= promise.amount, promise.id


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=operations)
def test_appropriations_stay_within_payments_and_promises_and_replay_identically(
    ops: list[tuple[Any, ...]],
) -> None:
    try:
        with transaction.atomic():
            first = play(ops)
            second = play(ops)
            assert first == second
            raise Rollback
    except Rollback:
        pass
