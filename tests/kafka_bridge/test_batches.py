"""A lane task applies its inbox rows in batches: one transaction for many events, in the order
the consumer read them, and event by event again when the batch fails (issue 11)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pytest_django.fixtures import Settings as SettingsWrapper

from agents.models import Agent
from kafka_bridge import inbox, processing, registry, topics
from kafka_bridge.dlq import DLQ_ERROR
from kafka_bridge.handlers import payments as payment_handlers
from kafka_bridge.handlers import users as user_handlers
from kafka_bridge.tasks import handle_events
from kafka_bridge.topics import PAYMENT_RECEIVED
from payments.models import Payment
from promises.models import PaymentPromise
from tests.factories import AgentFactory, CrmUserFactory, CustomerCaseFactory, LoanFactory
from tests.kafka_bridge.auth_events import bank_event, user_created
from tests.kafka_bridge.events import payment_event
from tests.promises.helpers import promise
from workflow.models import OutboxEvent

pytestmark = [pytest.mark.django_db]


def record_events(
    topic: str, payloads: list[dict[str, Any]], headers: list[dict[str, str]] | None = None
) -> list[int]:
    """Record ``payloads`` of ``topic`` in the inbox with one statement, as the consumer does,
    keyed as the registry keys them (``headers[n]`` for the n-th); return their row ids."""
    registration = registry.for_topic(topic)
    assert registration is not None
    return inbox.record_many(
        [
            inbox.NewEvent(
                event_id=registration.event_id(payload),
                topic=topic,
                key=registration.ordering_key(payload, None),
                ordering_key=registration.ordering_key(payload, None),
                partition=0,
                offset=offset,
                payload=payload,
                headers=headers[offset] if headers else {},
            )
            for offset, payload in enumerate(payloads)
        ]
    )


def apply_as(mode: str, ids: list[int]) -> dict[str, int]:
    """Apply the inbox rows ``ids`` as one batch (``mode`` "batch") or one by one, each in its
    own transaction ("one by one"), as a lane worker would; the outcomes counted."""
    if mode == "batch":
        return processing.apply_inbox_batch(ids)
    outcomes: dict[str, int] = {}
    for inbox_id in ids:
        outcome = processing.apply_inbox(inbox_id)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


def record_payloads(payloads: list[dict[str, Any]]) -> list[int]:
    """Record payment events in the inbox; return their row ids."""
    return record_events(PAYMENT_RECEIVED, payloads)


def recorded(*events: tuple[str, str]) -> list[int]:
    """Record new ``(payment id, cif)`` events in the inbox; return their row ids."""
    return record_payloads([payment_event(payment_id=p, cif=cif) for p, cif in events])


def test_a_batch_applies_every_event_in_one_transaction_in_the_order_read(
    applied: list[str],
) -> None:
    ids = recorded(("P0", "C1"), ("P1", "C2"), ("P2", "C1"), ("P3", "C2"), ("P4", "C1"))
    assert ids == sorted(ids)
    with mock.patch.object(
        processing, "_apply_batch_once", wraps=processing._apply_batch_once
    ) as batch:
        assert handle_events(inbox_ids=ids) == {processing.APPLIED: 5}
    assert batch.call_count == 1
    assert applied == ["P0", "P1", "P2", "P3", "P4"]
    assert Payment.objects.count() == 5
    assert inbox.backlog() == 0


def test_a_lane_task_takes_at_most_the_batch_size_per_transaction(
    settings: SettingsWrapper, applied: list[str]
) -> None:
    settings.KAFKA_HANDLER_BATCH_SIZE = 2
    ids = recorded(*((f"P{n}", f"C{n % 2}") for n in range(5)))
    with mock.patch.object(
        processing, "_apply_batch_once", wraps=processing._apply_batch_once
    ) as batch:
        assert processing.apply_inbox_batch(ids) == {processing.APPLIED: 5}
    assert [len(call.args[0]) for call in batch.call_args_list] == [2, 2, 1]
    assert applied == ["P0", "P1", "P2", "P3", "P4"]


def test_a_poison_event_is_dead_lettered_and_the_rest_of_its_batch_committed_in_order(
    settings: SettingsWrapper, applied: list[str]
) -> None:
    settings.KAFKA_HANDLER_MAX_ATTEMPTS = 2
    settings.KAFKA_HANDLER_RETRY_SECONDS = 0.0
    ids = recorded(("P0", "C1"), ("P1", "C2"), ("BAD", "C1"), ("P3", "C1"), ("P4", "C2"))
    recording = payment_handlers.payment_record
    recording_many = payment_handlers.payments_record

    def poisoned(**kwargs: Any) -> Any:
        if kwargs["payment_id"] == "BAD":
            applied.append("BAD")
            raise RuntimeError("handler bug")
        return recording(**kwargs)

    def poisoned_many(payments: Any) -> Any:  # the batch step's path
        if any(payment.payment_id == "BAD" for payment in payments):
            applied.extend(payment.payment_id for payment in payments)
            raise RuntimeError("handler bug")
        return recording_many(payments)

    with (
        mock.patch.object(payment_handlers, "payment_record", side_effect=poisoned),
        mock.patch.object(payment_handlers, "payments_record", side_effect=poisoned_many),
    ):
        outcomes = processing.apply_inbox_batch(ids)
    assert outcomes == {processing.APPLIED: 4, processing.DEAD_LETTERED: 1}
    assert sorted(Payment.objects.values_list("payment_id", flat=True)) == [
        "P0",
        "P1",
        "P3",
        "P4",
    ]
    # The batch's attempt (its step takes all five) rolled back; then one by one, in order,
    # BAD twice.
    assert applied == ["P0", "P1", "BAD", "P3", "P4", "P0", "P1", "BAD", "BAD", "P3", "P4"]
    (letter,) = OutboxEvent.objects.filter(topic__endswith=".dlq")
    assert letter.payload["payment"]["id"] == "BAD"
    assert "handler bug" in letter.headers[DLQ_ERROR]
    assert inbox.backlog() == 0


def test_the_older_rows_of_a_key_whose_task_was_lost_are_applied_first(
    applied: list[str],
) -> None:
    older = recorded(("P0", "C1"), ("X0", "C9"))  # their task was lost
    newer = recorded(("P1", "C1"))
    assert processing.apply_inbox_batch(newer) == {processing.APPLIED: 2}
    assert applied == ["P0", "P1"]  # C9's row waits for its own task or the sweep
    assert processing.apply_inbox_batch(older) == {processing.APPLIED: 1}
    assert applied == ["P0", "P1", "X0"]


def test_rows_already_handled_and_events_already_claimed_are_duplicates(
    applied: list[str],
) -> None:
    payloads = [payment_event(payment_id=f"P{n}", cif="C1") for n in range(2)]
    ids = record_payloads(payloads)
    assert processing.apply_inbox_batch(ids) == {processing.APPLIED: 2}
    assert processing.apply_inbox_batch(ids) == {}  # the task redelivered: rows gone
    # The same events read again from Kafka get new rows; their ids are claimed already.
    again = record_payloads(payloads)
    assert processing.apply_inbox_batch(again) == {processing.DUPLICATE: 2}
    assert applied == ["P0", "P1"]
    assert Payment.objects.count() == 2


def test_an_event_listed_twice_in_one_poll_gets_one_row() -> None:
    payload = payment_event(payment_id="P0", cif="C1")
    first, second = record_events(PAYMENT_RECEIVED, [payload, payload], [{"event-id": "e"}] * 2)
    assert first == second
    assert inbox.backlog() == 1
    (row,) = inbox.pending_for([first], limit=10)
    assert (row.payload, row.headers, row.key) == (payload, {"event-id": "e"}, "C1")


# --- statements per event in a batch (deterministic; the bench measures the time) ------------


def statements_per_event(topic: str, payloads: list[dict[str, Any]]) -> float:
    """The statements one more event of ``payloads`` adds to a batch: a batch of the first two,
    then one of the other four, counted apart, so the batch's own statements cancel out."""

    def batch_statements(events: list[dict[str, Any]]) -> int:
        ids = record_events(topic, events)
        with CaptureQueriesContext(connection) as statements:
            assert processing.apply_inbox_batch(ids) == {processing.APPLIED: len(events)}
        return len(statements.captured_queries)

    assert len(payloads) == 6
    return (batch_statements(payloads[2:]) - batch_statements(payloads[:2])) / 2


