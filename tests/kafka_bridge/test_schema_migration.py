"""0006_kafka_bridge.sql is idempotent and its reverse restores the schema exactly."""

from __future__ import annotations

import psycopg
import pytest

from tests.workflow.test_migrations import run, scratch, signature

__all__ = ["scratch"]  # the fixture, re-used


@pytest.mark.django_db
def test_the_kafka_bridge_tables_are_idempotent_and_reversible(
    scratch: psycopg.Connection,
) -> None:
    for step in ("0001_baseline", "0002_agents_user_id", "0003_fix_assignment_trigger"):
        run(scratch, step)
    run(scratch, "0004_mv_unique_indexes")
    before = signature(scratch)
    run(scratch, "0006_kafka_bridge")
    after = signature(scratch)
    run(scratch, "0006_kafka_bridge")
    assert signature(scratch) == after
    tables = {row[1] for row in after["columns"] if row[0] == "workflow_service"}
    assert {"outbox_events", "processed_events", "event_watermarks", "payments"} <= tables
    indexes = {row[2] for row in after["indexes"]}
    assert {
        "idx_outbox_events_unpublished",
        "idx_processed_events_processed_at",
        "idx_payments_call_agent_id_payment_date",
        "idx_payments_field_agent_id_payment_date",
        "idx_payments_cif",
    } <= indexes
    constraints = {row[1] for row in after["constraints"]}
    assert "uk_payments_payment_id" in constraints
    # No foreign key to bank sync: a payment may arrive before its loan.
    assert not [
        row
        for row in after["constraints"]
        if "payments" in str(row[0]) and "bank_sync" in str(row[2])
    ]
    run(scratch, "0006_kafka_bridge_reverse")
    assert signature(scratch) == before
    run(scratch, "0006_kafka_bridge_reverse")
    assert signature(scratch) == before
