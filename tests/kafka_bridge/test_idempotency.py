"""Event claims, entity watermarks and the retention purge."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import connection, transaction

from kafka_bridge.idempotency import (
    advance_watermark,
    claim_event,
    is_newer,
    purge_processed_events,
)
from kafka_bridge.models import ProcessedEvent

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 10, 2, 30, tzinfo=dt.UTC)


def test_an_event_id_is_claimed_once() -> None:
    event_id = uuid.uuid4()
    with transaction.atomic():
        assert claim_event(event_id, "t") is True
        assert claim_event(event_id, "t") is False
    assert ProcessedEvent.objects.get().topic == "t"


def test_a_handler_that_fails_releases_its_claim() -> None:
    event_id = uuid.uuid4()
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        claim_event(event_id, "t")
        _ = 1 / 0
    with transaction.atomic():
        assert claim_event(event_id, "t") is True


@pytest.mark.django_db(transaction=True)
def test_claiming_outside_a_transaction_is_refused() -> None:
    with pytest.raises(RuntimeError, match="inside the handler's transaction"):
        claim_event(uuid.uuid4(), "t")


def test_a_watermark_only_moves_forward() -> None:
    assert is_newer("agent", "u1", T0) is True
    assert advance_watermark("agent", "u1", T0) is True
    assert is_newer("agent", "u1", T0) is False
    assert advance_watermark("agent", "u1", T0) is False  # same instant: not newer
    assert advance_watermark("agent", "u1", T0 - dt.timedelta(seconds=1)) is False
    assert advance_watermark("agent", "u1", T0 + dt.timedelta(milliseconds=1)) is True
    assert advance_watermark("agent", "u2", T0 - dt.timedelta(days=1)) is True  # other entity
    assert advance_watermark("loan", "u1", T0 - dt.timedelta(days=1)) is True  # other type


def test_the_purge_forgets_only_ids_older_than_the_retention() -> None:
    old, recent = uuid.uuid4(), uuid.uuid4()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO workflow_service.processed_events (event_id, topic, processed_at) "
            "VALUES (%s, 't', (now() AT TIME ZONE 'UTC') - interval '31 days'), "
            "(%s, 't', (now() AT TIME ZONE 'UTC') - interval '29 days')",
            [old, recent],
        )
    assert purge_processed_events(chunk=1) == 1
    assert list(ProcessedEvent.objects.values_list("event_id", flat=True)) == [recent]
    assert purge_processed_events(older_than_days=1) == 1
