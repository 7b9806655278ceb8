"""Statements run again and again on a connection are prepared: planned once per connection
(``DB_PREPARE_THRESHOLD``, README), not once per request."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agents.models import Agent


@pytest.mark.django_db
def test_a_statement_run_past_the_threshold_is_prepared_on_the_connection() -> None:
    assert settings.DB_PREPARE_THRESHOLD > 0
    assert settings.DATABASES["default"]["OPTIONS"]["server_side_binding"] is True

    def prepared() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
                ['%"workflow_service"."agents"%'],
            )
            return cursor.fetchone()[0]  # type: ignore[index]

    before = prepared()
    for _ in range(settings.DB_PREPARE_THRESHOLD + 1):
        list(Agent.objects.filter(employee_id="nobody"))
    assert prepared() == before + 1


@pytest.mark.django_db
def test_a_bulk_insert_past_the_protocol_limit_is_cut_into_batches() -> None:
    """Bound server-side, a statement takes at most 65,535 parameters: 7,000 customers (more
    than 65,535 values) go in as several INSERTs of at most 65,535 values each. (Rows of plain
    values would fit one INSERT through Django's UNNEST arrays; rows with an array, a custom
    placeholder or an expression would not, and the batch size cannot tell them apart.)"""
    from workflow.models import Customer

    rows = [
        Customer(
            cif=f"BULK{n:07d}",
            type="INDIVIDUAL",
            name=f"Bulk {n}",
            segment="MASS",
            status="ACTIVE",
            source_system="T24",
            created_by="tests",
            updated_by="tests",
        )
        for n in range(7_000)
    ]
    fields = [f for f in Customer._meta.concrete_fields if not f.generated]
    assert len(fields) * len(rows) > 65_535
    with CaptureQueriesContext(connection) as queries:
        Customer.objects.bulk_create(rows)
    inserts = [q for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    per_batch = 65_535 // len(fields)
    assert len(inserts) == -(-len(rows) // per_batch)  # ceil: batches of per_batch rows
    assert Customer.objects.filter(cif__startswith="BULK").count() == 7_000
