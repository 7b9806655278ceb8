"""The Kafka bridge's admin: outbox rows and payments, read-only, with their filters."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from kafka_bridge import topics
from payments.models import Payment
from payments.services import payment_record
from tests.admin.conftest import crm_signed_in
from tests.factories import AgentFactory
from workflow.models import OutboxEvent
from workflow.outbox import enqueue, publish

pytestmark = pytest.mark.django_db

OUTBOX = "/admin/workflow/outboxevent/"
PAYMENTS = "/admin/payments/payment/"


@pytest.fixture
def admin_client() -> Client:
    return crm_signed_in("adm.kafka", "ADMIN")


def test_the_outbox_list_filters_unpublished_rows_by_topic_and_shows_the_error(
    admin_client: Client,
) -> None:
    stuck = publish(topic="test.stuck", key="K-STUCK", payload={"n": 1})
    OutboxEvent.objects.filter(pk=stuck.pk).update(attempts=3, last_error="broker down: timed out")
    sent = publish(topic="test.sent", key="K-SENT", payload={"n": 2})
    OutboxEvent.objects.filter(pk=sent.pk).update(published_at=dt.datetime.now(dt.UTC))
    enqueue(topic=topics.dlq_topic("auth-service.user.created"), key="K-DLQ", payload={})

    page = admin_client.get(OUTBOX, {"published": "failed"}).content.decode()
    assert "K-STUCK" in page and "broker down: timed out" in page
    assert "K-SENT" not in page and "K-DLQ" not in page
    published = admin_client.get(OUTBOX, {"published": "yes"}).content.decode()
    assert "K-SENT" in published and "K-STUCK" not in published
    by_topic = admin_client.get(OUTBOX, {"topic": "auth-service.user.created.dlq"})
    assert by_topic.status_code == 200
    assert "K-DLQ" in by_topic.content.decode() and "K-STUCK" not in by_topic.content.decode()
    by_event = admin_client.get(OUTBOX, {"q": str(stuck.event_id)}).content.decode()
    assert "K-STUCK" in by_event and "K-DLQ" not in by_event

    detail = admin_client.get(f"{OUTBOX}{stuck.pk}/change/")
    assert detail.status_code == 200
    assert "broker down: timed out" in detail.content.decode()
    assert admin_client.get(f"{OUTBOX}add/").status_code == 403
    assert admin_client.post(f"{OUTBOX}{stuck.pk}/delete/").status_code == 403


def test_the_payment_list_filters_by_agent_and_by_date(admin_client: Client) -> None:
    agent, other = AgentFactory(), AgentFactory()
    for number, month in ((1, 3), (2, 4)):
        payment_record(
            payment_id=f"PAY-ADMIN-{number}",
            amount=Decimal("100.00"),
            payment_date=dt.datetime(2026, month, 10, 2, 0, tzinfo=dt.UTC),
        )
    Payment.objects.filter(payment_id="PAY-ADMIN-1").update(field_agent=agent)
    Payment.objects.filter(payment_id="PAY-ADMIN-2").update(call_agent=other)

    by_agent = admin_client.get(PAYMENTS, {"agent": str(agent.id)}).content.decode()
    assert "PAY-ADMIN-1" in by_agent and "PAY-ADMIN-2" not in by_agent
    by_month = admin_client.get(
        PAYMENTS, {"payment_date__year": "2026", "payment_date__month": "4"}
    ).content.decode()
    assert "PAY-ADMIN-2" in by_month and "PAY-ADMIN-1" not in by_month
    payment = Payment.objects.get(payment_id="PAY-ADMIN-1")
    detail = admin_client.get(f"{PAYMENTS}{payment.pk}/change/")
    assert detail.status_code == 200 and "PAY-ADMIN-1" in detail.content.decode()