def test_a_payment_found_through_its_loan_costs_its_batch_two_statements() -> None:
    """Left to its handler (no customer named): the payment with its customer, attribution,
    reversal check and loan currency in one statement (payments.services), the pending
    promises in another; no savepoints."""
    agent = AgentFactory()
    payloads = []
    for n in range(6):
        loan = LoanFactory()
        CustomerCaseFactory(customer=loan.customer, assigned_call_agent=agent)
        payloads.append(
            payment_event(
                payment_id=f"P{n}",
                cif=None,
                loan_account_number=loan.account_number,
                payment_date=timezone.now().isoformat(),
            )
        )
    assert statements_per_event(PAYMENT_RECEIVED, payloads) == 2
    assert Payment.objects.filter(call_agent=agent).count() == 6  # attributed all the same


def _promised_payments(*, currency: str | None = "VND") -> list[dict[str, Any]]:
    """Six payments of 100 on six customers' loans, each with a pending promise of 900."""
    agent = AgentFactory()
    payloads = []
    for n in range(6):
        loan = LoanFactory()
        CustomerCaseFactory(customer=loan.customer, assigned_call_agent=agent)
        promise(agent=agent, cif=loan.customer_id, loan=loan.account_number, amount="900")
        payloads.append(
            payment_event(
                payment_id=f"PP{n}",
                cif=loan.customer_id,
                loan_account_number=loan.account_number,
                amount="100.00",
                payment_date=timezone.now().isoformat(),
                currency=currency,
            )
        )
    return payloads


