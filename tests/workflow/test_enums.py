from __future__ import annotations

import pytest
from django.db import connection

from workflow.enums import PG_ENUMS


@pytest.mark.django_db
def test_every_text_choices_class_mirrors_its_database_enum_in_order() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT t.typname, array_agg(e.enumlabel ORDER BY e.enumsortorder)
            FROM pg_type t
            JOIN pg_enum e ON e.enumtypid = t.oid
            JOIN pg_namespace n ON n.oid = t.typnamespace
            WHERE n.nspname = 'public'
            GROUP BY t.typname
            """
        )
        database = dict(cursor.fetchall())
    assert set(PG_ENUMS) <= set(database)
    for name, choices in PG_ENUMS.items():
        assert list(choices.values) == database[name], name
