"""Statements run again and again on a connection are prepared: planned once per connection
(``DB_PREPARE_THRESHOLD``, README), not once per request."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection

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