def test_payments_naming_customer_and_currency_cost_their_batch_no_statement_of_their_own() -> None:
    """The batch step (kafka_bridge.handlers.payments): one statement stores and attributes
    the batch's payments, one locks their customers' pending promises, one writes every
    appropriation with its promise's new paid amount, whatever their number."""
    assert statements_per_event(PAYMENT_RECEIVED, _promised_payments()) == 0
    assert Payment.objects.filter(call_agent__isnull=False).count() == 6
    assert (
        sorted(PaymentPromise.objects.values_list("paid_amount", flat=True))
        == [Decimal("100.00")] * 6
    )


def test_a_payment_without_currency_on_a_pending_promise_costs_its_batch_three_statements() -> None:
    """Left to its handler (the loan's currency is read with the payment): the payment, the
    customer's pending promises (locked), and the appropriation with the promise's new paid
    amount in one statement (promises.services)."""
    assert statements_per_event(PAYMENT_RECEIVED, _promised_payments(currency=None)) == 3
    assert (
        sorted(PaymentPromise.objects.values_list("paid_amount", flat=True))
        == [Decimal("100.00")] * 6
    )


def test_a_plain_user_created_costs_its_batch_no_statement_of_its_own() -> None:
    """The batch step finds the users (two statements) and creates their agents, link audits
    and events (three INSERTs), whatever their number."""
    users = [CrmUserFactory() for _ in range(6)]
    payloads = [user_created(u.id, username=u.username, email=u.email, role=u.role) for u in users]
    assert statements_per_event(topics.USER_CREATED, payloads) == 0
    assert Agent.objects.filter(user__in=users).count() == 6


def test_a_user_created_left_to_its_handler_costs_its_batch_twelve_statements() -> None:
    # Each user's first employee-id candidate is another agent's: the handler creates the
    # agent under the next candidate.
    users = [CrmUserFactory() for _ in range(6)]
    for user in users:
        AgentFactory(employee_id=user.username.upper())
    payloads = [user_created(u.id, username=u.username, email=u.email, role=u.role) for u in users]
    per_event = statements_per_event(topics.USER_CREATED, payloads)
    assert Agent.objects.filter(user__in=users).count() == 6
    assert per_event > 10  # the handler's path, unchanged


def test_a_bank_event_for_a_customer_with_a_case_costs_its_batch_two_statements() -> None:
    payloads = [bank_event(CustomerCaseFactory().customer_id) for _ in range(6)]
    assert statements_per_event(topics.CUSTOMER_UPDATED, payloads) == 2


def test_events_produced_by_a_batch_name_the_consumed_event_as_their_request_id() -> None:
    users = [CrmUserFactory() for _ in range(2)]
    payloads = [user_created(u.id, username=u.username, email=u.email, role=u.role) for u in users]
    ids = record_events(topics.USER_CREATED, payloads, [{"event-id": "from-the-header"}, {}])
    assert processing.apply_inbox_batch(ids) == {processing.APPLIED: 2}
    created = OutboxEvent.objects.filter(topic=topics.AGENT_CREATED).order_by("id")
    assert [event.headers.get("request-id") for event in created] == [
        "from-the-header",
        payloads[1]["id"],
    ]


def test_a_batch_of_user_events_bumps_the_agents_version_once_at_its_end(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The version's row lock is taken right before the commit, not at the first event, so
    the other lane worker's batch and the web's agent writes do not wait for a whole batch."""

    def stored() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT version FROM workflow_service.table_versions")
            return int(cursor.fetchone()[0])  # type: ignore[index]

    seen: list[int] = []
    original = user_handlers.agent_provision_for_user

    def provision(**kwargs: Any) -> Any:
        result = original(**kwargs)
        seen.append(stored())
        return result

    monkeypatch.setattr(user_handlers, "agent_provision_for_user", provision)
    # Inactive users: their agents are created by the handler, not the batch step.
    users = [CrmUserFactory(is_active=False) for _ in range(3)]
    payloads = [user_created(u.id, username=u.username, email=u.email, role=u.role) for u in users]
    before = stored()
    ids = record_events(topics.USER_CREATED, payloads)
    assert processing.apply_inbox_batch(ids) == {processing.APPLIED: 3}
    assert seen == [before] * 3  # agents written, version not yet bumped
    assert stored() > before
    assert Agent.objects.filter(user__in=users).count() == 3
