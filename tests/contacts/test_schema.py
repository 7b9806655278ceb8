"""The contacts migrations: idempotent SQL, presets installed once, both reversible."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from contacts.models import ContactPolicy, ContactPolicyAssignment
from contacts.presets import PRESETS, install_presets, refresh_preset_texts
from workflow.schema import read_sql

SQL = Path(__file__).resolve().parents[2] / "contacts" / "sql"


@pytest.mark.django_db
def test_the_sql_and_the_presets_are_no_ops_when_run_again() -> None:
    install_presets()
    before = ContactPolicy.objects.count(), ContactPolicyAssignment.objects.count()
    with connection.cursor() as cursor:
        cursor.execute(read_sql("0001_contact_policy.sql", directory=SQL))

    assert install_presets() == 0
    assert (ContactPolicy.objects.count(), ContactPolicyAssignment.objects.count()) == before
    assert before == (len(PRESETS), len(PRESETS) + 1)
    default = ContactPolicyAssignment.objects.get(cif=None, jurisdiction=None, product_type=None)
    assert default.policy_code == "VN_CIRCULAR_18_2019"
    assert all(p.source and p.is_preset for p in ContactPolicy.objects.all())


@pytest.mark.django_db(transaction=True)
def test_the_contacts_migrations_reverse_and_reapply() -> None:
    try:
        call_command("migrate", "contacts", "zero", verbosity=0)
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass('workflow_service.contact_attempts')")
            assert cursor.fetchone()[0] is None
    finally:
        call_command("migrate", verbosity=0)
    assert ContactPolicy.objects.filter(is_preset=True).count() == len(PRESETS)


@pytest.mark.django_db
def test_the_preset_citations_are_brought_to_the_checked_text_and_only_the_words() -> None:
    install_presets()
    vietnam = ContactPolicy.objects.get(code="VN_CIRCULAR_18_2019", version=1)
    rules_before = (vietnam.channels, vietnam.parties, vietnam.attempt_types, vietnam.block_days)
    # As shipped before the citations were checked.
    ContactPolicy.objects.filter(id=vietnam.id).update(source="5 reminders a day.")

    assert refresh_preset_texts() == 1
    assert refresh_preset_texts() == 0

    texts = {p.code: (p.name, p.description, p.source) for p in ContactPolicy.objects.all()}
    assert texts == {p["code"]: (p["name"], p["description"], p["source"]) for p in PRESETS}
    vietnam.refresh_from_db()
    assert (
        vietnam.channels,
        vietnam.parties,
        vietnam.attempt_types,
        vietnam.block_days,
    ) == rules_before
